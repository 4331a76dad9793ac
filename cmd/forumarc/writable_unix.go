//go:build unix

package main

import (
	"errors"
	"syscall"
)

// fileWriteDenied says why this process may not write the existing file at path
// ("" when it may, or when path is missing: store.Open reports that). It asks
// access(2) rather than opening the file: closing a descriptor of a database SQLite has
// open in this process (run-due runs its jobs' crawls in-process) would drop SQLite's
// POSIX locks on it.
func fileWriteDenied(path string) string {
	const wOK = 0x2 // W_OK on every Unix
	switch err := syscall.Access(path, wOK); {
	case err == nil:
		return ""
	case errors.Is(err, syscall.EROFS):
		return "it is on a read-only file system"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return "its permissions do not let this user write it"
	}
	return ""
}

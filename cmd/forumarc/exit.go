package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// Exit codes are part of the CLI contract (README lists them) so cron jobs and
// scripts can branch on them.
const (
	exitOK          = 0
	exitFailed      = 1 // some pages failed, or the page is not a readable forum thread
	exitUsage       = 2
	exitLocked      = 3 // another crawl holds the database
	exitDatabase    = 4 // the archive cannot be opened or written (foreign, newer, corrupt, disk full)
	exitInterrupted = 130
)

// usageError marks errors in how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// lockedError marks a database held by another crawl.
type lockedError struct{ err error }

func (e lockedError) Error() string { return e.err.Error() }
func (e lockedError) Unwrap() error { return e.err }

// dbError marks a database that cannot be used.
type dbError struct{ err error }

func (e dbError) Error() string { return e.err.Error() }
func (e dbError) Unwrap() error { return e.err }

// exitCode maps an error to the documented exit codes and prints it as one line.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var (
		ue usageError
		le lockedError
		de dbError
		uu *scraper.URLError
	)
	code := exitFailed
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "forumarc: interrupted; everything fetched before was committed")
		return exitInterrupted
	case errors.As(err, &ue), errors.As(err, &uu):
		code = exitUsage
	case errors.As(err, &le):
		code = exitLocked
	case errors.As(err, &de), errors.Is(err, store.ErrNewerSchema), errors.Is(err, store.ErrNotArchive), errors.Is(err, store.ErrStorage):
		code = exitDatabase
	}
	msg := strings.TrimSpace(err.Error())
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	fmt.Fprintln(stderr, "forumarc: "+msg)
	if code == exitUsage {
		fmt.Fprintln(stderr, "Run 'forumarc --help' for usage.")
	}
	return code
}

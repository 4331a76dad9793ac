package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
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

// notWritableError is an archive file this process may not write: its permissions or a
// read-only file system. SQLite opens such a file read-only without a word, and its
// first write then fails as if forumarc had chosen to open it so; this says whose the
// refusal is. It is wrapped in a dbError (exit 4).
type notWritableError struct {
	path string // absolute
	why  string // "its permissions do not let this user write it"
	hint string // what the command adds, after the rest
	err  error  // the refused write, if one was tried
}

func (e *notWritableError) Error() string {
	msg := fmt.Sprintf("open archive %s: the file is not writable: %s (commands that only read, like status, jobs list and query, still work)", e.path, e.why)
	if e.hint != "" {
		msg += "; " + e.hint
	}
	return msg
}

func (e *notWritableError) Unwrap() error { return e.err }

// checkWritable refuses, before SQLite opens it read-only, an existing archive file
// this process may not write (see notWritableError). A missing file passes: store.Open
// creates it or says why it cannot.
func checkWritable(path string) error {
	why := fileWriteDenied(path)
	if why == "" {
		return nil
	}
	return dbError{&notWritableError{path: absPath(path), why: why}}
}

// notWritable is checkWritable's error for a write SQLite refused with store.ErrReadOnly
// on an archive opened for writing (the file's permissions changed since, or a case
// access(2) does not see); other errors are returned as they are.
func notWritable(path string, err error) error {
	if !errors.Is(err, store.ErrReadOnly) {
		return err
	}
	why := fileWriteDenied(path)
	if why == "" {
		why = "SQLite refused to write it (check the permissions of the file and its directory)"
	}
	return dbError{&notWritableError{path: absPath(path), why: why, err: err}}
}

func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// reportedError marks an error whose line was already printed (by a job's crawl,
// run in-process by run-due or schedule): exitCode maps it to its code and prints
// nothing more, so each failure is one line.
type reportedError struct{ err error }

func (e reportedError) Error() string { return e.err.Error() }
func (e reportedError) Unwrap() error { return e.err }

// exitCode maps an error to the documented exit codes and prints it as one line.
func exitCode(err error, stderr io.Writer) int {
	return exitReport(err, stderr, "text", "", "forumarc")
}

// exitReport is exitCode for a command run with --log-format format ("json": the line
// is a JSON log record like every other line on stderr) and, when job is set, as the
// crawl of that job (the line names the job and carries no usage hint, which would
// land in the middle of run-due's output). A usage error's hint names the help of
// command, the command path that failed ("forumarc search").
func exitReport(err error, stderr io.Writer, format, job, command string) int {
	if err == nil {
		return exitOK
	}
	var (
		ue usageError
		le lockedError
		de dbError
		re reportedError
		uu *scraper.URLError
	)
	code := exitFailed
	msg := ""
	switch {
	case errors.Is(err, context.Canceled):
		code, msg = exitInterrupted, "interrupted; everything fetched before was committed"
	case errors.As(err, &ue), errors.As(err, &uu):
		code = exitUsage
	case errors.As(err, &le):
		code = exitLocked
	case errors.As(err, &de), errors.Is(err, store.ErrNewerSchema), errors.Is(err, store.ErrNotArchive), errors.Is(err, store.ErrStorage):
		code = exitDatabase
	}
	if errors.As(err, &re) {
		return code
	}
	if msg == "" {
		msg = strings.TrimSpace(err.Error())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
	}
	if format == "json" {
		level := slog.LevelError
		if code == exitInterrupted {
			level = slog.LevelWarn
		}
		attrs := []any{"exit", code}
		if job != "" {
			attrs = append(attrs, "job", job)
		}
		slog.New(slog.NewJSONHandler(stderr, nil)).Log(context.Background(), level, msg, attrs...)
		return code
	}
	if job != "" {
		msg = "job " + job + ": " + msg
	}
	fmt.Fprintln(stderr, "forumarc: "+msg)
	if code == exitUsage && job == "" {
		if command == "" {
			command = "forumarc"
		}
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", command)
	}
	return code
}

// stderrLine writes a notice meant for people to stderr: as it is in text mode, as a
// JSON log record (without the "forumarc: " prefix) when jsonMode.
func stderrLine(w io.Writer, jsonMode bool, level slog.Level, msg string) {
	if !jsonMode {
		fmt.Fprintln(w, msg)
		return
	}
	slog.New(slog.NewJSONHandler(w, nil)).Log(context.Background(), level, strings.TrimPrefix(msg, "forumarc: "))
}

// notice is stderrLine in the command's --log-format.
func (a *app) notice(msg string) { stderrLine(a.stderr, a.logFormat == "json", slog.LevelInfo, msg) }

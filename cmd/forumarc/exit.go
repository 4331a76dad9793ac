package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

// reportedError marks an error whose line was already printed (by a job's crawl,
// run in-process by run-due or schedule): exitCode maps it to its code and prints
// nothing more, so each failure is one line.
type reportedError struct{ err error }

func (e reportedError) Error() string { return e.err.Error() }
func (e reportedError) Unwrap() error { return e.err }

// exitCode maps an error to the documented exit codes and prints it as one line.
func exitCode(err error, stderr io.Writer) int { return exitReport(err, stderr, "text", "") }

// exitReport is exitCode for a command run with --log-format format ("json": the line
// is a JSON log record like every other line on stderr) and, when job is set, as the
// crawl of that job (the line names the job and carries no usage hint, which would
// land in the middle of run-due's output).
func exitReport(err error, stderr io.Writer, format, job string) int {
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
		fmt.Fprintln(stderr, "Run 'forumarc --help' for usage.")
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

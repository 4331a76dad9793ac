// Command forumarc archives forum threads into SQLite.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // --timezone works on minimal images without zoneinfo
)

func main() {
	tuneGC(os.Getenv)
	ctx, stop := interruptContext(logFormatArg(os.Args[1:]) == "json")
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTTY: isTerminal(os.Stderr)}))
}

// interruptContext implements a two-stage stop: the first Ctrl-C (or SIGTERM)
// cancels the context so the page in flight is dropped and everything stored stays
// committed; a second one exits at once. With jsonMode the notices are JSON log
// records, like everything else on stderr.
func interruptContext(jsonMode bool) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	w := interruptWatch{
		sig:    sig,
		now:    time.Now,
		notice: func(msg string) { stderrLine(os.Stderr, jsonMode, slog.LevelWarn, msg) },
		cancel: cancel,
		abort:  func() { os.Exit(exitInterrupted) },
	}
	go w.run()
	return ctx, func() { signal.Stop(sig); cancel() }
}

// repeatSignalWindow is how long after the first signal another one is taken as the
// same stop request, not as "Ctrl-C again": GNU timeout, a service manager or a shell
// may signal both the process and its process group, so one stop arrives twice within
// milliseconds. A person pressing Ctrl-C twice is much slower than this.
const repeatSignalWindow = 500 * time.Millisecond

// interruptWatch is interruptContext's signal handling, with its clock and its exits
// injected for tests.
type interruptWatch struct {
	sig    <-chan os.Signal
	now    func() time.Time
	notice func(msg string)
	cancel func() // the first signal: stop at a safe point
	abort  func() // a later one: exit at once (does not return in the program)
}

func (w interruptWatch) run() {
	if _, ok := <-w.sig; !ok {
		return
	}
	first := w.now()
	w.notice(interruptNotice())
	w.cancel()
	for range w.sig {
		if w.now().Sub(first) < repeatSignalWindow {
			continue // the same stop delivered twice
		}
		w.notice("forumarc: aborted")
		w.abort()
		return
	}
}

// logFormatArg is the --log-format given in args (before any "--"), for the signal
// notices printed outside the command; "" when none.
func logFormatArg(args []string) string {
	format := ""
	for i, arg := range args {
		switch {
		case arg == "--":
			return format
		case arg == "--log-format" && i+1 < len(args):
			format = args[i+1]
		case strings.HasPrefix(arg, "--log-format="):
			format = strings.TrimPrefix(arg, "--log-format=")
		}
	}
	return format
}

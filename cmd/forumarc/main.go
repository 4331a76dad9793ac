// Command forumarc archives forum threads into SQLite.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
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
	go func() {
		<-sig
		stderrLine(os.Stderr, jsonMode, slog.LevelWarn, interruptNotice())
		cancel()
		<-sig
		stderrLine(os.Stderr, jsonMode, slog.LevelWarn, "forumarc: aborted")
		os.Exit(exitInterrupted)
	}()
	return ctx, func() { signal.Stop(sig); cancel() }
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

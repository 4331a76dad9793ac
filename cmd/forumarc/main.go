// Command forumarc archives forum threads into SQLite.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // --timezone works on minimal images without zoneinfo
)

func main() {
	tuneGC(os.Getenv)
	ctx, stop := interruptContext()
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTTY: isTerminal(os.Stderr)}))
}

// interruptContext implements a two-stage stop: the first Ctrl-C (or SIGTERM)
// cancels the context so the page in flight is dropped and everything stored stays
// committed; a second one exits at once.
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "forumarc: interrupted; finishing the current step (press Ctrl-C again to abort)")
		cancel()
		<-sig
		fmt.Fprintln(os.Stderr, "forumarc: aborted")
		os.Exit(exitInterrupted)
	}()
	return ctx, func() { signal.Stop(sig); cancel() }
}

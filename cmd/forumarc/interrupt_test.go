package main

import (
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestRepeatSignalWithinWindowIsTheSameStop: GNU timeout signals the process and its
// process group, so one stop can arrive twice within milliseconds. A repeat within
// repeatSignalWindow of the first signal is ignored (the stop stays clean); a signal
// after it aborts, as a second Ctrl-C always did. It used to abort on any second signal.
func TestRepeatSignalWithinWindowIsTheSameStop(t *testing.T) {
	t0 := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	// The watcher reads the clock once per signal: these are the signals' times.
	times := []time.Duration{0, 3 * time.Millisecond, 400 * time.Millisecond, 600 * time.Millisecond}
	var (
		mu      sync.Mutex
		calls   int
		notices []string
	)
	sig := make(chan os.Signal) // unbuffered: a send returns once the watcher took it
	aborted := make(chan struct{})
	cancels := 0
	w := interruptWatch{
		sig: sig,
		now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			calls++
			return t0.Add(times[calls-1])
		},
		notice: func(msg string) { mu.Lock(); notices = append(notices, msg); mu.Unlock() },
		cancel: func() { mu.Lock(); cancels++; mu.Unlock() },
		abort:  func() { close(aborted) },
	}
	done := make(chan struct{})
	go func() { w.run(); close(done) }()

	send := func(s os.Signal, what string) {
		t.Helper()
		select {
		case sig <- s:
		case <-done:
			t.Fatalf("%s: the watcher had already aborted", what)
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: not received", what)
		}
	}
	send(syscall.SIGTERM, "first signal")        // timeout's signal to the process...
	send(syscall.SIGTERM, "repeat after 3ms")    // ...and to its process group
	send(os.Interrupt, "repeat after 400ms")     // still within the window
	send(os.Interrupt, "second signal at 600ms") // handled only once the one before was
	select {
	case <-aborted:
	case <-time.After(5 * time.Second):
		t.Fatal("a second signal after the window did not abort")
	}
	<-done
	mu.Lock()
	defer mu.Unlock()
	if cancels != 1 || calls != 4 {
		t.Errorf("cancel called %d times, clock read %d times; want 1 and 4", cancels, calls)
	}
	if len(notices) != 2 || notices[0] != interruptNotice() || notices[1] != "forumarc: aborted" {
		t.Errorf("notices %q, want the interrupt notice then %q", notices, "forumarc: aborted")
	}
}

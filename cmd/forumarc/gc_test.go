package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGCUnlessUserChose(t *testing.T) {
	base := debug.SetGCPercent(100)
	defer debug.SetGCPercent(base)
	baseLimit := debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(baseLimit)

	restore := tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(-1); got != gcPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, gcPercent)
	}
	debug.SetGCPercent(gcPercent)
	if got := debug.SetMemoryLimit(-1); got != gcMemoryLimit {
		t.Errorf("GOMEMLIMIT unset: memory limit %d, want %d", got, gcMemoryLimit)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after restore: GC percent %d, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("after restore: memory limit %d, want none", got)
	}

	user := map[string]string{"GOGC": "50", "GOMEMLIMIT": "200MiB"}
	tuneGC(func(k string) string { return user[k] })()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set by the user: GC percent changed to %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set by the user: memory limit changed to %d", got)
	}
}

package main

import (
	"runtime/debug"
)

// A crawl keeps almost nothing live (a few MiB: one parsed page per worker and the
// store's caches) while it allocates about 0.7 MB per page it reads. With Go's default
// GOGC=100 the collector then runs every few pages; in BenchmarkCrawlForum that cost
// about a third of the crawl's CPU. These are the settings forumarc runs with unless
// the user sets GOGC or GOMEMLIMIT.
const (
	// gcPercent lets the heap grow to nine times what is live before collecting:
	// 57 to 65 MiB at the peak of a crawl of 2,500 to 10,000 pages (BENCHMARKS.md).
	gcPercent = 800
	// gcMemoryLimit is the soft ceiling that makes the collector work harder before a
	// pathological page (tens of MiB of HTML) could push the heap past it.
	gcMemoryLimit = 1 << 30
)

// tuneGC applies gcPercent and gcMemoryLimit where the environment leaves them unset
// and returns a function that restores what was there (for benchmarks).
func tuneGC(getenv func(string) string) (restore func()) {
	prevPercent, prevLimit := -2, int64(-1)
	if getenv("GOGC") == "" {
		prevPercent = debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		prevLimit = debug.SetMemoryLimit(gcMemoryLimit)
	}
	return func() {
		if prevPercent != -2 {
			debug.SetGCPercent(prevPercent)
		}
		if prevLimit >= 0 {
			debug.SetMemoryLimit(prevLimit)
		}
	}
}

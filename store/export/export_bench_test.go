package export_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/forumarc/forumarc/store"
	"github.com/forumarc/forumarc/store/export"
	"github.com/forumarc/forumarc/store/internal/benchdb"
)

// BenchmarkExportJSONL1M exports all 1,000,000 posts of the generated archive as JSON
// Lines. Target: at least 50,000 posts/s. Run with:
//
//	go test ./store/export -run '^$' -bench JSONL1M -benchtime 2x
func BenchmarkExportJSONL1M(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the 1M-post archive")
	}
	db, err := store.OpenReadOnly(context.Background(), benchdb.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var posts int
	var elapsed, cpu time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0, c0 := time.Now(), cpuTime()
		c, err := export.JSONL(io.Discard, db.Posts(context.Background(), store.Selection{}))
		elapsed += time.Since(t0)
		cpu += cpuTime() - c0
		if err != nil {
			b.Fatal(err)
		}
		if c.Posts != benchdb.Posts {
			b.Fatalf("exported %d posts", c.Posts)
		}
		posts += c.Posts
	}
	b.ReportMetric(float64(posts)/elapsed.Seconds(), "posts/s")
	// Posts per second of CPU used (user+system, all threads): what a dedicated core
	// achieves, independent of other load on the machine.
	if cpu > 0 {
		b.ReportMetric(float64(posts)/cpu.Seconds(), "posts/cpu-s")
	}
}

// BenchmarkExportCSV1M is the same for CSV.
func BenchmarkExportCSV1M(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the 1M-post archive")
	}
	db, err := store.OpenReadOnly(context.Background(), benchdb.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var posts int
	var elapsed time.Duration
	for b.Loop() {
		t0 := time.Now()
		c, err := export.CSV(io.Discard, db.Posts(context.Background(), store.Selection{}))
		elapsed += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		posts += c.Posts
	}
	b.ReportMetric(float64(posts)/elapsed.Seconds(), "posts/s")
}

package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/forumarc/forumarc/store"
	"github.com/forumarc/forumarc/store/internal/benchdb"
)

// Benchmarks on the generated one-million-post archive (built once, cached in the temp
// dir). Run them with:
//
//	go test ./store/... -run '^$' -bench 1M -benchtime 3x
//
// Plain `go test ./...` runs none of them.

func openBench(b *testing.B) *store.DB {
	b.Helper()
	if testing.Short() {
		b.Skip("needs the 1M-post archive")
	}
	db, err := store.OpenReadOnly(context.Background(), benchdb.Path(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// searchP50 runs query n times and returns the median latency.
func searchP50(b *testing.B, db *store.DB, query string, want int, n int) time.Duration {
	ctx := context.Background()
	lat := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		hits, err := db.Search(ctx, query, store.SearchOptions{Limit: 20})
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if want >= 0 && len(hits) != want {
			b.Fatalf("%s: %d hits, want %d", query, len(hits), want)
		}
	}
	slices.Sort(lat)
	return lat[len(lat)/2]
}

// BenchmarkSearch1MSelective: a term in 50 of 1,000,000 posts, ranked with snippets.
// Target: p50 under 20 ms.
func BenchmarkSearch1MSelective(b *testing.B) {
	db := openBench(b)
	searchP50(b, db, benchdb.SelectiveTerm, 20, 5) // warm the page cache
	var p50 time.Duration
	for b.Loop() {
		p50 = searchP50(b, db, benchdb.SelectiveTerm, 20, 100)
	}
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
}

// BenchmarkSearch1MSelectiveFiltered adds a site and a date filter.
func BenchmarkSearch1MSelectiveFiltered(b *testing.B) {
	db := openBench(b)
	since := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := db.Search(ctx, benchdb.SelectiveTerm, store.SearchOptions{Selection: store.Selection{Site: "forum2.example", Since: &since}}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkSearch1MPrefix: a prefix query matching the selective term.
func BenchmarkSearch1MPrefix(b *testing.B) {
	db := openBench(b)
	var p50 time.Duration
	for b.Loop() {
		p50 = searchP50(b, db, "zyxwom*", 20, 50)
	}
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
}

// BenchmarkStats1M: the whole stats summary. Target: under 2 s.
func BenchmarkStats1M(b *testing.B) {
	db := openBench(b)
	for b.Loop() {
		st, err := db.Stats(context.Background(), 10)
		if err != nil {
			b.Fatal(err)
		}
		if st.Posts != benchdb.Posts {
			b.Fatalf("posts = %d", st.Posts)
		}
	}
}

// BenchmarkSearch1MCommon: a word in nearly every post (worst case: every match is
// ranked). No target; reported so the cost of unselective queries is known.
func BenchmarkSearch1MCommon(b *testing.B) {
	db := openBench(b)
	var p50 time.Duration
	for b.Loop() {
		p50 = searchP50(b, db, "gumi", 20, 3)
	}
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
}

package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// TestFrontierLeaseOrder pins what Lease promises the crawler: listings before
// threads, oldest first within a kind, deferred items only once due, the kinds filter
// honoured, and a lease of n spanning both kinds.
func TestFrontierLeaseOrder(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	f, resumed, err := db.OpenFrontier(ctx, CrawlKey("https://f.example/"))
	if err != nil || resumed {
		t.Fatalf("open frontier: %v (resumed %v)", err, resumed)
	}
	item := func(u string, k scraper.ItemKind) scraper.FrontierItem {
		return scraper.FrontierItem{URL: "https://f.example/" + u, Kind: k}
	}
	if _, err := f.Add(ctx, []scraper.FrontierItem{
		item("t1", scraper.KindThread), item("l1", scraper.KindListing), item("t2", scraper.KindThread),
		item("l2", scraper.KindListing), item("l3", scraper.KindListing), item("t3", scraper.KindThread),
	}); err != nil {
		t.Fatal(err)
	}
	lease := func(n int, kinds ...scraper.ItemKind) []scraper.FrontierItem {
		t.Helper()
		items, err := f.Lease(ctx, n, time.Minute, kinds...)
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	names := func(items []scraper.FrontierItem) string {
		var s []string
		for _, it := range items {
			s = append(s, strings.TrimPrefix(it.URL, "https://f.example/"))
		}
		return strings.Join(s, ",")
	}

	// l1 is deferred for an hour: l2 comes first, then threads (only threads asked).
	first := lease(1)
	if got := names(first); got != "l1" {
		t.Fatalf("first lease = %s, want l1", got)
	}
	if err := f.Defer(ctx, first[0].ID, clock.now().Add(time.Hour), errors.New("host paused")); err != nil {
		t.Fatal(err)
	}
	if got := names(lease(1)); got != "l2" {
		t.Errorf("second lease = %s, want l2 (l1 deferred)", got)
	}
	if got := names(lease(2, scraper.KindThread)); got != "t1,t2" {
		t.Errorf("threads-only lease = %s, want t1,t2", got)
	}
	if got := names(lease(3)); got != "l3,t3" {
		t.Errorf("mixed lease = %s, want l3,t3 (listings first, l1 not due)", got)
	}
	if got := names(lease(5)); got != "" {
		t.Errorf("nothing due, leased %s", got)
	}
	clock.advance(2 * time.Hour)
	again := lease(5)
	if got := names(again); got != "l1" || again[0].Attempts != 2 {
		t.Errorf("after the deferral = %s (attempts %d), want l1 with 2 attempts", got, again[0].Attempts)
	}
}

package store

import (
	"context"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// TestFrontierDoneArchived: the thread's item done and its listing entry archived
// land together, and only when the listing state is the frontier's own database.
func TestFrontierDoneArchived(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	other, _ := openTest(t)
	f, _, err := db.OpenFrontier(ctx, CrawlKey("https://f.example/"))
	if err != nil {
		t.Fatal(err)
	}
	replies := int64(7)
	e := scraper.ThreadEntry{URL: "https://f.example/threads/a.1/", Replies: &replies}
	if _, err := f.Add(ctx, []scraper.FrontierItem{{URL: e.URL, Kind: scraper.KindThread, Entry: &e}}); err != nil {
		t.Fatal(err)
	}
	items, err := f.Lease(ctx, 1, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatalf("lease: %v, %d items", err, len(items))
	}
	state := func() (item string, archived int64) {
		t.Helper()
		if err := db.read.QueryRowContext(ctx, `SELECT state FROM frontier WHERE id = ?`, items[0].ID).Scan(&item); err != nil {
			t.Fatal(err)
		}
		err := db.read.QueryRowContext(ctx, `SELECT coalesce(archived_replies, -1) FROM listing_entries WHERE url = ?`, e.URL).Scan(&archived)
		if err != nil {
			archived = -2 // no entry row
		}
		return item, archived
	}

	if done, err := f.DoneArchived(ctx, other, items[0].ID, "https://f.example/", e); done || err != nil {
		t.Fatalf("with another database's listing state: done %v, err %v; want false, nil", done, err)
	}
	if item, archived := state(); item != "leased" || archived != -2 {
		t.Fatalf("after a refused DoneArchived: item %s, archived replies %d; want leased and no entry", item, archived)
	}
	if done, err := f.DoneArchived(ctx, db, items[0].ID, "https://f.example/", e); !done || err != nil {
		t.Fatalf("DoneArchived: done %v, err %v", done, err)
	}
	if item, archived := state(); item != "done" || archived != 7 {
		t.Errorf("after DoneArchived: item %s, archived replies %d; want done and 7", item, archived)
	}
}

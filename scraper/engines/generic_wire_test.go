package engines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

func TestGenericListing(t *testing.T) {
	e, err := LoadProfile(filepath.Join("..", "..", "testdata", "generic", "example-profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "generic", "board.html"))
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := scraper.ExtractListingDocument(doc, "https://oldspokes.example/board/cat/3/frames", scraper.Options{Profile: e, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if l.Engine != "generic" || len(l.Boards) != 1 || l.Boards[0].URL != "https://oldspokes.example/board/cat/3/frames/lugs" ||
		*l.Boards[0].Title != "Lugs and brazing" || l.Page.NextURL != nil {
		t.Errorf("listing = %+v", l)
	}
	if len(l.Threads) != 2 {
		t.Fatalf("threads = %+v", l.Threads)
	}
	a, b := l.Threads[0], l.Threads[1]
	if a.URL != "https://oldspokes.example/board/topic/2291" || *a.Title != "Restoring a 1970s bicycle frame" || *a.Replies != 8 ||
		a.LastPostAt.Format(time.RFC3339) != "2025-12-24T14:00:00Z" || *a.LastPostText != "24 Dec 2025, 14:00" {
		t.Errorf("thread 1 = %+v", a)
	}
	// No data-epoch: the layout reads the text.
	if *b.Replies != 1204 || b.LastPostAt == nil || b.LastPostAt.Format(time.RFC3339) != "2026-01-03T08:15:00Z" {
		t.Errorf("thread 2 = %+v %v", b, b.LastPostAt)
	}

	// A profile without a listing section says so.
	thread, err := ParseProfile([]byte("posts: div.p\npost:\n  id: {attr: id}\n  body: .b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scraper.ExtractListingDocument(doc, "https://oldspokes.example/board/cat/3/frames", scraper.Options{Profile: thread}); err == nil ||
		!strings.Contains(err.Error(), "listing") {
		t.Errorf("no listing section: err = %v", err)
	}
	for _, bad := range []string{
		"listing: {}\n",
		"listing:\n  link: a\n  boards: a\n",
		"listing:\n  threads: 'tr[['\n",
		"listing:\n  threads: tr\n  colour: red\n",
	} {
		if _, err := ParseProfile([]byte("posts: div.p\npost:\n  id: {attr: id}\n  body: .b\n" + bad)); err == nil || !strings.Contains(err.Error(), "listing") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}

package engines

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

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

// TestGenericJSONProfile reads the example profile written as JSON: profiles may be
// either, and both give the same page.
func TestGenericJSONProfile(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "generic")
	y, err := os.ReadFile(filepath.Join(dir, "example-profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(y, &m); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := ParseProfile(j)
	if err != nil {
		t.Fatalf("json profile: %v", err)
	}
	fromYAML, err := ParseProfile(y)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "topic-p2.html"))
	if err != nil {
		t.Fatal(err)
	}
	var out [2]string
	for i, e := range []scraper.Engine{fromJSON, fromYAML} {
		p, err := scraper.Extract(raw, "https://oldspokes.example/board/topic/2291?pg=2", scraper.Options{Profile: e, FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(p)
		out[i] = string(b)
	}
	if out[0] != out[1] || !strings.Contains(out[0], `"id":"77130"`) {
		t.Errorf("json and yaml profiles differ:\n%s\n%s", out[0], out[1])
	}
}

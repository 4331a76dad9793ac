package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// testClock is a settable clock for WithNow.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
}

// openTest opens a fresh archive in a temp dir with a deterministic clock.
func openTest(t testing.TB) (*DB, *testClock) {
	t.Helper()
	clock := newClock()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "archive.db"), WithNow(clock.now))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, clock
}

func startRun(t testing.TB, db *DB) *Run {
	t.Helper()
	r, err := db.StartRun(context.Background(), "crawl", []string{"https://forum.example/t/1"})
	if err != nil {
		t.Fatalf("StartRun: %v", err)
	}
	return r
}

// makePage builds a thread page with n posts numbered from first, ids "p<k>".
func makePage(threadID string, number, n, first int) *scraper.Page {
	url := fmt.Sprintf("https://forum.example/threads/%s/page-%d", threadID, number)
	p := &scraper.Page{
		Engine: "xenforo2",
		URL:    url,
		Thread: scraper.Thread{
			ID:        scraper.Str(threadID),
			Title:     scraper.Str("Thread " + threadID),
			URL:       scraper.Str("https://forum.example/threads/" + threadID + "/"),
			ForumPath: []string{"Forums", "General"},
		},
		Page: scraper.PageInfo{Number: number, Total: scraper.Int(number)},
	}
	for k := first; k < first+n; k++ {
		posted := time.Date(2025, 12, 1, 10, k%60, 0, 0, time.UTC)
		p.Posts = append(p.Posts, scraper.Post{
			ID:         fmt.Sprintf("p%d", k),
			Number:     scraper.Int(k),
			URL:        scraper.Str(fmt.Sprintf("https://forum.example/posts/%d/", k)),
			PostedAt:   &posted,
			PostedText: scraper.Str("Dec 1, 2025"),
			Author: scraper.Author{
				Name:     scraper.Str(fmt.Sprintf("user%d", k%5)),
				ID:       scraper.Str(fmt.Sprintf("%d", 100+k%5)),
				Messages: scraper.Int64(int64(10 + k)),
				Extras:   map[string]string{"Favourite cheese": "Gouda"},
			},
			BodyHTML: fmt.Sprintf("<p>Post number %d talks about gearboxes and sprockets.</p>", k),
			BodyText: fmt.Sprintf("Post number %d talks about gearboxes and sprockets.", k),
			Quotes:   []scraper.Quote{},
		})
	}
	return p
}

func fetchedFor(p *scraper.Page, at time.Time) *scraper.Fetched {
	body := []byte(fmt.Sprintf("<html><body><h1>%s</h1>%d posts</body></html>", p.URL, len(p.Posts)))
	return &scraper.Fetched{
		URL:         p.URL,
		Status:      200,
		ContentType: "text/html; charset=utf-8",
		ETag:        `"abc"`,
		FetchedAt:   at,
		Body:        body,
		Encoding:    "utf-8",
	}
}

// count returns SELECT count(*) for a table or condition through the read pool.
func count(t testing.TB, db *DB, from string, args ...any) int {
	t.Helper()
	var n int
	if err := db.read.QueryRow("SELECT count(*) FROM "+from, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", from, err)
	}
	return n
}

func mustSave(t testing.TB, r *Run, f *scraper.Fetched, p *scraper.Page) scraper.SaveStats {
	t.Helper()
	st, err := r.SavePage(context.Background(), f, p)
	if err != nil {
		t.Fatalf("SavePage %s: %v", p.URL, err)
	}
	return st
}

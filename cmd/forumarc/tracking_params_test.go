package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// A thread archived again from links carrying tracking parameters (a newsletter's
// utm_*, Facebook's fbclid) keeps one page row and one WARC record per page: the
// parameters are dropped before the request and from the stored URLs, as session
// parameters are.
func TestArchiveTrackingURLsOnePageRow(t *testing.T) {
	f := sampleforum.New("Tracking")
	f.PostsPerPage = 2
	th := f.AddThread(f.AddBoard(nil, "Workshop"), "Plain thread", "")
	u := &sampleforum.User{ID: 1, Name: "ann"}
	for i := range 6 { // three pages
		f.AddPost(th, u, time.Date(2025, 1, 1, i, 0, 0, 0, time.UTC), "<p>post text</p>")
	}
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	thread := srv.URL + sampleforum.ThreadPath(th)
	db := filepath.Join(t.TempDir(), "t.db")
	ctx := context.Background()
	for _, u := range []string{
		thread + "#post-1003",
		thread + "page-2?utm_source=newsletter&utm_medium=email&fbclid=IwAR123#post-1003",
		thread + "?utm_source=x",
		thread + "page-3?gclid=abc&_ga=2.1&mc_cid=9&igshid=q",
	} {
		if r := cli(t, ctx, "--db", db, "archive", "--delay", "0", u); r.code != 0 {
			t.Fatalf("archive %s: %d %s", u, r.code, r.stderr)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM pages"); n != 3 {
		t.Errorf("pages = %d, want 3 (one per page of the thread)", n)
	}
	if n := count(t, db, "SELECT count(*) FROM pages WHERE url LIKE '%?%'"); n != 0 {
		t.Errorf("%d stored page URLs keep a query string", n)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 6 {
		t.Errorf("posts = %d, want 6", n)
	}
	mu.Lock()
	for _, q := range queries {
		if q != "" {
			t.Errorf("the forum was asked with the query %q", q)
		}
	}
	mu.Unlock()
	warc := filepath.Join(t.TempDir(), "t.warc")
	r := cli(t, ctx, "--db", db, "export", "--format", "warc", "-o", warc)
	if r.code != 0 || !strings.Contains(r.stderr, "exported 3 pages") {
		t.Errorf("warc export: %d %s", r.code, r.stderr)
	}
	// --thread finds the thread from a tracking link too.
	r = cli(t, ctx, "--db", db, "export", "--format", "jsonl", "--thread", thread+"page-2?utm_campaign=spring&fbclid=1")
	if n := strings.Count(r.stdout, "\n"); r.code != 0 || n != 6 {
		t.Errorf("--thread with tracking parameters: exit %d, %d posts (%s)", r.code, n, r.stderr)
	}
}

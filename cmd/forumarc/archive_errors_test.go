package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// TestArchiveFailuresRecorded: a thread archive could not read at all (its start page
// answers 404, or robots.txt refuses it) is a failure of the run like any failed page:
// one crawl_errors row, counted in crawl_runs.errors, so status and stats show it.
func TestArchiveFailuresRecorded(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /private/\n"))
	})
	mux.HandleFunc("/", http.NotFound)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, c := range []struct{ name, path string }{
		{"404", "/threads/gone.9/"},
		{"robots.txt", "/private/threads/x.1/"},
	} {
		db := filepath.Join(t.TempDir(), "a.db")
		r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", "--attempts", "1", srv.URL+c.path)
		if r.code != exitFailed {
			t.Errorf("%s: exit %d, want %d\n%s", c.name, r.code, exitFailed, r.stderr)
		}
		if n := count(t, db, "SELECT count(*) FROM crawl_errors WHERE url = '"+srv.URL+c.path+"'"); n != 1 {
			t.Errorf("%s: %d crawl_errors rows for the thread, want 1", c.name, n)
		}
		if n := count(t, db, "SELECT errors FROM crawl_runs"); n != 1 {
			t.Errorf("%s: crawl_runs.errors = %d, want 1", c.name, n)
		}
	}
}

// TestCrawlNotFoundThreadRecordedOnce: a listed thread that answers 404 is one row in
// crawl_errors (the Archiver records it; the crawl used to add a second one for a
// resumed thread).
func TestCrawlNotFoundThreadRecordedOnce(t *testing.T) {
	f := crawlForum()
	gone := f.Thread(1)
	var hide atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hide.Load() && strings.HasPrefix(r.URL.Path, sampleforum.ThreadPath(gone)) {
			http.NotFound(w, r) // the listing still names it
			return
		}
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	if r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", srv.URL+"/"); r.code != 0 {
		t.Fatalf("first crawl: exit %d\n%s", r.code, r.stderr)
	}
	hide.Store(true)
	f.AddPost(gone, gone.Posts[0].Author, gone.Posts[len(gone.Posts)-1].Time.Add(time.Minute), "a reply nobody can read")
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--attempts", "1", srv.URL+"/")
	if r.code != exitFailed {
		t.Fatalf("second crawl: exit %d, want %d\n%s", r.code, exitFailed, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_errors"); n != 1 {
		t.Errorf("%d crawl_errors rows, want 1", n)
	}
}

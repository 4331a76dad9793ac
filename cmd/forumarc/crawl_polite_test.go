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
)

// A URL robots.txt disallows is skipped, not failed: it neither counts as an error
// nor pauses the host, and the allowed threads of the same host are all archived.
func TestCrawlRobotsDisallowSkipsQuietly(t *testing.T) {
	f := crawlForum()
	f.Robots = "User-agent: *\nDisallow: /threads/board-1-topic-\n"
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--concurrency", "1", srv.URL+"/")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "25 disallowed by robots.txt") || !strings.Contains(r.stdout, " 0 errors") {
		t.Errorf("summary: %s", r.stdout)
	}
	if strings.Contains(r.stderr, "pausing host") {
		t.Errorf("disallowed URLs paused the host:\n%s", r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_errors"); n != 0 {
		t.Errorf("%d crawl_errors for disallowed URLs", n)
	}
	if n := count(t, db, "SELECT count(*) FROM threads"); n != 75 {
		t.Errorf("threads archived = %d, want the 75 allowed", n)
	}
	if n := count(t, db, "SELECT count(*) FROM threads WHERE url LIKE '%/threads/board-1-topic-%'"); n != 0 {
		t.Errorf("%d disallowed threads archived", n)
	}
}

// Workers leasing at the same moment must not take more threads than --max-threads.
func TestCrawlMaxThreadsHoldsWithConcurrency(t *testing.T) {
	srv := slowForum(30 * time.Millisecond)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--concurrency", "8", "--per-host", "8",
		"--max-threads", "3", srv.URL+"/")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM threads"); n != 3 {
		t.Errorf("threads archived = %d, want 3 (--max-threads 3 with 8 workers)\n%s", n, r.stdout)
	}
}

// A Retry-After longer than a fetch waits pauses the host: nothing more is sent to it
// in this run, its work is deferred to that time rather than failed.
func TestCrawlLongRetryAfterDefersHost(t *testing.T) {
	f := crawlForum()
	var throttled atomic.Bool
	var after atomic.Int64
	f.Fault = func(r *http.Request) (int, http.Header) {
		if throttled.Load() {
			after.Add(1)
		}
		if strings.HasPrefix(r.URL.Path, "/threads/") && throttled.CompareAndSwap(false, true) {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"300"}}
		}
		return 0, nil
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	start := time.Now()
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--concurrency", "1", srv.URL+"/")
	if r.code != 1 || !strings.Contains(r.stderr, "deferred") {
		t.Fatalf("exit %d, want 1 with work deferred\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := after.Load(); n != 0 {
		t.Errorf("%d requests reached the host after its Retry-After: 300", n)
	}
	if n := count(t, db, "SELECT count(*) FROM frontier WHERE state = 'failed'"); n != 0 {
		t.Errorf("%d items failed; a Retry-After defers them", n)
	}
	notBefore := count(t, db, "SELECT min(unixepoch(not_before)) FROM frontier WHERE state = 'pending' AND kind = 'thread'")
	if wait := time.Unix(int64(notBefore), 0).Sub(start); wait < 290*time.Second {
		t.Errorf("thread work deferred by %s, want the 300 s the host asked for", wait)
	}
}

// A resumed pass that fails nothing new has still not archived the items an earlier
// run of the pass failed: it says so and exits 1; the next pass tries them again.
func TestCrawlEarlierFailuresKeepExitCode(t *testing.T) {
	f := crawlForum()
	var broken atomic.Bool
	broken.Store(true)
	var first atomic.Value
	f.Fault = func(r *http.Request) (int, http.Header) {
		if !strings.HasPrefix(r.URL.Path, "/threads/") {
			return 0, nil
		}
		first.CompareAndSwap(nil, r.URL.Path)
		if broken.Load() && first.Load() == r.URL.Path {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	crawl := func(extra ...string) cliResult {
		args := append([]string{"--db", db, "crawl", "--delay", "0", "--attempts", "1", "--concurrency", "1"}, extra...)
		return cli(t, context.Background(), append(args, srv.URL+"/")...)
	}
	if r := crawl("--max-threads", "2"); r.code != 1 {
		t.Fatalf("first run: exit %d, want 1 (one thread failed)\n%s", r.code, r.stdout)
	}
	broken.Store(false)
	r := crawl("--max-threads", "2")
	for r.code == 0 || strings.Contains(r.stdout, "items left queued") {
		if r.code != 1 {
			t.Fatalf("resumed run: exit %d, want 1 while the pass holds a failed item\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		r = crawl("--max-threads", "40")
	}
	if r.code != 1 || !strings.Contains(r.stdout, "1 items of this crawl pass failed in an earlier run") {
		t.Fatalf("last run of the pass: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// A new pass: the failed thread is listed again and archived.
	if r := crawl("--max-threads", "40"); r.code != 0 {
		t.Fatalf("new pass: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got, want := count(t, db, "SELECT count(*) FROM posts"), f.PostCount(); got != want {
		t.Errorf("posts = %d, want %d", got, want)
	}
}

// robots.txt answering 5xx in a resumed run defers the queued threads too; none of
// them is failed.
func TestCrawlRobotsUnavailableDefersThreads(t *testing.T) {
	f := crawlForum()
	var down atomic.Bool
	f.Fault = func(r *http.Request) (int, http.Header) {
		if down.Load() && r.URL.Path == "/robots.txt" {
			return http.StatusServiceUnavailable, nil
		}
		return 0, nil
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	args := []string{"--db", db, "crawl", "--delay", "0", "--attempts", "1", "--max-threads", "2", srv.URL + "/"}
	if r := cli(t, context.Background(), args...); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stdout)
	}
	down.Store(true)
	r := cli(t, context.Background(), args...)
	if r.code != 1 || !strings.Contains(r.stderr, "deferred") {
		t.Fatalf("exit %d, want 1 with work deferred\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM frontier WHERE state = 'failed'"); n != 0 {
		t.Errorf("%d items failed while robots.txt was unavailable; they should wait", n)
	}
	if n := count(t, db, "SELECT count(*) FROM frontier WHERE state = 'pending' AND kind = 'thread'"); n == 0 {
		t.Errorf("no thread left pending for the next run")
	}
}

package scraper

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func testFetcher(t *testing.T, cfg FetchConfig) *Fetcher {
	t.Helper()
	if cfg.BackoffMin == 0 {
		cfg.BackoffMin = 10 * time.Millisecond
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	return NewFetcher(context.Background(), cfg)
}

func TestFetchRetriesHonourRetryAfter(t *testing.T) {
	var hits atomic.Int32
	var first time.Time
	var gap time.Duration
	srv := httptest.NewServer(withoutRobots(func(w http.ResponseWriter, r *http.Request) {
		switch hits.Add(1) {
		case 1:
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			gap = time.Since(first)
			w.Write([]byte("<html>ok</html>"))
		}
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{})
	res, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/t/1"})
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if res.Status != 200 || hits.Load() != 2 {
		t.Fatalf("status %d after %d hits, want 200 after 2", res.Status, hits.Load())
	}
	if gap < 900*time.Millisecond {
		t.Errorf("retried after %v, want >= 1s (Retry-After)", gap)
	}
}

func TestFetchGivesUpAfterAttempts(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(withoutRobots(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{Attempts: 3})
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/x"})
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Status != 503 || !fe.Retryable() {
		t.Fatalf("err = %v, want retryable FetchError 503", err)
	}
	if hits.Load() != 3 {
		t.Errorf("hits = %d, want 3 attempts", hits.Load())
	}
}

func TestFetchNotFoundIsNotRetried(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/robots.txt" {
			hits.Add(1)
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{})
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/gone"})
	var fe *FetchError
	if !errors.As(err, &fe) || !fe.NotFound() {
		t.Fatalf("err = %v, want not-found FetchError", err)
	}
	if !strings.Contains(err.Error(), srv.URL+"/gone") {
		t.Errorf("error %q does not name the URL", err)
	}
	if hits.Load() != 1 {
		t.Errorf("hits = %d, want 1", hits.Load())
	}
}

func TestFetchLongRetryAfterIsNotWaited(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(withoutRobots(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{MaxRetryWait: time.Second})
	start := time.Now()
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/x"})
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Status != 429 || fe.RetryAfter != time.Hour {
		t.Fatalf("err = %#v, want 429 with RetryAfter 1h", err)
	}
	if hits.Load() != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("hits = %d after %v, want one quick attempt", hits.Load(), time.Since(start))
	}
}

func TestFetchRobotsDisallowAndUserAgent(t *testing.T) {
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents = append(agents, r.UserAgent())
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: forumarc\nDisallow: /private/\nCrawl-delay: 0\n\nUser-agent: *\nDisallow: /\n"))
			return
		}
		w.Write([]byte("<html>ok</html>"))
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{})
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/private/a"}); !errors.Is(err, ErrRobots) {
		t.Fatalf("disallowed path: err = %v, want ErrRobots", err)
	}
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/public/a"}); err != nil {
		t.Fatalf("allowed path: %v", err)
	}
	for _, a := range agents {
		if !strings.HasPrefix(a, "forumarc/") || !strings.Contains(a, "+https://github.com/forumarc/forumarc") {
			t.Errorf("User-Agent %q, want forumarc/VERSION (+URL)", a)
		}
	}
	if len(agents) != 2 {
		t.Errorf("requests = %d, want robots.txt once plus one page", len(agents))
	}
	g := testFetcher(t, FetchConfig{IgnoreRobots: true})
	if _, err := g.Fetch(context.Background(), Request{URL: srv.URL + "/private/a"}); err != nil {
		t.Fatalf("--ignore-robots: %v", err)
	}
}

func TestFetchRobotsServerErrorBlocksForNow(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(500)
			return
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{Attempts: 1})
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/a"}); !errors.Is(err, ErrRobotsUnavailable) {
		t.Fatalf("err = %v, want ErrRobotsUnavailable", err)
	}
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	f := testFetcher(t, FetchConfig{IgnoreRobots: true, Timeout: 100 * time.Millisecond, Attempts: 2})
	start := time.Now()
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/slow"})
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Status != 0 {
		t.Fatalf("err = %v, want network FetchError", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v, timeout not applied", time.Since(start))
	}
}

func TestFetchConditional(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte("<html>body</html>"))
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{IgnoreRobots: true})
	res, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/p"})
	if err != nil || res.ETag != `"v1"` {
		t.Fatalf("first fetch: %v, etag %q", err, res.ETag)
	}
	res, err = f.Fetch(context.Background(), Request{URL: srv.URL + "/p", ETag: res.ETag})
	if err != nil || res.Status != http.StatusNotModified {
		t.Fatalf("conditional fetch: status %v err %v, want 304", res, err)
	}
}

func TestFetchDelaySpacesRequests(t *testing.T) {
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		times = append(times, time.Now())
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{IgnoreRobots: true, Delay: 200 * time.Millisecond})
	for i := 0; i < 3; i++ {
		if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/p"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d < 100*time.Millisecond {
			t.Errorf("gap %d = %v, want >= 100ms (delay 200ms -50%%)", i, d)
		}
	}
}

func TestFetchCookiesFile(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("xf_session"); err == nil {
			got = c.Value
		}
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "cookies.txt")
	content := "# Netscape HTTP Cookie File\n#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\txf_session\tabc123\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	jar, err := LoadCookies(path)
	if err != nil {
		t.Fatal(err)
	}
	f := testFetcher(t, FetchConfig{IgnoreRobots: true, Jar: jar})
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/members-only"}); err != nil {
		t.Fatal(err)
	}
	if got != "abc123" {
		t.Errorf("cookie sent = %q, want abc123", got)
	}
	if err := os.WriteFile(path, []byte("not a cookie file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCookies(path); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad file: err = %v, want line number", err)
	}
}

func TestFetchRejectsNonHTTP(t *testing.T) {
	f := testFetcher(t, FetchConfig{})
	for _, u := range []string{"ftp://x/y", "not a url", "/relative", "file:///etc/passwd"} {
		if _, err := f.Fetch(context.Background(), Request{URL: u}); err == nil {
			t.Errorf("%q: no error", u)
		}
	}
}

// TestFetchReusesConnectionsPerHost: with PerHost requests in flight to one host, the
// fetcher keeps that many connections open between bursts instead of dialling again
// (net/http's default keeps only 2 idle per host). A crawl's workers fetch in bursts:
// each parses and stores its page before fetching the next.
func TestFetchReusesConnectionsPerHost(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		time.Sleep(2 * time.Millisecond) // keep the burst's requests in flight together
		w.Write([]byte("<html>ok</html>"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	const perHost, bursts = 6, 10
	f := testFetcher(t, FetchConfig{PerHost: perHost})
	for b := 0; b < bursts; b++ {
		var wg sync.WaitGroup
		errs := make(chan error, perHost)
		for w := 0; w < perHost; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.Fetch(context.Background(), Request{URL: fmt.Sprintf("%s/t/%d-%d", srv.URL, b, w)}); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// net/http returns a connection to its idle pool just after the body is
		// read; give it that moment, as a crawl's parsing does between fetches.
		time.Sleep(10 * time.Millisecond)
	}
	// One connection per request in flight (one more allowed for robots.txt); the
	// default transport dialled 4 more after every burst here (42 in all).
	if got := conns.Load(); got > perHost+1 {
		t.Errorf("%d connections for %d bursts of %d requests, want at most %d", got, bursts, perHost, perHost+1)
	}
}

// withoutRobots serves h with no robots.txt (404: everything allowed), the set-up most
// fetch tests share.
func withoutRobots(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	})
}

package scraper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// robotsClock is a settable clock for robotsCache.now.
type robotsClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *robotsClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *robotsClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// robotsSite is a test site whose robots.txt answer can change between requests. It
// counts the requests for robots.txt and for pages.
type robotsSite struct {
	mu     sync.Mutex
	status int    // robots.txt status
	body   string // robots.txt body when status is 200

	robots, pages atomic.Int32
}

func (s *robotsSite) set(status int, body string) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

func (s *robotsSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/robots.txt" {
		s.pages.Add(1)
		w.Write([]byte("<html>ok</html>"))
		return
	}
	s.robots.Add(1)
	s.mu.Lock()
	status, body := s.status, s.body
	s.mu.Unlock()
	w.WriteHeader(status)
	w.Write([]byte(body))
}

// robotsFetcher is a fetcher of a new robotsSite whose robots.txt cache runs on a
// clock the test moves.
func robotsFetcher(t *testing.T, status int, body string) (*Fetcher, *robotsSite, *robotsClock, string) {
	t.Helper()
	site := &robotsSite{status: status, body: body}
	srv := httptest.NewServer(site)
	t.Cleanup(srv.Close)
	f := testFetcher(t, FetchConfig{Attempts: 1})
	clk := &robotsClock{t: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
	f.robots.now = clk.now // before the first Fetch: nothing reads it yet
	return f, site, clk, srv.URL
}

// TestRobotsCachedAtMost24h: a robots.txt answer is used for 24 hours, without asking
// again, and asked for again after them; the new rules then apply.
func TestRobotsCachedAtMost24h(t *testing.T) {
	ctx := context.Background()
	f, site, clk, base := robotsFetcher(t, 200, "User-agent: *\nDisallow: /private/\n")
	fetch := func(path string) error {
		_, err := f.Fetch(ctx, Request{URL: base + path})
		return err
	}
	if err := fetch("/a"); err != nil {
		t.Fatalf("allowed page: %v", err)
	}
	if err := fetch("/private/x"); !errors.Is(err, ErrRobots) {
		t.Fatalf("disallowed page: err = %v, want ErrRobots", err)
	}
	// The site now disallows everything; the cached answer still holds until 24 h.
	site.set(200, "User-agent: *\nDisallow: /\n")
	start := clk.now()
	for _, d := range []time.Duration{time.Hour, 23*time.Hour - time.Second} { // to 24 h - 1 s
		clk.advance(d)
		if err := fetch("/a"); err != nil {
			t.Fatalf("at +%v: %v, want the cached robots.txt (allowed)", clk.now().Sub(start), err)
		}
	}
	if n := site.robots.Load(); n != 1 {
		t.Fatalf("robots.txt asked for %d times within 24 h, want once", n)
	}
	clk.advance(2 * time.Second) // 24 h + 1 s
	if err := fetch("/a"); !errors.Is(err, ErrRobots) {
		t.Fatalf("after 24 h: err = %v, want ErrRobots from the re-fetched robots.txt", err)
	}
	if n := site.robots.Load(); n != 2 {
		t.Errorf("robots.txt asked for %d times after 24 h, want twice", n)
	}
	if n := site.pages.Load(); n != 3 {
		t.Errorf("%d page requests, want 3 (the disallowed ones never reach the site)", n)
	}
}

// TestRobots4xxMeansAllowed: a 4xx robots.txt (RFC 9309: no restrictions) allows
// everything, and that answer is cached like a robots.txt file.
func TestRobots4xxMeansAllowed(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 410} {
		ctx := context.Background()
		f, site, clk, base := robotsFetcher(t, status, "Disallow: /\n")
		for _, path := range []string{"/a", "/private/x"} {
			if _, err := f.Fetch(ctx, Request{URL: base + path}); err != nil {
				t.Errorf("robots.txt %d: %s: %v, want allowed", status, path, err)
			}
		}
		clk.advance(robotsTTL - time.Second)
		if _, err := f.Fetch(ctx, Request{URL: base + "/b"}); err != nil {
			t.Errorf("robots.txt %d: before 24 h: %v", status, err)
		}
		if n := site.robots.Load(); n != 1 {
			t.Errorf("robots.txt %d: asked for %d times within 24 h, want once", status, n)
		}
		if n := site.pages.Load(); n != 3 {
			t.Errorf("robots.txt %d: %d page requests, want 3", status, n)
		}
	}
}

// TestRobots5xxIsUnavailableNotAllowed: a 5xx robots.txt, or a 429 without
// Retry-After, blocks the site for now (ErrRobotsUnavailable, a "retry later" error,
// no page requested) and is not cached as allowed, nor for 24 h: the site is blocked
// until robotsRetry, then robots.txt is asked for again.
func TestRobots5xxIsUnavailableNotAllowed(t *testing.T) {
	for _, status := range []int{500, 502, 503, 429} {
		ctx := context.Background()
		f, site, clk, base := robotsFetcher(t, status, "")
		_, err := f.Fetch(ctx, Request{URL: base + "/a"})
		if !errors.Is(err, ErrRobotsUnavailable) {
			t.Fatalf("robots.txt %d: err = %v, want ErrRobotsUnavailable", status, err)
		}
		if at, later := retryLater(err, clk.now()); !later || !at.Equal(clk.now().Add(robotsRetry)) {
			t.Errorf("robots.txt %d: retryLater = %v, %v; want a retry at +%v", status, at, later, robotsRetry)
		}
		// The site once, not again inside the robots.txt URL.
		want := fmt.Sprintf("%s: robots.txt answered HTTP %d %s: %v", base, status, http.StatusText(status), ErrRobotsUnavailable)
		if err.Error() != want {
			t.Errorf("robots.txt %d: error\n%q, want\n%q", status, err, want)
		}
		// The site recovers, but the answer is kept until robotsRetry: still blocked.
		site.set(200, "")
		clk.advance(robotsRetry - time.Second)
		if _, err := f.Fetch(ctx, Request{URL: base + "/a"}); !errors.Is(err, ErrRobotsUnavailable) {
			t.Errorf("robots.txt %d: before the retry time: err = %v, want ErrRobotsUnavailable", status, err)
		}
		if n, p := site.robots.Load(), site.pages.Load(); n != 1 || p != 0 {
			t.Errorf("robots.txt %d: %d robots.txt and %d page requests before the retry time, want 1 and 0", status, n, p)
		}
		clk.advance(2 * time.Second)
		if _, err := f.Fetch(ctx, Request{URL: base + "/a"}); err != nil {
			t.Errorf("robots.txt %d: after the retry time, robots.txt now 200: %v", status, err)
		}
		if n, p := site.robots.Load(), site.pages.Load(); n != 2 || p != 1 {
			t.Errorf("robots.txt %d: %d robots.txt and %d page requests after the retry time, want 2 and 1", status, n, p)
		}
	}
}

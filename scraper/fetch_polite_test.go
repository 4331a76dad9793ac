package scraper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lowestJitter pins the randomised spacing to the bottom of its range.
func lowestJitter(int64) int64 { return 0 }

// arrivals records when each request reached a test server.
type arrivals struct {
	mu    sync.Mutex
	paths []string
	times []time.Time
}

func (a *arrivals) add(path string) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	a.paths = append(a.paths, path)
	a.times = append(a.times, now)
	return now
}

func (a *arrivals) snapshot() ([]string, []time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.paths...), append([]time.Time(nil), a.times...)
}

func hostOfURL(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestFetchRefusesRedirectToAnotherHost: a page redirecting to another host (here
// another port) is not fetched there, and the error names the target; redirects
// within the host, such as XenForo's page-9999 to the last page, are followed.
func TestFetchRefusesRedirectToAnotherHost(t *testing.T) {
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherHits.Add(1)
		w.Write([]byte("<html><body>elsewhere</body></html>"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/threads/x.1/page-9999":
			http.Redirect(w, r, "/threads/x.1/page-3", http.StatusFound)
		case "/threads/x.1/page-3":
			w.Write([]byte("<html><body>last page</body></html>"))
		case "/threads/y.2/":
			http.Redirect(w, r, other.URL+"/threads/y.2/", http.StatusFound)
		}
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{})

	res, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/threads/x.1/page-9999"})
	if err != nil {
		t.Fatalf("same-host redirect: %v", err)
	}
	if res.URL != srv.URL+"/threads/x.1/page-3" || !bytes.Contains(res.Body, []byte("last page")) {
		t.Errorf("same-host redirect: got %s %q, want the last page", res.URL, res.Body)
	}

	_, err = f.Fetch(context.Background(), Request{URL: srv.URL + "/threads/y.2/"})
	var fe *FetchError
	var re *RedirectError
	if !errors.As(err, &fe) || !errors.As(err, &re) {
		t.Fatalf("cross-host redirect: err = %v, want FetchError with RedirectError", err)
	}
	if fe.Retryable() {
		t.Errorf("cross-host redirect counted retryable")
	}
	if !strings.Contains(err.Error(), other.URL+"/threads/y.2/") {
		t.Errorf("error %q does not name the target", err)
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other host got %d requests, want none", n)
	}
}

// TestFetchLongRetryAfterPausesHost: a Retry-After longer than a fetch waits ends the
// page's tries, and the host gets no request until then: the next fetch fails at once
// with the time to come back.
func TestFetchLongRetryAfterPausesHost(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(withoutRobots(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "300")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{}) // MaxRetryWait: the 2-minute default
	start := time.Now()
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/t/1"})
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Status != 429 {
		t.Fatalf("first page: err = %v, want 429", err)
	}
	if d := fe.RetryAt.Sub(start); d < 295*time.Second || d > 305*time.Second {
		t.Errorf("first page: RetryAt in %v, want about 300s", d)
	}

	start = time.Now()
	_, err = f.Fetch(context.Background(), Request{URL: srv.URL + "/t/2"})
	var hp *HostPausedError
	if !errors.As(err, &fe) || !errors.As(err, &hp) || fe.RetryAt.IsZero() {
		t.Fatalf("second page: err = %v, want FetchError with RetryAt and HostPausedError", err)
	}
	if d := fe.RetryAt.Sub(start); d < 290*time.Second {
		t.Errorf("second page: RetryAt in %v, want about 300s", d)
	}
	if time.Since(start) > time.Second {
		t.Errorf("second page took %v, want an immediate answer", time.Since(start))
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the host got %d page requests during its Retry-After, want 1", n)
	}
}

// TestFetchRetryAfterPausesWholeHost: with two requests allowed in flight, a
// Retry-After answered to one holds back the other request to the host as well.
func TestFetchRetryAfterPausesWholeHost(t *testing.T) {
	var hits atomic.Int32
	var mu sync.Mutex
	var throttledAt time.Time
	throttled := make(chan struct{})
	var arr arrivals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := arr.add(r.URL.Path)
		if hits.Add(1) == 1 {
			mu.Lock()
			throttledAt = now
			mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			close(throttled)
			return
		}
		w.Write([]byte("<html><body>ok</body></html>"))
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{IgnoreRobots: true, PerHost: 2})
	errA := make(chan error, 1)
	go func() {
		_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/a"})
		errA <- err
	}()
	<-throttled
	time.Sleep(100 * time.Millisecond) // the 429 has reached the fetcher
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/b"}); err != nil {
		t.Fatalf("b: %v", err)
	}
	if err := <-errA; err != nil {
		t.Fatalf("a: %v", err)
	}
	paths, times := arr.snapshot()
	mu.Lock()
	defer mu.Unlock()
	for i, p := range paths {
		if d := times[i].Sub(throttledAt); d > 0 && d < 950*time.Millisecond {
			t.Errorf("%s reached the host %v after its Retry-After: 1", p, d.Round(time.Millisecond))
		}
	}
	if len(paths) != 3 {
		t.Errorf("requests %v, want /a (429), then /a and /b", paths)
	}
}

// TestFetchSlowsDownAfterThrottledRetry: a 429 slows the host down even when the retry
// succeeds, and successes bring the delay back.
func TestFetchSlowsDownAfterThrottledRetry(t *testing.T) {
	var hits atomic.Int32
	var arr arrivals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arr.add(r.URL.Path)
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("<html><body>ok</body></html>"))
	}))
	defer srv.Close()
	const delay = 200 * time.Millisecond
	f := testFetcher(t, FetchConfig{IgnoreRobots: true, Delay: delay})
	f.gate.rnd = lowestJitter // spacing = delay/2 at normal speed
	for _, p := range []string{"/1", "/2"} {
		if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + p}); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	_, times := arr.snapshot()
	if len(times) != 3 {
		t.Fatalf("%d requests, want 3 (429, retry, next page)", len(times))
	}
	// Normal spacing is 100ms here; after the 429 it must be well above.
	if gap := times[2].Sub(times[1]); gap < 170*time.Millisecond {
		t.Errorf("next request %v after the retried 429, want >= 170ms (delay raised)", gap.Round(time.Millisecond))
	}
	hg := f.gate.host(hostOfURL(t, srv.URL))
	hg.mu.Lock()
	slow := hg.slow
	hg.mu.Unlock()
	if slow <= 1 {
		t.Errorf("slow-down %v after a 429 answered by a successful retry, want > 1", slow)
	}
	for i := 0; i < 8; i++ {
		if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/more"}); err != nil {
			t.Fatal(err)
		}
	}
	hg.mu.Lock()
	slow = hg.slow
	hg.mu.Unlock()
	if slow != 1 {
		t.Errorf("slow-down %v after 8 successes, want back to 1", slow)
	}
}

// TestFetchCrawlDelayIsAFloor: robots.txt's Crawl-delay is the least gap between
// requests, whatever --delay and its randomisation, counting from robots.txt itself.
func TestFetchCrawlDelayIsAFloor(t *testing.T) {
	var arr arrivals
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arr.add(r.URL.Path)
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nCrawl-delay: 0.5\n"))
			return
		}
		w.Write([]byte("<html><body>ok</body></html>"))
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{Delay: 100 * time.Millisecond})
	f.gate.rnd = lowestJitter
	for i := 1; i <= 3; i++ {
		if _, err := f.Fetch(context.Background(), Request{URL: fmt.Sprintf("%s/t/%d", srv.URL, i)}); err != nil {
			t.Fatal(err)
		}
	}
	paths, times := arr.snapshot()
	if len(paths) != 4 || paths[0] != "/robots.txt" {
		t.Fatalf("requests %v, want robots.txt then 3 pages", paths)
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d < 500*time.Millisecond {
			t.Errorf("%s came %v after %s, want >= Crawl-delay 500ms", paths[i], d.Round(time.Millisecond), paths[i-1])
		}
	}
}

func TestSpacing(t *testing.T) {
	lowest := func(int64) int64 { return 0 }
	highest := func(n int64) int64 { return n - 1 }
	for _, c := range []struct {
		delay, floor, lo, hi time.Duration
	}{
		{time.Second, 0, 500 * time.Millisecond, 1500 * time.Millisecond},
		{100 * time.Millisecond, 2 * time.Second, 2 * time.Second, 3 * time.Second},
		{2 * time.Second, 2 * time.Second, 2 * time.Second, 3 * time.Second},
		{4 * time.Second, 3 * time.Second, 3 * time.Second, 6 * time.Second},
		{0, 0, 0, 0},
	} {
		for _, rnd := range []func(int64) int64{lowest, highest, nil} {
			got := spacing(c.delay, c.floor, rnd)
			if got < c.lo || got > c.hi || got < c.floor {
				t.Errorf("spacing(%v, floor %v) = %v, want in [%v, %v]", c.delay, c.floor, got, c.lo, c.hi)
			}
		}
	}
}

// TestFetchRetriesBodyCutMidway: a connection closed after half the declared
// Content-Length is a network error, retried within --attempts.
func TestFetchRetriesBodyCutMidway(t *testing.T) {
	page := "<html><body>" + strings.Repeat("post text ", 50) + "</body></html>"
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) > 1 {
			w.Write([]byte(page))
			return
		}
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s", len(page), page[:len(page)/2])
		buf.Flush()
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{IgnoreRobots: true, Attempts: 2})
	res, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/t/1"})
	if err != nil {
		t.Fatalf("err = %v, want the page after one retry", err)
	}
	if string(res.Body) != page || hits.Load() != 2 {
		t.Errorf("got %d bytes after %d requests, want the whole page (%d) after 2", len(res.Body), hits.Load(), len(page))
	}

	hits.Store(0)
	g := testFetcher(t, FetchConfig{IgnoreRobots: true, Attempts: 1})
	_, err = g.Fetch(context.Background(), Request{URL: srv.URL + "/t/1"})
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Status != 0 || !fe.Retryable() || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("one attempt: err = %v, want a retryable network FetchError (unexpected EOF)", err)
	}
}

// TestFetchKeepsBytesAsServed: a page served as ISO-8859-1 is archived byte for byte
// with its Content-Type, and Parse names the charset it decoded from.
func TestFetchKeepsBytesAsServed(t *testing.T) {
	raw := []byte("<html><body><p>Caf\xe9 cr\xe8me</p></body></html>")
	const ct = "text/html; charset=iso-8859-1"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ct)
		w.Write(raw)
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{IgnoreRobots: true})
	res, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/t/1"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Body, raw) {
		t.Errorf("body %q, want the bytes served %q", res.Body, raw)
	}
	if res.ContentType != ct || res.Header.Get("Content-Type") != ct {
		t.Errorf("Content-Type %q / header %q, want %q", res.ContentType, res.Header.Get("Content-Type"), ct)
	}
	doc, enc, err := Parse(res.Body, res.ContentType)
	if err != nil {
		t.Fatal(err)
	}
	if enc != "windows-1252" { // the WHATWG decoder for the iso-8859-1 label
		t.Errorf("encoding %q, want windows-1252", enc)
	}
	if got := doc.Find("p").Text(); got != "Café crème" {
		t.Errorf("text %q, want Café crème", got)
	}
}

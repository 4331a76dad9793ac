package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// hostNet serves several host names from one httptest listener: its transport dials
// the listener for every name it serves (and fails for any other), so tests can use
// real names such as example.test and www.example.test. It logs each request as
// "host path" in the order they arrive.
type hostNet struct {
	srv   *httptest.Server
	hosts map[string]http.Handler
	mu    sync.Mutex
	reqs  []string
}

func newHostNet(t *testing.T, hosts map[string]http.Handler) *hostNet {
	t.Helper()
	n := &hostNet{hosts: hosts}
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		n.mu.Lock()
		n.reqs = append(n.reqs, host+" "+r.URL.RequestURI())
		n.mu.Unlock()
		h := n.hosts[host]
		if h == nil {
			http.Error(w, "no such site", http.StatusMisdirectedRequest)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(n.srv.Close)
	return n
}

func (n *hostNet) transport() http.RoundTripper {
	addr := n.srv.Listener.Addr().String()
	return &http.Transport{DialContext: func(ctx context.Context, network, hostport string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(hostport)
		if err != nil {
			return nil, err
		}
		if n.hosts[host] == nil {
			return nil, fmt.Errorf("lookup %s: no such host", host)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// requests returns the log, and the requests made to host (paths only).
func (n *hostNet) requests(host string) (all, of []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, r := range n.reqs {
		if h, p, _ := strings.Cut(r, " "); h == host {
			of = append(of, p)
		}
	}
	return append([]string(nil), n.reqs...), of
}

// cliNet runs the CLI in-process with the network of n.
func cliNet(ctx context.Context, n *hostNet, args ...string) cliResult {
	var out, errb bytes.Buffer
	code := run(ctx, args, env{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), transport: n.transport()})
	return cliResult{code, out.String(), errb.String()}
}

// redirector answers robots.txt itself (allowing everything) and sends every other
// request to the same path under target, as a site moved to www. does.
func redirector(target string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow:\n")
			return
		}
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
}

// redirectForum is a small forum: 4 boards of 3 threads (every fourth thread has 2
// pages) whose robots.txt disallows the last board, "Board 2 sub 1", with 3 threads.
func redirectForum() *sampleforum.Forum {
	f := sampleforum.Generate(sampleforum.Spec{Boards: 2, SubBoards: 1, ThreadsPerBoard: 3,
		PostsPerThread: func(i int) int {
			if i%4 == 0 {
				return 25
			}
			return 3
		}})
	f.Robots = "User-agent: *\nDisallow: /forums/board-2-sub-1.4/\n"
	return f
}

// checkRobotsFirst fails unless host's robots.txt was its first request, asked once.
func checkRobotsFirst(t *testing.T, n *hostNet, host string) {
	t.Helper()
	_, reqs := n.requests(host)
	if len(reqs) == 0 || reqs[0] != "/robots.txt" {
		t.Errorf("requests to %s = %v, want /robots.txt first", host, reqs)
	}
	robots := 0
	for _, r := range reqs {
		if r == "/robots.txt" {
			robots++
		}
	}
	if robots != 1 {
		t.Errorf("%s: robots.txt asked %d times, want once", host, robots)
	}
}

// A start URL that redirects to the www. host of the same site is crawled there: the
// target's robots.txt is read before any of its pages and obeyed, the forum is
// archived under the target's URLs, and the summary and a warning name the redirect.
func TestCrawlSeedRedirectToSameSite(t *testing.T) {
	f := redirectForum()
	n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://www.example.test"), "www.example.test": f})
	db := filepath.Join(t.TempDir(), "c.db")
	r := cliNet(context.Background(), n, "--db", db, "crawl", "--delay", "0", "--concurrency", "2", "http://example.test/")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "redirected to another host of the same site, crawled there: http://example.test/ -> http://www.example.test/ (give that URL next time)") {
		t.Errorf("summary does not name the redirect:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "start URL redirects to another host of the same site") || !strings.Contains(r.stderr, "to=http://www.example.test/") {
		t.Errorf("no warning naming the target:\n%s", r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM threads"); n != 9 {
		t.Errorf("threads = %d, want the 9 robots.txt allows", n)
	}
	if n := count(t, db, "SELECT count(*) FROM pages WHERE url NOT LIKE 'http://www.example.test/%'"); n != 0 {
		t.Errorf("%d pages stored under another host than www.example.test", n)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_errors"); n != 0 {
		t.Errorf("%d crawl_errors, want none", n)
	}
	checkRobotsFirst(t, n, "www.example.test")
	_, www := n.requests("www.example.test")
	for _, p := range www {
		if strings.HasPrefix(p, "/forums/board-2-sub-1.4/") {
			t.Errorf("www.example.test's robots.txt disallows %s, but it was requested", p)
		}
	}
	if _, apex := n.requests("example.test"); len(apex) != 2 {
		t.Errorf("requests to example.test = %v, want robots.txt and the seed", apex)
	}
}

// A redirect of the seed to an unrelated domain still fails with the fetcher's
// message, and the other domain gets no request at all.
func TestCrawlSeedRedirectToOtherSiteFails(t *testing.T) {
	n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://other.test"), "other.test": redirectForum()})
	db := filepath.Join(t.TempDir(), "c.db")
	r := cliNet(context.Background(), n, "--db", db, "crawl", "--delay", "0", "http://example.test/")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
	}
	want := "failed: http://example.test/: redirected to another site, http://other.test/: not followed (forumarc stays on the sites it was given; give that URL instead if it is the same forum)"
	if !strings.Contains(r.stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, r.stdout)
	}
	if strings.Contains(r.stdout, "crawled there") {
		t.Errorf("summary names a followed redirect:\n%s", r.stdout)
	}
	if _, other := n.requests("other.test"); len(other) != 0 {
		t.Errorf("other.test got requests %v, want none", other)
	}
}

// Only start URLs are followed: a board link found on a page that redirects to
// another host of the same site keeps the refusal.
func TestCrawlLinkRedirectToSameSiteRefused(t *testing.T) {
	f := redirectForum()
	www := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/forums/board-1.1/" {
			http.Redirect(w, r, "http://example.test"+r.URL.Path, http.StatusMovedPermanently)
			return
		}
		f.ServeHTTP(w, r)
	})
	n := newHostNet(t, map[string]http.Handler{"example.test": f, "www.example.test": www})
	db := filepath.Join(t.TempDir(), "c.db")
	r := cliNet(context.Background(), n, "--db", db, "crawl", "--delay", "0", "http://www.example.test/")
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "failed: http://www.example.test/forums/board-1.1/: redirected to another site, http://example.test/forums/board-1.1/: not followed") {
		t.Errorf("summary:\n%s", r.stdout)
	}
	if _, apex := n.requests("example.test"); len(apex) != 0 {
		t.Errorf("example.test got requests %v, want none", apex)
	}
}

// A crawl stopped after the seed was adopted resumes with the seed done and the
// adopted host's boards still queued: links on the adopted host are still followed.
func TestCrawlSeedRedirectResumed(t *testing.T) {
	f := redirectForum()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stop sync.Once
	www := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/forums/") {
			stop.Do(cancel) // the index was read and its boards queued
		}
		f.ServeHTTP(w, r)
	})
	n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://www.example.test"), "www.example.test": www})
	db := filepath.Join(t.TempDir(), "c.db")
	args := []string{"--db", db, "crawl", "--delay", "0", "--concurrency", "1", "http://example.test/"}
	r := cliNet(ctx, n, args...)
	if r.code != exitInterrupted {
		t.Fatalf("first run: exit %d, want %d\n%s\n%s", r.code, exitInterrupted, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "http://example.test/ -> http://www.example.test/") {
		t.Errorf("first run's summary does not name the redirect:\n%s", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM threads"); n != 0 {
		t.Fatalf("first run archived %d threads; it was meant to stop at the first board", n)
	}
	if n := count(t, db, "SELECT count(*) FROM frontier WHERE state = 'pending' AND url LIKE 'http://www.example.test/forums/%'"); n != 2 {
		t.Fatalf("boards of www.example.test pending after the stop = %d, want the index's 2", n)
	}

	r = cliNet(context.Background(), n, args...)
	if r.code != 0 {
		t.Fatalf("resumed run: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "crawl (resumed)") {
		t.Errorf("second run did not resume:\n%s", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM threads"); n != 9 {
		t.Errorf("threads after the resumed run = %d, want 9: links on the adopted host were not followed\n%s", n, r.stdout)
	}
	if _, apex := n.requests("example.test"); len(apex) != 2 {
		t.Errorf("requests to example.test = %v, want robots.txt and the seed, once (the seed is done)", apex)
	}
}

// archive URL: a first request redirected to the same site's www. host is followed
// with a warning (robots.txt of the target read first); a later page redirected to
// another host still fails; a redirect to an unrelated domain fails as before.
func TestArchiveRedirectToSameSite(t *testing.T) {
	f := redirectForum()
	thread := sampleforum.ThreadPath(f.Thread(1)) // 25 posts: 2 pages
	t.Run("followed", func(t *testing.T) {
		n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://www.example.test"), "www.example.test": f})
		db := filepath.Join(t.TempDir(), "a.db")
		r := cliNet(context.Background(), n, "--db", db, "archive", "--delay", "0", "http://example.test"+thread)
		if r.code != 0 {
			t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "thread URL redirects to another host of the same site") || !strings.Contains(r.stderr, "to=http://www.example.test"+thread) {
			t.Errorf("no warning naming the target:\n%s", r.stderr)
		}
		if n := count(t, db, "SELECT count(*) FROM pages WHERE url LIKE 'http://www.example.test/threads/%'"); n != 2 {
			t.Errorf("pages under www.example.test = %d, want 2", n)
		}
		if n := count(t, db, "SELECT count(*) FROM posts"); n != 25 {
			t.Errorf("posts = %d, want 25", n)
		}
		if n := count(t, db, "SELECT count(*) FROM crawl_errors"); n != 0 {
			t.Errorf("%d crawl_errors, want none", n)
		}
		checkRobotsFirst(t, n, "www.example.test")
	})
	t.Run("later page refused", func(t *testing.T) {
		www := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/page-2") {
				http.Redirect(w, r, "http://example.test"+r.URL.Path, http.StatusMovedPermanently)
				return
			}
			f.ServeHTTP(w, r)
		})
		n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://www.example.test"), "www.example.test": www})
		db := filepath.Join(t.TempDir(), "a.db")
		r := cliNet(context.Background(), n, "--db", db, "archive", "--delay", "0", "http://example.test"+thread)
		if r.code != exitFailed {
			t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "redirected to another site, http://example.test"+thread+"page-2: not followed") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		if n := count(t, db, "SELECT count(*) FROM pages"); n != 1 {
			t.Errorf("pages = %d, want page 1 only", n)
		}
		if _, apex := n.requests("example.test"); len(apex) != 2 {
			t.Errorf("requests to example.test = %v, want robots.txt and the thread URL given", apex)
		}
	})
	t.Run("other site", func(t *testing.T) {
		n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://other.test"), "other.test": f})
		db := filepath.Join(t.TempDir(), "a.db")
		r := cliNet(context.Background(), n, "--db", db, "archive", "--delay", "0", "http://example.test"+thread)
		if r.code != exitFailed {
			t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "redirected to another site, http://other.test"+thread+": not followed (forumarc stays on the sites it was given; give that URL instead if it is the same forum)") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
		if _, other := n.requests("other.test"); len(other) != 0 {
			t.Errorf("other.test got requests %v, want none", other)
		}
	})
}

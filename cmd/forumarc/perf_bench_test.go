package main

// Performance benchmarks for issues 2 (archive one thread) and 4 (crawl a whole
// forum). They run the real Fetcher, Archiver, Crawler and SQLite store against a
// generated sampleforum served by httptest on 127.0.0.1, with no delay. See
// BENCHMARKS.md at the repository root for how to run them and the figures.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/scraper/sampleforum"
	"github.com/forumarc/forumarc/store"
)

// heapPeak samples the live heap in a goroutine while a run goes on, so a benchmark
// can show that memory stays flat as the thread or forum grows. runtime/metrics is
// read instead of runtime.ReadMemStats because it does not stop the world.
type heapPeak struct {
	base, peak uint64
	liveMax    atomic.Uint64
	stop       chan struct{}
	done       chan struct{}
}

const heapMetric = "/memory/classes/heap/objects:bytes" // = MemStats.HeapAlloc

func readHeap(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// startHeapPeak collects garbage first so base is the live heap before the run
// (the in-memory forum itself, which grows with its size, is in the base).
func startHeapPeak() *heapPeak {
	runtime.GC()
	s := []metrics.Sample{{Name: heapMetric}}
	h := &heapPeak{stop: make(chan struct{}), done: make(chan struct{})}
	h.base = readHeap(s)
	h.peak = h.base
	go func() {
		defer close(h.done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				if v := readHeap(s); v > h.peak {
					h.peak = v
				}
			}
		}
	}()
	return h
}

// live records the heap just after a forced collection (what is really retained),
// called every so many pages; a handful of collections per run cost little.
func (h *heapPeak) live() {
	runtime.GC()
	s := []metrics.Sample{{Name: heapMetric}}
	if v := readHeap(s); v > h.base {
		h.liveMax.Store(max(h.liveMax.Load(), v-h.base))
	}
}

// Live is the largest retained heap above the base seen by live, in MiB.
func (h *heapPeak) Live() float64 { return float64(h.liveMax.Load()) / (1 << 20) }

// Stop returns the peak heap above the base, in MiB.
func (h *heapPeak) Stop() float64 {
	close(h.stop)
	<-h.done
	return float64(h.peak-h.base) / (1 << 20)
}

func mib(v uint64) float64 { return float64(v) / (1 << 20) }

// procCPU is the process's user+system CPU time. The benchmark machine is shared
// (2 cores, other jobs running), so pages per CPU-second is the steadier figure;
// it includes the in-process forum server's rendering.
func procCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchFetcher is what `--delay 0` builds: robots.txt obeyed, default retries.
func benchFetcher(ctx context.Context, perHost int) *scraper.Fetcher {
	return scraper.NewFetcher(ctx, scraper.FetchConfig{Delay: 0, PerHost: perHost})
}

// BenchmarkArchiveThread archives one N-page XenForo 2 style thread (20 posts per
// page) from a local server into a fresh database per iteration, through the same
// Fetcher + Archiver + store.Run path as `forumarc archive --delay 0`. It reports
// pages/s and the peak heap above the pre-run live heap, which must not grow with N.
//
//	go test ./cmd/forumarc -run '^$' -bench 'ArchiveThread' -benchtime 3x
func BenchmarkArchiveThread(b *testing.B) {
	defer tuneGC(os.Getenv)() // the collector settings main applies (gc.go)
	for _, pages := range []int{50, 200, 800} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) {
			ctx := context.Background()
			f := benchForum(fmt.Sprintf("thread:%d", pages))
			threadPath := sampleforum.ThreadPath(f.Thread(1))
			f = nil // the forum runs in its own process: keep it out of this heap
			srvURL, _ := forumProcess(b, fmt.Sprintf("thread:%d", pages))
			start := srvURL + threadPath
			dir := b.TempDir()
			var peak, live, base, pagesDone float64
			var bytesRead int64
			var took, cpu time.Duration
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				db, err := store.Open(ctx, filepath.Join(dir, fmt.Sprintf("a%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				run, err := db.StartRun(ctx, "archive", []string{start})
				if err != nil {
					b.Fatal(err)
				}
				fetch := benchFetcher(ctx, 1)
				hp := startHeapPeak()
				arch := scraper.NewArchiver(fetch, run, scraper.ArchiveConfig{Location: time.UTC,
					OnPage: func(ev scraper.PageEvent) {
						if ev.Number%25 == 0 {
							hp.live()
						}
					}})
				t0, c0 := time.Now(), procCPU()
				b.StartTimer()
				res, err := arch.Thread(ctx, start)
				b.StopTimer()
				took += time.Since(t0)
				cpu += procCPU() - c0
				peak = max(peak, hp.Stop())
				live = max(live, hp.Live())
				base = max(base, mib(hp.base))
				if err != nil {
					b.Fatal(err)
				}
				if res.Pages != pages || res.PostsNew != pages*20 {
					b.Fatalf("archived %d pages, %d posts; want %d, %d", res.Pages, res.PostsNew, pages, pages*20)
				}
				pagesDone += float64(res.Pages)
				bytesRead += pageBytes(b, start+fmt.Sprintf("page-%d", pages/2))
				if err := run.Finish(ctx, store.StatusOK); err != nil {
					b.Fatal(err)
				}
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(pagesDone/took.Seconds(), "pages/s")
			b.ReportMetric(pagesDone/cpu.Seconds(), "pages/cpu-s")
			b.ReportMetric(peak, "peak-heap-MiB")
			b.ReportMetric(live, "live-heap-MiB")
			b.ReportMetric(base, "base-heap-MiB")
			b.ReportMetric(float64(bytesRead)/float64(b.N)/1024, "page-KiB")
		})
	}
}

// pageBytes is the size of one served page, to show how page size moves with N.
func pageBytes(b *testing.B, u string) int64 {
	resp, err := http.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var n int64
	buf := make([]byte, 32<<10)
	for {
		k, err := resp.Body.Read(buf)
		n += int64(k)
		if err != nil {
			break
		}
	}
	return n
}

// crawlForumOf generates a forum of about n pages (thread pages + listing pages +
// the index): 4 boards with 4 sub-boards each, threads of 1 to 4 pages (10, 25, 45,
// 70 posts in turn, 2.5 pages on average) and 20 threads per listing page.
func crawlForumOf(n int) *sampleforum.Forum {
	const boards = 4 * (1 + 4)
	perBoard := int(float64(n)/(2.5+1.0/20)/boards + 0.5)
	return sampleforum.Generate(sampleforum.Spec{Boards: 4, SubBoards: 4, ThreadsPerBoard: perBoard,
		PostsPerThread: func(i int) int { return []int{10, 25, 45, 70}[i%4] }})
}

// forumURLs lists every page a full crawl reads: listings (index, every board's
// listing pages) and thread pages.
func forumURLs(f *sampleforum.Forum) (listings, threads []string) {
	listings = append(listings, "/")
	var walk func([]*sampleforum.Board)
	walk = func(bs []*sampleforum.Board) {
		for _, b := range bs {
			lp := max(1, (len(b.Threads)+f.ThreadsPerPage-1)/f.ThreadsPerPage)
			for p := 1; p <= lp; p++ {
				listings = append(listings, pageOf(sampleforum.BoardPath(b), p))
			}
			for _, t := range b.Threads {
				tp := max(1, (len(t.Posts)+f.PostsPerPage-1)/f.PostsPerPage)
				for p := 1; p <= tp; p++ {
					threads = append(threads, pageOf(sampleforum.ThreadPath(t), p))
				}
			}
			walk(b.Sub)
		}
	}
	walk(f.Boards())
	return listings, threads
}

func pageOf(base string, n int) string {
	if n <= 1 {
		return base
	}
	return fmt.Sprintf("%spage-%d", base, n)
}

// crawlOnce runs one crawl pass as `forumarc crawl --delay 0 --concurrency conc
// --per-host perHost URL` does (crawl.go), minus the lock and progress display.
func crawlOnce(ctx context.Context, db *store.DB, seed string, conc, perHost int, onEvent func(scraper.CrawlEvent)) (scraper.CrawlResult, error) {
	run, err := db.StartRun(ctx, "crawl", []string{seed})
	if err != nil {
		return scraper.CrawlResult{}, err
	}
	front, resumed, err := db.OpenFrontier(ctx, store.CrawlKey(seed))
	if err != nil {
		return scraper.CrawlResult{}, err
	}
	c := scraper.NewCrawler(benchFetcher(ctx, perHost), run, front, db, []string{seed},
		scraper.CrawlConfig{Concurrency: conc, Location: time.UTC, OnEvent: onEvent})
	if !resumed {
		if err := c.Seed(ctx, []string{seed}); err != nil {
			return scraper.CrawlResult{}, err
		}
	}
	res, err := c.Run(ctx)
	status := store.StatusOK
	if err != nil || res.Errors > 0 {
		status = store.StatusFailed
	}
	if ferr := run.Finish(ctx, status); err == nil {
		err = ferr
	}
	if err == nil && res.Errors > 0 {
		err = fmt.Errorf("%d pages failed", res.Errors)
	}
	return res, err
}

// BenchmarkCrawlForum crawls a generated forum of about 2,500, 5,000 and 10,000
// pages with no delay and concurrency 8 (per-host 8: one local host), into a fresh
// database, then re-crawls it unchanged. Metrics: pages/s of the first crawl (thread
// and listing pages), peak heap above the live heap before the crawl (the forum
// itself is in that base), and for the unchanged re-crawl the requests made per
// listing page and per thread beyond the listing pages (target 0).
//
//	go test ./cmd/forumarc -run '^$' -bench 'CrawlForum/pages=10000' -benchtime 1x -timeout 30m
func BenchmarkCrawlForum(b *testing.B) {
	for _, n := range []int{2500, 5000, 10000} {
		b.Run(fmt.Sprintf("pages=%d/per-host=8", n), func(b *testing.B) { benchCrawl(b, n, 8, 8) })
	}
	// The default politeness (one request in flight per host), for comparison.
	b.Run("pages=10000/per-host=1", func(b *testing.B) { benchCrawl(b, 10000, 8, 1) })
}

func benchCrawl(b *testing.B, n, conc, perHost int) {
	defer tuneGC(os.Getenv)() // the collector settings main applies (gc.go)
	ctx := context.Background()
	f := crawlForumOf(n)
	ls, ts := forumURLs(f)
	listings, threads := len(ls), len(ts)
	nThreads := 0
	for _, bd := range f.Boards() {
		nThreads += len(bd.Threads)
		for _, s := range bd.Sub {
			nThreads += len(s.Threads)
		}
	}
	f, ls, ts = nil, nil, nil // the forum runs in its own process: keep it out of this heap
	srvURL, requests := forumProcess(b, fmt.Sprintf("crawl:%d", n))
	seed := srvURL + "/"
	dir := b.TempDir()
	var pages, peak, live, base, took, cpu, recrawlReq, recrawlListings float64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db, err := store.Open(ctx, filepath.Join(dir, fmt.Sprintf("c%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		hp := startHeapPeak()
		events := 0
		t0, c0 := time.Now(), procCPU()
		b.StartTimer()
		// OnEvent runs under the crawler's lock: the forced collection every 500
		// pages pauses the crawl for a moment, a few dozen times per 10,000 pages.
		res, err := crawlOnce(ctx, db, seed, conc, perHost, func(ev scraper.CrawlEvent) {
			if ev.Kind == "page" {
				if events++; events%500 == 0 {
					hp.live()
				}
			}
		})
		b.StopTimer()
		took += time.Since(t0).Seconds()
		cpu += (procCPU() - c0).Seconds()
		peak = max(peak, hp.Stop())
		live = max(live, hp.Live())
		base = max(base, mib(hp.base))
		if err != nil {
			b.Fatal(err)
		}
		if res.Pages+res.Listings != listings+threads || res.Threads != nThreads {
			b.Fatalf("crawl read %d thread pages + %d listings, %d threads; forum has %d + %d, %d",
				res.Pages, res.Listings, res.Threads, threads, listings, nThreads)
		}
		pages += float64(res.Pages + res.Listings)

		before := requests()
		res2, err := crawlOnce(ctx, db, seed, conc, perHost, nil)
		if err != nil {
			b.Fatal(err)
		}
		req := requests() - before
		if res2.Pages != 0 || res2.ThreadsSkipped != nThreads {
			b.Fatalf("unchanged re-crawl fetched %d thread pages, skipped %d of %d threads", res2.Pages, res2.ThreadsSkipped, nThreads)
		}
		recrawlReq += float64(req)
		recrawlListings += float64(res2.Listings)
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(pages/took, "pages/s")
	b.ReportMetric(pages/cpu, "pages/cpu-s")
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(live, "live-heap-MiB")
	b.ReportMetric(base, "base-heap-MiB")
	b.ReportMetric(float64(listings+threads), "forum-pages")
	b.ReportMetric(recrawlReq/float64(b.N), "recrawl-requests")
	// robots.txt is one request per run; the rest should be one per listing page and
	// none per thread.
	perRun := recrawlReq/float64(b.N) - 1
	b.ReportMetric(perRun/(recrawlListings/float64(b.N)), "recrawl-req/listing")
	b.ReportMetric((perRun-recrawlListings/float64(b.N))/float64(nThreads), "recrawl-req/thread")
}

// renderedPage is one page as the server sends it, for the extract-only benchmark
// and the pre-rendered bench forum.
type renderedPage struct {
	url         string
	path        string
	body        []byte
	contentType string
	listing     bool
}

// renderForum renders every page a crawl reads through the forum's own handler,
// with host as the Host header so URLs match those a crawl would see.
func renderForum(tb testing.TB, f *sampleforum.Forum, host string) []renderedPage {
	listings, threads := forumURLs(f)
	var out []renderedPage
	add := func(paths []string, listing bool) {
		for _, p := range paths {
			r := httptest.NewRequest(http.MethodGet, "http://"+host+p, nil)
			w := httptest.NewRecorder()
			f.ServeHTTP(w, r)
			if w.Code != 200 {
				tb.Fatalf("%s: HTTP %d", p, w.Code)
			}
			out = append(out, renderedPage{url: "http://" + host + p, path: p, body: w.Body.Bytes(),
				contentType: w.Header().Get("Content-Type"), listing: listing})
		}
	}
	add(listings, true)
	add(threads, false)
	return out
}

// extractPage does the parsing and extraction the crawl does for one page: a thread
// page through scraper.Extract, a listing through Parse + ExtractListingDocument.
func extractPage(p renderedPage, fetchedAt time.Time) error {
	opts := scraper.Options{FetchedAt: fetchedAt, Location: time.UTC}
	if p.listing {
		doc, _, err := scraper.Parse(p.body, "text/html; charset=utf-8")
		if err != nil {
			return err
		}
		_, err = scraper.ExtractListingDocument(doc, p.url, opts)
		return err
	}
	_, err := scraper.Extract(p.body, p.url, opts)
	return err
}

// BenchmarkExtractForum is the extract-only rate over the very pages the 10,000-page
// crawl reads (same mix of listings and thread pages), in one goroutine and in 8:
// the ceiling the crawl is compared with. Compare the two with BenchmarkCrawlVsExtract,
// which runs them in pairs; single runs of each are minutes apart and this machine's
// speed moves too much for that.
//
//	go test ./cmd/forumarc -run '^$' -bench 'ExtractForum' -benchtime 1x
func BenchmarkExtractForum(b *testing.B) {
	// The same collector settings as the crawl it is compared with (gc.go). This
	// process also keeps every rendered page live (about 550 MB), so its collector
	// rarely runs at all: the ceiling is, if anything, flattered.
	defer tuneGC(os.Getenv)()
	f := crawlForumOf(10000)
	u, _ := url.Parse("http://127.0.0.1:8080")
	pages := renderForum(b, f, u.Host)
	var size int64
	for _, p := range pages {
		size += int64(len(p.body))
	}
	at := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("goroutines=%d", workers), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			var took, cpu time.Duration
			for b.Loop() {
				t0, c0 := time.Now(), procCPU()
				_, err := overPages(pages, workers, func(p renderedPage) error { return extractPage(p, at) })
				took += time.Since(t0)
				cpu += procCPU() - c0
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(pages)*b.N)/took.Seconds(), "pages/s")
			b.ReportMetric(float64(len(pages)*b.N)/cpu.Seconds(), "pages/cpu-s")
			b.ReportMetric(float64(len(pages)), "forum-pages")
		})
	}
	// What rendering the same pages costs: why the bench forum renders every page
	// once before it listens (TestBenchForumServer) instead of on each request.
	b.Run("server-render", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			c0 := procCPU()
			renderForum(b, f, u.Host)
			cpu += procCPU() - c0
		}
		b.ReportMetric(float64(len(pages)*b.N)/cpu.Seconds(), "pages/cpu-s")
	})
}

// TestCrawlUnchangedRequestsPerListing is the small-scale assertion behind the
// benchmark's re-crawl metric: re-crawling an unchanged forum costs robots.txt plus
// one request per listing page, and nothing per thread.
func TestCrawlUnchangedRequestsPerListing(t *testing.T) {
	ctx := context.Background()
	f := crawlForumOf(300)
	listings, threads := forumURLs(f)
	srv := httptest.NewServer(f)
	defer srv.Close()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := crawlOnce(ctx, db, srv.URL+"/", 8, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Pages+res.Listings, len(listings)+len(threads); got != want {
		t.Fatalf("first crawl read %d pages, want %d", got, want)
	}
	before := f.Requests()
	res, err = crawlOnce(ctx, db, srv.URL+"/", 8, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Requests()-before, int64(1+len(listings)); got != want {
		t.Errorf("unchanged re-crawl made %d requests, want %d (robots.txt + %d listing pages)", got, want, len(listings))
	}
	if res.Pages != 0 || res.Listings != len(listings) {
		t.Errorf("re-crawl read %d thread pages and %d listings, want 0 and %d", res.Pages, res.Listings, len(listings))
	}
}

// benchForum builds the forum a benchmark names: "thread:N" is one N-page thread (20
// posts a page), "crawl:N" a whole forum of about N pages (crawlForumOf).
func benchForum(spec string) *sampleforum.Forum {
	kind, num, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(num)
	if err != nil {
		panic("bad forum spec " + spec)
	}
	if kind == "thread" {
		return sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 1,
			PostsPerThread: func(int) int { return n * 20 }})
	}
	return crawlForumOf(n)
}

const benchForumEnv = "FORUMARC_BENCH_FORUM"

// forumProcess serves benchForum(spec) from a child process (this test binary running
// TestBenchForumServer), so the forum's memory and rendering CPU stay out of the
// heap and CPU figures of the process under test. It returns the base URL and a
// counter of the requests the forum answered.
func forumProcess(b *testing.B, spec string) (string, func() int64) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchForumServer$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchForumEnv+"="+spec)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close() // the child exits when its stdin closes
		_ = cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	base := ""
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
			base = "http://" + addr
			break
		}
	}
	if base == "" {
		b.Fatalf("forum process for %s did not start", spec)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return base, func() int64 { return forumStat(b, base, "/__requests") }
}

// forumStat reads one of the bench forum's counters: "/__requests" (requests
// answered) or "/__cpu" (the forum process's CPU time so far, in nanoseconds).
func forumStat(b *testing.B, base, path string) int64 {
	resp, err := http.Get(base + path)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	n, err := strconv.ParseInt(strings.TrimSpace(string(body)), 10, 64)
	if err != nil {
		b.Fatalf("%s: %q", path, body)
	}
	return n
}

// TestBenchForumServer is the child side of forumProcess; it skips in a normal run.
// Every page a crawl reads is rendered once before the forum listens and then served
// as bytes, as a static mirror would: the benchmarks share two cores with this
// process, and template rendering (about 2.4 ms of CPU a page) would otherwise be
// measured as crawl time. Anything else (robots.txt, redirects past a thread's last
// page, 404s) goes to the live handler.
func TestBenchForumServer(t *testing.T) {
	spec := os.Getenv(benchForumEnv)
	if spec == "" {
		t.Skip("helper process for the benchmarks (started by forumProcess)")
	}
	f := benchForum(spec)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	static := map[string]renderedPage{}
	for _, p := range renderForum(t, f, ln.Addr().String()) {
		static[p.path] = p
	}
	var requests atomic.Int64
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/__requests" {
			fmt.Fprint(w, requests.Load())
			return
		}
		if r.URL.Path == "/__cpu" { // this process's CPU so far, in nanoseconds
			fmt.Fprint(w, int64(procCPU()))
			return
		}
		requests.Add(1)
		if p, ok := static[r.URL.Path]; ok && r.Method == http.MethodGet {
			w.Header().Set("Content-Type", p.contentType)
			w.Header().Set("Content-Length", strconv.Itoa(len(p.body)))
			_, _ = w.Write(p.body)
			return
		}
		f.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("LISTEN %s\n", ln.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
}

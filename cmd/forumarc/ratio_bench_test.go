package main

// The issue-4 throughput target ("crawl at least 80% of the extract-only rate")
// measured in pairs. On this machine class the speed of the whole machine moves by up
// to 40% from one minute to the next, so a crawl figure and an extract-only figure
// taken in separate runs cannot be compared: BenchmarkCrawlVsExtract takes both back
// to back, in alternating order, once per iteration, and reports the ratio of each
// pair. The ceilings run in a fresh child process each time so that the 550 MB of
// pre-rendered pages they keep in memory stay out of the crawl's heap.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

const benchCeilingEnv = "FORUMARC_BENCH_CEILING"

// ceilingModes are the baselines the crawl is compared with, in the order the child
// runs them: extraction alone (HTML in, values out) on one goroutine and on 8, and
// extraction plus storing each thread page (SavePage into a fresh database) on 8,
// i.e. everything a crawl does except fetching, the frontier and listings' state.
var ceilingModes = []string{"extract-1", "extract-8", "store-8"}

// BenchmarkCrawlVsExtract runs, per iteration, the ceilings (ceilingModes) and the
// crawl of the 10,000-page forum (concurrency 8, per-host 8, no delay), swapping
// their order every other iteration so drift in the machine's speed falls on both
// sides. Use -benchtime Nx for N pairs. It reports the median and the lowest
// crawl/ceiling ratio over the pairs, and the median rates.
//
//	go test ./cmd/forumarc -run '^$' -bench CrawlVsExtract -benchtime 5x -timeout 60m
func BenchmarkCrawlVsExtract(b *testing.B) {
	defer tuneGC(os.Getenv)()
	const n = 10000
	ls, ts := forumURLs(crawlForumOf(n))
	want := len(ls) + len(ts)
	ls, ts = nil, nil
	srvURL, _ := forumProcess(b, fmt.Sprintf("crawl:%d", n))
	dir := b.TempDir()
	rates := map[string][]float64{}
	ratios := map[string][]float64{}
	var serverShare []float64
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		var crawl, crawlCPU, serverCPU float64
		var ceil map[string]float64
		doCrawl := func() {
			s0 := forumStat(b, srvURL, "/__cpu")
			crawl, crawlCPU = pairCrawl(b, filepath.Join(dir, fmt.Sprintf("p%d.db", i)), srvURL+"/", want)
			serverCPU = float64(forumStat(b, srvURL, "/__cpu")-s0) / 1e9
		}
		doCeil := func() { ceil = ceilingProcess(b, n) }
		if i%2 == 0 {
			doCeil()
			doCrawl()
		} else {
			doCrawl()
			doCeil()
		}
		rates["crawl"] = append(rates["crawl"], crawl)
		// The forum answering on the same two cores is CPU a remote forum would not
		// take from the crawl; its share shows how much of the gap is the harness's.
		serverShare = append(serverShare, serverCPU/(serverCPU+crawlCPU))
		line := fmt.Sprintf("pair %d: crawl %.1f pages/s (forum server %.0f%% of the CPU)", i+1, crawl, 100*serverShare[i])
		for _, m := range ceilingModes {
			rates[m] = append(rates[m], ceil[m])
			ratios[m] = append(ratios[m], crawl/ceil[m])
			line += fmt.Sprintf(", %s %.1f (%.0f%%)", m, ceil[m], 100*crawl/ceil[m])
		}
		b.Log(line)
		b.StartTimer()
	}
	b.ReportMetric(median(rates["crawl"]), "crawl-pages/s")
	b.ReportMetric(100*median(serverShare), "%-cpu-forum-server")
	for _, m := range ceilingModes {
		b.ReportMetric(median(rates[m]), m+"-pages/s")
		b.ReportMetric(100*median(ratios[m]), "%-of-"+m)
		b.ReportMetric(100*slices.Min(ratios[m]), "%-of-"+m+"-lowest")
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// pairCrawl is one crawl of the served forum into a fresh database: pages/s and the
// CPU seconds it took. It fails the benchmark unless all want pages were read.
func pairCrawl(b *testing.B, path, seed string, want int) (rate, cpu float64) {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	t0, c0 := time.Now(), procCPU()
	res, err := crawlOnce(ctx, db, seed, 8, 8, nil)
	took := time.Since(t0)
	cpu = (procCPU() - c0).Seconds()
	if err != nil {
		b.Fatal(err)
	}
	if got := res.Pages + res.Listings; got != want {
		b.Fatalf("crawl read %d pages, forum has %d", got, want)
	}
	return float64(want) / took.Seconds(), cpu
}

// ceilingProcess runs TestBenchCeiling in a child process and returns its rate per
// mode, in pages/s.
func ceilingProcess(b *testing.B, n int) map[string]float64 {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchCeiling$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchCeilingEnv+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("ceiling process: %v\n%s", err, out)
	}
	rates := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[0] == "RATE" {
			if v, err := strconv.ParseFloat(f[2], 64); err == nil {
				rates[f[1]] = v
			}
		}
	}
	for _, m := range ceilingModes {
		if rates[m] <= 0 {
			b.Fatalf("ceiling process printed no rate for %s:\n%s", m, out)
		}
	}
	return rates
}

// TestBenchCeiling is the child side of ceilingProcess; it skips in a normal run.
// It renders the forum the crawl reads, then prints "RATE mode pages/s pages/cpu-s"
// for each of ceilingModes, with the collector settings the crawl runs with.
func TestBenchCeiling(t *testing.T) {
	spec := os.Getenv(benchCeilingEnv)
	if spec == "" {
		t.Skip("helper process for BenchmarkCrawlVsExtract")
	}
	n, err := strconv.Atoi(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer tuneGC(os.Getenv)()
	pages := renderForum(t, crawlForumOf(n), "127.0.0.1:8080")
	at := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, mode := range ceilingModes {
		var work func(renderedPage) error
		var db *store.DB
		workers := 8
		switch mode {
		case "extract-1":
			workers = 1
			work = func(p renderedPage) error { return extractPage(p, at) }
		case "extract-8":
			work = func(p renderedPage) error { return extractPage(p, at) }
		case "store-8":
			if db, err = store.Open(ctx, filepath.Join(t.TempDir(), "ceiling.db")); err != nil {
				t.Fatal(err)
			}
			run, err := db.StartRun(ctx, "crawl", []string{"http://127.0.0.1:8080/"})
			if err != nil {
				t.Fatal(err)
			}
			work = func(p renderedPage) error { return storePage(ctx, run, p, at) }
		}
		c0 := procCPU()
		rate, err := overPages(pages, workers, work)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		fmt.Printf("RATE %s %.2f %.2f\n", mode, rate, float64(len(pages))/(procCPU()-c0).Seconds())
		if db != nil {
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// storePage is extractPage plus what the crawl stores for a thread page.
func storePage(ctx context.Context, run *store.Run, p renderedPage, at time.Time) error {
	if p.listing {
		return extractPage(p, at)
	}
	page, err := scraper.Extract(p.body, p.url, scraper.Options{FetchedAt: at, Location: time.UTC})
	if err != nil {
		return err
	}
	_, err = run.SavePage(ctx, &scraper.Fetched{URL: p.url, Status: 200, ContentType: p.contentType,
		FetchedAt: at, Body: p.body, Encoding: "utf-8"}, page)
	return err
}

// overPages runs work over every page on the given number of goroutines and returns
// pages/s, or the first error.
func overPages(pages []renderedPage, workers int, work func(renderedPage) error) (float64, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	t0 := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(pages) {
					return
				}
				if err := work(pages[i]); err != nil {
					once.Do(func() { first = fmt.Errorf("%s: %w", pages[i].url, err) })
					next.Store(int64(len(pages)))
					return
				}
			}
		}()
	}
	wg.Wait()
	return float64(len(pages)) / time.Since(t0).Seconds(), first
}

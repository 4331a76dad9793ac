package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/forumarc/forumarc/scraper"
)

// progress draws bars on a terminal; elsewhere it does nothing, because the
// structured log lines already say what happened.
type progress struct {
	p *mpb.Progress
}

func newProgress(e env, _ string) *progress {
	if !e.isTTY {
		return &progress{}
	}
	return &progress{p: mpb.New(mpb.WithOutput(e.stderr), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))}
}

type threadBar struct {
	bar   *mpb.Bar
	name  *string
	posts int
}

func (p *progress) thread(u string) *threadBar {
	tb := &threadBar{}
	if p.p == nil {
		return tb
	}
	name := shorten(u, 40)
	tb.name = &name
	tb.bar = p.p.AddBar(0,
		mpb.PrependDecorators(
			decor.Any(func(decor.Statistics) string { return *tb.name }, decor.WCSyncSpaceR),
			decor.CountersNoUnit("page %d/%d", decor.WCSyncSpace),
		),
		mpb.AppendDecorators(
			decor.Any(func(decor.Statistics) string { return fmt.Sprintf("%d posts", tb.posts) }, decor.WCSyncSpace),
			decor.AverageSpeed(0, "%.1f pages/s", decor.WCSyncSpace),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "done"),
		),
	)
	return tb
}

func (tb *threadBar) page(ev scraper.PageEvent) {
	tb.posts += ev.PostsTotal
	if tb.bar == nil {
		return
	}
	if ev.Thread != "" {
		*tb.name = shorten(ev.Thread, 40)
	}
	tb.bar.SetTotal(int64(ev.Total), false)
	tb.bar.SetCurrent(int64(ev.Number))
}

func (tb *threadBar) done(err error) {
	if tb.bar == nil {
		return
	}
	if err != nil {
		tb.bar.Abort(false)
		return
	}
	tb.bar.SetTotal(-1, true)
}

func (p *progress) wait() {
	if p.p != nil {
		p.p.Wait()
	}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s + strings.Repeat(" ", n-len(r))
	}
	return string(r[:n-1]) + "…"
}

// crawlProgress shows a crawl on a terminal: listings read, threads done out of those
// queued, pages, new posts, rate and ETA.
type crawlProgress struct {
	p                      *mpb.Progress
	bar                    *mpb.Bar
	listings, pages, posts int
	queued, threads        int
	last                   string
}

func newCrawlProgress(e env) *crawlProgress {
	cp := &crawlProgress{}
	if !e.isTTY {
		return cp
	}
	cp.p = mpb.New(mpb.WithOutput(e.stderr), mpb.WithWidth(30), mpb.WithRefreshRate(200*time.Millisecond))
	cp.bar = cp.p.AddBar(0,
		mpb.PrependDecorators(
			decor.Name("threads ", decor.WC{}),
			decor.CountersNoUnit("%d/%d", decor.WCSyncSpace),
		),
		mpb.AppendDecorators(
			decor.Any(func(decor.Statistics) string {
				return fmt.Sprintf("%d listings  %d pages  %d new posts  %s", cp.listings, cp.pages, cp.posts, shorten(cp.last, 30))
			}, decor.WCSyncSpace),
			decor.AverageSpeed(0, " %.1f threads/s", decor.WCSyncSpace),
			decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace),
		),
	)
	return cp
}

// event is called with the crawler's lock held, so fields need no locking here.
func (cp *crawlProgress) event(ev scraper.CrawlEvent) {
	switch ev.Kind {
	case "listing":
		cp.listings++
		cp.queued += ev.Queued
	case "page":
		cp.pages++
		cp.posts += ev.New
		if ev.Title != "" {
			cp.last = ev.Title
		}
	case "thread", "error":
		cp.threads++
	}
	if cp.bar != nil {
		cp.bar.SetTotal(int64(max(cp.queued, cp.threads)), false)
		cp.bar.SetCurrent(int64(cp.threads))
	}
}

func (cp *crawlProgress) done() {
	if cp.bar == nil {
		return
	}
	cp.bar.SetTotal(-1, true)
	cp.p.Wait()
}

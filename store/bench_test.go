package store

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// benchPage is a 20-post page with realistic sizes: ~600-byte posts, one quote in
// every fourth post, and a raw page of about 60 KB (markup around the posts).
func benchPage(thread, number int) (*scraper.Fetched, *scraper.Page) {
	p := makePage(fmt.Sprint(thread), number, 20, (number-1)*20+1)
	var raw strings.Builder
	raw.WriteString("<!DOCTYPE html><html><head><title>Thread</title></head><body>")
	for i := range p.Posts {
		post := &p.Posts[i]
		text := fmt.Sprintf("Post %s of thread %d. ", post.ID, thread) +
			strings.Repeat(fmt.Sprintf("The %d-speed gearbox needs new bearings and a seal kit; ", i%7+3), 10)
		post.BodyText = text
		post.BodyHTML = "<div class=\"bbWrapper\">" + text + "</div>"
		if i%4 == 0 {
			post.Quotes = []scraper.Quote{{Author: scraper.Str("user1"), PostID: scraper.Str("p1"), Text: "quoted words"}}
		}
		fmt.Fprintf(&raw, `<article class="message" data-author="%s" id="js-post-%s"><div class="message-userDetails">`+
			`<h4 class="message-name"><a href="/members/%s/">%s</a></h4></div><div class="message-content">%s</div>`+
			`<footer class="message-footer"><a class="reaction">Like</a><a class="reply">Reply</a></footer></article>`,
			*post.Author.Name, post.ID, *post.Author.ID, *post.Author.Name, post.BodyHTML)
		raw.WriteString(strings.Repeat(`<div class="ad-slot" data-slot="sidebar"><span>&nbsp;</span></div>`, 25))
	}
	raw.WriteString("</body></html>")
	f := fetchedFor(p, time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC))
	f.Body = []byte(raw.String())
	return f, p
}

// BenchmarkSavePosts measures archive throughput in posts per second, one 20-post page
// per SavePage transaction (the crawl loop's unit), gzip and FTS indexing included.
func BenchmarkSavePosts(b *testing.B) {
	ctx := context.Background()
	b.Run("new", func(b *testing.B) {
		db, _ := openTest(b)
		r := startRun(b, db)
		pages := make([][2]any, 0, 64)
		for i := 0; i < 64; i++ {
			f, p := benchPage(1, i+1)
			pages = append(pages, [2]any{f, p})
		}
		b.SetBytes(int64(len(pages[0][0].(*scraper.Fetched).Body)))
		b.ReportAllocs()
		b.ResetTimer()
		posts := 0
		cpu0 := cpuTime()
		for i := 0; b.Loop(); i++ {
			f, p := pages[i%len(pages)][0].(*scraper.Fetched), pages[i%len(pages)][1].(*scraper.Page)
			// New thread every 64 pages so every post is new.
			p.Thread.ID = scraper.Str(fmt.Sprint(i / len(pages)))
			if _, err := r.SavePage(ctx, f, p); err != nil {
				b.Fatal(err)
			}
			posts += len(p.Posts)
		}
		b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "posts/s")
		reportCPU(b, cpu0, posts)
	})
	b.Run("unchanged", func(b *testing.B) {
		db, _ := openTest(b)
		r := startRun(b, db)
		f, p := benchPage(1, 1)
		if _, err := r.SavePage(ctx, f, p); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(f.Body)))
		b.ReportAllocs()
		b.ResetTimer()
		posts := 0
		cpu0 := cpuTime()
		for b.Loop() {
			if _, err := r.SavePage(ctx, f, p); err != nil {
				b.Fatal(err)
			}
			posts += len(p.Posts)
		}
		b.ReportMetric(float64(posts)/b.Elapsed().Seconds(), "posts/s")
		reportCPU(b, cpu0, posts)
	})
}

// cpuTime is the process's user+system CPU time: on a shared machine it says more
// about the cost of SavePage than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration, posts int) {
	if d := cpuTime() - since; d > 0 && posts > 0 {
		b.ReportMetric(float64(posts)/d.Seconds(), "posts/cpu-s")
	}
}

package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// corpusPost is one post of a hand-written test corpus.
type corpusPost struct {
	id, author, text string
	at               time.Time
	quotes           []scraper.Quote
}

// savePosts stores posts as one page of a thread on site (e.g. "https://a.example").
func saveCorpus(t testing.TB, r *Run, site, threadID, forum string, page int, posts []corpusPost) *scraper.Page {
	t.Helper()
	url := fmt.Sprintf("%s/threads/t.%s/page-%d", site, threadID, page)
	p := &scraper.Page{
		Engine: "xenforo2",
		URL:    url,
		Thread: scraper.Thread{
			ID:        scraper.Str(threadID),
			Title:     scraper.Str("Thread " + threadID + " <b>&</b>"),
			URL:       scraper.Str(fmt.Sprintf("%s/threads/t.%s/", site, threadID)),
			ForumPath: []string{"Forums", forum},
		},
		Page: scraper.PageInfo{Number: page},
	}
	for i, c := range posts {
		at := c.at
		q := c.quotes
		if q == nil {
			q = []scraper.Quote{}
		}
		p.Posts = append(p.Posts, scraper.Post{
			ID:         c.id,
			Number:     scraper.Int((page-1)*20 + i + 1),
			URL:        scraper.Str(fmt.Sprintf("%s/posts/%s/", site, c.id)),
			PostedAt:   &at,
			PostedText: scraper.Str(at.Format("Jan 2, 2006")),
			Author: scraper.Author{
				Name:     scraper.Str(c.author),
				ID:       scraper.Str("u-" + c.author),
				URL:      scraper.Str(site + "/members/" + c.author),
				Messages: scraper.Int64(int64(len(c.author))),
				Extras:   map[string]string{"Bike": "Raleigh " + c.author},
			},
			BodyHTML: "<p>" + c.text + "</p>",
			BodyText: c.text,
			Quotes:   q,
		})
	}
	f := &scraper.Fetched{URL: url, Status: 200, FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC),
		Body: []byte("<html>" + url + "</html>"), Encoding: "utf-8", ETag: `"e1"`}
	if _, err := r.SavePage(context.Background(), f, p); err != nil {
		t.Fatalf("SavePage: %v", err)
	}
	return p
}

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 10, 0, 0, 0, time.UTC) }

// searchCorpus is a small archive with known texts over two sites and three threads.
func searchCorpus(t testing.TB) *DB {
	t.Helper()
	db, _ := openTest(t)
	r := startRun(t, db)
	saveCorpus(t, r, "https://a.example", "1", "Workshop", 1, []corpusPost{
		{id: "101", author: "marta", text: "Sprocket sprocket sprocket: the sprocket teeth are worn.", at: day(2025, 1, 5)},
		{id: "102", author: "jiri", text: "I replaced the gearbox and one sprocket, then cleaned the chain with degreaser and a brush for an hour.", at: day(2025, 2, 5)},
		{id: "103", author: "zoe", text: "New bar tape today: cotton, shellacked three coats.", at: day(2025, 3, 5)},
		{id: "104", author: "marta", text: "The tape on the bar is old; cotton tape is better.", at: day(2025, 3, 6)},
	})
	saveCorpus(t, r, "https://a.example", "2", "Wheels", 1, []corpusPost{
		{id: "201", author: "jiri", text: "Restoring the wheels: the restoration took a week. Café racer style.", at: day(2025, 4, 1)},
		{id: "202", author: "zoe", text: "Frame of steel, steel forks.", at: day(2025, 4, 2)},
		{id: "203", author: "marta", text: "Frame of aluminium, no rust at all.", at: day(2025, 4, 3),
			quotes: []scraper.Quote{{Author: scraper.Str("zoe"), PostID: scraper.Str("202"), Text: "Frame of steel"}}},
	})
	saveCorpus(t, r, "https://b.example", "1", "Workshop", 1, []corpusPost{
		{id: "301", author: "marta", text: "A sprocket from another site.", at: day(2025, 5, 1)},
	})
	return db
}

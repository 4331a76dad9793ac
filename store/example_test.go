package store_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// A crawl writes through a Run; `forumarc query` reads with Query.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "forumarc-example")
	defer os.RemoveAll(dir)

	db, err := store.Open(ctx, filepath.Join(dir, "archive.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	run, err := db.StartRun(ctx, "crawl", []string{"https://forum.example/threads/7/"})
	if err != nil {
		log.Fatal(err)
	}
	page := &scraper.Page{
		Engine: "xenforo2",
		URL:    "https://forum.example/threads/7/",
		Thread: scraper.Thread{ID: scraper.Str("7"), Title: scraper.Str("Sourdough starters")},
		Page:   scraper.PageInfo{Number: 1},
		Posts: []scraper.Post{{
			ID:       "70",
			Author:   scraper.Author{ID: scraper.Str("3"), Name: scraper.Str("Mira")},
			BodyHTML: "<p>Feed it twice a day.</p>",
			BodyText: "Feed it twice a day.",
		}},
	}
	fetched := &scraper.Fetched{URL: page.URL, Status: 200, FetchedAt: time.Now(), Body: []byte("<html>…</html>")}
	stats, err := run.SavePage(ctx, fetched, page)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new posts:", stats.PostsNew)
	if err := run.Finish(ctx, store.StatusOK); err != nil {
		log.Fatal(err)
	}

	res, err := db.Query(ctx, `SELECT author_name, thread_title FROM post_details
		WHERE post_id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)`, "twice")
	if err != nil {
		log.Fatal(err)
	}
	defer res.Close()
	for res.Next() {
		fmt.Println(res.Columns, res.Values())
	}
	if err := res.Err(); err != nil {
		log.Fatal(err)
	}
	_, err = db.Query(ctx, `DELETE FROM posts`)
	fmt.Println("write refused:", errors.Is(err, store.ErrReadOnly))
	// Output:
	// new posts: 1
	// [author_name thread_title] [Mira Sourdough starters]
	// write refused: true
}

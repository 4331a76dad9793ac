package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// stalePage is page number of thread 42 showing the posts ids (p<id>) at their places
// in the thread, 10 a page, with the given title and total; texts overrides bodies.
func stalePage(number, total int, title string, ids []int, texts map[int]string) *scraper.Page {
	p := makePage("42", number, 0, 1)
	p.Thread.Title = scraper.Str(title)
	p.Page.Total = scraper.Int(total)
	for i, k := range ids {
		post := makePage("42", number, 1, k).Posts[0]
		post.Number = scraper.Int((number-1)*10 + i + 1)
		post.URL = scraper.Str(fmt.Sprintf("https://forum.example/threads/42/page-%d#post-%d", number, k))
		if t, ok := texts[k]; ok {
			post.BodyText = t
			post.BodyHTML = "<p>" + t + "</p>"
		}
		p.Posts = append(p.Posts, post)
	}
	return p
}

// TestReparseStalePageKeepsNewerPosts: a 33-post thread archived over 4 pages; then 3
// posts of page 1 are deleted on the forum, post 31 edited, post 33 deleted, the
// thread renamed, and the thread archived again: pages 1 to 3 are fresh, the stored
// page 4 is the first run's (the forum now redirects it to page 3). Reparsing every
// page, in either order, leaves posts 31 and 32 as the fresh page 3 shows them (number,
// url, text: no revision made) and the thread's title as its newest page shows it.
// Post 33, shown only by the old page 4, still gets the extractor's fixes and stays
// deleted (found gone by a later run); a post marked deleted by the run that fetched
// the page showing it (the old extractor missed it there) is found again.
func TestReparseStalePageKeepsNewerPosts(t *testing.T) {
	ctx := context.Background()
	for _, reverse := range []bool{false, true} {
		t.Run(fmt.Sprintf("reverse=%v", reverse), func(t *testing.T) {
			db, clock := openTest(t)
			ids := func(from, to int, skip ...int) []int {
				var out []int
				for k := from; k <= to; k++ {
					if !slices.Contains(skip, k) {
						out = append(out, k)
					}
				}
				return out
			}
			number := func(id string) (n int) {
				t.Helper()
				if err := db.read.QueryRow(`SELECT number FROM posts WHERE external_id = ?`, id).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			str := func(q string, args ...any) (s string) {
				t.Helper()
				if err := db.read.QueryRow(q, args...).Scan(&s); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return s
			}

			// Run 1, 12:00: pages 1-4, posts p1-p33.
			r1 := startRun(t, db)
			all := ids(1, 33)
			var first []*scraper.Page
			for n := 1; n <= 4; n++ {
				pg := stalePage(n, 4, "Thread 42", all[(n-1)*10:min(n*10, len(all))], nil)
				first = append(first, pg)
				mustSave(t, r1, fetchedFor(pg, clock.t), pg)
			}
			if err := r1.Finish(ctx, StatusOK); err != nil {
				t.Fatal(err)
			}

			// Run 2, 13:00: p3, p6, p9 and p33 gone, p31 edited, the thread renamed.
			clock.advance(time.Hour)
			r2 := startRun(t, db)
			clock.advance(10 * time.Second)
			now := ids(1, 32, 3, 6, 9)
			edited := map[int]string{31: "Edited on the forum."}
			for n := 1; n <= 3; n++ {
				pg := stalePage(n, 3, "Thread 42 (renamed)", now[(n-1)*10:min(n*10, len(now))], edited)
				mustSave(t, r2, fetchedFor(pg, clock.t), pg)
			}
			clock.advance(10 * time.Second)
			// The walk found p33 gone, and p12 too: the old extractor missed it.
			if _, err := db.write.Exec(`UPDATE posts SET deleted_at = ? WHERE external_id IN ('p33', 'p12')`, stamp(clock.t)); err != nil {
				t.Fatal(err)
			}
			if err := r2.Finish(ctx, StatusOK); err != nil {
				t.Fatal(err)
			}
			if n := number("p32"); n != 29 {
				t.Fatalf("p32 is #%d after run 2, want 29", n)
			}
			if n := count(t, db, "post_revisions"); n != 1 {
				t.Fatalf("revisions after run 2 = %d, want 1 (p31's edit)", n)
			}
			seen31 := str(`SELECT last_seen_at FROM posts WHERE external_id = 'p31'`)
			seen33 := str(`SELECT last_seen_at FROM posts WHERE external_id = 'p33'`)

			clock.advance(time.Hour)
			pages, err := db.ListPages(ctx, Selection{})
			if err != nil || len(pages) != 4 {
				t.Fatalf("pages %+v %v", pages, err)
			}
			if reverse {
				slices.Reverse(pages)
			}
			// The current extractor reads what the pages stored, with its fixes:
			// page 4 is the first run's copy, pages 1-3 the second run's.
			fixed := map[int]string{31: "Edited on the forum.", 33: "Post 33, fixed."}
			extracted := func(pg StoredPage) *scraper.Page {
				if pg.Number == 4 {
					return stalePage(4, 4, "Thread 42", all[30:], map[int]string{33: fixed[33]})
				}
				return stalePage(pg.Number, 3, "Thread 42 (renamed)", now[(pg.Number-1)*10:min(pg.Number*10, len(now))], fixed)
			}
			for _, dry := range []bool{true, false, false} {
				run, err := db.StartReparse(ctx, nil, dry)
				if err != nil {
					t.Fatal(err)
				}
				for _, pg := range pages {
					res, err := run.ReparsePage(ctx, pg, extracted(pg), dry)
					if err != nil {
						t.Fatal(err)
					}
					if pg.Number != 4 {
						if res.Stale != 0 {
							t.Errorf("page %d (dry %v): %d posts stale, want 0", pg.Number, dry, res.Stale)
						}
						continue
					}
					if res.Stale != 2 || res.Unchanged+res.Updated != 3 || res.ThreadUpdate {
						t.Errorf("old page 4 (dry %v) = %+v, want p31 and p32 stale and no thread update", dry, res)
					}
					for _, c := range res.Changes {
						if c.PostID != "p33" {
							t.Errorf("old page 4 (dry %v) reports a change of %s: %+v", dry, c.PostID, c)
						}
					}
				}
				if !dry {
					if err := run.Finish(ctx, StatusOK); err != nil {
						t.Fatal(err)
					}
				}
				if n := number("p31"); n != 28 {
					t.Errorf("dry %v: p31 is #%d, the newer page 3 shows #28", dry, n)
				}
				if n := number("p32"); n != 29 {
					t.Errorf("dry %v: p32 is #%d, the newer page 3 shows #29", dry, n)
				}
				if u := str(`SELECT url FROM posts WHERE external_id = 'p32'`); u != "https://forum.example/threads/42/page-3#post-32" {
					t.Errorf("dry %v: p32's url = %s, want page 3's", dry, u)
				}
				if s := str(`SELECT body_text FROM posts WHERE external_id = 'p31'`); s != "Edited on the forum." {
					t.Errorf("dry %v: p31's text = %q, want the edited one", dry, s)
				}
				if n := count(t, db, "post_revisions r JOIN posts p ON p.id = r.post_id WHERE p.external_id IN ('p31', 'p32')"); n != 1 {
					t.Errorf("dry %v: %d revisions of p31 and p32, want 1 (p31's edit, none from the reparse)", dry, n)
				}
				if s := str(`SELECT last_seen_at FROM posts WHERE external_id = 'p31'`); s != seen31 {
					t.Errorf("dry %v: p31 last seen %s, want %s", dry, s, seen31)
				}
				if s := str(`SELECT title FROM threads`); s != "Thread 42 (renamed)" {
					t.Errorf("dry %v: thread title %q, want the newest page's", dry, s)
				}
				if n := count(t, db, "posts WHERE external_id = 'p33' AND deleted_at IS NOT NULL"); n != 1 {
					t.Errorf("dry %v: p33 (found gone after the old page 4 was fetched) is no longer deleted", dry)
				}
				if s := str(`SELECT last_seen_at FROM posts WHERE external_id = 'p33'`); s != seen33 {
					t.Errorf("dry %v: p33 last seen %s, want %s", dry, s, seen33)
				}
				wantFixed, wantLive := 0, 0
				if !dry {
					wantFixed, wantLive = 1, 1
				}
				if n := count(t, db, "posts WHERE external_id = 'p33' AND body_text = 'Post 33, fixed.'"); n != wantFixed {
					t.Errorf("dry %v: p33 fixed %d, want %d: the only page showing it is reparsed as before", dry, n, wantFixed)
				}
				if n := count(t, db, "posts WHERE external_id = 'p12' AND deleted_at IS NULL"); n != wantLive {
					t.Errorf("dry %v: p12 live %d, want %d: the page its run fetched shows it", dry, n, wantLive)
				}
			}
		})
	}
}

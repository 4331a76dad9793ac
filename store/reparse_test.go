package store

import (
	"context"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

func TestReparsePageUpdatesExactlyChangedPosts(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	page := makePage("42", 1, 10, 1)
	f := fetchedFor(page, time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC))
	mustSave(t, r, f, page)
	clock.advance(48 * time.Hour)

	pages, err := db.ListPages(ctx, Selection{})
	if err != nil || len(pages) != 1 {
		t.Fatalf("pages %+v %v", pages, err)
	}
	// The "improved extractor": posts 3 and 7 lose a stray suffix, a missed post
	// appears, the thread gets a prefix.
	fixed := makePage("42", 1, 10, 1)
	fixed.Thread.Prefix = scraper.Str("Solved")
	for _, i := range []int{2, 6} {
		fixed.Posts[i].BodyText += " (fixed)"
		fixed.Posts[i].BodyHTML += "<p>(fixed)</p>"
	}
	extra := makePage("42", 1, 1, 11).Posts[0]
	fixed.Posts = append(fixed.Posts, extra)

	// Dry run: reports, writes nothing.
	dry, err := db.StartReparse(ctx, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := dry.ReparsePage(ctx, pages[0], fixed, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 2 || res.New != 1 || res.Unchanged != 8 || !res.ThreadUpdate || len(res.Changes) != 3 {
		t.Errorf("dry run result = %+v", res)
	}
	if n := count(t, db, "post_revisions"); n != 0 {
		t.Errorf("dry run wrote %d revisions", n)
	}
	if n := count(t, db, "posts"); n != 10 {
		t.Errorf("dry run: %d posts", n)
	}
	if n := count(t, db, "crawl_runs"); n != 1 {
		t.Errorf("dry run added a crawl run")
	}
	if n := count(t, db, "threads WHERE prefix IS NULL"); n != 1 {
		t.Error("dry run changed the thread")
	}

	run, err := db.StartReparse(ctx, []string{"reparse"}, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err = run.ReparsePage(ctx, pages[0], fixed, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 2 || res.New != 1 || res.Unchanged != 8 {
		t.Fatalf("result = %+v", res)
	}
	kinds := map[string]string{}
	for _, c := range res.Changes {
		kinds[c.PostID] = c.Kind
	}
	if len(kinds) != 3 || kinds["p3"] != "changed" || kinds["p7"] != "changed" || kinds["p11"] != "new" {
		t.Errorf("changes = %+v", res.Changes)
	}
	if n := count(t, db, "post_revisions"); n != 2 {
		t.Errorf("revisions = %d, want 2", n)
	}
	if n := count(t, db, "post_revisions r JOIN posts p ON p.id = r.post_id WHERE p.external_id IN ('p3','p7') AND r.body_text NOT LIKE '%(fixed)' AND r.replaced_at = '2026-01-10T08:00:00Z'"); n != 2 {
		t.Errorf("revisions keep the old text, replaced at the page's fetch time: %d", n)
	}
	if n := count(t, db, "posts WHERE body_text LIKE '%(fixed)'"); n != 2 {
		t.Errorf("fixed posts = %d", n)
	}
	if n := count(t, db, "posts WHERE external_id = 'p11' AND first_seen_at = '2026-01-10T08:00:00Z'"); n != 1 {
		t.Error("new post should be first seen when its page was fetched")
	}
	if n := count(t, db, "threads WHERE prefix = 'Solved'"); n != 1 {
		t.Error("thread prefix not refreshed")
	}
	if n := count(t, db, "crawl_runs WHERE command = 'reparse' AND posts_new = 1 AND posts_updated = 2 AND pages_fetched = 0"); n != 1 {
		t.Error("reparse run counters")
	}
	// Again: nothing left to change.
	res, err = run.ReparsePage(ctx, pages[0], fixed, false)
	if err != nil || res.Updated != 0 || res.New != 0 || len(res.Changes) != 0 || res.ThreadUpdate {
		t.Errorf("second reparse = %+v %v", res, err)
	}
	if err := run.Finish(ctx, StatusOK); err != nil {
		t.Fatal(err)
	}
}

func TestReparseKeepsNewerAuthorValues(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	old := makePage("1", 1, 1, 1)
	mustSave(t, r, fetchedFor(old, clock.t), old)
	clock.advance(time.Hour)
	newer := makePage("2", 1, 1, 1)
	newer.URL = "https://forum.example/threads/2/page-1"
	newer.Posts[0].Author.Messages = scraper.Int64(999)
	mustSave(t, r, fetchedFor(newer, clock.t.Add(time.Hour)), newer)

	pages, err := db.ListPages(ctx, Selection{Thread: "1"})
	if err != nil || len(pages) != 1 {
		t.Fatalf("pages %+v %v", pages, err)
	}
	run, _ := db.StartReparse(ctx, nil, false)
	if _, err := run.ReparsePage(ctx, pages[0], old, false); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "authors WHERE messages = 999"); n != 1 {
		t.Error("reparsing an older page overwrote the author's newer sidebar values")
	}
	if _, err := run.ReparsePage(ctx, StoredPage{URL: "x"}, old, false); err == nil {
		t.Error("a page without thread should be refused")
	}
}

func TestReadOnlyCannotReparse(t *testing.T) {
	db, _ := openTest(t)
	ro, err := OpenReadOnly(context.Background(), db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.StartReparse(context.Background(), nil, false); err == nil {
		t.Error("read-only archive started a reparse")
	}
}

func TestReparseMetadataAndQuotes(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	r := startRun(t, db)
	page := makePage("7", 1, 3, 1)
	mustSave(t, r, fetchedFor(page, time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)), page)
	pages, _ := db.ListPages(ctx, Selection{})

	fixed := makePage("7", 1, 3, 1)
	later := time.Date(2025, 12, 2, 9, 0, 0, 0, time.UTC)
	fixed.Posts[1].PostedAt = &later
	fixed.Posts[2].Quotes = []scraper.Quote{{Author: scraper.Str("user1"), PostID: scraper.Str("p1"), Text: "quoted"}}
	run, _ := db.StartReparse(ctx, nil, false)
	res, err := run.ReparsePage(ctx, pages[0], fixed, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 0 || res.New != 0 || res.Metadata != 2 || len(res.Changes) != 2 {
		t.Fatalf("result = %+v", res)
	}
	if c := res.Changes[0]; c.PostID != "p2" || c.Kind != "metadata" || len(c.Fields) != 1 || c.Fields[0] != "posted_at" {
		t.Errorf("change 0 = %+v", c)
	}
	if c := res.Changes[1]; c.PostID != "p3" || len(c.Fields) != 1 || c.Fields[0] != "quotes" {
		t.Errorf("change 1 = %+v", c)
	}
	if n := count(t, db, "posts WHERE external_id = 'p2' AND posted_at = '2025-12-02T09:00:00Z'"); n != 1 {
		t.Error("posted_at not re-read")
	}
	if n := count(t, db, "quotes q JOIN posts p ON p.id = q.post_id WHERE p.external_id = 'p3' AND q.quoted_author = 'user1' AND q.quoted_post_external_id = 'p1'"); n != 1 {
		t.Error("quotes not replaced")
	}
	if n := count(t, db, "post_revisions"); n != 0 {
		t.Errorf("metadata changes made %d revisions", n)
	}
	res, err = run.ReparsePage(ctx, pages[0], fixed, false)
	if err != nil || len(res.Changes) != 0 || res.Metadata != 0 {
		t.Errorf("second pass = %+v %v", res, err)
	}
}

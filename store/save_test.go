package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

func TestSavePageIdempotent(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 20, 1)
	f := fetchedFor(p, clock.t)

	st := mustSave(t, r, f, p)
	if st.PostsNew != 20 || st.PostsUpdated != 0 || st.PostsUnchanged != 0 {
		t.Fatalf("first save stats = %+v, want 20 new", st)
	}
	clock.advance(time.Hour)
	st = mustSave(t, r, f, p)
	if st.PostsNew != 0 || st.PostsUpdated != 0 || st.PostsUnchanged != 20 {
		t.Fatalf("second save stats = %+v, want 20 unchanged", st)
	}
	for table, want := range map[string]int{
		"sites": 1, "threads": 1, "authors": 5, "posts": 20, "pages": 1, "post_revisions": 0,
	} {
		if got := count(t, db, table); got != want {
			t.Errorf("%s rows = %d, want %d", table, got, want)
		}
	}
	if got := count(t, db, "posts WHERE last_seen_at = ? AND first_seen_at = ?",
		"2026-01-15T13:00:00Z", "2026-01-15T12:00:00Z"); got != 20 {
		t.Errorf("posts with updated last_seen_at = %d, want 20", got)
	}
	rs := r.Stats()
	if rs.PagesFetched != 2 || rs.PostsNew != 20 || rs.PostsUpdated != 0 || rs.ID != r.ID() {
		t.Errorf("run stats = %+v", rs)
	}
	var pages, postsNew, postsUpdated int
	if err := db.read.QueryRowContext(ctx, `SELECT pages_fetched, posts_new, posts_updated FROM crawl_runs WHERE id = ?`,
		r.ID()).Scan(&pages, &postsNew, &postsUpdated); err != nil {
		t.Fatal(err)
	}
	if pages != 2 || postsNew != 20 || postsUpdated != 0 {
		t.Errorf("crawl_runs counters = %d/%d/%d, want 2/20/0", pages, postsNew, postsUpdated)
	}

	// Stored values.
	var (
		site, engine, extID, title, url, forumPath, crawled string
		pageCount                                           int
	)
	if err := db.read.QueryRowContext(ctx, `SELECT s.base_url, s.engine, t.external_id, t.title, t.url, t.forum_path,
		t.page_count, t.last_crawled_at FROM threads t JOIN sites s ON s.id = t.site_id`).Scan(
		&site, &engine, &extID, &title, &url, &forumPath, &pageCount, &crawled); err != nil {
		t.Fatal(err)
	}
	if site != "https://forum.example" || engine != "xenforo2" || extID != "42" || title != "Thread 42" ||
		url != "https://forum.example/threads/42/" || forumPath != `["Forums","General"]` || pageCount != 1 ||
		crawled != "2026-01-15T13:00:00Z" {
		t.Errorf("thread row = %q %q %q %q %q %q %d %q", site, engine, extID, title, url, forumPath, pageCount, crawled)
	}
	var postedAt, hash string
	var number int
	if err := db.read.QueryRowContext(ctx, `SELECT posted_at, number, content_hash FROM posts WHERE external_id = 'p3'`).
		Scan(&postedAt, &number, &hash); err != nil {
		t.Fatal(err)
	}
	if postedAt != "2025-12-01T10:03:00Z" || number != 3 || hash != ContentHash(&p.Posts[2]) {
		t.Errorf("post p3 = %q %d %q", postedAt, number, hash)
	}
	sum := sha256.Sum256([]byte(p.Posts[2].BodyHTML + "\x00" + p.Posts[2].BodyText + "\x00"))
	if hash != hex.EncodeToString(sum[:]) {
		t.Errorf("content hash %s is not sha256(html NUL text NUL signature)", hash)
	}
}

func TestSavePageRawRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("7", 2, 3, 21)
	f := fetchedFor(p, clock.t.Add(-time.Minute))
	f.Body = bytes.Repeat([]byte("<div class=\"message\">caf\xe9 \x00 bytes as served</div>\n"), 500) // not UTF-8
	f.Encoding = "windows-1252"
	f.LastModified = "Wed, 14 Jan 2026 10:00:00 GMT"
	f.Status = 203
	mustSave(t, r, f, p)

	got, err := db.PageHTML(ctx, p.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, f.Body) {
		t.Fatalf("PageHTML returned %d bytes, want the %d raw bytes", len(got), len(f.Body))
	}
	var (
		stored                             []byte
		sha, enc, etag, lastMod, fetchedAt string
		status, number                     int
	)
	if err := db.read.QueryRowContext(ctx, `SELECT html, sha256, encoding, etag, last_modified, fetched_at, status, number
		FROM pages WHERE url = ?`, p.URL).Scan(&stored, &sha, &enc, &etag, &lastMod, &fetchedAt, &status, &number); err != nil {
		t.Fatal(err)
	}
	if len(stored) >= len(f.Body)/4 || !bytes.HasPrefix(stored, []byte{0x1f, 0x8b}) {
		t.Errorf("stored html is %d bytes, want gzip much smaller than %d", len(stored), len(f.Body))
	}
	sum := sha256.Sum256(f.Body)
	if sha != hex.EncodeToString(sum[:]) || enc != "windows-1252" || etag != `"abc"` ||
		lastMod != f.LastModified || fetchedAt != "2026-01-15T11:59:00Z" || status != 203 || number != 2 {
		t.Errorf("page row = %s %s %s %s %s %d %d", sha, enc, etag, lastMod, fetchedAt, status, number)
	}
	if _, err := db.PageHTML(ctx, "https://forum.example/nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("PageHTML of a missing page: %v, want ErrNotFound", err)
	}
}

func TestChangedPostKeepsRevision(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 3, 1)
	p.Posts[1].BodyText = "The original zeppelin text."
	p.Posts[1].BodyHTML = "<p>The original zeppelin text.</p>"
	p.Posts[1].Quotes = []scraper.Quote{{Author: scraper.Str("user0"), PostID: scraper.Str("p1"), Text: "old quote"}}
	mustSave(t, r, fetchedFor(p, clock.t), p)
	var firstQuote string
	if err := db.read.QueryRowContext(ctx, `SELECT q.quoted_author || '|' || q.body_text || '|' || q.quoted_post_external_id
		FROM quotes q JOIN posts p ON p.id = q.post_id WHERE p.external_id = 'p2'`).Scan(&firstQuote); err != nil {
		t.Fatal(err)
	}
	if firstQuote != "user0|old quote|p1" || count(t, db, "quotes") != 1 {
		t.Errorf("quote of a new post = %q", firstQuote)
	}

	clock.advance(24 * time.Hour)
	edited := clock.t.Add(-time.Hour)
	p.Posts[1].BodyText = "The edited hovercraft text."
	p.Posts[1].BodyHTML = "<p>The edited hovercraft text.</p>"
	p.Posts[1].EditedAt = &edited
	p.Posts[1].Quotes = []scraper.Quote{{Author: scraper.Str("user1"), Text: "new quote"}}
	st := mustSave(t, r, fetchedFor(p, clock.t), p)
	if st.PostsUpdated != 1 || st.PostsUnchanged != 2 || st.PostsNew != 0 {
		t.Fatalf("stats = %+v, want 1 updated 2 unchanged", st)
	}
	if r.Stats().PostsUpdated != 1 {
		t.Errorf("run PostsUpdated = %d", r.Stats().PostsUpdated)
	}

	var body, editedAt string
	if err := db.read.QueryRowContext(ctx, `SELECT body_text, edited_at FROM posts WHERE external_id = 'p2'`).Scan(&body, &editedAt); err != nil {
		t.Fatal(err)
	}
	if body != "The edited hovercraft text." || editedAt != "2026-01-16T11:00:00Z" {
		t.Errorf("post after edit = %q edited %q", body, editedAt)
	}
	var revText, revFirst, revReplaced string
	if err := db.read.QueryRowContext(ctx, `SELECT body_text, first_seen_at, replaced_at FROM post_revisions`).
		Scan(&revText, &revFirst, &revReplaced); err != nil {
		t.Fatal(err)
	}
	if revText != "The original zeppelin text." || revFirst != "2026-01-15T12:00:00Z" || revReplaced != "2026-01-16T12:00:00Z" {
		t.Errorf("revision = %q %s %s", revText, revFirst, revReplaced)
	}
	if n := count(t, db, "posts_fts WHERE posts_fts MATCH 'hovercraft'"); n != 1 {
		t.Errorf("FTS finds new text %d times, want 1", n)
	}
	if n := count(t, db, "posts_fts WHERE posts_fts MATCH 'zeppelin'"); n != 0 {
		t.Errorf("FTS still finds old text %d times, want 0", n)
	}
	if n := count(t, db, "quotes"); n != 1 {
		t.Errorf("quotes = %d, want 1 (replaced)", n)
	}
	var qa string
	if err := db.read.QueryRowContext(ctx, `SELECT quoted_author || '|' || body_text || '|' || COALESCE(quoted_post_external_id, 'NULL') FROM quotes`).Scan(&qa); err != nil {
		t.Fatal(err)
	}
	if qa != "user1|new quote|NULL" {
		t.Errorf("quote row = %q", qa)
	}

	// A second edit: the first revision's successor starts when the first was replaced.
	clock.advance(24 * time.Hour)
	p.Posts[1].BodyText = "Third version."
	p.Posts[1].BodyHTML = "<p>Third version.</p>"
	mustSave(t, r, fetchedFor(p, clock.t), p)
	var first2 string
	if err := db.read.QueryRowContext(ctx, `SELECT first_seen_at FROM post_revisions WHERE body_text = 'The edited hovercraft text.'`).Scan(&first2); err != nil {
		t.Fatal(err)
	}
	if first2 != "2026-01-16T12:00:00Z" {
		t.Errorf("second revision first_seen_at = %s", first2)
	}
}

func TestDeletedPostSeenAgain(t *testing.T) {
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 2, 1)
	mustSave(t, r, fetchedFor(p, clock.t), p)
	if _, err := db.write.Exec(`UPDATE posts SET deleted_at = '2026-01-15T12:30:00Z'`); err != nil {
		t.Fatal(err)
	}
	mustSave(t, r, fetchedFor(p, clock.t), p)
	if n := count(t, db, "posts WHERE deleted_at IS NOT NULL"); n != 0 {
		t.Errorf("%d posts still marked deleted after being seen again", n)
	}
}

func TestAuthorsLatestValues(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 1, 1)
	a := &p.Posts[0].Author
	a.ID = scraper.Str("7")
	a.Name = scraper.Str("Ada")
	a.Title = scraper.Str("Newbie")
	a.Location = scraper.Str("Leeds")
	a.Messages = scraper.Int64(10)
	a.Joined = scraper.Str("2020-03")
	a.Extras = map[string]string{"Car": "Mini"}
	mustSave(t, r, fetchedFor(p, clock.t), p)

	clock.advance(time.Hour)
	p2 := makePage("42", 2, 1, 2)
	b := &p2.Posts[0].Author
	b.ID = scraper.Str("7")
	b.Name = scraper.Str("Ada L.")
	b.Title = scraper.Str("Regular")
	b.Location = nil // not shown on this page: keep Leeds
	b.Messages = scraper.Int64(11)
	b.Extras = nil
	// A guest and a name-only author.
	p2.Posts = append(p2.Posts, p2.Posts[0], p2.Posts[0])
	p2.Posts[1].ID, p2.Posts[1].Author = "g1", scraper.Author{}
	p2.Posts[2].ID, p2.Posts[2].Author = "n1", scraper.Author{Name: scraper.Str("Visitor")}
	mustSave(t, r, fetchedFor(p2, clock.t), p2)

	var name, title, loc, joined, extras, first, last string
	var msgs int
	if err := db.read.QueryRowContext(ctx, `SELECT name, title, location, joined_on, messages, extras, first_seen_at, last_seen_at
		FROM authors WHERE external_id = '7'`).Scan(&name, &title, &loc, &joined, &msgs, &extras, &first, &last); err != nil {
		t.Fatal(err)
	}
	if name != "Ada L." || title != "Regular" || loc != "Leeds" || joined != "2020-03" || msgs != 11 ||
		extras != `{"Car":"Mini"}` || first != "2026-01-15T12:00:00Z" || last != "2026-01-15T13:00:00Z" {
		t.Errorf("author = %q %q %q %q %d %q %s %s", name, title, loc, joined, msgs, extras, first, last)
	}
	for _, key := range []string{"guest", "name:Visitor"} {
		if n := count(t, db, "authors WHERE external_id = ?", key); n != 1 {
			t.Errorf("author %q rows = %d, want 1", key, n)
		}
	}
	if n := count(t, db, "posts p JOIN authors a ON a.id = p.author_id WHERE p.external_id = 'n1' AND p.author_name = 'Visitor' AND a.external_id = 'name:Visitor'"); n != 1 {
		t.Errorf("name-only post not linked to its author")
	}
}

func TestThreadByURLAndThread(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	for n := 1; n <= 3; n++ {
		p := makePage("42", n, 2, n*10)
		p.Page.Total = scraper.Int(5)
		mustSave(t, r, fetchedFor(p, clock.t), p)
	}
	other := makePage("43", 1, 1, 1)
	mustSave(t, r, fetchedFor(other, clock.t), other)

	for _, u := range []string{"https://forum.example/threads/42/page-2", "https://forum.example/threads/42/"} {
		site, id, ok, err := r.ThreadByURL(ctx, u)
		if err != nil || !ok || site != "https://forum.example" || id != "42" {
			t.Errorf("ThreadByURL(%s) = %q %q %v %v", u, site, id, ok, err)
		}
	}
	if _, _, ok, err := r.ThreadByURL(ctx, "https://forum.example/threads/99/"); ok || err != nil {
		t.Errorf("ThreadByURL(unknown) = %v %v", ok, err)
	}

	st, err := r.Thread(ctx, "https://forum.example", "42")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Found || st.LastPage != 3 || st.LastPageURL != "https://forum.example/threads/42/page-3" || st.PageCount != 5 ||
		st.Posts != 6 {
		t.Errorf("Thread = %+v", st)
	}
	st, err = r.Thread(ctx, "https://other.example", "42")
	if err != nil || st.Found {
		t.Errorf("Thread(other site) = %+v %v", st, err)
	}

	// Page count: a page without a total never lowers it; one with a total sets it.
	p := makePage("42", 2, 1, 20)
	p.Page.Total = nil
	mustSave(t, r, fetchedFor(p, clock.t), p)
	if st, _ := r.Thread(ctx, "https://forum.example", "42"); st.PageCount != 5 {
		t.Errorf("page_count after a page without total = %d, want 5", st.PageCount)
	}
	p.Page.Total = scraper.Int(4)
	mustSave(t, r, fetchedFor(p, clock.t), p)
	if st, _ := r.Thread(ctx, "https://forum.example", "42"); st.PageCount != 4 {
		t.Errorf("page_count after total 4 = %d, want 4", st.PageCount)
	}
}

func TestThreadKeyFallbacks(t *testing.T) {
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("x", 1, 1, 1)
	p.Thread.ID = nil
	mustSave(t, r, fetchedFor(p, clock.t), p)
	p2 := makePage("y", 1, 1, 1)
	p2.Thread.ID, p2.Thread.URL = nil, nil
	mustSave(t, r, fetchedFor(p2, clock.t), p2)
	if n := count(t, db, "threads WHERE external_id = ?", "https://forum.example/threads/x/"); n != 1 {
		t.Errorf("thread without id not keyed by its URL")
	}
	if n := count(t, db, "threads WHERE external_id = ? AND url = ?", p2.URL, p2.URL); n != 1 {
		t.Errorf("thread without id and URL not keyed by the page URL")
	}
}

func TestRecordErrorAndFinish(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	if err := r.RecordError(ctx, "https://forum.example/t/9", errors.New("fetch page 9: status 503")); err != nil {
		t.Fatal(err)
	}
	if r.Stats().Errors != 1 {
		t.Errorf("Stats().Errors = %d", r.Stats().Errors)
	}
	var msg, at string
	if err := db.read.QueryRowContext(ctx, `SELECT message, at FROM crawl_errors WHERE run_id = ? AND url = ?`,
		r.ID(), "https://forum.example/t/9").Scan(&msg, &at); err != nil {
		t.Fatal(err)
	}
	if msg != "fetch page 9: status 503" || at != "2026-01-15T12:00:00Z" {
		t.Errorf("crawl_errors row = %q %q", msg, at)
	}

	if err := r.Finish(ctx, "exploded"); err == nil {
		t.Error("Finish accepted an unknown status")
	}
	clock.advance(90 * time.Second)
	if err := r.Finish(ctx, StatusInterrupted); err != nil {
		t.Fatal(err)
	}
	var status, started, finished, args string
	var errs int
	if err := db.read.QueryRowContext(ctx, `SELECT status, started_at, finished_at, args, errors FROM crawl_runs WHERE id = ?`,
		r.ID()).Scan(&status, &started, &finished, &args, &errs); err != nil {
		t.Fatal(err)
	}
	if status != "interrupted" || started != "2026-01-15T12:00:00Z" || finished != "2026-01-15T12:01:30Z" ||
		args != `["https://forum.example/t/9"]` && args != `["https://forum.example/t/1"]` || errs != 1 {
		t.Errorf("crawl_runs row = %s %s %s %s %d", status, started, finished, args, errs)
	}
}

func TestSavePageRejectsBadInput(t *testing.T) {
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("1", 1, 2, 1)
	p.Posts[1].ID = ""
	if _, err := r.SavePage(context.Background(), fetchedFor(p, clock.t), p); err == nil ||
		!strings.Contains(err.Error(), "no id") {
		t.Fatalf("SavePage with an id-less post: %v", err)
	}
	// Nothing of the failed page was kept: the first post and the page row rolled back.
	for _, table := range []string{"posts", "pages", "threads", "authors", "sites"} {
		if n := count(t, db, table); n != 0 {
			t.Errorf("%s has %d rows after a failed SavePage", table, n)
		}
	}
	if s := r.Stats(); s.PagesFetched != 0 || s.PostsNew != 0 {
		t.Errorf("stats counted a failed page: %+v", s)
	}
}

func TestAuthorMergedWithinPage(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 3, 1)
	for i := range p.Posts {
		p.Posts[i].Author = scraper.Author{ID: scraper.Str("9"), Name: scraper.Str("Bo")}
	}
	p.Posts[0].Author.Location = scraper.Str("Rotterdam")
	p.Posts[0].Author.Extras = map[string]string{"Bike": "<fixie> & co"}
	p.Posts[1].Author.Extras = map[string]string{"Car": "none"}
	p.Posts[2].Author.Messages = scraper.Int64(77)
	mustSave(t, r, fetchedFor(p, clock.t), p)
	var loc, extras string
	var msgs int
	if err := db.read.QueryRowContext(ctx, `SELECT location, extras, messages FROM authors WHERE external_id = '9'`).
		Scan(&loc, &extras, &msgs); err != nil {
		t.Fatal(err)
	}
	if loc != "Rotterdam" || extras != `{"Bike":"<fixie> & co","Car":"none"}` || msgs != 77 {
		t.Errorf("merged author = %q %q %d", loc, extras, msgs)
	}
	if p.Posts[0].Author.Extras["Car"] != "" {
		t.Error("merging modified the caller's page")
	}
	if n := count(t, db, "authors"); n != 1 {
		t.Errorf("authors = %d, want 1", n)
	}
}

func TestMarkMissing(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	first := startRun(t, db)
	p := makePage("42", 1, 4, 1)
	mustSave(t, first, fetchedFor(p, clock.t), p)
	other := makePage("43", 1, 2, 1) // same post ids in another thread: untouched
	mustSave(t, first, fetchedFor(other, clock.t), other)

	// A later run walks thread 42 and sees only p1 and p3.
	clock.advance(time.Hour)
	second := startRun(t, db)
	seen := makePage("42", 1, 4, 1)
	seen.Posts = []scraper.Post{seen.Posts[0], seen.Posts[2]}
	mustSave(t, second, fetchedFor(seen, clock.t), seen)

	// Only posts numbered from 3 on are in the walked range: just p4.
	n, err := second.MarkMissing(ctx, "https://forum.example", "42", scraper.MissingRange{FromNumber: 3})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("MarkMissing from #3 marked %d posts, want 1 (p4)", n)
	}
	if n, _ := second.MarkMissing(ctx, "https://forum.example", "42", scraper.MissingRange{Whole: true}); n != 1 {
		t.Errorf("MarkMissing of the whole thread marked %d more posts, want 1 (p2)", n)
	}
	if got := count(t, db, "posts WHERE deleted_at = '2026-01-15T13:00:00Z' AND external_id IN ('p2', 'p4') AND thread_id = (SELECT id FROM threads WHERE external_id = '42')"); got != 2 {
		t.Errorf("marked rows = %d, want 2", got)
	}
	if got := count(t, db, "posts WHERE deleted_at IS NOT NULL"); got != 2 {
		t.Errorf("posts marked deleted overall = %d, want 2", got)
	}
	// Marking again changes nothing; seeing the posts again clears their marks.
	if n, _ := second.MarkMissing(ctx, "https://forum.example", "42", scraper.MissingRange{Whole: true}); n != 0 {
		t.Errorf("second MarkMissing marked %d", n)
	}
	mustSave(t, second, fetchedFor(p, clock.t), p)
	if got := count(t, db, "posts WHERE deleted_at IS NOT NULL"); got != 0 {
		t.Errorf("posts still marked after being seen again = %d", got)
	}
	if n, err := second.MarkMissing(ctx, "https://forum.example", "nope", scraper.MissingRange{Whole: true}); n != 0 || err != nil {
		t.Errorf("MarkMissing of an unknown thread = %d %v", n, err)
	}
	if n, err := second.MarkMissing(ctx, "https://forum.example", "42", scraper.MissingRange{}); n != 0 || err != nil {
		t.Errorf("MarkMissing of an empty range = %d %v", n, err)
	}
}

func TestSavePageCancelledContext(t *testing.T) {
	db, clock := openTest(t)
	r := startRun(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := makePage("42", 1, 5, 1)
	if _, err := r.SavePage(ctx, fetchedFor(p, clock.t), p); !errors.Is(err, context.Canceled) {
		t.Fatalf("SavePage with a cancelled context: %v, want context.Canceled", err)
	}
	if n := count(t, db, "posts"); n != 0 {
		t.Errorf("posts = %d after a cancelled save", n)
	}
	// The writer connection is still usable.
	mustSave(t, r, fetchedFor(p, clock.t), p)
	if s := r.Stats(); s.PagesFetched != 1 || s.PostsNew != 5 {
		t.Errorf("stats = %+v", s)
	}
}

func TestSavePageManyPosts(t *testing.T) {
	db, _ := openTest(t)
	run, err := db.StartRun(context.Background(), "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &scraper.Page{Engine: "xenforo2", URL: "https://big.example/threads/t.1/", Thread: scraper.Thread{ID: scraper.Str("1")}}
	for i := 0; i < 2501; i++ { // 2,501 x 14 variables would exceed one statement's limit
		p.Posts = append(p.Posts, scraper.Post{ID: fmt.Sprint(i + 1), BodyText: fmt.Sprint("post ", i), BodyHTML: "x", Quotes: []scraper.Quote{}})
	}
	st, err := run.SavePage(context.Background(), &scraper.Fetched{URL: p.URL, Status: 200, Body: []byte("<html></html>")}, p)
	if err != nil {
		t.Fatal(err)
	}
	if st.PostsNew != 2501 {
		t.Errorf("new = %d, want 2501", st.PostsNew)
	}
}

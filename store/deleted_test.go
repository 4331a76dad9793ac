package store

import (
	"context"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

const forumSite = "https://forum.example"

// TestMarkMissingRangeByPosition: a range by number covers the posts stored with a
// number at or after it (never a post of an earlier position, whatever its posted
// time, nor one without a number); a range by time, for engines without numbers,
// covers only posts posted strictly after it.
func TestMarkMissingRangeByPosition(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	first := startRun(t, db)
	p := makePage("42", 1, 6, 1) // p1..p6, #1..#6
	same := *p.Posts[3].PostedAt
	p.Posts[2].PostedAt = &same // p3 shows the same minute as p4
	p.Posts[4].Number = nil     // p5 without a number
	mustSave(t, first, fetchedFor(p, clock.t), p)

	// A resumed walk from p4 (stored #4) sees p4 and p6.
	clock.advance(time.Hour)
	second := startRun(t, db)
	seen := makePage("42", 1, 6, 1)
	seen.Posts = []scraper.Post{seen.Posts[3], seen.Posts[5]}
	mustSave(t, second, fetchedFor(seen, clock.t), seen)
	if n, err := second.MarkMissing(ctx, forumSite, "42", scraper.MissingRange{FromNumber: 4}); err != nil || n != 0 {
		t.Errorf("MarkMissing from #4 = %d %v, want 0 (p1-p3 are before it, p5 has no number)", n, err)
	}

	// Without numbers: strictly after p4's time, so p3 (same minute) stays live.
	if n, err := second.MarkMissing(ctx, forumSite, "42", scraper.MissingRange{After: same}); err != nil || n != 1 {
		t.Errorf("MarkMissing after p4's time = %d %v, want 1 (p5)", n, err)
	}
	if got := count(t, db, "posts WHERE deleted_at IS NOT NULL AND external_id = 'p5'"); got != 1 {
		t.Errorf("p5 not the post marked")
	}

	// The whole thread: every post the run did not see, whatever its number or time.
	if n, err := second.MarkMissing(ctx, forumSite, "42", scraper.MissingRange{Whole: true}); err != nil || n != 3 {
		t.Errorf("MarkMissing of the whole thread = %d %v, want 3 (p1-p3)", n, err)
	}
	if got := count(t, db, "posts WHERE deleted_at IS NULL AND external_id IN ('p4', 'p6')"); got != 2 {
		t.Errorf("posts the run saw marked deleted")
	}
}

// TestSavePageFlagsFullWalk (D3): a page after the first whose first archived post
// shows another number flags its thread for a walk from page 1, in the same
// transaction; the first time is kept; page 1 never flags (nothing is before it);
// MarkMissing of the whole thread clears the flag, a partial range does not.
func TestSavePageFlagsFullWalk(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	for n := 1; n <= 3; n++ {
		p := makePage("9", n, 5, 5*n-4)
		mustSave(t, r, fetchedFor(p, clock.t), p)
	}
	state := func() scraper.ThreadState {
		t.Helper()
		st, err := r.Thread(ctx, forumSite, "9")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := state(); st.FullWalkNeeded || st.URL != "https://forum.example/threads/9/" {
		t.Errorf("fresh thread: %+v, want no flag and the thread URL", st)
	}

	// Page 1 shows its posts one number lower (a deletion on it): not flagged.
	clock.advance(time.Minute)
	p1 := makePage("9", 1, 5, 1)
	p1.Posts = p1.Posts[1:]
	for i := range p1.Posts {
		p1.Posts[i].Number = scraper.Int(i + 1)
	}
	if st := mustSave(t, r, fetchedFor(p1, clock.t), p1); st.Shift != -1 || st.StoredNumber != 2 {
		t.Errorf("page 1: %+v, want shift -1, stored number 2", st)
	}
	if state().FullWalkNeeded {
		t.Error("page 1 renumbered flagged the thread")
	}

	// Page 3 renumbered: flagged, with the time.
	clock.advance(time.Minute)
	flaggedAt := clock.t
	p3 := makePage("9", 3, 5, 11)
	for i := range p3.Posts {
		p3.Posts[i].Number = scraper.Int(10 + i)
	}
	if st := mustSave(t, r, fetchedFor(p3, clock.t), p3); st.Shift != -1 || st.StoredNumber != 11 {
		t.Errorf("page 3: %+v, want shift -1, stored number 11", st)
	}
	if !state().FullWalkNeeded {
		t.Fatal("page 3 renumbered: thread not flagged")
	}
	// Page 2 renumbered later keeps the first time.
	clock.advance(time.Minute)
	p2 := makePage("9", 2, 5, 6)
	for i := range p2.Posts {
		p2.Posts[i].Number = scraper.Int(5 + i)
	}
	mustSave(t, r, fetchedFor(p2, clock.t), p2)
	if got := count(t, db, "threads WHERE external_id = '9' AND full_walk_needed_at = ?", stamp(flaggedAt)); got != 1 {
		t.Errorf("flag time not kept from the first renumbered page")
	}
	// An unchanged page after the first flags nothing (another thread).
	q := makePage("10", 2, 3, 21)
	mustSave(t, r, fetchedFor(q, clock.t), q)
	mustSave(t, r, fetchedFor(q, clock.t), q)
	if got := count(t, db, "threads WHERE full_walk_needed_at IS NOT NULL"); got != 1 {
		t.Errorf("flagged threads = %d, want 1", got)
	}

	if _, err := r.MarkMissing(ctx, forumSite, "9", scraper.MissingRange{FromNumber: 10}); err != nil {
		t.Fatal(err)
	}
	if !state().FullWalkNeeded {
		t.Error("a walk from a later page cleared the flag")
	}
	n, err := r.MarkMissing(ctx, forumSite, "9", scraper.MissingRange{Whole: true})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("whole thread marked %d, want 0 (the run saw every post)", n)
	}
	if state().FullWalkNeeded {
		t.Error("a complete walk from page 1 did not clear the flag")
	}
}

// TestThreadLastPage (D4b): the page a thread resumes at is its highest numbered one
// within the count the thread last showed: a thread that shrank keeps its old page-4
// row, which must not stay the last page. Page 1 saved again later (a walk from the
// start, or the page resumePoint looks from) does not become the last page. A 304
// re-save stamps the page anew.
func TestThreadLastPage(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	last := func(thread string) string {
		t.Helper()
		st, err := r.Thread(ctx, forumSite, thread)
		if err != nil {
			t.Fatal(err)
		}
		return st.LastPageURL
	}
	save := func(thread string, n int, total bool) {
		t.Helper()
		p := makePage(thread, n, 2, 2*n-1)
		if !total {
			p.Page.Total = nil
		}
		mustSave(t, r, fetchedFor(p, clock.t), p)
	}
	page := func(thread string, n int) string { return makePage(thread, n, 0, 1).URL }

	// One walk in one second: the highest page.
	for n := 1; n <= 4; n++ {
		save("1", n, false)
	}
	if got := last("1"); got != page("1", 4) {
		t.Errorf("last page = %s, want page 4", got)
	}
	// Page 1 fetched again later: page 4 is still the last page (resumePoint's jump).
	clock.advance(time.Second)
	save("1", 1, false)
	if got := last("1"); got != page("1", 4) {
		t.Errorf("after page 1 again: last page = %s, want page 4", got)
	}
	// Page 4 now redirects to page 3, which shows the total 3, a second later.
	clock.advance(time.Second)
	save("1", 3, true)
	if got := last("1"); got != page("1", 3) {
		t.Errorf("after the shrink: last page = %s, want page 3", got)
	}
	// Within the same second, page 3 showing the total 3 is enough.
	for n := 1; n <= 4; n++ {
		save("2", n, true)
	}
	save("2", 3, true)
	if got := last("2"); got != page("2", 3) {
		t.Errorf("same second, total 3: last page = %s, want page 3", got)
	}

	// A re-read: page 3 (200), then pages 1 and 2 changed (200) a second later, then
	// page 3 answers 304 and is saved again from the archived copy.
	for n := 1; n <= 3; n++ {
		save("3", n, false)
	}
	clock.advance(time.Second)
	save("3", 1, false)
	save("3", 2, false)
	clock.advance(time.Second)
	f, err := r.ArchivedPage(ctx, page("3", 3))
	if err != nil || f == nil {
		t.Fatalf("archived page 3: %v %v", f, err)
	}
	f.FetchedAt = clock.t // what Archiver.notModified does with the 304's time
	p3 := makePage("3", 3, 2, 5)
	p3.Page.Total = nil
	mustSave(t, r, f, p3)
	if got := count(t, db, "pages WHERE url = ? AND fetched_at = ?", page("3", 3), stamp(clock.t)); got != 1 {
		t.Errorf("304 re-save did not stamp fetched_at")
	}
	if got := last("3"); got != page("3", 3) {
		t.Errorf("after a re-read ending on a 304: last page = %s, want page 3", got)
	}
}

// TestMigration0010AddsFullWalkFlag: an archive at schema 9 upgrades with the new
// column NULL on its threads (nothing pending), and reads as before.
func TestMigration0010AddsFullWalkFlag(t *testing.T) {
	ctx := context.Background()
	path, raw := archiveBefore(t, "thread_full_walk")
	if _, err := raw.Exec(`INSERT INTO sites (base_url, first_seen_at, last_seen_at) VALUES ('https://forum.example', 'a', 'a');
		INSERT INTO threads (site_id, external_id, url, page_count, first_seen_at) VALUES (1, '5', 'https://forum.example/t/5', 2, 'a');
		INSERT INTO pages (url, thread_id, number, fetched_at, status, sha256) VALUES
			('https://forum.example/t/5', 1, 1, '2026-01-01T00:00:00Z', 200, 'x'),
			('https://forum.example/t/5?page=2', 1, 2, '2026-01-01T00:00:00Z', 200, 'y')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("upgrade from 9: %v", err)
	}
	defer db.Close()
	if v := pragmaInt(t, path, "user_version"); v != SchemaVersion() || v < 10 {
		t.Errorf("user_version after upgrade = %d", v)
	}
	if n := count(t, db, "threads WHERE full_walk_needed_at IS NULL"); n != 1 {
		t.Errorf("old thread row: flag not NULL")
	}
	st, err := db.Thread(ctx, "https://forum.example", "5")
	if err != nil || !st.Found || st.FullWalkNeeded || st.LastPage != 2 || st.URL != "https://forum.example/t/5" {
		t.Errorf("Thread after upgrade = %+v %v", st, err)
	}
}

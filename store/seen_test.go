package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// steadyPage is makePage with every author's sidebar the same on every page, as a
// forum shows it during one crawl.
func steadyPage(threadID string, number, n, first int) *scraper.Page {
	p := makePage(threadID, number, n, first)
	for i := range p.Posts {
		k := first + i
		p.Posts[i].Author.Messages = scraper.Int64(int64(500 + k%5))
	}
	return p
}

// countRowWrites counts the UPDATEs of table from now on (a trigger into a table of
// its own), so a test can tell an upsert that rewrote the row from one skipped.
func countRowWrites(t *testing.T, db *DB, table string) func() int {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		fmt.Sprintf(`CREATE TABLE test_%s_writes (n INTEGER)`, table),
		fmt.Sprintf(`CREATE TRIGGER test_%[1]s_writes AFTER UPDATE ON %[1]s BEGIN INSERT INTO test_%[1]s_writes VALUES (1); END`, table),
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	return func() int { return count(t, db, "test_"+table+"_writes") }
}

func authorLastSeen(t *testing.T, db *DB, externalID string) string {
	t.Helper()
	var s string
	if err := db.read.QueryRow(`SELECT last_seen_at FROM authors WHERE external_id = ?`, externalID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A run upserts an author (and its site) once while the sidebar stays the same, and
// still ends with last_seen_at at the last page that showed them.
func TestRunSkipsUnchangedAuthorUpserts(t *testing.T) {
	db, clock := openTest(t)
	authorWrites := countRowWrites(t, db, "authors")
	siteWrites := countRowWrites(t, db, "sites")
	r := startRun(t, db)
	for page := 1; page <= 4; page++ {
		clock.advance(time.Minute)
		p := steadyPage("t1", page, 5, 1+(page-1)*5)
		mustSave(t, r, fetchedFor(p, clock.now()), p)
	}
	if n := authorWrites(); n != 0 {
		t.Errorf("authors rewritten %d times by pages showing the same sidebars; want 0 (5 authors, inserted once)", n)
	}
	if n := siteWrites(); n != 0 {
		t.Errorf("site row rewritten %d times; want 0", n)
	}
	if n := count(t, db, "authors"); n != 5 {
		t.Fatalf("%d authors, want 5", n)
	}
	first := stamp(clock.now().Add(-3 * time.Minute))
	if got := authorLastSeen(t, db, "101"); got != first {
		t.Fatalf("before the flush last_seen_at = %s, want the first page's %s (the skip leaves it)", got, first)
	}
	last := stamp(clock.now())
	clock.advance(time.Minute)
	if err := r.Finish(context.Background(), StatusOK); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"100", "101", "102", "103", "104"} {
		if got := authorLastSeen(t, db, id); got != last {
			t.Errorf("author %s: last_seen_at %s after Finish, want the last page's %s", id, got, last)
		}
	}
	var siteSeen string
	if err := db.read.QueryRow(`SELECT last_seen_at FROM sites`).Scan(&siteSeen); err != nil {
		t.Fatal(err)
	}
	if siteSeen != last {
		t.Errorf("site last_seen_at %s, want %s", siteSeen, last)
	}
}

// A changed sidebar is written, however often the author was seen before.
func TestRunWritesChangedAuthor(t *testing.T) {
	db, clock := openTest(t)
	r := startRun(t, db)
	p := steadyPage("t1", 1, 5, 1)
	mustSave(t, r, fetchedFor(p, clock.now()), p)
	clock.advance(time.Minute)
	p2 := steadyPage("t1", 2, 5, 6)
	p2.Posts[0].Author.Messages = scraper.Int64(9999) // author 101 posted meanwhile
	p2.Posts[0].Author.Title = scraper.Str("Moderator")
	mustSave(t, r, fetchedFor(p2, clock.now()), p2)
	var messages int64
	var title string
	if err := db.read.QueryRow(`SELECT messages, title FROM authors WHERE external_id = '101'`).Scan(&messages, &title); err != nil {
		t.Fatal(err)
	}
	if messages != 9999 || title != "Moderator" {
		t.Fatalf("author 101: messages %d, title %q; want the changed sidebar 9999, Moderator", messages, title)
	}
	// And the next page showing the old sidebar again is written too.
	clock.advance(time.Minute)
	p3 := steadyPage("t1", 3, 5, 11)
	mustSave(t, r, fetchedFor(p3, clock.now()), p3)
	if err := db.read.QueryRow(`SELECT messages FROM authors WHERE external_id = '101'`).Scan(&messages); err != nil {
		t.Fatal(err)
	}
	if messages != 501 {
		t.Fatalf("author 101: messages %d after a page showing 501 again, want 501", messages)
	}
}

// An author first written in a transaction that rolled back is not taken as
// written: the next page inserts it (a cached id of a row never committed would
// fail the posts' foreign key, page after page).
func TestRunSeenCacheIgnoresRolledBackWrites(t *testing.T) {
	db, clock := openTest(t)
	ctx := context.Background()
	if _, err := db.write.ExecContext(ctx, `CREATE TRIGGER test_fail_page BEFORE INSERT ON pages
		WHEN NEW.url LIKE '%page-1' BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END`); err != nil {
		t.Fatal(err)
	}
	r := startRun(t, db)
	p := steadyPage("t1", 1, 5, 1)
	if _, err := r.SavePage(ctx, fetchedFor(p, clock.now()), p); err == nil {
		t.Fatal("SavePage of page 1 succeeded despite the failing trigger")
	}
	if n := count(t, db, "authors"); n != 0 {
		t.Fatalf("%d authors after the rolled-back page, want 0", n)
	}
	p2 := steadyPage("t1", 2, 5, 6)
	mustSave(t, r, fetchedFor(p2, clock.now()), p2)
	if n := count(t, db, "authors"); n != 5 {
		t.Fatalf("%d authors after page 2, want 5", n)
	}
	if n := count(t, db, "posts WHERE author_id IN (SELECT id FROM authors)"); n != 5 {
		t.Fatalf("%d of page 2's posts point at an author row, want 5", n)
	}
}

// last_seen_at of skipped upserts reaches the archive at the run's heartbeat too, so
// a run killed before Finish lags by at most a heartbeat period.
func TestRunSeenFlushedAtHeartbeat(t *testing.T) {
	defer func(d time.Duration) { runHeartbeat = d }(runHeartbeat)
	runHeartbeat = 20 * time.Millisecond
	// The heartbeat goroutine reads the clock while the test moves it.
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "archive.db"), WithNow(now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := startRun(t, db)
	defer r.stopKeepAlive()
	p := steadyPage("t1", 1, 5, 1)
	mustSave(t, r, fetchedFor(p, now()), p)
	clock.Add(int64(time.Minute))
	p2 := steadyPage("t1", 2, 5, 6)
	mustSave(t, r, fetchedFor(p2, now()), p2)
	want := stamp(now())
	deadline := time.Now().Add(5 * time.Second)
	for authorLastSeen(t, db, "101") != want {
		if time.Now().After(deadline) {
			t.Fatalf("last_seen_at still %s after heartbeats, want %s", authorLastSeen(t, db, "101"), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The author cache stays within maxSeenAuthors however many authors a run meets.
func TestSeenCacheBounded(t *testing.T) {
	c := newSeenCache()
	for i := range maxSeenAuthors + 500 {
		c.remember(authorRef{1, fmt.Sprint(i)}, seenRow{id: int64(i)})
	}
	if n := len(c.authors); n != maxSeenAuthors {
		t.Fatalf("%d authors cached, want at most %d", n, maxSeenAuthors)
	}
	last := authorRef{1, fmt.Sprint(maxSeenAuthors + 499)}
	if _, ok := c.author(last, 0); !ok {
		t.Error("the newest entry was evicted")
	}
}

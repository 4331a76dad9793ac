package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestThreadPageCopiesAndPosts: ThreadPageCopies yields the earlier copies of one
// thread's pages, newest first, with their own bytes and fetch times and the page's
// row and number, bounded by until; ThreadPosts gives each stored post with when it
// was found deleted.
func TestThreadPageCopiesAndPosts(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	t1 := clock.t
	save := func(threadID string, number, n, first int, body string) {
		t.Helper()
		p := makePage(threadID, number, n, first)
		f := fetchedFor(p, clock.t)
		f.Body = []byte(body)
		mustSave(t, r, f, p)
	}
	save("42", 1, 3, 1, "page 1 with p1-p3")
	save("42", 2, 2, 4, "page 2 with p4-p5")
	save("43", 1, 2, 1, "other thread")
	clock.advance(time.Hour)
	t2 := clock.t
	save("42", 1, 2, 1, "page 1 with p1-p2")
	save("43", 1, 1, 1, "other thread, shorter")
	clock.advance(time.Hour)
	save("42", 1, 1, 1, "page 1 with p1")
	if _, err := db.write.Exec(`UPDATE posts SET deleted_at = ? WHERE external_id = 'p3'
		AND thread_id = (SELECT id FROM threads WHERE external_id = '42')`, stamp(t2)); err != nil {
		t.Fatal(err)
	}
	var thread, page1 int64
	if err := db.read.QueryRow(`SELECT thread_id, id FROM pages WHERE url = ?`, makePage("42", 1, 0, 0).URL).Scan(&thread, &page1); err != nil {
		t.Fatal(err)
	}

	copies := func(until time.Time) []string {
		t.Helper()
		var out []string
		for v, err := range db.ThreadPageCopies(ctx, thread, until) {
			if err != nil {
				t.Fatal(err)
			}
			if v.RowID != page1 || v.ThreadRowID != thread || v.Number != 1 || v.VersionID == 0 || v.URL != makePage("42", 1, 0, 0).URL ||
				v.Site != "https://forum.example" || v.Engine != "xenforo2" {
				t.Errorf("copy %+v", *v)
			}
			out = append(out, fmt.Sprintf("%s %s", stamp(v.FetchedAt), v.Body))
		}
		return out
	}
	want := []string{stamp(t2) + " page 1 with p1-p2", stamp(t1) + " page 1 with p1-p3"}
	if got := copies(time.Time{}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("copies = %q, want %q", got, want)
	}
	if got := copies(t2.Add(-time.Second)); fmt.Sprint(got) != fmt.Sprint(want[1:]) {
		t.Errorf("copies until before t2 = %q, want %q", got, want[1:])
	}
	for range db.ThreadPageCopies(ctx, thread, time.Time{}) {
		break // stopping early is allowed
	}

	posts, err := db.ThreadPosts(ctx, thread)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range posts {
		d := "-"
		if p.DeletedAt != nil {
			d = stamp(*p.DeletedAt)
		}
		got = append(got, p.ID+" "+d)
	}
	if want := []string{"p1 -", "p2 -", "p3 " + stamp(t2), "p4 -", "p5 -"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ThreadPosts = %q, want %q", got, want)
	}
}

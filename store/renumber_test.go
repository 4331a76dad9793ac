package store

import (
	"testing"

	"github.com/forumarc/forumarc/scraper"
)

// TestSavePageReportsRenumbered: SavePage compares the number each archived post is
// shown with against the stored one (read by the same lookup that finds the page's
// posts), counts the posts that moved and reports how far the page's first archived
// post moved, so a resumed walk knows that posts before it were deleted or inserted.
func TestSavePageReportsRenumbered(t *testing.T) {
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("9", 2, 5, 21) // posts p21..p25 numbered 21..25
	mustSave(t, r, fetchedFor(p, clock.t), p)

	// Unchanged page: nothing moved.
	if st := mustSave(t, r, fetchedFor(p, clock.t), p); st.Renumbered != 0 || st.Shift != 0 {
		t.Errorf("same page again: %+v, want nothing renumbered", st)
	}

	// A post before the page was deleted: every post is one number lower, and a new
	// post (not archived, so not counted) ends the page.
	q := makePage("9", 2, 6, 21)
	for i := range q.Posts {
		q.Posts[i].Number = scraper.Int(20 + i)
	}
	st := mustSave(t, r, fetchedFor(q, clock.t), q)
	if st.Renumbered != 5 || st.Shift != -1 || st.PostsNew != 1 || st.PostsUnchanged != 5 {
		t.Errorf("after a deletion before the page: %+v, want 5 renumbered, shift -1, 1 new, 5 unchanged", st)
	}
	if got := count(t, db, "posts WHERE external_id = 'p21' AND number = 20"); got != 1 {
		t.Errorf("stored number not updated to the one shown")
	}

	// A post deleted inside the page (p23): the first archived post keeps its
	// number, the three after the gap move; an unknown post first on the page and a
	// post shown without a number are not compared.
	u := makePage("9", 2, 6, 21)
	u.Posts = append(u.Posts[:2], u.Posts[3:]...) // p21 p22 p24 p25 p26
	for i := range u.Posts {
		u.Posts[i].Number = scraper.Int(20 + i)
	}
	u.Posts[4].Number = nil // p26
	fresh := makePage("9", 2, 1, 90).Posts[0]
	fresh.Number = scraper.Int(19)
	u.Posts = append([]scraper.Post{fresh}, u.Posts...)
	st = mustSave(t, r, fetchedFor(u, clock.t), u)
	if st.Renumbered != 2 || st.Shift != 0 {
		t.Errorf("after a deletion inside the page: %+v, want 2 renumbered (p24, p25), shift 0", st)
	}

	// A post inserted before the page: the first archived post moved up.
	v := makePage("9", 2, 3, 21)
	for i := range v.Posts {
		v.Posts[i].Number = scraper.Int(22 + i)
	}
	if st := mustSave(t, r, fetchedFor(v, clock.t), v); st.Renumbered != 3 || st.Shift != 2 {
		t.Errorf("after an insertion before the page: %+v, want 3 renumbered, shift +2", st)
	}
}

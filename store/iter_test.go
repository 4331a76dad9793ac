package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

func TestPostsRoundTripAndSelection(t *testing.T) {
	db, _ := openTest(t)
	r := startRun(t, db)
	ctx := context.Background()
	p1 := saveCorpus(t, r, "https://a.example", "1", "Workshop", 1, []corpusPost{
		{id: "101", author: "marta", text: "first", at: day(2025, 1, 5)},
		{id: "102", author: "jiri", text: "second", at: day(2025, 2, 5),
			quotes: []scraper.Quote{{Author: scraper.Str("marta"), PostID: scraper.Str("101"), Text: "first"}, {Text: "anon"}}},
	})
	p2 := saveCorpus(t, r, "https://a.example", "1", "Workshop", 2, []corpusPost{
		{id: "121", author: "marta", text: "third", at: day(2025, 3, 5)},
	})
	// A post without id-linked author or date.
	p1.Posts[0].EditedAt = scraper.UTCTime(day(2025, 1, 6))
	p1.Posts[0].SignatureText = scraper.Str("sig")
	if _, err := r.SavePage(ctx, &scraper.Fetched{URL: p1.URL, Status: 200, Body: []byte("x")}, p1); err != nil {
		t.Fatal(err)
	}
	want := append(append([]scraper.Post{}, p1.Posts...), p2.Posts...)
	var got []*PostRecord
	for rec, err := range db.Posts(ctx, Selection{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d posts, want %d", len(got), len(want))
	}
	for i, rec := range got {
		if !reflect.DeepEqual(rec.Post, want[i]) {
			t.Errorf("post %d:\n got %+v\nwant %+v", i, rec.Post, want[i])
		}
		if *rec.Thread.ID != "1" || *rec.Thread.Title != *p1.Thread.Title || !reflect.DeepEqual(rec.Thread.ForumPath, p1.Thread.ForumPath) ||
			rec.Site.URL != "https://a.example" || *rec.Site.Engine != "xenforo2" || rec.Archive.PostRowID == 0 ||
			rec.Archive.ContentHash != ContentHash(&want[i]) || rec.Archive.FirstSeenAt.IsZero() || rec.Archive.DeletedAt != nil {
			t.Errorf("post %d context = %+v %+v %+v", i, rec.Thread, rec.Site, rec.Archive)
		}
	}
	count := func(sel Selection) int {
		n := 0
		for _, err := range db.Posts(ctx, sel) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	since := day(2025, 2, 1)
	for name, tc := range map[string]struct {
		sel  Selection
		want int
	}{
		"all":     {Selection{}, 3},
		"author":  {Selection{Author: "Marta"}, 2},
		"since":   {Selection{Since: &since}, 2},
		"forum":   {Selection{Forum: "Workshop"}, 3},
		"noforum": {Selection{Forum: "Work"}, 0},
		"site":    {Selection{Site: "b.example"}, 0},
	} {
		if n := count(tc.sel); n != tc.want {
			t.Errorf("%s: %d posts, want %d", name, n, tc.want)
		}
	}
	// Early stop releases the rows (the read pool would run dry otherwise).
	for range 10 {
		for range db.Posts(ctx, Selection{}) {
			break
		}
	}
	pages, err := db.ListPages(ctx, Selection{Author: "jiri"})
	if err != nil || len(pages) != 2 || pages[0].Number != 1 || pages[1].Number != 2 || pages[0].ThreadRowID == 0 {
		t.Fatalf("ListPages = %+v, %v", pages, err)
	}
	var bodies []string
	for p, err := range db.PageBodies(ctx, Selection{Thread: "1"}) {
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(p.Body))
	}
	// Page 1 was saved again with other bytes but the same posts: no earlier copy is
	// kept (page_versions holds copies whose posts differ).
	if len(bodies) != 2 || bodies[0] != "x" || bodies[1] != "<html>"+p2.URL+"</html>" {
		t.Errorf("bodies = %q", bodies)
	}
	if b, err := db.PageBody(ctx, pages[1].RowID); err != nil || string(b) != "<html>"+p2.URL+"</html>" {
		t.Errorf("PageBody = %q %v", b, err)
	}
	if pages[0].FetchedAt.IsZero() || pages[0].Status != 200 || pages[1].ETag != `"e1"` || pages[1].Encoding != "utf-8" {
		t.Errorf("page metadata = %+v", pages[1])
	}
	_ = time.Now
}

func TestPagesWithoutThread(t *testing.T) {
	db, _ := openTest(t)
	r := startRun(t, db)
	saveCorpus(t, r, "https://a.example", "1", "W", 1, []corpusPost{{id: "1", author: "a", text: "x", at: day(2025, 1, 1)}})
	z, _ := gzipBytes([]byte("<html>board index</html>"))
	if _, err := db.write.Exec(`INSERT INTO pages (url, fetched_at, status, sha256, html) VALUES ('https://a.example/forums/w.1/', '2026-01-01T00:00:00Z', 200, 'x', ?)`, z); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pages, err := db.ListPages(ctx, Selection{})
	if err != nil || len(pages) != 1 || pages[0].ThreadRowID == 0 {
		t.Errorf("ListPages lists board pages: %+v %v", pages, err)
	}
	n := 0
	for p, err := range db.PageBodies(ctx, Selection{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if p.ThreadRowID == 0 && string(p.Body) != "<html>board index</html>" {
			t.Errorf("board page body %q", p.Body)
		}
	}
	if n != 2 {
		t.Errorf("PageBodies yielded %d pages, want all 2", n)
	}
	n = 0
	for range db.PageBodies(ctx, Selection{Site: "a.example"}) {
		n++
	}
	if n != 1 {
		t.Errorf("site selection: %d pages, want the thread page", n)
	}
}

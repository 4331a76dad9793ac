package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
	"github.com/forumarc/forumarc/store/export"
)

// editedArchive is a store whose thread "1" (one page) was saved three times: post
// 1002 changed at every save (edited twice), post 1003 at the second save only,
// posts 1001 and 1004 never. Thread "2" has one unedited post. versions holds each
// save's copy of the thread's posts, by post id.
type editedArchive struct {
	db       *store.DB
	saves    []time.Time // the clock at each save of thread 1
	versions map[string][]scraper.Post
}

func newEditedArchive(t *testing.T) *editedArchive {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "a.db"), store.WithNow(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	run, err := db.StartRun(ctx, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	post := func(id string, n int, author, text string, edited *time.Time) scraper.Post {
		at := time.Date(2025, 3, n, 9, 30, 0, 0, time.UTC)
		return scraper.Post{ID: id, Number: scraper.Int(n), URL: scraper.Str("https://f.example/threads/t.1/post-" + id),
			Author: scraper.Author{Name: scraper.Str(author), ID: scraper.Str("u" + author)}, PostedAt: &at, EditedAt: edited,
			BodyHTML: "<p>" + text + "</p>", BodyText: text, Quotes: []scraper.Quote{}}
	}
	edit1 := time.Date(2026, 2, 1, 9, 15, 0, 0, time.UTC)
	edit2 := time.Date(2026, 2, 1, 10, 45, 0, 0, time.UTC)
	threads := [][]scraper.Post{
		{post("1001", 1, "marta", "never changed", nil), post("1002", 2, "jiri", "first <draft> & \"quoted\"", nil),
			post("1003", 3, "zoe", "typo teh", nil), post("1004", 4, "marta", "also unchanged", nil)},
		{post("1001", 1, "marta", "never changed", nil), post("1002", 2, "jiri", "second version", &edit1),
			post("1003", 3, "zoe", "typo the", &edit1), post("1004", 4, "marta", "also unchanged", nil)},
		{post("1001", 1, "marta", "never changed", nil), post("1002", 2, "jiri", "third version\nfinal", &edit2),
			post("1003", 3, "zoe", "typo the", &edit1), post("1004", 4, "marta", "also unchanged", nil)},
	}
	a := &editedArchive{db: db, versions: map[string][]scraper.Post{}}
	for i, posts := range threads {
		now = now.Add(time.Duration(i) * 2 * time.Hour)
		a.saves = append(a.saves, now)
		pg := &scraper.Page{URL: "https://f.example/threads/t.1/", Engine: "xenforo2",
			Thread: scraper.Thread{ID: scraper.Str("1"), Title: scraper.Str("Edited thread"), URL: scraper.Str("https://f.example/threads/t.1/")},
			Page:   scraper.PageInfo{Number: 1, Total: scraper.Int(1)}, Posts: posts}
		body := []byte("<html>save " + string(rune('1'+i)) + "</html>")
		if _, err := run.SavePage(ctx, &scraper.Fetched{URL: pg.URL, Status: 200, FetchedAt: now, Body: body}, pg); err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			a.versions[p.ID] = append(a.versions[p.ID], p)
		}
	}
	other := &scraper.Page{URL: "https://f.example/threads/u.2/", Engine: "xenforo2",
		Thread: scraper.Thread{ID: scraper.Str("2"), Title: scraper.Str("Other")}, Page: scraper.PageInfo{Number: 1},
		Posts: []scraper.Post{post("2001", 1, "marta", "other thread", nil)}}
	if _, err := run.SavePage(ctx, &scraper.Fetched{URL: other.URL, Status: 200, FetchedAt: now, Body: []byte("x")}, other); err != nil {
		t.Fatal(err)
	}
	return a
}

// wantRevisions is what the archive must keep of a post: each version that a later
// save replaced (the distinct bodies before the current one), oldest first.
func (a *editedArchive) wantRevisions(id string) []store.Revision {
	out := []store.Revision{}
	vs := a.versions[id]
	since := a.saves[0]
	for i := 1; i < len(vs); i++ {
		prev := vs[i-1]
		if store.ContentHash(&prev) == store.ContentHash(&vs[i]) {
			continue
		}
		out = append(out, store.Revision{BodyHTML: prev.BodyHTML, BodyText: prev.BodyText, ContentHash: store.ContentHash(&prev),
			EditedAt: prev.EditedAt, FirstSeenAt: since, ReplacedAt: a.saves[i]})
		since = a.saves[i]
	}
	return out
}

func jsonlRecords(t *testing.T, b []byte) ([]store.PostRecord, [][]byte) {
	t.Helper()
	var recs []store.PostRecord
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec store.PostRecord
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d: %v", len(recs)+1, err)
		}
		recs = append(recs, rec)
		lines = append(lines, slices.Clone(sc.Bytes()))
	}
	return recs, lines
}

// Each JSONL record's archive.revisions lists the post's earlier versions oldest first
// (bodies, hashes, dates); an unedited post has "revisions":[], never null.
func TestJSONLRevisions(t *testing.T) {
	a := newEditedArchive(t)
	var buf bytes.Buffer
	if _, err := export.JSONL(&buf, a.db.Posts(context.Background(), store.Selection{})); err != nil {
		t.Fatal(err)
	}
	recs, lines := jsonlRecords(t, buf.Bytes())
	var ids []string
	for i, rec := range recs {
		ids = append(ids, rec.ID)
		want := []store.Revision{}
		if *rec.Thread.ID == "1" {
			want = a.wantRevisions(rec.ID)
			if cur := a.versions[rec.ID][2]; rec.BodyText != cur.BodyText || rec.Archive.ContentHash != store.ContentHash(&cur) {
				t.Errorf("post %s: current body %q hash %s, want the last save's %q", rec.ID, rec.BodyText, rec.Archive.ContentHash, cur.BodyText)
			}
		}
		if !reflect.DeepEqual(rec.Archive.Revisions, want) {
			t.Errorf("post %s revisions:\n got %+v\nwant %+v", rec.ID, rec.Archive.Revisions, want)
		}
		if len(want) == 0 && !bytes.HasSuffix(lines[i], []byte(`,"revisions":[]}}`)) {
			t.Errorf("post %s: unedited post's revisions not written as []: %s", rec.ID, lines[i])
		}
	}
	if got := strings.Join(ids, ","); got != "1001,1002,1003,1004,2001" {
		t.Fatalf("posts = %s", got)
	}
	// The twice-edited post, spelled out: oldest first, each version's own body, hash
	// and forum edit time (null for the original).
	revs := recs[1].Archive.Revisions
	if len(revs) != 2 || revs[0].BodyText != `first <draft> & "quoted"` || revs[1].BodyText != "second version" ||
		revs[0].EditedAt != nil || revs[1].EditedAt == nil || revs[0].ContentHash == revs[1].ContentHash ||
		!revs[0].ReplacedAt.Equal(revs[1].FirstSeenAt) || !revs[0].ReplacedAt.Before(revs[1].ReplacedAt) {
		t.Errorf("post 1002 revisions = %+v", revs)
	}
	if !bytes.Contains(lines[1], []byte(`"revisions":[{"body_html":"<p>first <draft> & \"quoted\"</p>","body_text":"first <draft> & \"quoted\"","content_hash":"`)) ||
		!bytes.Contains(lines[1], []byte(`"edited_at":null,"first_seen_at":"2026-02-01T08:00:00Z","replaced_at":"2026-02-01T10:00:00Z"}`)) {
		t.Errorf("post 1002 line = %s", lines[1])
	}
	if n := len(recs[2].Archive.Revisions); n != 1 {
		t.Errorf("post 1003 has %d revisions, want 1", n)
	}
}

// A post-level selection (--author, --since) reads the revisions of the selected posts
// only and still matches each to its post.
func TestJSONLRevisionsWithPostSelection(t *testing.T) {
	a := newEditedArchive(t)
	for _, tc := range []struct {
		sel  store.Selection
		want string
	}{
		{store.Selection{Author: "ZOE"}, "1003"},
		{store.Selection{Author: "marta"}, "1001,1004,2001"},
		{store.Selection{Since: scraper.UTCTime(time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)), Thread: "1"}, "1002,1003,1004"},
	} {
		var buf bytes.Buffer
		if _, err := export.JSONL(&buf, a.db.Posts(context.Background(), tc.sel)); err != nil {
			t.Fatal(err)
		}
		recs, _ := jsonlRecords(t, buf.Bytes())
		var ids []string
		for _, rec := range recs {
			ids = append(ids, rec.ID)
			want := []store.Revision{}
			if *rec.Thread.ID == "1" {
				want = a.wantRevisions(rec.ID)
			}
			if !reflect.DeepEqual(rec.Archive.Revisions, want) {
				t.Errorf("%+v: post %s revisions = %+v, want %+v", tc.sel, rec.ID, rec.Archive.Revisions, want)
			}
		}
		if got := strings.Join(ids, ","); got != tc.want {
			t.Errorf("%+v: posts %s, want %s", tc.sel, got, tc.want)
		}
	}
}

// The CSV carries revision_count, an integer (0 for an unedited post), not bodies.
func TestCSVRevisionCount(t *testing.T) {
	a := newEditedArchive(t)
	rows := csvRows(t, a.db)
	if !reflect.DeepEqual(rows[0], export.CSVColumns) || rows[0][len(rows[0])-1] != "revision_count" {
		t.Fatalf("header = %v", rows[0])
	}
	col, ext := slices.Index(rows[0], "revision_count"), slices.Index(rows[0], "post_external_id")
	if col < 0 || ext < 0 {
		t.Fatalf("header lacks revision_count or post_external_id: %v", rows[0])
	}
	got := map[string]string{}
	for _, row := range rows[1:] {
		got[row[ext]] = row[col]
	}
	want := map[string]string{"1001": "0", "1002": "2", "1003": "1", "1004": "0", "2001": "0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("revision_count by post = %v, want %v", got, want)
	}
}

// No CSV column is named post_id or thread_id: post_details and `search --json` use
// those names for the archive's row ids, and the CSV's forum ids under them made a
// join on post_id silently match the wrong rows. The forum's ids are
// post_external_id and thread_external_id, as in the view; the row ids post_rowid and
// thread_rowid.
func TestCSVHeaderNoAmbiguousIDs(t *testing.T) {
	db, pages, _ := archive(t)
	rows := csvRows(t, db)
	header := rows[0]
	for _, bad := range []string{"post_id", "thread_id", "author_id"} {
		if slices.Contains(header, bad) {
			t.Errorf("CSV header has %s: %v", bad, header)
		}
	}
	col := func(name string) int {
		i := slices.Index(header, name)
		if i < 0 {
			t.Fatalf("CSV header lacks %s: %v", name, header)
		}
		return i
	}
	postExt, threadExt, postRow, threadRow := col("post_external_id"), col("thread_external_id"), col("post_rowid"), col("thread_rowid")
	// The row ids are the ones the view calls post_id and thread_id.
	res, err := db.Query(context.Background(), "SELECT post_id, post_external_id, thread_id, thread_external_id FROM post_details")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	view := map[string][]string{} // post_id -> the other three
	for res.Next() {
		v := res.Values()
		cell := func(i int) string { b, _ := json.Marshal(v[i]); return strings.Trim(string(b), `"`) }
		view[cell(0)] = []string{cell(1), cell(2), cell(3)}
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != len(savedPosts(pages)) || len(view) != len(rows)-1 {
		t.Fatalf("%d CSV rows, %d view rows", len(rows)-1, len(view))
	}
	for _, row := range rows[1:] {
		if got, want := view[row[postRow]], []string{row[postExt], row[threadRow], row[threadExt]}; !reflect.DeepEqual(got, want) {
			t.Errorf("post_details row %s = %v, CSV has %v", row[postRow], got, want)
		}
	}
}

// The HTML export says in a post's footer that earlier versions are archived.
func TestHTMLEditedNote(t *testing.T) {
	a := newEditedArchive(t)
	dir := t.TempDir()
	if _, err := export.HTML(export.Dir{Path: dir}, a.db.Posts(context.Background(), store.Selection{Thread: "1"}), export.HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(files) != 1 {
		t.Fatalf("files = %v", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, b, false)
	s := string(b)
	articles := strings.Split(s, "<article ")[1:]
	if len(articles) != 4 {
		t.Fatalf("%d articles", len(articles))
	}
	for i, want := range []string{"", "Edited 2 times; earlier versions archived.", "Edited once; the earlier version is archived.", ""} {
		got := strings.Contains(articles[i], `class="revisions"`)
		if got != (want != "") || (want != "" && !strings.Contains(articles[i], want)) {
			t.Errorf("article %d: want note %q:\n%s", i+1, want, articles[i])
		}
	}
}

// Revisions come from the posts' read snapshot: a post edited while an export runs is
// exported as it was when the export began, without the revision the edit added.
func TestPostsRevisionsSameSnapshot(t *testing.T) {
	a := newEditedArchive(t)
	ctx := context.Background()
	run, err := a.db.StartRun(ctx, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []*store.PostRecord
	for rec, err := range a.db.Posts(ctx, store.Selection{}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			// Thread 1 is being read: edit thread 2's post, not read yet.
			pg := &scraper.Page{URL: "https://f.example/threads/u.2/", Engine: "xenforo2",
				Thread: scraper.Thread{ID: scraper.Str("2"), Title: scraper.Str("Other")}, Page: scraper.PageInfo{Number: 1},
				Posts: []scraper.Post{{ID: "2001", Number: scraper.Int(1), BodyText: "edited meanwhile",
					BodyHTML: "<p>edited meanwhile</p>", Quotes: []scraper.Quote{}}}}
			if _, err := run.SavePage(ctx, &scraper.Fetched{URL: pg.URL, Status: 200, Body: []byte("y")}, pg); err != nil {
				t.Fatal(err)
			}
		}
		got = append(got, rec)
	}
	last := got[len(got)-1]
	if last.ID != "2001" || last.BodyText != "other thread" || len(last.Archive.Revisions) != 0 {
		t.Errorf("post 2001 read in the export's snapshot = %q with %d revisions", last.BodyText, len(last.Archive.Revisions))
	}
	// A new export sees the edit and its revision.
	var after *store.PostRecord
	for rec, err := range a.db.Posts(ctx, store.Selection{Thread: "2"}) {
		if err != nil {
			t.Fatal(err)
		}
		after = rec
	}
	if after == nil || after.BodyText != "edited meanwhile" || len(after.Archive.Revisions) != 1 || after.Archive.Revisions[0].BodyText != "other thread" {
		t.Errorf("after the edit: %+v", after)
	}
}

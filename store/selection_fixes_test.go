package store

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

// unicodeCorpus is an archive whose authors have non-ASCII names.
func unicodeCorpus(t *testing.T) *DB {
	t.Helper()
	db, _ := openTest(t)
	r := startRun(t, db)
	saveCorpus(t, r, "https://a.example", "1", "Workshop", 1, []corpusPost{
		{id: "101", author: "Jiří Novák", text: "Sprocket talk.", at: day(2025, 1, 5)},
		{id: "102", author: "Zoë Fairweather", text: "More sprocket talk.", at: day(2025, 1, 6)},
		{id: "103", author: "marta", text: "A sprocket again.", at: day(2025, 1, 7)},
	})
	saveCorpus(t, r, "https://a.example", "1", "Workshop", 2, []corpusPost{
		{id: "121", author: "Jiří Novák", text: "Second page sprocket.", at: day(2025, 1, 8)},
	})
	return db
}

func selectedIDs(t *testing.T, db *DB, sel Selection) []string {
	t.Helper()
	var ids []string
	for rec, err := range db.Posts(context.Background(), sel) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	return ids
}

// --author matches names case-insensitively in every script, not only ASCII.
func TestAuthorUnicodeCaseInsensitive(t *testing.T) {
	db := unicodeCorpus(t)
	ctx := context.Background()
	for _, tc := range []struct {
		author string
		want   string
	}{
		{"Jiří Novák", "101,121"},
		{"jiří novák", "101,121"},
		{"JIŘÍ NOVÁK", "101,121"},
		{"jIřÍ nOvÁk", "101,121"},
		{"ZOË FAIRWEATHER", "102"},
		{"MARTA", "103"},
		{"Jiri Novak", ""}, // case-insensitive, not accent-insensitive
		{"Jiří", ""},       // the whole name
	} {
		if got := strings.Join(selectedIDs(t, db, Selection{Author: tc.author}), ","); got != tc.want {
			t.Errorf("Posts --author %q = %q, want %q", tc.author, got, tc.want)
		}
		hits, err := db.Search(ctx, "sprocket", SearchOptions{Selection: Selection{Author: tc.author}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.PostExternalID)
		}
		slices.Sort(ids)
		if got := strings.Join(ids, ","); got != tc.want {
			t.Errorf("Search --author %q = %q, want %q", tc.author, got, tc.want)
		}
	}
	pages, err := db.ListPages(ctx, Selection{Author: "ZOË FAIRWEATHER"})
	if err != nil || len(pages) != 2 {
		t.Errorf("ListPages --author = %d pages, %v; want the thread's 2", len(pages), err)
	}
}

func TestFoldName(t *testing.T) {
	for _, tc := range [][2]string{
		{"JIŘÍ NOVÁK", "jiří novák"},
		{"ZOË", "zoë"},
		{"STRASSE", "straße"},
		{"ΣΊΣΥΦΟΣ", "σίσυφος"},
		{"marta", "MARTA"},
	} {
		if a, b := foldName(tc[0]), foldName(tc[1]); a != b {
			t.Errorf("foldName(%q) = %q, foldName(%q) = %q, want equal", tc[0], a, tc[1], b)
		}
	}
}

// --thread takes the URL however it was copied: with a fragment, a query string,
// without the trailing slash, or any archived page's URL.
func TestThreadURLNormalised(t *testing.T) {
	db := unicodeCorpus(t)
	r := startRun(t, db)
	saveCorpus(t, r, "https://a.example", "2", "Wheels", 1, []corpusPost{
		{id: "201", author: "marta", text: "Another thread.", at: day(2025, 2, 1)},
	})
	const all = "101,102,103,121"
	for _, tc := range []struct{ thread, want string }{
		{"https://a.example/threads/t.1/", all},
		{"https://a.example/threads/t.1", all},
		{"https://a.example/threads/t.1/#post-102", all},
		{"https://a.example/threads/t.1#post-102", all},
		{"https://a.example/threads/t.1/?utm_source=mail", all},
		{"https://a.example/threads/t.1/?s=0123abcd", all}, // a session parameter
		{"https://A.EXAMPLE/threads/t.1/", all},
		{"  https://a.example/threads/t.1/page-2#post-121  ", all},
		{"https://a.example/threads/t.1/page-2/", all},
		{"https://a.example/threads/t.1/page-2?x=1", all},
		{"https://a.example/threads/t.2", "201"},
		{"https://a.example/threads/t.3/", ""},
		{"https://a.example/threads/", ""},
		{"1", all},
	} {
		if got := strings.Join(selectedIDs(t, db, Selection{Thread: tc.thread}), ","); got != tc.want {
			t.Errorf("--thread %q = %q, want %q", tc.thread, got, tc.want)
		}
	}
	pages, err := db.ListPages(context.Background(), Selection{Thread: "https://a.example/threads/t.1#x"})
	if err != nil || len(pages) != 2 {
		t.Errorf("ListPages --thread = %d pages, %v", len(pages), err)
	}
}

// A URL whose query string is what identifies the thread (phpBB, vBulletin) is
// matched with it; the query is only dropped when nothing matches with it.
func TestThreadURLQueryIdentifies(t *testing.T) {
	db, _ := openTest(t)
	r := startRun(t, db)
	for _, id := range []string{"7", "8"} {
		p := makePage(id, 1, 1, 1)
		p.URL = "https://forum.example/viewtopic.php?t=" + id
		p.Thread.URL = &p.URL
		p.Posts[0].ID = "p" + id
		mustSave(t, r, fetchedFor(p, day(2025, 1, 1)), p)
	}
	for _, tc := range []struct{ thread, want string }{
		{"https://forum.example/viewtopic.php?t=7", "p7"},
		{"https://forum.example/viewtopic.php?t=8#p8", "p8"},
		{"https://forum.example/viewtopic.php?t=8&sid=0123", "p8"},
		{"https://forum.example/viewtopic.php", ""},
	} {
		if got := strings.Join(selectedIDs(t, db, Selection{Thread: tc.thread}), ","); got != tc.want {
			t.Errorf("--thread %q = %q, want %q", tc.thread, got, tc.want)
		}
	}
}

// Search hits use the post_details view's names: post_id and thread_id are row ids,
// the forum's ids are post_external_id and thread_external_id.
func TestSearchHitJSONMatchesView(t *testing.T) {
	db := searchCorpus(t)
	ctx := context.Background()
	hits, err := db.Search(ctx, "shellacked", SearchOptions{})
	if err != nil || len(hits) != 1 {
		t.Fatalf("hits %v err %v", hits, err)
	}
	b, err := json.Marshal(hits[0])
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	res, err := db.Query(ctx, `SELECT post_id, post_external_id, post_number, post_url, author_name, posted_at,
		thread_id, thread_external_id, thread_title, thread_url, site_url FROM post_details WHERE post_external_id = '103'`)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if !res.Next() {
		t.Fatal("post 103 not in post_details")
	}
	for i, col := range res.Columns {
		want := res.Values()[i]
		v, ok := got[col]
		if !ok {
			t.Errorf("search JSON lacks %s (has %v)", col, keys(got))
			continue
		}
		if n, isInt := want.(int64); isInt {
			if f, isNum := v.(float64); !isNum || int64(f) != n {
				t.Errorf("%s = %v (%T), want the view's %d", col, v, v, n)
			}
			continue
		}
		if v != want {
			t.Errorf("%s = %v (%T), want the view's %v", col, v, v, want)
		}
	}
	for _, k := range []string{"post_rowid", "number", "url", "author", "site"} {
		if _, ok := got[k]; ok {
			t.Errorf("search JSON still has %s", k)
		}
	}
	for _, k := range []string{"deleted", "score", "snippet"} {
		if _, ok := got[k]; !ok {
			t.Errorf("search JSON lacks %s", k)
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Empty lists are [] in stats JSON, not null.
func TestStatsEmptyArchiveJSON(t *testing.T) {
	db, _ := openTest(t)
	st, err := db.Stats(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"per_site", "posts_per_month", "top_authors", "top_threads"} {
		if v, ok := got[k].([]any); !ok || len(v) != 0 {
			t.Errorf("%s = %#v, want []", k, got[k])
		}
	}
}

func TestSingleStatement(t *testing.T) {
	for _, q := range []string{
		"SELECT 1",
		"SELECT 1;",
		"SELECT 1 ;  \n",
		"SELECT 1;;",
		"SELECT 1; -- a comment; with a semicolon",
		"SELECT 1; /* block; comment */",
		"SELECT ';' AS x",
		"SELECT 'it''s; fine'",
		`SELECT "a;b" FROM (SELECT 1 AS "a;b")`,
		"SELECT [a;b] FROM (SELECT 1 AS [a;b])",
		"SELECT `a;b` FROM (SELECT 1 AS `a;b`)",
		"SELECT 1 -- trailing; comment",
		"SELECT 1 /* unterminated; comment",
		"SELECT x'3b' -- ;",
		"CREATE TRIGGER t AFTER INSERT ON posts BEGIN SELECT 1; SELECT 2; END;", // refused as a write
		"CREATE TEMP TRIGGER t AFTER INSERT ON posts BEGIN SELECT 1; SELECT 2; END;",
		"create temporary trigger t after insert on posts begin select 1; select 2; end",
	} {
		if err := SingleStatement(q); err != nil {
			t.Errorf("%q: %v, want one statement", q, err)
		}
	}
	for _, q := range []string{
		"SELECT 1; SELECT 2",
		"SELECT 1;SELECT 2;",
		"SELECT ';'; SELECT 2",
		"SELECT 1; -- c\nSELECT 2",
		"SELECT 1; DELETE FROM posts",
		"SELECT 1 /* ; */; PRAGMA user_version",
	} {
		err := SingleStatement(q)
		if !errors.Is(err, ErrBadSQL) || !strings.Contains(err.Error(), "one statement") {
			t.Errorf("%q: %v, want ErrBadSQL about more than one statement", q, err)
		}
	}
}

// SQL that SQLite cannot compile is ErrBadSQL with SQLite's message, without the
// driver's noise.
func TestQueryBadSQL(t *testing.T) {
	db := searchCorpus(t)
	for q, want := range map[string]string{
		"SELEC 1":                         `near "SELEC": syntax error`,
		"SELECT nope FROM posts":          "no such column: nope",
		"SELECT * FROM nowhere":           "no such table: nowhere",
		"SELECT 1 FROM posts WHERE":       "incomplete input",
		"SELECT no_such_function(1)":      "no such function: no_such_function",
		"SELECT json_extract('{', '$.a')": "malformed JSON",
	} {
		res, err := db.Query(context.Background(), q)
		if err == nil {
			for res.Next() {
			}
			err = res.Err()
			res.Close()
		}
		if !errors.Is(err, ErrBadSQL) || errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrBadSQL", q, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, want) || strings.Contains(msg, "SQL logic error") || strings.Contains(msg, "(1)") ||
			strings.Contains(msg, "\n") {
			t.Errorf("%s: message %q", q, msg)
		}
	}
	// Refused writes stay ErrReadOnly.
	if _, err := db.Query(context.Background(), "DELETE FROM posts"); !errors.Is(err, ErrReadOnly) || errors.Is(err, ErrBadSQL) {
		t.Errorf("DELETE: %v, want ErrReadOnly only", err)
	}
}

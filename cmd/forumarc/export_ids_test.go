package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// editDemoPost adds a thread to the archive at path whose one post is saved three
// times with changed bodies (edited twice).
func editDemoPost(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	run, err := db.StartRun(ctx, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"version one", "version two", "version three"} {
		pg := &scraper.Page{URL: "https://edits.example/threads/e.77/", Engine: "xenforo2",
			Thread: scraper.Thread{ID: scraper.Str("77"), Title: scraper.Str("Edited")}, Page: scraper.PageInfo{Number: 1},
			Posts: []scraper.Post{{ID: "7701", Number: scraper.Int(1), BodyHTML: "<p>" + text + "</p>", BodyText: text, Quotes: []scraper.Quote{}}}}
		f := &scraper.Fetched{URL: pg.URL, Status: 200, FetchedAt: time.Now(), Body: []byte("<html>" + text + "</html>")}
		if _, err := run.SavePage(ctx, f, pg); err != nil {
			t.Fatalf("save %d: %v", i+1, err)
		}
	}
	if err := run.Finish(ctx, "ok"); err != nil {
		t.Fatal(err)
	}
}

// export --format csv has no post_id column: its post_rowid joins post_details.post_id
// and post_external_id is the view's post_external_id. revision_count and the JSONL's
// archive.revisions carry a post's edit history.
func TestExportCSVIDsJoinPostDetails(t *testing.T) {
	db := demoDB(t)
	editDemoPost(t, db)
	ctx := context.Background()
	r := cli(t, ctx, "--db", db, "export", "--format", "csv")
	if r.code != 0 {
		t.Fatalf("export csv: exit %d %s", r.code, r.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) < 3 {
		t.Fatalf("csv: %v, %d rows", err, len(rows))
	}
	header := rows[0]
	if slices.Contains(header, "post_id") || slices.Contains(header, "thread_id") || slices.Contains(header, "author_id") {
		t.Errorf("CSV header has post_id, thread_id or author_id: %v", header)
	}
	idx := map[string]int{}
	for _, name := range []string{"post_rowid", "post_external_id", "thread_rowid", "thread_external_id", "revision_count"} {
		if idx[name] = slices.Index(header, name); idx[name] < 0 {
			t.Fatalf("CSV header lacks %s: %v", name, header)
		}
	}
	q := cli(t, ctx, "--db", db, "query", "--format", "csv",
		"SELECT post_id, post_external_id, thread_id, thread_external_id FROM post_details")
	if q.code != 0 {
		t.Fatalf("query: exit %d %s", q.code, q.stderr)
	}
	view, err := csv.NewReader(strings.NewReader(q.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byRowID := map[string][]string{}
	for _, v := range view[1:] {
		byRowID[v[0]] = v[1:]
	}
	if len(byRowID) != len(rows)-1 {
		t.Errorf("%d posts in post_details, %d CSV rows", len(byRowID), len(rows)-1)
	}
	edited := 0
	for _, row := range rows[1:] {
		want := []string{row[idx["post_external_id"]], row[idx["thread_rowid"]], row[idx["thread_external_id"]]}
		if got := byRowID[row[idx["post_rowid"]]]; !slices.Equal(got, want) {
			t.Errorf("post_details post_id=%s: %v, CSV row has %v", row[idx["post_rowid"]], got, want)
		}
		switch n := row[idx["revision_count"]]; {
		case row[idx["post_external_id"]] == "7701":
			edited++
			if n != "2" {
				t.Errorf("edited post revision_count = %q, want 2", n)
			}
		case n != "0":
			t.Errorf("post %s revision_count = %q, want 0", row[idx["post_external_id"]], n)
		}
	}
	if edited != 1 {
		t.Errorf("edited post in %d CSV rows", edited)
	}

	r = cli(t, ctx, "--db", db, "export", "--format", "jsonl", "--thread", "77")
	if r.code != 0 {
		t.Fatalf("export jsonl: exit %d %s", r.code, r.stderr)
	}
	var rec struct {
		ID       string `json:"id"`
		BodyText string `json:"body_text"`
		Archive  struct {
			PostRowID int64 `json:"post_rowid"`
			Revisions []struct {
				BodyText    string  `json:"body_text"`
				ContentHash string  `json:"content_hash"`
				EditedAt    *string `json:"edited_at"`
			} `json:"revisions"`
		} `json:"archive"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("jsonl: %v %q", err, r.stdout)
	}
	revs := rec.Archive.Revisions
	if rec.ID != "7701" || rec.BodyText != "version three" || len(revs) != 2 || revs[0].BodyText != "version one" ||
		revs[1].BodyText != "version two" || revs[0].ContentHash == "" || revs[0].ContentHash == revs[1].ContentHash {
		t.Errorf("jsonl record = %s", r.stdout)
	}
	if byRowID[strconv.FormatInt(rec.Archive.PostRowID, 10)] == nil {
		t.Errorf("archive.post_rowid %d is not a post_details post_id", rec.Archive.PostRowID)
	}
	if h := cli(t, ctx, "export", "--help"); !strings.Contains(h.stdout, "post_external_id") || !strings.Contains(h.stdout, "archive.revisions") {
		t.Errorf("export --help does not explain the ids and revisions:\n%s", h.stdout)
	}
}

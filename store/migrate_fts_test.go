package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// datasetteDetectFTS is Datasette's detect_fts_sql for the table posts (sqlite-utils'
// detect_fts asks the same), word for word.
const datasetteDetectFTS = `select name from sqlite_master
    where rootpage = 0
    and (
        sql like '%VIRTUAL TABLE%USING FTS%content="posts"%'
        or sql like '%VIRTUAL TABLE%USING FTS%content=[posts]%'
        or (
            tbl_name = 'posts'
            and sql like '%VIRTUAL TABLE%USING FTS%'
        )
    )`

// migrationVersion is the number of the embedded migration named name (so the test
// follows a renumbering).
func migrationVersion(t *testing.T, name string) (int, []migration) {
	t.Helper()
	migs, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migs {
		if strings.HasSuffix(m.name, "_"+name+".sql") {
			return m.version, migs
		}
	}
	t.Fatalf("no migration named NNNN_%s.sql", name)
	return 0, nil
}

// archiveBefore creates an archive migrated up to, not including, the migration
// NNNN_name.sql, and returns its path and a raw connection to it (closed at the end of
// the test; close it first to open the archive with Open).
func archiveBefore(t *testing.T, name string) (string, *sql.DB) {
	t.Helper()
	v, migs := migrationVersion(t, name)
	path := filepath.Join(t.TempDir(), "archive.db")
	raw, err := sql.Open("sqlite", writeDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if err := migrate(context.Background(), raw, path, migs[:v-1]); err != nil {
		t.Fatal(err)
	}
	return path, raw
}

func detectFTS(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) []string {
	t.Helper()
	rows, err := q.Query(datasetteDetectFTS)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func searchIDs(t *testing.T, db *DB, query string) string {
	t.Helper()
	hits, err := db.Search(context.Background(), query, SearchOptions{Limit: 100})
	if err != nil {
		t.Fatalf("search %s: %v", query, err)
	}
	ids := hitIDs(hits)
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// The full-text index of an archive written before the migration is found by
// Datasette's query afterwards, holds the posts archived before it, and is still kept
// in sync by the triggers (insert, edit, delete) with the same tokenizer.
func TestMigrationPostsFTSDatasetteDetects(t *testing.T) {
	ctx := context.Background()
	path, raw := archiveBefore(t, "posts_fts_datasette")
	// Posts archived at the previous version, indexed by 0001's triggers.
	for _, s := range []string{
		`INSERT INTO sites (id, base_url, first_seen_at, last_seen_at) VALUES (1, 'https://forum.example', 'x', 'x')`,
		`INSERT INTO threads (id, site_id, external_id, url, first_seen_at) VALUES (1, 1, '9', 'https://forum.example/threads/9/', 'x')`,
		`INSERT INTO posts (thread_id, external_id, number, body_html, body_text, content_hash, first_seen_at, last_seen_at) VALUES
			(1, 'old1', 1, '<p>The zeppelin hangar</p>', 'The zeppelin hangar', 'h1', 'x', 'x'),
			(1, 'old2', 2, '<p>A café racer</p>', 'A café racer', 'h2', 'x', 'x'),
			(1, 'old3', 3, '<p>Zeppelin again, and a gearbox</p>', 'Zeppelin again, and a gearbox', 'h3', 'x', 'x')`,
	} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if got := detectFTS(t, raw); len(got) != 0 {
		t.Fatalf("before the migration Datasette's query found %q; the test no longer shows the fix", got)
	}
	raw.Close()

	db, err := Open(ctx, path, WithNow(newClock().now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := detectFTS(t, db.read); strings.Join(got, ",") != "posts_fts" {
		t.Fatalf("Datasette's detect_fts_sql after the migration = %q, want [posts_fts]", got)
	}
	var ddl string
	if err := db.read.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'posts_fts'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`content="posts"`, `content_rowid = 'id'`, `tokenize = 'unicode61 remove_diacritics 2'`, "body_text"} {
		if !strings.Contains(ddl, want) {
			t.Errorf("posts_fts lacks %s:\n%s", want, ddl)
		}
	}
	var triggers string
	if err := db.read.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema
		WHERE type = 'trigger' AND tbl_name = 'posts' ORDER BY name)`).Scan(&triggers); err != nil {
		t.Fatal(err)
	}
	if triggers != "posts_fts_ad,posts_fts_ai,posts_fts_au" {
		t.Errorf("triggers on posts = %s", triggers)
	}

	// The old posts were indexed again by the rebuild (diacritics still removed).
	if got := searchIDs(t, db, "zeppelin"); got != "old1,old3" {
		t.Errorf("zeppelin after the migration = %s, want old1,old3", got)
	}
	if got := searchIDs(t, db, "cafe"); got != "old2" {
		t.Errorf("cafe after the migration = %s, want old2", got)
	}

	// New posts are indexed, edited ones re-indexed.
	clock := newClock()
	r := startRun(t, db)
	p := makePage("1", 1, 2, 1) // p1, p2: "gearboxes and sprockets"
	p.Posts[0].BodyText = "A dirigible moored at the zeppelin hangar."
	mustSave(t, r, fetchedFor(p, clock.t), p)
	if got := searchIDs(t, db, "zeppelin"); got != "old1,old3,p1" {
		t.Errorf("zeppelin after saving new posts = %s", got)
	}
	if got := searchIDs(t, db, "sprockets"); got != "p2" {
		t.Errorf("sprockets = %s, want p2", got)
	}
	p.Posts[0].BodyText = "Now about hovercraft only."
	p.Posts[0].BodyHTML = "<p>Now about hovercraft only.</p>"
	clock.advance(time.Hour)
	if st := mustSave(t, r, fetchedFor(p, clock.t), p); st.PostsUpdated != 1 {
		t.Fatalf("edit saved as %+v", st)
	}
	if got := searchIDs(t, db, "zeppelin"); got != "old1,old3" {
		t.Errorf("zeppelin after the edit = %s, want old1,old3", got)
	}
	if got := searchIDs(t, db, "hovercraft"); got != "p1" {
		t.Errorf("hovercraft after the edit = %s, want p1", got)
	}
	// An edit made directly in SQL, and a delete, go through the triggers too.
	if _, err := db.write.Exec(`UPDATE posts SET body_text = 'Blimps, not zeppelins' WHERE external_id = 'old1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`DELETE FROM posts WHERE external_id = 'old3'`); err != nil {
		t.Fatal(err)
	}
	if got := searchIDs(t, db, "zeppelin"); got != "" {
		t.Errorf("zeppelin after SQL edit and delete = %q, want none", got)
	}
	if got := searchIDs(t, db, "blimps"); got != "old1" {
		t.Errorf("blimps = %s, want old1", got)
	}
	if _, err := db.write.Exec(`INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')`); err != nil {
		t.Errorf("FTS integrity-check after the migration and edits: %v", err)
	}
	if _, err := db.write.Exec(`INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("FTS integrity-check against the content table: %v", err)
	}
}

// A new archive gets the same posts_fts as a migrated one, and Datasette finds it.
func TestNewArchivePostsFTSDatasetteDetects(t *testing.T) {
	db, _ := openTest(t)
	if got := detectFTS(t, db.read); strings.Join(got, ",") != "posts_fts" {
		t.Fatalf("Datasette's detect_fts_sql on a new archive = %q, want [posts_fts]", got)
	}
	r := startRun(t, db)
	p := makePage("1", 1, 3, 1)
	mustSave(t, r, fetchedFor(p, time.Now()), p)
	if got := searchIDs(t, db, "gearboxes"); got != "p1,p2,p3" {
		t.Errorf("gearboxes = %s", got)
	}
	if _, err := db.write.Exec(`INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("FTS integrity-check: %v", err)
	}
}

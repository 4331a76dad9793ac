package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

func TestQueryReads(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 3, 1)
	mustSave(t, r, fetchedFor(p, clock.t), p)

	res, err := db.Query(ctx, `SELECT post_external_id, post_number, author_name, edited_at, 1.5, x'00ff'
		FROM post_details WHERE post_number >= ? ORDER BY post_number`, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if got := strings.Join(res.Columns, ","); got != "post_external_id,post_number,author_name,edited_at,1.5,x'00ff'" {
		t.Errorf("columns = %s", got)
	}
	var rows []string
	for res.Next() {
		v := res.Values()
		rows = append(rows, fmt.Sprintf("%T:%v %T:%v %T:%v %T:%v %T:%v %T:%v", v[0], v[0], v[1], v[1], v[2], v[2], v[3], v[3], v[4], v[4], v[5], v[5]))
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"string:p2 int64:2 string:user2 <nil>:<nil> float64:1.5 []uint8:[0 255]",
		"string:p3 int64:3 string:user3 <nil>:<nil> float64:1.5 []uint8:[0 255]",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}

	// Full-text search and read pragmas work.
	for _, q := range []string{
		`SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'sprockets' ORDER BY rank`,
		`SELECT snippet(posts_fts, 0, '[', ']', '…', 5) FROM posts_fts WHERE posts_fts MATCH 'gearboxes'`,
		`PRAGMA user_version`,
		`PRAGMA table_info(posts)`,
		`SELECT name FROM pragma_table_info('posts')`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 3) SELECT i FROM n`,
	} {
		res, err := db.Query(ctx, q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		n := 0
		for res.Next() {
			n++
		}
		if err := res.Err(); err != nil || n == 0 {
			t.Errorf("%s: %d rows, %v", q, n, err)
		}
		res.Close()
	}
}

func TestQueryRefusesWrites(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 3, 1)
	mustSave(t, r, fetchedFor(p, clock.t), p)
	attached := filepath.Join(t.TempDir(), "x.db")

	for _, q := range []string{
		`INSERT INTO sites (base_url, first_seen_at, last_seen_at) VALUES ('https://x', 'a', 'b')`,
		`UPDATE posts SET body_text = 'vandalised'`,
		`DELETE FROM posts`,
		`DROP TABLE posts`,
		`DROP VIEW post_details`,
		`CREATE TABLE t (x)`,
		`CREATE TEMP TABLE t (x)`,
		`ALTER TABLE posts ADD COLUMN x TEXT`,
		`PRAGMA user_version = 9`,
		`PRAGMA application_id = 1`,
		`PRAGMA query_only = 0`,
		`PRAGMA journal_mode = DELETE`,
		`PRAGMA writable_schema = 1`,
		`ATTACH '` + attached + `' AS x`,
		`SELECT 1; DELETE FROM posts`,
		`INSERT INTO posts_fts(posts_fts) VALUES ('delete-all')`,
		`VACUUM`,
		`BEGIN`,
		`SAVEPOINT a`,
		`REINDEX`,
		`ANALYZE`,
		`WITH d AS (SELECT 1) DELETE FROM quotes`,
	} {
		res, err := db.Query(ctx, q)
		if err == nil {
			for res.Next() {
			}
			err = res.Err()
			res.Close()
		}
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", q, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "query: the archive is opened read-only; write statements are refused") {
			t.Errorf("%s: message %q", q, err)
		}
	}
	if n := count(t, db, "posts WHERE body_text LIKE 'Post number%'"); n != 3 {
		t.Errorf("posts after refused writes = %d, want 3 untouched", n)
	}
	if n := count(t, db, "posts_fts WHERE posts_fts MATCH 'sprockets'"); n != 3 {
		t.Errorf("FTS rows after refused writes = %d, want 3", n)
	}
	if n := count(t, db, "sites"); n != 1 {
		t.Errorf("sites = %d", n)
	}
	if v := pragmaInt(t, db.Path(), "user_version"); v != SchemaVersion() {
		t.Errorf("user_version = %d", v)
	}
	if _, err := os.Stat(attached); err == nil {
		t.Error("ATTACH created a file")
	}
	// The refused statements did not weaken the read pool: writes are still refused.
	if res, err := db.Query(ctx, `DELETE FROM posts`); !errors.Is(err, ErrReadOnly) {
		if res != nil {
			res.Close()
		}
		t.Errorf("DELETE after PRAGMA query_only = 0: %v", err)
	}
}

func TestReadOnlyWhileWriterHoldsLock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 3, 1)
	mustSave(t, r, fetchedFor(p, clock.t), p)

	// Hold the write lock with an uncommitted insert.
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`DELETE FROM quotes`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO sites (base_url, first_seen_at, last_seen_at) VALUES ('https://b.example', 'x', 'x')`); err != nil {
		t.Fatal(err)
	}

	ro, err := OpenReadOnly(ctx, db.Path())
	if err != nil {
		t.Fatalf("OpenReadOnly while a writer holds the lock: %v", err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	res, err := ro.Query(ctx, `SELECT count(*) FROM sites`)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Next() || res.Values()[0] != int64(1) {
		t.Errorf("reader saw uncommitted rows: %v", res.Values())
	}
	res.Close()
	st, err := ro.Thread(ctx, "https://forum.example", "42")
	if err != nil || !st.Found || st.Posts != 3 {
		t.Errorf("Thread on read-only DB = %+v %v", st, err)
	}
	if _, err := ro.StartRun(ctx, "crawl", nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("StartRun on read-only DB: %v, want ErrReadOnly", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	res, err = ro.Query(ctx, `SELECT count(*) FROM sites`)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Next() || res.Values()[0] != int64(2) {
		t.Errorf("reader did not see the commit: %v", res.Values())
	}
	res.Close()
}

func TestConcurrentRuns(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	var wg sync.WaitGroup
	errs := make(chan error, 256)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 1; n <= 5; n++ {
				p := makePage(fmt.Sprint("t", g), n, 10, n*10)
				if _, err := r.SavePage(ctx, fetchedFor(p, clock.t), p); err != nil {
					errs <- err
				}
				if _, err := r.Thread(ctx, "https://forum.example", fmt.Sprint("t", g)); err != nil {
					errs <- err
				}
				res, err := db.Query(ctx, "SELECT count(*) FROM posts")
				if err != nil {
					errs <- err
					continue
				}
				for res.Next() {
				}
				errs <- res.Err()
				res.Close()
			}
			errs <- r.RecordError(ctx, "https://forum.example/x", errors.New("boom"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if s := r.Stats(); s.PagesFetched != 20 || s.PostsNew != 200 || s.Errors != 4 {
		t.Errorf("stats = %+v", s)
	}
	if n := count(t, db, "crawl_runs WHERE pages_fetched = 20 AND posts_new = 200 AND errors = 4"); n != 1 {
		t.Error("crawl_runs counters disagree with Stats")
	}
}

func TestDiskFullLeavesNothingHalfWritten(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("42", 1, 2, 1)
	mustSave(t, r, fetchedFor(p, clock.t), p)

	var pages int
	if err := db.write.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// The writer is a single connection, so this limit applies to every write below.
	if _, err := db.write.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+2)); err != nil {
		t.Fatal(err)
	}
	big := makePage("43", 1, 200, 1)
	for i := range big.Posts {
		big.Posts[i].BodyText = strings.Repeat(fmt.Sprintf("word%d ", i), 300)
	}
	_, err := r.SavePage(ctx, fetchedFor(big, clock.t), big)
	if err == nil {
		t.Fatal("SavePage succeeded on a full disk")
	}
	if sqliteCode(err) != sqlite3.SQLITE_FULL || !strings.Contains(err.Error(), "save page") {
		t.Errorf("error = %v (code %d), want wrapped SQLITE_FULL", err, sqliteCode(err))
	}
	if n := count(t, db, "posts"); n != 2 {
		t.Errorf("posts = %d after a failed save, want 2", n)
	}
	if n := count(t, db, "threads"); n != 1 {
		t.Errorf("threads = %d after a failed save, want 1", n)
	}
	if s := r.Stats(); s.PagesFetched != 1 {
		t.Errorf("stats counted the failed page: %+v", s)
	}
	// Space again: the same page saves.
	if _, err := db.write.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if st := mustSave(t, r, fetchedFor(big, clock.t), big); st.PostsNew != 200 {
		t.Errorf("after freeing space: %+v", st)
	}
}

func TestCorruptArchive(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "archive.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := startRun(t, db)
	for n := 1; n <= 5; n++ {
		p := makePage("42", n, 20, n*20)
		mustSave(t, r, fetchedFor(p, time.Now()), p)
	}
	db.Close()

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Keep the header page, scribble over everything after it.
	for i := 4096; i < len(b); i++ {
		b[i] = byte(i*7 + 3)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err == nil {
		defer db.Close()
		r, err = db.StartRun(ctx, "crawl", nil)
		if err == nil {
			p := makePage("42", 6, 2, 200)
			_, err = r.SavePage(ctx, fetchedFor(p, time.Now()), p)
		}
	}
	if err == nil {
		t.Fatal("corrupt archive: no error")
	}
	if c := sqliteCode(err); c != sqlite3.SQLITE_CORRUPT && c != sqlite3.SQLITE_NOTADB {
		t.Errorf("corrupt archive: %v (code %d), want a wrapped SQLITE_CORRUPT", err, c)
	}
	if !strings.Contains(err.Error(), "archive") && !strings.Contains(err.Error(), "save page") &&
		!strings.Contains(err.Error(), "start run") {
		t.Errorf("error lacks context: %v", err)
	}
}

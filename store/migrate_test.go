package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/forumarc/forumarc/migrations"
)

func TestMigrationNumberingHasNoGaps(t *testing.T) {
	migs, err := parseMigrations(migrations.FS)
	if err != nil {
		t.Fatalf("embedded migrations: %v", err)
	}
	names, _ := fs.Glob(migrations.FS, "*.sql")
	if len(migs) != len(names) || len(migs) < 3 {
		t.Fatalf("parsed %d migrations from %d files", len(migs), len(names))
	}
	for i, m := range migs {
		if m.version != i+1 || strings.TrimSpace(m.sql) == "" {
			t.Errorf("migration %d is %s (version %d)", i+1, m.name, m.version)
		}
	}
	if SchemaVersion() != len(migs) {
		t.Errorf("SchemaVersion() = %d, want %d", SchemaVersion(), len(migs))
	}

	bad := map[string]fstest.MapFS{
		"gap":       {"0001_a.sql": {Data: []byte("SELECT 1;")}, "0003_c.sql": {Data: []byte("SELECT 1;")}},
		"duplicate": {"0001_a.sql": {Data: []byte("SELECT 1;")}, "0001_b.sql": {Data: []byte("SELECT 1;")}},
		"no 0001":   {"0002_b.sql": {Data: []byte("SELECT 1;")}},
		"bad name":  {"0001_a.sql": {Data: []byte("SELECT 1;")}, "2_b.sql": {Data: []byte("SELECT 1;")}},
		"empty":     {},
	}
	for name, fsys := range bad {
		if _, err := parseMigrations(fsys); err == nil {
			t.Errorf("%s: parseMigrations accepted it", name)
		}
	}
}

// pragmaInt reads an integer pragma through a plain read-only connection.
func pragmaInt(t *testing.T, path, pragma string) int {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("PRAGMA " + pragma).Scan(&n); err != nil {
		t.Fatalf("PRAGMA %s: %v", pragma, err)
	}
	return n
}

func schemaDump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", fileURI(path, "mode=ro"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT type, name, COALESCE(sql, '') FROM sqlite_schema ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, s string
		if err := rows.Scan(&typ, &name, &s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(typ + " " + name + " " + s + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestOpenCreatesAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "archive.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	var mode string
	if err := db.write.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q %v, want wal", mode, err)
	}
	var fk, sync int
	if err := db.write.QueryRow("SELECT (SELECT foreign_keys FROM pragma_foreign_keys), (SELECT synchronous FROM pragma_synchronous)").Scan(&fk, &sync); err != nil || fk != 1 || sync != 1 {
		t.Errorf("foreign_keys = %d, synchronous = %d (%v), want 1 and 1 (NORMAL)", fk, sync, err)
	}
	var tempStore, queryOnly int
	if err := db.write.QueryRow("PRAGMA temp_store").Scan(&tempStore); err != nil || tempStore != 2 {
		t.Errorf("writer temp_store = %d %v, want 2 (memory)", tempStore, err)
	}
	if err := db.read.QueryRow("PRAGMA query_only").Scan(&queryOnly); err != nil || queryOnly != 1 {
		t.Errorf("read pool query_only = %d %v, want 1", queryOnly, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v := pragmaInt(t, path, "user_version"); v != SchemaVersion() {
		t.Errorf("user_version = %d, want %d", v, SchemaVersion())
	}
	if id := pragmaInt(t, path, "application_id"); id != ApplicationID {
		t.Errorf("application_id = %#x, want %#x", id, ApplicationID)
	}
	before := schemaDump(t, path)
	if !strings.Contains(before, "post_revisions") || !strings.Contains(before, "post_details") {
		t.Fatalf("schema lacks later migrations:\n%s", before)
	}

	// Migrating again is a no-op: same schema, same version, no error.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	migs, _ := loadMigrations()
	if err := migrate(ctx, db.write, path, migs); err != nil {
		t.Fatalf("migrate twice: %v", err)
	}
	db.Close()
	if after := schemaDump(t, path); after != before {
		t.Errorf("schema changed on re-open:\n%s\nvs\n%s", before, after)
	}
	if v := pragmaInt(t, path, "user_version"); v != SchemaVersion() {
		t.Errorf("user_version after re-open = %d", v)
	}
}

func TestOpenUpgradesOlderArchive(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "archive.db")
	raw, err := sql.Open("sqlite", writeDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	migs, _ := loadMigrations()
	if err := migrate(ctx, raw, path, migs[:1]); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if v := pragmaInt(t, path, "user_version"); v != 1 {
		t.Fatalf("user_version after migration 1 = %d", v)
	}
	// A read-only open of an older archive reads it as it is.
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatalf("OpenReadOnly of a schema-1 archive: %v", err)
	}
	ro.Close()
	if v := pragmaInt(t, path, "user_version"); v != 1 {
		t.Fatalf("OpenReadOnly migrated: user_version = %d", v)
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if v := pragmaInt(t, path, "user_version"); v != len(migs) {
		t.Errorf("user_version after upgrade = %d, want %d", v, len(migs))
	}
	if !strings.Contains(schemaDump(t, path), "deleted_at") {
		t.Error("migration 2 not applied")
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "archive.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	newer := SchemaVersion() + 1
	if _, err := db.write.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)

	_, err = Open(ctx, path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open of a schema-%d archive: %v, want ErrNewerSchema", newer, err)
	}
	want := fmt.Sprintf("archive.db was written by a newer forumarc (schema %d > %d); upgrade forumarc", newer, SchemaVersion())
	if err.Error() != want {
		t.Errorf("message %q lacks %q", err, want)
	}
	if _, err := OpenReadOnly(ctx, path); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("OpenReadOnly of a schema-7 archive: %v, want ErrNewerSchema", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("refused archive was modified")
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	makeSQLite := func(name string, stmts ...string) string {
		p := filepath.Join(dir, name)
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts {
			if _, err := db.Exec(s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		db.Close()
		return p
	}
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("these are my notes, not a database\n", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	header := filepath.Join(dir, "header-only.db")
	if err := os.WriteFile(header, append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xff}, 4080)...), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"text file":              text,
		"garbage after header":   header,
		"foreign tables":         makeSQLite("app.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO notes (body) VALUES ('hello')"),
		"foreign tables in WAL":  makeSQLite("wal.db", "PRAGMA journal_mode=WAL", "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)"),
		"other application_id":   makeSQLite("appid.db", "PRAGMA application_id = 1234"),
		"foreign user_version":   makeSQLite("uv.db", "PRAGMA user_version = 2"),
		"tables, user_version 0": makeSQLite("mixed.db", "CREATE TABLE t (x)", "PRAGMA user_version = 0"),
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			db, err := Open(ctx, path)
			if err == nil {
				db.Close()
				t.Fatal("Open accepted a foreign file")
			}
			if !errors.Is(err, ErrNotArchive) {
				t.Errorf("Open: %v, want ErrNotArchive", err)
			}
			if _, err := OpenReadOnly(ctx, path); !errors.Is(err, ErrNotArchive) {
				t.Errorf("OpenReadOnly: %v, want ErrNotArchive", err)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("foreign file was modified")
			}
		})
	}
}

func TestOpenEmptyFileAndMissing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(ctx, empty); !errors.Is(err, ErrNotArchive) {
		t.Errorf("OpenReadOnly(empty file): %v, want ErrNotArchive", err)
	}
	db, err := Open(ctx, empty)
	if err != nil {
		t.Fatalf("Open(empty file): %v", err)
	}
	db.Close()
	if v := pragmaInt(t, empty, "user_version"); v != SchemaVersion() {
		t.Errorf("empty file not initialised: user_version %d", v)
	}

	missing := filepath.Join(dir, "missing.db")
	if _, err := OpenReadOnly(ctx, missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenReadOnly(missing): %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Error("OpenReadOnly created the missing file")
	}
	if _, err := Open(ctx, filepath.Join(dir, "no-such-dir", "a.db")); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func TestOpenWhileAnotherWriterHoldsLock(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	tx, err := db.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO sites (base_url, first_seen_at, last_seen_at) VALUES ('https://a', 'x', 'x')`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	db2, err := Open(ctx, db.Path())
	if err != nil {
		t.Fatalf("second Open while the first holds the write lock: %v", err)
	}
	defer db2.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Open of an up-to-date archive waited %v for the write lock", d)
	}
	// A write from the second handle waits for the lock and gives up with the context.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := db2.StartRun(short, "crawl", nil); err == nil {
		t.Error("StartRun succeeded while another connection held the write lock")
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "my dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "odd ?name#1%20.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := startRun(t, db)
	p := makePage("1", 1, 1, 1)
	mustSave(t, r, fetchedFor(p, time.Now()), p)
	db.Close()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "odd ?name#1%20.db" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("files in dir = %q, want just the archive", names)
	}
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if st, err := ro.Thread(ctx, "https://forum.example", "1"); err != nil || !st.Found {
		t.Errorf("Thread after reopen = %+v %v", st, err)
	}
}

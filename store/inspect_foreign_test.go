package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Another application's WAL-mode database is refused and left as it was found: no
// -wal or -shm file is created beside it (they used to be, and stayed).
func TestOpenForeignWALDatabaseLeavesNoFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x')`); err != nil {
		t.Fatal(err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Lstat(path + suffix); err == nil {
			t.Fatalf("%s left by the other application itself: the test needs a cleanly closed database", suffix)
		}
	}
	before, _ := os.ReadFile(path)
	for _, open := range []func() error{
		func() error { db, err := Open(context.Background(), path); closeIf(db); return err },
		func() error { db, err := OpenReadOnly(context.Background(), path); closeIf(db); return err },
	} {
		if err := open(); !errors.Is(err, ErrNotArchive) {
			t.Fatalf("open of a foreign database: %v, want ErrNotArchive", err)
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Lstat(path + suffix); err == nil {
			t.Errorf("refusing the database left %s%s behind", filepath.Base(path), suffix)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the foreign database's file changed")
	}
}

func closeIf(db *DB) {
	if db != nil {
		db.Close()
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestOpenExistingRefusesToCreate: with Existing, Open creates nothing where no archive
// is (no file, an empty file, an empty SQLite database) and opens an archive that is.
func TestOpenExistingRefusesToCreate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	missing := filepath.Join(dir, "missing.db")
	if db, err := Open(ctx, missing, Existing()); err == nil || !errors.Is(err, fs.ErrNotExist) {
		if db != nil {
			db.Close()
		}
		t.Errorf("missing file: err %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file created by Open(Existing): %v", err)
	}

	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if db, err := Open(ctx, empty, Existing()); !errors.Is(err, ErrNotArchive) {
		if db != nil {
			db.Close()
		}
		t.Errorf("empty file: err %v, want ErrNotArchive", err)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("empty file changed by Open(Existing): %v, %v", fi, err)
	}

	emptyDB := filepath.Join(dir, "emptydb.db")
	conn, err := sql.Open("sqlite", emptyDB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("PRAGMA page_size = 4096; VACUUM"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if db, err := Open(ctx, emptyDB, Existing()); !errors.Is(err, ErrNotArchive) {
		if db != nil {
			db.Close()
		}
		t.Errorf("empty database: err %v, want ErrNotArchive", err)
	}

	archive := filepath.Join(dir, "a.db")
	db, err := Open(ctx, archive)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, archive, Existing())
	if err != nil {
		t.Fatalf("existing archive: %v", err)
	}
	db.Close()
}

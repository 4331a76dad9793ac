package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/forumarc/forumarc/migrations"
)

// migration is one numbered script of package migrations.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// loadMigrations reads the embedded scripts.
func loadMigrations() ([]migration, error) { return parseMigrations(migrations.FS) }

// parseMigrations reads NNNN_name.sql files from fsys in order and checks that the
// numbers run 1, 2, 3... without gaps or duplicates: user_version records only the last
// applied number, so a gap would silently skip a script on some archives.
func parseMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || !bytes.HasSuffix([]byte(e.Name()), []byte(".sql")) {
			continue
		}
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %04d (numbers must run from 0001 without gaps or duplicates)", m.name, i+1)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no migrations found")
	}
	return out, nil
}

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// fileState is what inspect found.
type fileState struct {
	exists    bool
	version   int  // PRAGMA user_version; 0 for a new or empty database
	immutable bool // read with immutable=1: see unwritableWAL
}

// inspect decides, without writing anything, whether abs may be opened: a missing or
// empty file is a new archive (allowed only when create), a SQLite file must carry our
// application_id, or be an empty database (no tables, user_version 0). It opens the
// file with mode=ro and no pragmas, so even a foreign database is left byte-identical.
func inspect(ctx context.Context, abs string, create bool, latest int) (fileState, error) {
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !create {
			return fileState{}, fmt.Errorf("open archive %s: %w", abs, err)
		}
		return fileState{}, checkDir(abs)
	case err != nil:
		return fileState{}, fmt.Errorf("open archive %s: %w", abs, err)
	case fi.IsDir():
		return fileState{}, fmt.Errorf("open archive %s: is a directory", abs)
	case fi.Size() == 0:
		if !create {
			return fileState{}, fmt.Errorf("open archive %s: %w (empty file)", abs, ErrNotArchive)
		}
		return fileState{}, nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return fileState{}, fmt.Errorf("open archive %s: %w", abs, err)
	}
	head := make([]byte, 100)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head[:16], sqliteMagic) {
		return fileState{}, fmt.Errorf("open archive %s: %w (not an SQLite database)", abs, ErrNotArchive)
	}

	// Ask SQLite rather than trusting the header: in WAL mode the newest header may
	// still be in the -wal file.
	var appID, version, tables int
	immutable := false
	// With no -wal file beside it, the file holds every committed transaction: read it
	// with immutable=1, which creates no -wal and -shm files (a foreign WAL-mode
	// database that is refused is left without them, as it was found).
	_, werr := os.Lstat(abs + "-wal")
	noWAL := errors.Is(werr, fs.ErrNotExist)
	err = inspectQuery(ctx, abs, noWAL, &appID, &version, &tables)
	if err != nil && unwritableWAL(abs, err) {
		immutable = true
		err = inspectQuery(ctx, abs, true, &appID, &version, &tables)
	}
	if err != nil {
		return fileState{}, fmt.Errorf("open archive %s: %w", abs, classify(err))
	}
	st := fileState{exists: true, version: version, immutable: immutable}
	switch {
	case appID == ApplicationID:
		if version > latest {
			return st, &newerSchemaError{file: fileBase(abs), have: version, want: latest}
		}
		if noWAL && !immutable {
			// Read with immutable=1 above: whether the read pools need it too (a
			// directory where SQLite cannot create the -shm file) shows only without it.
			var a, v, n int
			if err := inspectQuery(ctx, abs, false, &a, &v, &n); err != nil && unwritableWAL(abs, err) {
				st.immutable = true
			}
		}
		return st, nil
	case appID == 0 && version == 0 && tables == 0:
		if !create {
			return st, fmt.Errorf("open archive %s: %w (empty database)", abs, ErrNotArchive)
		}
		return st, nil
	default:
		return st, fmt.Errorf("open archive %s: %w (application_id %#x, user_version %d, %d schema objects)",
			abs, ErrNotArchive, appID, version, tables)
	}
}

// inspectQuery reads the application id, schema version and number of schema objects
// of abs with mode=ro and no pragmas (immutable: see unwritableWAL).
func inspectQuery(ctx context.Context, abs string, immutable bool, appID, version, tables *int) error {
	q := fmt.Sprintf("mode=ro&_pragma=busy_timeout(%d)", busyTimeoutMS)
	if immutable {
		q += "&immutable=1"
	}
	db, err := sql.Open("sqlite", fileURI(abs, q))
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version),
		(SELECT count(*) FROM sqlite_schema)`).Scan(appID, version, tables)
}

// unwritableWAL reports whether err is SQLite failing to read a WAL-mode archive
// because it cannot create the -wal and -shm files next to it (the directory is not
// writable), while no -wal file exists. Then nothing has the archive open for writing
// (a writer keeps its -wal file while it runs), the file holds every committed
// transaction, and it can be read with immutable=1, which needs neither file.
func unwritableWAL(abs string, err error) bool {
	switch sqliteExtCode(err) {
	case sqlite3.SQLITE_READONLY_DIRECTORY, sqlite3.SQLITE_READONLY_CANTINIT, sqlite3.SQLITE_CANTOPEN:
	default:
		return false
	}
	_, serr := os.Lstat(abs + "-wal")
	return errors.Is(serr, fs.ErrNotExist)
}

// checkDir explains why a new archive cannot be created at abs when its directory is
// missing: SQLite only says "unable to open database file".
func checkDir(abs string) error {
	dir := filepath.Dir(abs)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("open archive %s: directory %s does not exist (create it first)", abs, dir)
	case err == nil && !fi.IsDir():
		return fmt.Errorf("open archive %s: %s is not a directory", abs, dir)
	}
	return nil
}

// migrate applies the scripts newer than the archive's user_version, each with its
// version bump in one BEGIN IMMEDIATE transaction, so a crash leaves the archive at a
// whole version. The version is re-read inside each transaction, so two processes
// opening the same new file do not both apply a script.
func migrate(ctx context.Context, db *sql.DB, abs string, migs []migration) error {
	// Up to date: no write lock taken, so opening an archive a crawl is writing to
	// does not wait for it.
	var appID, version int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version)`).Scan(&appID, &version); err != nil {
		return fmt.Errorf("migrate %s: read schema version: %w", fileBase(abs), classify(err))
	}
	if appID == ApplicationID && version == len(migs) {
		return nil
	}
	for _, m := range migs {
		if err := applyMigration(ctx, db, abs, m, len(migs)); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, abs string, m migration, latest int) (err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE through _txlock
	if err != nil {
		return fmt.Errorf("migrate %s to %d: %w", fileBase(abs), m.version, classify(err))
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var appID, version int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT application_id FROM pragma_application_id),
		(SELECT user_version FROM pragma_user_version)`).Scan(&appID, &version); err != nil {
		return fmt.Errorf("migrate %s: read schema version: %w", fileBase(abs), classify(err))
	}
	if appID != ApplicationID && !(appID == 0 && version == 0) {
		return fmt.Errorf("migrate %s: %w (application_id %#x)", abs, ErrNotArchive, appID)
	}
	if version > latest {
		return &newerSchemaError{file: fileBase(abs), have: version, want: latest}
	}
	if version >= m.version {
		return tx.Rollback()
	}
	if version != m.version-1 {
		return fmt.Errorf("migrate %s: schema %d cannot take migration %s", fileBase(abs), version, m.name)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migrate %s: apply %s: %w", fileBase(abs), m.name, classify(err))
	}
	// PRAGMA values cannot be bound parameters; both are integers we format.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return fmt.Errorf("migrate %s: set user_version %d: %w", fileBase(abs), m.version, err)
	}
	if appID != ApplicationID {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
			return fmt.Errorf("migrate %s: set application_id: %w", fileBase(abs), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: commit %s: %w", fileBase(abs), m.name, classify(err))
	}
	return nil
}

// SchemaVersion is the schema version this binary writes (the newest migration).
func SchemaVersion() int {
	migs, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(migs)
}

// newerSchemaError is ErrNewerSchema with the numbers, worded for the person who has to
// upgrade.
type newerSchemaError struct {
	file       string
	have, want int
}

func (e *newerSchemaError) Error() string {
	return fmt.Sprintf("%s was written by a newer forumarc (schema %d > %d); upgrade forumarc", e.file, e.have, e.want)
}

func (e *newerSchemaError) Is(target error) bool { return target == ErrNewerSchema }

// Package store keeps forumarc's archive: one SQLite file holding sites, threads,
// authors, posts (with full-text search and history) and the raw pages they came from.
//
// The package knows SQL and nothing of HTML; the scraper hands it plain values through
// the scraper.Sink interface that *Run implements. Writes go through a single
// connection (SQLite allows one writer at a time, so a pool would only queue on locks)
// and every exported write method is one transaction; reads use a separate read-only
// pool so a long query never blocks a crawl, and WAL mode lets both run at once.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ApplicationID marks a SQLite file as a forumarc archive (PRAGMA application_id,
// "FARC" in ASCII), so Open can tell its own files from other SQLite databases and
// never migrates someone else's.
const ApplicationID = 0x46415243

// busyTimeoutMS is how long a connection waits for another process's lock before
// SQLITE_BUSY: long enough for a concurrent crawl's transaction to commit.
const busyTimeoutMS = 10000

// Sentinel errors callers branch on; errors.Is works on what Open, OpenReadOnly and
// Query return.
var (
	// ErrNewerSchema: the file was migrated by a newer forumarc; this binary would not
	// understand it, so it refuses instead of guessing.
	ErrNewerSchema = errors.New("archive schema is newer than this forumarc")
	// ErrNotArchive: the file is not SQLite, or is a SQLite database of another
	// application. Such a file is never modified.
	ErrNotArchive = errors.New("not a forumarc archive")
	// ErrReadOnly: a write was attempted on the read-only side (Query, or a DB from
	// OpenReadOnly).
	ErrReadOnly = errors.New("the archive is opened read-only; write statements are refused")
	// ErrStorage: the disk is full, the file is corrupt or cannot be written. What was
	// committed before stays; the failed transaction left nothing behind.
	ErrStorage = errors.New("the archive cannot be written (disk full, corrupt file or I/O error)")
)

// DB is an open archive. It is safe for concurrent use.
type DB struct {
	path  string
	now   func() time.Time
	write *sql.DB // nil when opened read-only; exactly one connection
	read  *sql.DB // read-only pool (mode=ro, query_only, authorizer)
	snap  *sql.DB // like read, but allows BEGIN: internal multi-statement snapshots

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared on write, reused by transactions (stmt.go)
	wanted map[string]bool      // first seen inside a transaction: prepare when it ends
	rstmts map[string]*sql.Stmt // prepared on the read pool (readRow)

	txMu    sync.Mutex // group commit (tx.go)
	txQueue []*txJob
	txBusy  bool         // a caller is committing; the others wait in txQueue
	commits atomic.Int64 // transactions committed on the writer
	// committed is what afterCommit queued for the transaction being written; only
	// the goroutine committing a batch touches it.
	committed []func()

	closing   chan struct{} // closed by Close: ends the runs' heartbeats (Open only)
	closeOnce sync.Once

	existing bool // Existing: refuse to create the archive
}

// Option configures Open.
type Option func(*DB)

// WithNow injects the clock used for first_seen/last_seen and run timestamps, so
// tests produce deterministic rows.
func WithNow(now func() time.Time) Option {
	return func(db *DB) {
		if now != nil {
			db.now = now
		}
	}
}

// Existing makes Open refuse a path that holds no archive yet (no file, an empty file
// or an empty SQLite database) instead of creating one there, as OpenReadOnly does:
// for commands that only make sense on an archive already in use. A missing file is
// an error that errors.Is matches with fs.ErrNotExist; an empty one is ErrNotArchive.
func Existing() Option { return func(db *DB) { db.existing = true } }

// Open opens the archive at path for reading and writing, creating it when missing
// (unless Existing is given) and applying pending migrations. A file that is not a
// forumarc archive is refused with ErrNotArchive and left untouched; one written by a
// newer forumarc with ErrNewerSchema.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open archive %s: %w", path, err)
	}
	db := &DB{path: abs, now: time.Now, stmts: map[string]*sql.Stmt{}, rstmts: map[string]*sql.Stmt{},
		closing: make(chan struct{})}
	for _, o := range opts {
		o(db)
	}
	migs, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	// Inspect before opening the writer: the writer's DSN switches the file to WAL,
	// which would already modify a foreign database.
	st, err := inspect(ctx, abs, !db.existing, len(migs))
	if err != nil {
		return nil, err
	}
	db.write, err = sql.Open("sqlite", writeDSN(abs))
	if err != nil {
		return nil, fmt.Errorf("open archive %s: %w", abs, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	if err := db.write.PingContext(ctx); err != nil {
		db.write.Close()
		if sqliteCode(err) == sqlite3.SQLITE_READONLY { // not ErrReadOnly: nobody asked for read-only
			return nil, fmt.Errorf("open archive %s: the file or its directory is not writable (commands that only read, like status, jobs list and query, still work): %w", abs, err)
		}
		if !st.exists && sqliteCode(err) == sqlite3.SQLITE_CANTOPEN {
			return nil, fmt.Errorf("open archive %s: cannot create it in %s (is the directory writable?): %w", abs, filepath.Dir(abs), err)
		}
		return nil, fmt.Errorf("open archive %s: %w", abs, classify(err))
	}
	if err := migrate(ctx, db.write, abs, migs); err != nil {
		db.write.Close()
		return nil, err
	}
	db.read, err = openReadPool(abs)
	if err != nil {
		db.Close()
		return nil, err
	}
	if db.snap, err = openSnapshotPool(abs); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenReadOnly opens an existing archive for reading only (mode=ro and query_only), for
// commands like query and export that must not change it. It never migrates: an older
// archive is read as it is, a newer one is refused with ErrNewerSchema.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open archive %s: %w", path, err)
	}
	migs, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	st, err := inspect(ctx, abs, false, len(migs))
	if err != nil {
		return nil, err
	}
	db := &DB{path: abs, now: time.Now, stmts: map[string]*sql.Stmt{}, rstmts: map[string]*sql.Stmt{}}
	dsn := readDSN(abs)
	if st.immutable { // a read-only directory: see unwritableWAL
		dsn += "&immutable=1"
	}
	db.read, err = openReadOnlyPool(abs, dsn, false, 4)
	if err != nil {
		return nil, err
	}
	if db.snap, err = openReadOnlyPool(abs, dsn, true, 2); err != nil {
		db.read.Close()
		return nil, err
	}
	if err := db.read.PingContext(ctx); err != nil {
		db.read.Close()
		return nil, fmt.Errorf("open archive %s: %w", abs, classify(err))
	}
	return db, nil
}

// Close closes both pools. A WAL checkpoint happens when the last connection closes.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.closing != nil {
			close(db.closing)
		}
	})
	var errs []error
	db.stmtMu.Lock()
	for _, m := range []map[string]*sql.Stmt{db.stmts, db.rstmts} {
		for k, s := range m {
			errs = append(errs, s.Close())
			delete(m, k)
		}
	}
	db.stmtMu.Unlock()
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.snap != nil {
		errs = append(errs, db.snap.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close archive %s: %w", db.path, err)
	}
	return nil
}

// Path is the absolute path of the archive file, for messages and logs.
func (db *DB) Path() string { return db.path }

// ReadOnly reports whether db came from OpenReadOnly.
func (db *DB) ReadOnly() bool { return db.write == nil }

// fileURI turns a path into a SQLite file: URI with the query q; the path is escaped so
// names containing '?', '#' or '%' still address the right file.
func fileURI(abs string, q string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q}
	return u.String()
}

// writeDSN configures the single writer connection:
//   - busy_timeout first, so nothing after it fails on another process's lock;
//   - WAL, so readers (a `forumarc query` next to a crawl) never block the writer;
//   - synchronous NORMAL: a commit survives a process crash, fsync only at checkpoints;
//   - foreign_keys on;
//   - temp_store MEMORY: every multi-row statement in a transaction keeps a statement
//     journal, on disk that was ~10% of SavePage's time;
//   - wal_autocheckpoint 4000 pages (16 MB): pages rewritten by every commit (FTS
//     structure, b-tree interiors, run counters) are copied back 4x less often, +20%
//     posts/s in BenchmarkSavePosts;
//   - _txlock=immediate: every transaction takes the write lock at BEGIN, so a
//     read-then-write transaction never fails with SQLITE_BUSY half-way.
func writeDSN(abs string) string {
	q := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"+
		"&_pragma=foreign_keys(1)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(4000)&_txlock=immediate",
		busyTimeoutMS)
	return fileURI(abs, q)
}

// readDSN configures the read pool: mode=ro (SQLite refuses every write and never
// creates the file) plus query_only, and the authorizer installed by readOnlyConnector.
func readDSN(abs string) string {
	q := fmt.Sprintf("mode=ro&_pragma=busy_timeout(%d)&_query_only=1", busyTimeoutMS)
	return fileURI(abs, q)
}

func openReadPool(abs string) (*sql.DB, error) {
	return openReadOnlyPool(abs, readDSN(abs), false, 4)
}

// openSnapshotPool is the pool for forumarc's own read transactions (exports read
// every thread from one snapshot). Users' SQL never runs on it, so a transaction can
// not be left open on a pooled connection.
func openSnapshotPool(abs string) (*sql.DB, error) {
	return openReadOnlyPool(abs, readDSN(abs), true, 2)
}

func openReadOnlyPool(abs, dsn string, allowTx bool, conns int) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open archive %s for reading: %w", abs, err)
	}
	rdb := sql.OpenDB(readOnlyConnector{Connector: c, allowTx: allowTx})
	rdb.SetMaxOpenConns(conns)
	rdb.SetMaxIdleConns(conns)
	return rdb, nil
}

// sqliteCode is the primary result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// sqliteExtCode is the extended result code of a SQLite error, or 0.
func sqliteExtCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// classify attaches the sentinels callers branch on to SQLite errors: a file that is
// not a database becomes ErrNotArchive, a refused write ErrReadOnly. Other errors
// (SQLITE_CORRUPT, SQLITE_FULL, I/O) are returned as they are, for wrapping.
func classify(err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w: %w", ErrNotArchive, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_AUTH:
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("%w: %w", ErrStorage, err)
	}
	return err
}

// stamp formats t the way the schema stores timestamps: RFC 3339, UTC, seconds.
func stamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// stampPtr is stamp for optional times: nil stays NULL.
func stampPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return stamp(*t)
}

func (db *DB) stampNow() string { return stamp(db.now()) }

// fileBase is the file name shown in messages meant for people.
func fileBase(abs string) string { return filepath.Base(abs) }

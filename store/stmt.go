package store

import (
	"context"
	"database/sql"
)

// maxCachedStmts bounds the statements kept prepared per pool. The store's SQL is a
// fixed set of constants plus multi-row INSERTs of up to insertChunk rows, so the
// bound is only a guard against a future caller building SQL from data.
const maxCachedStmts = 512

// stmt returns query bound to tx. SQLite compiles SQL text on every ad-hoc Exec or
// Query (with modernc that was 6% of a crawl's CPU), so each query is prepared once
// on the writer and reused by every later transaction. A query seen for the first
// time is prepared on tx for this use only and queued: the writer's single
// connection belongs to tx until it ends, and inTx prepares the queue afterwards.
func (db *DB) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	db.stmtMu.Lock()
	s, ok := db.stmts[query]
	if !ok && len(db.stmts)+len(db.wanted) < maxCachedStmts {
		if db.wanted == nil {
			db.wanted = map[string]bool{}
		}
		db.wanted[query] = true
	}
	db.stmtMu.Unlock()
	if ok {
		return tx.StmtContext(ctx, s), nil
	}
	return tx.PrepareContext(ctx, query)
}

// exec runs a write statement of the store's own SQL inside tx.
func (db *DB) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// query runs a SELECT (or a write with RETURNING) inside tx; the caller closes rows.
func (db *DB) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// queryRow is QueryRowContext through the cache. When preparing fails, the plain call
// reports the same error through Scan, so callers keep one error path.
func (db *DB) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		return tx.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// prepareWanted prepares on the writer the queries first seen inside a transaction,
// once that transaction has given the connection back. A failure only means the
// query is compiled per use a while longer: it is retried after the next transaction.
func (db *DB) prepareWanted(ctx context.Context) {
	db.stmtMu.Lock()
	if len(db.wanted) == 0 {
		db.stmtMu.Unlock()
		return
	}
	queries := make([]string, 0, len(db.wanted))
	for q := range db.wanted {
		queries = append(queries, q)
	}
	clear(db.wanted)
	db.stmtMu.Unlock()
	for _, q := range queries {
		s, err := db.write.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		db.stmtMu.Lock()
		if _, ok := db.stmts[q]; ok {
			s.Close()
		} else {
			db.stmts[q] = s
		}
		db.stmtMu.Unlock()
	}
}

// readRow runs one of the store's own SELECTs on the read pool through statements
// prepared once per pool (database/sql prepares them again on each pooled connection
// as needed): a resume check per thread otherwise compiles its SQL, and runs the read
// pool's authorizer over it, every time.
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	db.stmtMu.Lock()
	s, ok := db.rstmts[query]
	full := len(db.rstmts) >= maxCachedStmts
	db.stmtMu.Unlock()
	if !ok {
		if full {
			return db.read.QueryRowContext(ctx, query, args...)
		}
		prepared, err := db.read.PrepareContext(ctx, query)
		if err != nil {
			return db.read.QueryRowContext(ctx, query, args...) // reports err through Scan
		}
		db.stmtMu.Lock()
		if s, ok = db.rstmts[query]; ok {
			prepared.Close() // another caller prepared it meanwhile
		} else {
			db.rstmts[query], s = prepared, prepared
		}
		db.stmtMu.Unlock()
	}
	return s.QueryRowContext(ctx, args...)
}

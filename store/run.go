package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/forumarc/forumarc/scraper"
)

// The crawl loop writes through a Run, so every page and error is counted against the
// crawl_runs row that explains where it came from.
var _ scraper.Sink = (*Run)(nil)

// RunStats are a run's counters as committed so far.
type RunStats struct {
	ID           int64
	PagesFetched int
	PostsNew     int
	PostsUpdated int
	Errors       int
}

// Run is one crawl (a crawl_runs row). It implements scraper.Sink and is safe for
// concurrent use.
type Run struct {
	db *DB
	id int64

	mu    sync.Mutex
	stats RunStats
}

// Run statuses accepted by Finish; "running" is set by StartRun.
const (
	StatusRunning     = "running"
	StatusOK          = "ok"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

// StartRun records the start of a crawl: the command and its arguments (JSON array),
// started_at and status "running" until Finish.
func (db *DB) StartRun(ctx context.Context, command string, args []string) (*Run, error) {
	if db.write == nil {
		return nil, fmt.Errorf("start run: %w", ErrReadOnly)
	}
	if args == nil {
		args = []string{}
	}
	a, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	var id int64
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			`INSERT INTO crawl_runs (command, args, started_at, status) VALUES (?, ?, ?, ?) RETURNING id`,
			command, string(a), db.stampNow(), StatusRunning).Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	return &Run{db: db, id: id, stats: RunStats{ID: id}}, nil
}

// ID is the crawl_runs row id.
func (r *Run) ID() int64 { return r.id }

// Stats returns the counters of everything this run committed.
func (r *Run) Stats() RunStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Finish records how the run ended ("ok", "failed" or "interrupted") and when, so an
// interrupted crawl is visible in the archive rather than looking like it is still on.
func (r *Run) Finish(ctx context.Context, status string) error {
	switch status {
	case StatusOK, StatusFailed, StatusInterrupted:
	default:
		return fmt.Errorf("finish run %d: unknown status %q (want ok, failed or interrupted)", r.id, status)
	}
	err := r.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE crawl_runs SET status = ?, finished_at = ? WHERE id = ?`,
			status, r.db.stampNow(), r.id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("no crawl_runs row %d", r.id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish run %d: %w", r.id, err)
	}
	return nil
}

// RecordDeferral stores why work was put back for a later run (a host paused, its
// robots.txt unavailable) in crawl_errors, so status shows it among recent errors.
// Unlike RecordError it is not counted as a failed page.
func (r *Run) RecordDeferral(ctx context.Context, url, message string) error {
	err := r.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := r.db.exec(ctx, tx, `INSERT INTO crawl_errors (run_id, url, message, at) VALUES (?, ?, ?, ?)`,
			r.id, url, message, r.db.stampNow())
		return err
	})
	if err != nil {
		return fmt.Errorf("record deferral for %s: %w", url, err)
	}
	return nil
}

// RecordError stores a page that failed after its retries (crawl_errors) and counts it
// on the run, whose exit code follows the count.
func (r *Run) RecordError(ctx context.Context, url string, cause error) error {
	msg := "unknown error"
	if cause != nil {
		msg = cause.Error()
	}
	err := r.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := r.db.exec(ctx, tx, `INSERT INTO crawl_errors (run_id, url, message, at) VALUES (?, ?, ?, ?)`,
			r.id, url, msg, r.db.stampNow()); err != nil {
			return err
		}
		_, err := r.db.exec(ctx, tx, `UPDATE crawl_runs SET errors = errors + 1 WHERE id = ?`, r.id)
		return err
	})
	if err != nil {
		return fmt.Errorf("record error for %s: %w", url, err)
	}
	r.mu.Lock()
	r.stats.Errors++
	r.mu.Unlock()
	return nil
}

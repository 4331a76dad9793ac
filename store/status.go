package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"
)

// RunInfo is one crawl_runs row, for `forumarc status` and for finding the run a
// scheduled job started.
type RunInfo struct {
	ID           int64      `json:"id"`
	Command      string     `json:"command"`
	Args         []string   `json:"args"`
	StartedAt    time.Time  `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	Status       string     `json:"status"`
	PagesFetched int        `json:"pages_fetched"`
	PostsNew     int        `json:"posts_new"`
	PostsUpdated int        `json:"posts_updated"`
	Errors       int        `json:"errors"`
}

// ErrorInfo is one crawl_errors row: a page that failed after its retries. Message
// does not repeat URL at its start.
type ErrorInfo struct {
	RunID   int64     `json:"run_id"`
	URL     string    `json:"url"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

// RecentRuns returns the last limit runs, newest first. Read-only.
func (db *DB) RecentRuns(ctx context.Context, limit int) ([]RunInfo, error) {
	return db.queryRuns(ctx, `SELECT id, command, args, started_at, finished_at, status,
		pages_fetched, posts_new, posts_updated, errors FROM crawl_runs ORDER BY id DESC LIMIT ?`, limit)
}

// RunsAfter returns the runs with an id greater than after, oldest first: a scheduler
// notes the last id before it starts a crawl and so finds the crawl's own run.
func (db *DB) RunsAfter(ctx context.Context, after int64) ([]RunInfo, error) {
	return db.queryRuns(ctx, `SELECT id, command, args, started_at, finished_at, status,
		pages_fetched, posts_new, posts_updated, errors FROM crawl_runs WHERE id > ? ORDER BY id`, after)
}

// LastRunID is the id of the newest crawl_runs row, 0 when there is none.
func (db *DB) LastRunID(ctx context.Context) (int64, error) {
	var id int64
	if err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM crawl_runs`).Scan(&id); err != nil {
		return 0, fmt.Errorf("last run id: %w", classify(err))
	}
	return id, nil
}

func (db *DB) queryRuns(ctx context.Context, q string, arg any) ([]RunInfo, error) {
	rows, err := db.read.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, fmt.Errorf("read runs: %w", classify(err))
	}
	defer rows.Close()
	var out []RunInfo
	for rows.Next() {
		var (
			r        RunInfo
			args     sql.NullString
			started  string
			finished sql.NullString
		)
		if err := rows.Scan(&r.ID, &r.Command, &args, &started, &finished, &r.Status,
			&r.PagesFetched, &r.PostsNew, &r.PostsUpdated, &r.Errors); err != nil {
			return nil, fmt.Errorf("read runs: %w", err)
		}
		r.Args = []string{}
		if args.Valid && args.String != "" {
			_ = json.Unmarshal([]byte(args.String), &r.Args) // args are informational
		}
		r.StartedAt = parseStampUTC(started)
		if finished.Valid {
			t := parseStampUTC(finished.String)
			r.FinishedAt = &t
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read runs: %w", err)
	}
	return out, nil
}

// RecentErrors returns the last limit crawl errors, newest first. Read-only.
func (db *DB) RecentErrors(ctx context.Context, limit int) ([]ErrorInfo, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT coalesce(run_id, 0), url, message, at FROM crawl_errors
		ORDER BY at DESC, rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read crawl errors: %w", classify(err))
	}
	defer rows.Close()
	var out []ErrorInfo
	for rows.Next() {
		var e ErrorInfo
		var at string
		if err := rows.Scan(&e.RunID, &e.URL, &e.Message, &at); err != nil {
			return nil, fmt.Errorf("read crawl errors: %w", err)
		}
		e.At = parseStampUTC(at)
		e.Message = errorMessage(e.URL, e.Message) // a row written before RecordError left it out
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read crawl errors: %w", err)
	}
	return out, nil
}

// errorMessage is a crawl_errors message for the page url: msg without a leading
// "url: ", which the row's url column says already. Only exactly that prefix is
// dropped, and only when something follows it.
func errorMessage(url, msg string) string {
	if url == "" {
		return msg
	}
	if rest, ok := strings.CutPrefix(msg, url+": "); ok && rest != "" {
		return rest
	}
	return msg
}

// DeadRuns reports the runs left "running" by processes that died (see deadRuns for
// how a process is proved dead), with when each was last seen alive. Read-only:
// `status` shows them interrupted before the next run that starts marks them so. An
// archive from before migration 0009 records no process for its runs, so nothing
// there is known dead (only the crawl lock tells, see DeadLockRun).
func (db *DB) DeadRuns(ctx context.Context) ([]DeadRun, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('crawl_runs')
		WHERE name IN ('pid', 'host', 'heartbeat_at')`).Scan(&n); err != nil {
		return nil, fmt.Errorf("inspect archive: %w", classify(err))
	}
	if n < 3 {
		return nil, nil
	}
	withLock, err := db.HasCrawlTables(ctx)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return deadRuns(ctx, db.read, withLock, host, db.now(), db.stampNow())
}

// HasCrawlTables reports whether the archive has the crawl tables (migration 0004):
// a read-only open never migrates, so `status` on an older archive shows what exists.
func (db *DB) HasCrawlTables(ctx context.Context) (bool, error) {
	return db.archiveHasTable(ctx, "crawl_lock")
}

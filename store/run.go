package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

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
	// Recovered lists the runs of processes that died which StartRun marked
	// interrupted (see deadRuns), for the caller to log.
	Recovered []int64

	db   *DB
	id   int64
	seen *seenCache // rows this run wrote, whose repeated upserts it skips

	mu    sync.Mutex
	stats RunStats

	beat     atomic.Int64 // time.Now().UnixNano() of the last write of heartbeat_at
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// Run statuses accepted by Finish; "running" is set by StartRun.
const (
	StatusRunning     = "running"
	StatusOK          = "ok"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
)

// StartRun records the start of a crawl: the command and its arguments (JSON array),
// started_at and status "running" until Finish, and the process writing it (pid, host)
// with heartbeat_at, which the run's counter updates refresh (and a timer when no page
// is saved for a while), so another process can tell when this one died. In the same
// transaction it marks the runs of processes that died interrupted (Recovered).
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
	host, _ := os.Hostname()
	var (
		id        int64
		recovered []int64
	)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.stampNow()
		var err error
		if recovered, err = endDeadProcessRuns(ctx, tx, host, db.now(), now); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx,
			`INSERT INTO crawl_runs (command, args, started_at, status, pid, host, heartbeat_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			command, string(a), now, StatusRunning, os.Getpid(), nullStr(host), now).Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	r := &Run{db: db, id: id, seen: newSeenCache(), stats: RunStats{ID: id}, Recovered: recovered,
		stop: make(chan struct{}), done: make(chan struct{})}
	r.beaten()
	go r.keepAlive(runHeartbeat)
	return r, nil
}

// runHeartbeat is how often keepAlive looks at a run's heartbeat (tests shorten it).
var runHeartbeat = LockHeartbeat

// sqlBeat refreshes a run's heartbeat when none of its counters changed for a while.
const sqlBeat = `UPDATE crawl_runs SET heartbeat_at = ? WHERE id = ? AND status = 'running'`

// sqlRevive puts back to running a run of this live process that another process
// marked interrupted: it looked dead (suspended longer than LockStale: a laptop that
// slept, SIGSTOP), but it is going on.
const sqlRevive = `UPDATE crawl_runs SET status = 'running', finished_at = NULL WHERE id = ? AND status = 'interrupted'`

// keepAlive refreshes heartbeat_at while the run saves nothing (a slow page waiting out
// its retries, a crawl reading listings), so it never looks older than LockStale to
// another host while this process lives. Every period it writes, unless a counter
// update refreshed the heartbeat in the last half period, and it puts the run back to
// running if another process marked it interrupted meanwhile (sqlRevive).
func (r *Run) keepAlive(period time.Duration) {
	defer close(r.done)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-r.db.closing:
			return
		case <-t.C:
			fresh := time.Since(time.Unix(0, r.beat.Load())) < period/2
			if err := r.db.inTx(context.Background(), func(tx *sql.Tx) error {
				if _, err := tx.Exec(sqlRevive, r.id); err != nil {
					return err
				}
				if err := r.seen.flushSeen(context.Background(), r.db, tx); err != nil || fresh {
					return err
				}
				_, err := tx.Exec(sqlBeat, r.db.stampNow(), r.id)
				return err
			}); err == nil && !fresh {
				r.beat.Store(time.Now().UnixNano())
			}
		}
	}
}

// beaten notes that a committed write of this run set heartbeat_at.
func (r *Run) beaten() { r.beat.Store(time.Now().UnixNano()) }

// stopKeepAlive ends keepAlive (runs of a dry run have none).
func (r *Run) stopKeepAlive() {
	if r.stop == nil {
		return
	}
	r.stopOnce.Do(func() { close(r.stop) })
	<-r.done
}

// runOwner is what a "running" crawl_runs row says about the process writing it.
type runOwner struct {
	id            int64
	pid           sql.NullInt64
	host          sql.NullString
	beat, started string // heartbeat_at ("" when NULL), started_at
}

// queryer is a *sql.Tx (a write transaction) or the read pool.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// deadRuns returns the runs left "running" whose process is gone, each with the last
// time it was seen alive (its heartbeat, else nowStamp; never before its start). See
// runAlive for the rules.
func deadRuns(ctx context.Context, q queryer, withLock bool, host string, now time.Time, nowStamp string) ([]DeadRun, error) {
	var live *LockedError
	if withLock {
		var l LockedError
		var beat string
		err := q.QueryRowContext(ctx, `SELECT coalesce(run_id, 0), pid, host, command, started_at, heartbeat_at FROM crawl_lock WHERE id = 1`).
			Scan(&l.RunID, &l.PID, &l.Host, &l.Command, &l.StartedAt, &beat)
		switch {
		case err == nil:
			if !lockAbandoned(l, beat, host, now) {
				live = &l
			}
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("crawl lock: %w", classify(err))
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT id, pid, host, coalesce(heartbeat_at, ''), started_at
		FROM crawl_runs WHERE status = ?`, StatusRunning)
	if err != nil {
		return nil, fmt.Errorf("running runs: %w", classify(err))
	}
	defer rows.Close()
	var out []DeadRun
	for rows.Next() {
		var o runOwner
		if err := rows.Scan(&o.id, &o.pid, &o.host, &o.beat, &o.started); err != nil {
			return nil, fmt.Errorf("running runs: %w", err)
		}
		if runAlive(o, live, host, now) {
			continue
		}
		last := o.beat
		if last == "" {
			last = nowStamp
		}
		out = append(out, DeadRun{RunID: o.id, LastSeen: parseStampUTC(max(last, o.started))})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("running runs: %w", err)
	}
	return out, nil
}

// runAlive applies deadRuns' rules to one run; live is the crawl lock when its holder
// is alive. A run is alive when the live lock holder writes it (the run the lock names,
// or, before SetRun names one, any run of the holder's pid on its host). Otherwise it
// is alive while its heartbeat (its start when it has none) is at most LockStale old,
// and, on this host, its pid is alive too: a dead pid proves the run dead at once, but
// a live one proves nothing by itself, as pids are reused (in a container every
// forumarc is pid 1 under the same host name, this process included). A live run
// refreshes its heartbeat at least every 1.5 runHeartbeat (see keepAlive), well within
// LockStale. Runs of another host, or from before migration 0009 (no pid), go by the
// heartbeat alone.
func runAlive(o runOwner, live *LockedError, host string, now time.Time) bool {
	if live != nil && (live.RunID == o.id || (live.RunID == 0 &&
		o.pid.Valid && o.host.Valid && int(o.pid.Int64) == live.PID && o.host.String == live.Host)) {
		return true
	}
	if o.pid.Valid && o.host.Valid && o.host.String == host && !processAlive(int(o.pid.Int64)) {
		return false
	}
	last := o.beat
	if last == "" {
		last = o.started
	}
	t, err := time.Parse(time.RFC3339, last)
	return err == nil && now.Sub(t) <= LockStale
}

// endDeadProcessRuns marks the runs deadRuns finds interrupted, inside tx, with
// finished_at = when each was last seen alive, and returns their ids.
func endDeadProcessRuns(ctx context.Context, tx *sql.Tx, host string, now time.Time, nowStamp string) ([]int64, error) {
	dead, err := deadRuns(ctx, tx, true, host, now, nowStamp)
	if err != nil || len(dead) == 0 {
		return nil, err
	}
	ids := make([]int64, len(dead))
	for i, d := range dead {
		ids[i] = d.RunID
		if _, err := tx.ExecContext(ctx, `UPDATE crawl_runs SET status = ?, finished_at = ? WHERE id = ? AND status = ?`,
			StatusInterrupted, stamp(d.LastSeen), d.RunID, StatusRunning); err != nil {
			return nil, fmt.Errorf("end dead runs: %w", err)
		}
	}
	return ids, nil
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
	r.stopKeepAlive()
	err := r.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := r.seen.flushSeen(ctx, r.db, tx); err != nil {
			return err
		}
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
// on the run, whose exit code follows the count. The row's url names the page, so the
// message leaves out a leading "url: " (a scraper.FetchError's text starts with it).
func (r *Run) RecordError(ctx context.Context, url string, cause error) error {
	msg := "unknown error"
	if cause != nil {
		msg = errorMessage(url, cause.Error())
	}
	err := r.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := r.db.exec(ctx, tx, `INSERT INTO crawl_errors (run_id, url, message, at) VALUES (?, ?, ?, ?)`,
			r.id, url, msg, r.db.stampNow()); err != nil {
			return err
		}
		_, err := r.db.exec(ctx, tx, `UPDATE crawl_runs SET errors = errors + 1, heartbeat_at = ? WHERE id = ?`,
			r.db.stampNow(), r.id)
		return err
	})
	if err != nil {
		return fmt.Errorf("record error for %s: %w", url, err)
	}
	r.beaten()
	r.mu.Lock()
	r.stats.Errors++
	r.mu.Unlock()
	return nil
}

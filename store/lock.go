package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// LockStale is how old a lock's heartbeat may get before another process may take it
// over: the holder refreshes it every LockHeartbeat.
const (
	LockStale     = 2 * time.Minute
	LockHeartbeat = 20 * time.Second
)

// LockedError says another crawl holds the database.
type LockedError struct {
	RunID     int64
	PID       int
	Host      string
	Command   string
	StartedAt string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("another crawl is running on this archive: %s (run %d, pid %d on %s, started %s)",
		e.Command, e.RunID, e.PID, e.Host, e.StartedAt)
}

// CrawlLock is held while a crawl runs; Release gives it up.
type CrawlLock struct {
	// Recovered lists the crawl runs of dead processes that taking the lock marked
	// interrupted.
	Recovered []int64

	db   *DB
	pid  int
	stop chan struct{}
	done chan struct{}
}

// AcquireCrawlLock takes the database's single crawl lock for this process. A lock left
// by a process that died (same host and its pid is gone, or a stale heartbeat) is taken
// over; a live one returns *LockedError. Taking the lock marks the crawl runs left
// "running" by dead processes interrupted (see endDeadRuns).
func (db *DB) AcquireCrawlLock(ctx context.Context, command string, runID int64) (*CrawlLock, error) {
	host, _ := os.Hostname()
	pid := os.Getpid()
	var recovered []int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var l LockedError
		var beat string
		err := tx.QueryRowContext(ctx, `SELECT coalesce(run_id, 0), pid, host, command, started_at, heartbeat_at FROM crawl_lock WHERE id = 1`).
			Scan(&l.RunID, &l.PID, &l.Host, &l.Command, &l.StartedAt, &beat)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			l = LockedError{}
		case err != nil:
			return err
		default:
			if !lockAbandoned(l, beat, host, db.now()) {
				return &l
			}
		}
		now := db.stampNow()
		if recovered, err = endDeadRuns(ctx, tx, l.RunID, beat, runID, now); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO crawl_lock (id, run_id, pid, host, command, started_at, heartbeat_at)
			VALUES (1, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, pid = excluded.pid, host = excluded.host,
				command = excluded.command, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
			runID, pid, host, command, now, now)
		return err
	})
	if err != nil {
		var le *LockedError
		if errors.As(err, &le) {
			return nil, le
		}
		return nil, fmt.Errorf("crawl lock: %w", err)
	}
	l := &CrawlLock{db: db, pid: pid, stop: make(chan struct{}), done: make(chan struct{}), Recovered: recovered}
	go l.heartbeat()
	return l, nil
}

// endDeadRuns marks the crawl runs whose process is gone as interrupted, inside the
// transaction that takes the lock. Crawl runs are written only under this lock, so
// while nobody holds it (or its holder died) no crawl run other than the caller's own
// can still be going. The dead holder's run ends at its last heartbeat (at most
// LockHeartbeat before it died), any other at now, when it was found.
func endDeadRuns(ctx context.Context, tx *sql.Tx, deadRun int64, beat string, ownRun int64, now string) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE crawl_runs SET status = ?,
			finished_at = max(started_at, CASE WHEN id = ? AND ? != '' THEN ? ELSE ? END)
		WHERE status = ? AND command = 'crawl' AND id != ? RETURNING id`,
		StatusInterrupted, deadRun, beat, beat, now, StatusRunning, ownRun)
	if err != nil {
		return nil, fmt.Errorf("end dead runs: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("end dead runs: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("end dead runs: %w", err)
	}
	return ids, nil
}

func lockAbandoned(l LockedError, beat, host string, now time.Time) bool {
	if t, err := time.Parse(time.RFC3339, beat); err == nil && now.Sub(t) > LockStale {
		return true
	}
	return l.Host == host && !processAlive(l.PID)
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, os.ErrPermission)
}

func (l *CrawlLock) heartbeat() {
	defer close(l.done)
	t := time.NewTicker(LockHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			_ = l.db.inTx(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`UPDATE crawl_lock SET heartbeat_at = ? WHERE id = 1 AND pid = ?`, l.db.stampNow(), l.pid)
				return err
			})
		}
	}
}

// Release gives the lock up.
func (l *CrawlLock) Release(ctx context.Context) error {
	close(l.stop)
	<-l.done
	if err := l.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM crawl_lock WHERE id = 1 AND pid = ?`, l.pid)
		return err
	}); err != nil {
		return fmt.Errorf("release crawl lock: %w", err)
	}
	return nil
}

// LockHolder reports the running crawl, if any, for `forumarc status`.
func (db *DB) LockHolder(ctx context.Context) (*LockedError, error) {
	var l LockedError
	var beat string
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(run_id, 0), pid, host, command, started_at, heartbeat_at FROM crawl_lock WHERE id = 1`).
		Scan(&l.RunID, &l.PID, &l.Host, &l.Command, &l.StartedAt, &beat)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock holder: %w", err)
	}
	host, _ := os.Hostname()
	if lockAbandoned(l, beat, host, db.now()) {
		return nil, nil
	}
	return &l, nil
}

// DeadRun is a run whose process died (the crawl run of a lock it left, or see
// DeadRuns), and the last time that process was seen alive (its heartbeat, or the
// run's start when later; for a run with no heartbeat recorded, when it was found).
type DeadRun struct {
	RunID    int64
	LastSeen time.Time
}

// DeadLockRun reports the run of a lock left by a dead process, nil when the lock is
// free or its holder is alive. Read-only: `status` shows that run as interrupted
// before the next crawl takes the lock over (or the next StartRun, see DeadRuns)
// records it so.
func (db *DB) DeadLockRun(ctx context.Context) (*DeadRun, error) {
	var l LockedError
	var beat, started string
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(l.run_id, 0), l.pid, l.host, l.command, l.started_at, l.heartbeat_at,
			coalesce(r.started_at, '')
		FROM crawl_lock l LEFT JOIN crawl_runs r ON r.id = l.run_id WHERE l.id = 1`).
		Scan(&l.RunID, &l.PID, &l.Host, &l.Command, &l.StartedAt, &beat, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("crawl lock: %w", classify(err))
	}
	host, _ := os.Hostname()
	if l.RunID == 0 || !lockAbandoned(l, beat, host, db.now()) {
		return nil, nil
	}
	return &DeadRun{RunID: l.RunID, LastSeen: parseStampUTC(max(beat, started))}, nil
}

// SetRun records which crawl_runs row the lock holder is writing.
func (l *CrawlLock) SetRun(ctx context.Context, runID int64) error {
	return l.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE crawl_lock SET run_id = ? WHERE id = 1 AND pid = ?`, runID, l.pid)
		return err
	})
}

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
	db   *DB
	pid  int
	stop chan struct{}
	done chan struct{}
}

// AcquireCrawlLock takes the database's single crawl lock for this process. A lock left
// by a process that died (same host and its pid is gone, or a stale heartbeat) is taken
// over; a live one returns *LockedError.
func (db *DB) AcquireCrawlLock(ctx context.Context, command string, runID int64) (*CrawlLock, error) {
	host, _ := os.Hostname()
	pid := os.Getpid()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var l LockedError
		var beat string
		err := tx.QueryRowContext(ctx, `SELECT coalesce(run_id, 0), pid, host, command, started_at, heartbeat_at FROM crawl_lock WHERE id = 1`).
			Scan(&l.RunID, &l.PID, &l.Host, &l.Command, &l.StartedAt, &beat)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if !lockAbandoned(l, beat, host, db.now()) {
				return &l
			}
		}
		now := db.stampNow()
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
	l := &CrawlLock{db: db, pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go l.heartbeat()
	return l, nil
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

// SetRun records which crawl_runs row the lock holder is writing.
func (l *CrawlLock) SetRun(ctx context.Context, runID int64) error {
	return l.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE crawl_lock SET run_id = ? WHERE id = 1 AND pid = ?`, runID, l.pid)
		return err
	})
}

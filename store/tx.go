package store

import (
	"context"
	"database/sql"
)

// Group commit. A crawl's workers each write small transactions (a page, a lease,
// a finished item) and SQLite has one writer, so they queue anyway; committing what
// has queued up in one transaction writes the pages they share (FTS structure, run
// counters, b-tree interiors) to the WAL once instead of once each. BEGIN and COMMIT
// were about 9% of a crawl's CPU, and the WAL writes under them another 5%.
//
// Each caller still gets the outcome of its own work alone: inTx returns only after
// the COMMIT that holds its changes, and when anything in a shared transaction fails
// (one job's error, a cancelled caller, the COMMIT itself), the whole transaction is
// rolled back and each of its jobs runs again in a transaction of its own, exactly as
// without grouping. Errors are rare, so that slow path costs nothing in practice; it
// does mean a job's function may run twice, so each resets what it computes first.

// maxBatch bounds the jobs committed together, so one transaction stays short.
const maxBatch = 32

// afterCommit queues f to run once the transaction now being written on the writer
// commits, after the transaction's other work, in the order queued; when it rolls back
// f is dropped. It lets a transaction body keep a cache of committed rows (see
// seenCache) without ever caching a row that a rolled-back transaction wrote. Only a
// transaction body (fn of inTx) may call it.
func (db *DB) afterCommit(f func()) { db.committed = append(db.committed, f) }

// endTx runs (committed) or drops the functions afterCommit queued.
func (db *DB) endTx(committed bool) {
	fs := db.committed
	db.committed = nil
	if committed {
		for _, f := range fs {
			f()
		}
	}
}

// txJob is one caller's transaction body, waiting for its turn.
type txJob struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan txDone // capacity 1: at most one lead hand-over, then the result
}

type txDone struct {
	err  error
	lead bool // no result yet: the caller now commits the next batch
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE) and commits, or rolls back
// when fn or the commit fails, so a failed write leaves nothing half-written. Calls
// made at the same time may share one transaction (see above). fn must not call
// inTx.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.write == nil {
		return ErrReadOnly
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &txJob{ctx: ctx, fn: fn, done: make(chan txDone, 1)}
	db.txMu.Lock()
	db.txQueue = append(db.txQueue, j)
	lead := !db.txBusy
	db.txBusy = true
	db.txMu.Unlock()
	if !lead {
		if d := <-j.done; !d.lead {
			return d.err
		}
	}
	// Leading: the first batch holds this job (it heads the queue when the lead is
	// handed over, and is alone in it otherwise). Commit it, then pass the lead on.
	db.commitBatch(db.takeBatch())
	d := <-j.done
	db.txMu.Lock()
	if len(db.txQueue) == 0 {
		db.txBusy = false
	} else {
		db.txQueue[0].done <- txDone{lead: true}
	}
	db.txMu.Unlock()
	return d.err
}

func (db *DB) takeBatch() []*txJob {
	db.txMu.Lock()
	defer db.txMu.Unlock()
	n := min(len(db.txQueue), maxBatch)
	batch := make([]*txJob, n)
	copy(batch, db.txQueue)
	rest := copy(db.txQueue, db.txQueue[n:])
	clear(db.txQueue[rest:])
	db.txQueue = db.txQueue[:rest]
	return batch
}

// commitBatch answers every job of batch.
func (db *DB) commitBatch(batch []*txJob) {
	live := batch[:0]
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.done <- txDone{err: err} // cancelled while it waited: nothing ran
			continue
		}
		live = append(live, j)
	}
	if len(live) > 1 && db.runTogether(live) == nil {
		for _, j := range live {
			j.done <- txDone{}
		}
	} else {
		for _, j := range live {
			j.done <- txDone{err: db.runAlone(j.ctx, j.fn)}
		}
	}
	db.prepareWanted(context.Background())
}

// runTogether runs the jobs in one transaction. It is not tied to any caller's
// context, so one caller's cancellation cannot roll back the others' work through
// database/sql; a statement it interrupts fails its job, and the jobs run alone.
func (db *DB) runTogether(jobs []*txJob) error {
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if err := j.fn(tx); err != nil {
			_ = tx.Rollback()
			db.endTx(false)
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		db.endFailedCommit()
		db.endTx(false)
		return err
	}
	db.commits.Add(1)
	db.endTx(true)
	return nil
}

// runAlone is one job in its own transaction, cancelled with its caller.
func (db *DB) runAlone(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		db.endTx(false)
		return classify(err)
	}
	if err := tx.Commit(); err != nil {
		db.endFailedCommit()
		db.endTx(false)
		return classify(err)
	}
	db.commits.Add(1)
	db.endTx(true)
	return nil
}

// endFailedCommit makes sure no transaction stays open on the writer after a COMMIT
// that failed (SQLite keeps it open after some errors, e.g. SQLITE_BUSY, while
// database/sql already considers it finished); "no transaction is active" is fine.
func (db *DB) endFailedCommit() {
	_, _ = db.write.ExecContext(context.Background(), "ROLLBACK")
}

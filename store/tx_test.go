package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// addSite is a transaction body that inserts one sites row.
func addSite(db *DB, ctx context.Context, name string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO sites (base_url, first_seen_at, last_seen_at) VALUES (?, 'x', 'x')`, name)
		return err
	}
}

func siteNames(t *testing.T, db *DB) map[string]bool {
	t.Helper()
	rows, err := db.write.Query(`SELECT base_url FROM sites`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got[s] = true
	}
	return got
}

// groupSetup holds the writer with a transaction that waits for release, queues one
// caller per body behind it, and returns their results once release lets it go.
func groupSetup(t *testing.T, db *DB, bodies []func(tx *sql.Tx) error, ctxs []context.Context, beforeRelease func()) []error {
	t.Helper()
	ctx := context.Background()
	release := make(chan struct{})
	holding := make(chan struct{})
	errs := make([]error, len(bodies)+1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[0] = db.inTx(ctx, func(tx *sql.Tx) error {
			close(holding)
			<-release
			return addSite(db, ctx, "leader")(tx)
		})
	}()
	<-holding
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i+1] = db.inTx(ctxs[i], body)
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		db.txMu.Lock()
		n := len(db.txQueue)
		db.txMu.Unlock()
		if n == len(bodies) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d callers queued", n, len(bodies))
		}
		time.Sleep(time.Millisecond)
	}
	if beforeRelease != nil {
		beforeRelease()
	}
	close(release)
	wg.Wait()
	return errs
}

func openTxDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestInTxCommitsQueuedCallersTogether(t *testing.T) {
	db := openTxDB(t)
	ctx := context.Background()
	before := db.commits.Load()
	errs := groupSetup(t, db, []func(*sql.Tx) error{addSite(db, ctx, "a"), addSite(db, ctx, "b"), addSite(db, ctx, "c")},
		[]context.Context{ctx, ctx, ctx}, nil)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	// The leader alone, then the three that queued behind it in one transaction.
	if got := db.commits.Load() - before; got != 2 {
		t.Errorf("%d commits for 4 callers, want 2", got)
	}
	if got := siteNames(t, db); len(got) != 4 || !got["a"] || !got["b"] || !got["c"] || !got["leader"] {
		t.Errorf("sites %v, want leader, a, b, c", got)
	}
}

func TestInTxFailureInBatchCostsOthersNothing(t *testing.T) {
	db := openTxDB(t)
	ctx := context.Background()
	boom := errors.New("boom")
	failing := func(tx *sql.Tx) error {
		if err := addSite(db, ctx, "half-written")(tx); err != nil {
			return err
		}
		return boom
	}
	// The last caller is cancelled while it waits in the queue (Ctrl-C mid-crawl).
	cancelled, cancel := context.WithCancel(ctx)
	errs := groupSetup(t, db,
		[]func(*sql.Tx) error{addSite(db, ctx, "a"), failing, addSite(db, ctx, "c"), addSite(db, cancelled, "never")},
		[]context.Context{ctx, ctx, ctx, cancelled}, cancel)
	if errs[0] != nil || errs[1] != nil || errs[3] != nil {
		t.Errorf("callers that did nothing wrong failed: %v", errs)
	}
	if !errors.Is(errs[2], boom) {
		t.Errorf("failing caller got %v, want its own error", errs[2])
	}
	if !errors.Is(errs[4], context.Canceled) {
		t.Errorf("cancelled caller got %v, want context.Canceled", errs[4])
	}
	got := siteNames(t, db)
	if len(got) != 3 || !got["leader"] || !got["a"] || !got["c"] {
		t.Errorf("sites %v, want leader, a and c only (nothing of the failed or cancelled caller)", got)
	}
}

// TestInTxConcurrentWritersAllCommit runs many writers at once through the
// group commit (under -race in CI) and checks every write landed exactly once.
func TestInTxConcurrentWritersAllCommit(t *testing.T) {
	db := openTxDB(t)
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				name := string(rune('A'+w)) + "-" + string(rune('a'+i))
				if err := db.inTx(ctx, addSite(db, ctx, name)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := len(siteNames(t, db)); got != writers*each {
		t.Errorf("%d sites, want %d", got, writers*each)
	}
	db.txMu.Lock()
	defer db.txMu.Unlock()
	if db.txBusy || len(db.txQueue) != 0 {
		t.Errorf("writer still marked busy (%v) with %d queued after every caller returned", db.txBusy, len(db.txQueue))
	}
}

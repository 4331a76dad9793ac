package store

import (
	"context"
	"os"
	"slices"
	"testing"
)

// TestDeadRunWithReusedPID: in a container every forumarc is pid 1 on the same host
// name, so a run whose process died has the pid of a live process (here: this one).
// Such a run is dead once its heartbeat is older than LockStale, since a live run
// refreshes it far more often; a run of a live pid with a fresh heartbeat is alive.
// (Without a heartbeat the start counts.)
func TestDeadRunWithReusedPID(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t) // now is 2026-01-15T12:00:00Z; LockStale is 2 minutes
	host, _ := os.Hostname()
	pid := os.Getpid()
	const started = "2026-01-15T11:00:00Z"
	stale := insertRun(t, db, runRow{command: "archive", pid: pid, host: host, beat: "2026-01-15T11:50:00Z", started: started})
	noBeat := insertRun(t, db, runRow{command: "archive", pid: pid, host: host, started: "2026-01-15T11:55:00Z"})
	fresh := insertRun(t, db, runRow{command: "archive", pid: pid, host: host, beat: "2026-01-15T11:59:30Z", started: started})
	newNoBeat := insertRun(t, db, runRow{command: "archive", pid: pid, host: host, started: "2026-01-15T11:59:00Z"})
	edge := insertRun(t, db, runRow{command: "archive", pid: pid, host: host, beat: "2026-01-15T11:58:00Z", started: started})

	got, err := db.DeadRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range got {
		ids = append(ids, d.RunID)
		if d.RunID == stale && stamp(d.LastSeen) != "2026-01-15T11:50:00Z" {
			t.Errorf("stale run last seen %s, want its heartbeat", stamp(d.LastSeen))
		}
	}
	slices.Sort(ids)
	if want := []int64{stale, noBeat}; !slices.Equal(ids, want) {
		t.Errorf("DeadRuns = %v, want %v (the runs of a live pid not heard of for over LockStale)", ids, want)
	}

	r, err := db.StartRun(ctx, "archive", nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := slices.Clone(r.Recovered)
	slices.Sort(rec)
	if want := []int64{stale, noBeat}; !slices.Equal(rec, want) {
		t.Errorf("StartRun recovered %v, want %v", rec, want)
	}
	if status, finished := runState(t, db, stale); status != StatusInterrupted || finished.String != "2026-01-15T11:50:00Z" {
		t.Errorf("stale run: %s finished %v, want interrupted at its heartbeat", status, finished)
	}
	for _, id := range []int64{fresh, newNoBeat, edge} {
		if status, finished := runState(t, db, id); status != StatusRunning || finished.Valid {
			t.Errorf("run %d with a fresh heartbeat: %s finished %v, want still running", id, status, finished)
		}
	}
	// The new run itself (this pid, heartbeat now) is alive.
	if got, err := db.DeadRuns(ctx); err != nil || len(got) != 0 {
		t.Errorf("DeadRuns after StartRun = %+v %v, want none", got, err)
	}
	if err := r.Finish(ctx, StatusOK); err != nil {
		t.Fatal(err)
	}

	// A live crawl lock of this pid that names its run vouches for that run however
	// old its heartbeat, not for another stale run of the same pid and host.
	crawl := insertRun(t, db, runRow{command: "crawl", pid: pid, host: host, beat: "2026-01-15T11:50:00Z", started: started})
	other := insertRun(t, db, runRow{command: "archive", pid: pid, host: host, beat: "2026-01-15T11:50:00Z", started: started})
	if _, err := db.write.Exec(`INSERT INTO crawl_lock (id, run_id, pid, host, command, started_at, heartbeat_at)
		VALUES (1, ?, ?, ?, 'crawl x', ?, '2026-01-15T11:59:50Z')`, crawl, pid, host, started); err != nil {
		t.Fatal(err)
	}
	got, err = db.DeadRuns(ctx)
	if err != nil || len(got) != 1 || got[0].RunID != other {
		t.Errorf("DeadRuns with a live lock naming run %d = %+v %v, want only run %d", crawl, got, err, other)
	}
}

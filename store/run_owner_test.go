package store

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// deadPID is the pid of a child process that has exited (and been reaped).
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run true: %v", err)
	}
	pid := cmd.Process.Pid
	if processAlive(pid) {
		t.Skipf("pid %d of an exited child is in use again", pid)
	}
	return pid
}

// runRow is a crawl_runs row as another (maybe dead) process left it; nil is NULL.
type runRow struct {
	command string
	pid     any
	host    any
	beat    any
	started string
	status  string
}

func insertRun(t *testing.T, db *DB, r runRow) int64 {
	t.Helper()
	if r.status == "" {
		r.status = StatusRunning
	}
	var id int64
	if err := db.write.QueryRow(`INSERT INTO crawl_runs (command, args, started_at, status, pid, host, heartbeat_at)
		VALUES (?, '[]', ?, ?, ?, ?, ?) RETURNING id`, r.command, r.started, r.status, r.pid, r.host, r.beat).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func runState(t *testing.T, db *DB, id int64) (status string, finished sql.NullString) {
	t.Helper()
	if err := db.read.QueryRow(`SELECT status, finished_at FROM crawl_runs WHERE id = ?`, id).Scan(&status, &finished); err != nil {
		t.Fatal(err)
	}
	return status, finished
}

func TestStartRunRecordsOwnerAndHeartbeat(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	host, _ := os.Hostname()
	r := startRun(t, db)
	var (
		pid        int
		h, beat    sql.NullString
		start      string
		beatOfPage string
	)
	if err := db.read.QueryRow(`SELECT pid, host, heartbeat_at, started_at FROM crawl_runs WHERE id = ?`, r.ID()).
		Scan(&pid, &h, &beat, &start); err != nil {
		t.Fatal(err)
	}
	if pid != os.Getpid() || h.String != host || beat.String != start || start != "2026-01-15T12:00:00Z" {
		t.Errorf("pid %d host %q heartbeat %q started %q, want %d %q and the start", pid, h.String, beat.String, start, os.Getpid(), host)
	}
	heartbeat := func() string {
		t.Helper()
		if err := db.read.QueryRow(`SELECT heartbeat_at FROM crawl_runs WHERE id = ?`, r.ID()).Scan(&beatOfPage); err != nil {
			t.Fatal(err)
		}
		return beatOfPage
	}

	clock.advance(time.Minute)
	p := makePage("1", 1, 3, 1)
	mustSave(t, r, fetchedFor(p, clock.t), p)
	if got := heartbeat(); got != "2026-01-15T12:01:00Z" {
		t.Errorf("heartbeat after SavePage = %s, want the save's time", got)
	}
	clock.advance(time.Minute)
	if err := r.RecordError(ctx, "https://forum.example/x", nil); err != nil {
		t.Fatal(err)
	}
	if got := heartbeat(); got != "2026-01-15T12:02:00Z" {
		t.Errorf("heartbeat after RecordError = %s", got)
	}

	rp, err := db.StartReparse(ctx, []string{"reparse"}, false)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := db.ListPages(ctx, Selection{})
	if err != nil || len(pages) != 1 {
		t.Fatalf("pages %v %v", pages, err)
	}
	clock.advance(time.Minute)
	if _, err := rp.ReparsePage(ctx, pages[0], p, false); err != nil {
		t.Fatal(err)
	}
	var reparseBeat string
	if err := db.read.QueryRow(`SELECT heartbeat_at FROM crawl_runs WHERE id = ?`, rp.ID()).Scan(&reparseBeat); err != nil {
		t.Fatal(err)
	}
	if reparseBeat != "2026-01-15T12:03:00Z" {
		t.Errorf("reparse heartbeat after a page = %s", reparseBeat)
	}
	for _, run := range []*Run{r, rp} {
		if err := run.Finish(ctx, StatusOK); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRunHeartbeatWithoutPages: a run that saves nothing for a while (a page waiting
// out its retries) still refreshes its heartbeat, so another host does not take it
// for dead; Finish stops that.
func TestRunHeartbeatWithoutPages(t *testing.T) {
	defer func(d time.Duration) { runHeartbeat = d }(runHeartbeat)
	runHeartbeat = 20 * time.Millisecond
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC).Unix())
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "a.db"),
		WithNow(func() time.Time { return time.Unix(now.Load(), 0) }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := startRun(t, db)
	now.Add(600)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var beat string
		if err := db.read.QueryRow(`SELECT heartbeat_at FROM crawl_runs WHERE id = ?`, r.ID()).Scan(&beat); err != nil {
			t.Fatal(err)
		}
		if beat == "2026-01-15T12:10:00Z" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("heartbeat still %s after 10s of no pages", beat)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := r.Finish(context.Background(), StatusOK); err != nil {
		t.Fatal(err)
	}
	now.Add(600)
	time.Sleep(100 * time.Millisecond)
	if n := count(t, db, "crawl_runs WHERE heartbeat_at = '2026-01-15T12:20:00Z'"); n != 0 {
		t.Error("a finished run's heartbeat was still refreshed")
	}
}

// TestDeadRunsOfKilledProcesses: runs left "running" by processes that are gone are
// shown interrupted (read-only) and marked so by the next StartRun; runs whose process
// may still be going are left alone.
func TestDeadRunsOfKilledProcesses(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t) // now is 2026-01-15T12:00:00Z; LockStale is 2 minutes
	host, _ := os.Hostname()
	dead := deadPID(t)
	const (
		started = "2026-01-15T11:00:00Z"
		fresh   = "2026-01-15T11:59:30Z"
		stale   = "2026-01-15T11:50:00Z"
	)
	ids := map[string]int64{
		// Dead: this host, its pid gone (fresh heartbeat or not).
		"dead pid":   insertRun(t, db, runRow{command: "archive", pid: dead, host: host, beat: fresh, started: started}),
		"dead crawl": insertRun(t, db, runRow{command: "crawl", pid: dead, host: host, beat: stale, started: started}),
		// Dead: no pid (written before migration 0009), or another host, and nothing
		// heard for more than LockStale (the start counts when there is no heartbeat).
		"old stale":   insertRun(t, db, runRow{command: "reparse", beat: stale, started: started}),
		"old no beat": insertRun(t, db, runRow{command: "archive", started: started}),
		"other stale": insertRun(t, db, runRow{command: "archive", pid: 1, host: "elsewhere.example", beat: stale, started: started}),
		// Alive: a live pid with a fresh heartbeat (a live pid alone proves nothing,
		// see TestDeadRunWithReusedPID); fresh heartbeats elsewhere; the run of a live
		// crawl lock; and finished runs are not looked at.
		"live pid":     insertRun(t, db, runRow{command: "archive", pid: os.Getpid(), host: host, beat: fresh, started: started}),
		"old fresh":    insertRun(t, db, runRow{command: "archive", beat: fresh, started: started}),
		"old new":      insertRun(t, db, runRow{command: "archive", started: "2026-01-15T11:59:00Z"}),
		"other fresh":  insertRun(t, db, runRow{command: "archive", pid: dead, host: "elsewhere.example", beat: fresh, started: started}),
		"locked crawl": insertRun(t, db, runRow{command: "crawl", pid: dead, host: host, beat: stale, started: started}),
		"finished":     insertRun(t, db, runRow{command: "archive", pid: dead, host: host, beat: stale, started: started, status: StatusOK}),
	}
	// The live holder of the crawl lock (this process) writes "locked crawl".
	if _, err := db.write.Exec(`INSERT INTO crawl_lock (id, run_id, pid, host, command, started_at, heartbeat_at)
		VALUES (1, ?, ?, ?, 'crawl x', ?, ?)`, ids["locked crawl"], os.Getpid(), host, started, fresh); err != nil {
		t.Fatal(err)
	}
	wantDead := []string{"dead pid", "dead crawl", "old stale", "old no beat", "other stale"}
	lastSeen := map[string]string{ // when each was last seen alive: its heartbeat, else when found
		"dead pid": fresh, "dead crawl": stale, "old stale": stale, "old no beat": "2026-01-15T12:00:00Z", "other stale": stale,
	}
	var want []int64
	for _, k := range wantDead {
		want = append(want, ids[k])
	}
	slices.Sort(want)
	name := map[int64]string{}
	for k, id := range ids {
		name[id] = k
	}

	// Read-only (what status uses): reported, nothing written.
	ro, err := OpenReadOnly(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ro.now = db.now
	got, err := ro.DeadRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []int64
	for _, d := range got {
		gotIDs = append(gotIDs, d.RunID)
		if s := stamp(d.LastSeen); s != lastSeen[name[d.RunID]] {
			t.Errorf("%s: last seen %s, want %s", name[d.RunID], s, lastSeen[name[d.RunID]])
		}
	}
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, want) {
		t.Errorf("DeadRuns = %v, want %v (%v)", names(name, gotIDs), names(name, want), wantDead)
	}
	if n := count(t, db, "crawl_runs WHERE status = 'running'"); n != 10 {
		t.Errorf("DeadRuns wrote: %d runs running, want 10", n)
	}

	// The next run to start marks exactly those interrupted, finished when last seen.
	r, err := db.StartRun(ctx, "archive", []string{"https://forum.example/t/1"})
	if err != nil {
		t.Fatal(err)
	}
	rec := slices.Clone(r.Recovered)
	slices.Sort(rec)
	if !slices.Equal(rec, want) {
		t.Errorf("StartRun recovered %v, want %v", names(name, rec), names(name, want))
	}
	for k, id := range ids {
		status, finished := runState(t, db, id)
		switch {
		case k == "finished":
			if status != StatusOK {
				t.Errorf("%s: status %s", k, status)
			}
		case slices.Contains(wantDead, k):
			if status != StatusInterrupted || finished.String != lastSeen[k] {
				t.Errorf("%s: status %s finished %v, want interrupted at %s", k, status, finished, lastSeen[k])
			}
		default:
			if status != StatusRunning || finished.Valid {
				t.Errorf("%s: status %s finished %v, want still running", k, status, finished)
			}
		}
	}
	if err := r.Finish(ctx, StatusOK); err != nil {
		t.Fatal(err)
	}
	// Nothing is left to recover.
	r2, err := db.StartRun(ctx, "archive", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r2.Recovered) != 0 {
		t.Errorf("second StartRun recovered %v", r2.Recovered)
	}
	r2.Finish(ctx, StatusOK)

	// A crawl lock held on another host, alive by its heartbeat, vouches for its
	// holder's run (before SetRun names it: by pid and host) however old the run's
	// own heartbeat; once the lock's heartbeat is stale too, the run is dead.
	other := insertRun(t, db, runRow{command: "crawl", pid: 4242, host: "crawler.example", beat: stale, started: started})
	if _, err := db.write.Exec(`UPDATE crawl_lock SET run_id = NULL, pid = 4242, host = 'crawler.example'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`UPDATE crawl_runs SET status = 'ok' WHERE status = 'running' AND id != ?`, other); err != nil {
		t.Fatal(err) // the lock no longer vouches for "locked crawl" and the rest are not under test
	}
	if got, err := db.DeadRuns(ctx); err != nil || len(got) != 0 {
		t.Errorf("DeadRuns with a live lock on another host = %+v %v, want none", got, err)
	}
	if _, err := db.write.Exec(`UPDATE crawl_lock SET heartbeat_at = ?`, stale); err != nil {
		t.Fatal(err)
	}
	if got, err := db.DeadRuns(ctx); err != nil || len(got) != 1 || got[0].RunID != other {
		t.Errorf("DeadRuns with a stale lock on another host = %+v %v, want run %d", got, err, other)
	}
}

func names(name map[int64]string, ids []int64) []string {
	var out []string
	for _, id := range ids {
		out = append(out, name[id])
	}
	return out
}

// TestMigrationFrom0008KeepsRuns: an archive at schema 8 with a run left running
// upgrades cleanly; before the upgrade a read-only status knows nothing about its
// runs' processes, afterwards the run (no pid, no heartbeat) counts as dead once it
// is older than LockStale.
func TestMigrationFrom0008KeepsRuns(t *testing.T) {
	ctx := context.Background()
	path, raw := archiveBefore(t, "run_owner")
	if _, err := raw.Exec(`INSERT INTO crawl_runs (command, args, started_at, status, pages_fetched)
		VALUES ('archive', '["x"]', '2026-01-15T11:00:00Z', 'running', 3),
		       ('crawl', '[]', '2026-01-15T10:00:00Z', 'ok', 9)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if dead, err := ro.DeadRuns(ctx); err != nil || dead != nil {
		t.Errorf("DeadRuns on a schema-8 archive = %v %v, want nothing", dead, err)
	}
	if runs, err := ro.RecentRuns(ctx, 10); err != nil || len(runs) != 2 {
		t.Errorf("RecentRuns on a schema-8 archive = %v %v", runs, err)
	}
	ro.Close()
	if v := pragmaInt(t, path, "user_version"); v != 8 {
		t.Fatalf("read-only open migrated: user_version %d", v)
	}

	clock := newClock()
	db, err := Open(ctx, path, WithNow(clock.now))
	if err != nil {
		t.Fatalf("upgrade from 8: %v", err)
	}
	defer db.Close()
	if v := pragmaInt(t, path, "user_version"); v != SchemaVersion() || v < 9 {
		t.Errorf("user_version after upgrade = %d", v)
	}
	if n := count(t, db, "crawl_runs WHERE pid IS NULL AND host IS NULL AND heartbeat_at IS NULL AND pages_fetched IN (3, 9)"); n != 2 {
		t.Errorf("old rows after upgrade: %d with NULL owner columns, want 2", n)
	}
	dead, err := db.DeadRuns(ctx)
	if err != nil || len(dead) != 1 || dead[0].RunID != 1 {
		t.Errorf("DeadRuns after upgrade = %+v %v, want run 1", dead, err)
	}
	r := startRun(t, db)
	if !slices.Equal(r.Recovered, []int64{1}) {
		t.Errorf("StartRun recovered %v, want [1]", r.Recovered)
	}
	if status, finished := runState(t, db, 1); status != StatusInterrupted || finished.String != "2026-01-15T12:00:00Z" {
		t.Errorf("old run: %s %v", status, finished)
	}
	r.Finish(ctx, StatusOK)
}

// TestRunRevivedAfterSuspend: a live run that another process marked interrupted (it
// was suspended longer than LockStale, so it looked dead) is running again at its
// next heartbeat tick, and Finish still records how it ended.
func TestRunRevivedAfterSuspend(t *testing.T) {
	defer func(d time.Duration) { runHeartbeat = d }(runHeartbeat)
	runHeartbeat = 20 * time.Millisecond
	db, _ := openTest(t)
	r := startRun(t, db)
	if _, err := db.write.Exec(`UPDATE crawl_runs SET status = 'interrupted', finished_at = '2026-01-15T12:00:00Z' WHERE id = ?`, r.ID()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for count(t, db, "crawl_runs WHERE status = 'running' AND finished_at IS NULL") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the live run is still marked interrupted after 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := r.Finish(context.Background(), StatusOK); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "crawl_runs WHERE status = 'ok'"); n != 1 {
		t.Errorf("runs ok after Finish = %d, want 1", n)
	}
}

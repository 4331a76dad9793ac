package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/forumarc/forumarc/store"
)

// slowForum answers every thread page after a pause, so a crawl always has pages in
// flight when it is stopped.
func slowForum(pause time.Duration) *httptest.Server {
	f := crawlForum()
	f.Fault = func(r *http.Request) (int, http.Header) {
		if strings.HasPrefix(r.URL.Path, "/threads/") {
			time.Sleep(pause)
		}
		return 0, nil
	}
	return httptest.NewServer(f)
}

func statusJSON(t *testing.T, db string) statusReport {
	t.Helper()
	r := cli(t, context.Background(), "--db", db, "status", "--json")
	if r.code != 0 {
		t.Fatalf("status --json: exit %d %s", r.code, r.stderr)
	}
	var rep statusReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	return rep
}

// TestCrawlKilledRunInterrupted kills a crawl with SIGKILL: status must not list it as
// running, its leases count as pending, and the next crawl marks its run interrupted.
func TestCrawlKilledRunInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	srv := slowForum(30 * time.Millisecond)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "k.db")
	crawlArgs := []string{"--db", db, "--log-level", "error", "crawl", "--delay", "0", "--concurrency", "3", srv.URL + "/"}
	args, _ := json.Marshal(crawlArgs)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FORUMARC_TEST_CHILD_ARGS="+string(args))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if leasedThreads(db) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the crawl leased no thread in 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	rep := statusJSON(t, db)
	if rep.Running != nil {
		t.Errorf("status: a killed crawl is still running: %+v", rep.Running)
	}
	if len(rep.Runs) != 1 || rep.Runs[0].Status != store.StatusInterrupted || rep.Runs[0].FinishedAt == nil {
		t.Errorf("status --json runs = %+v, want the killed run interrupted with finished_at", rep.Runs)
	}
	if rep.Frontier.Leased != 0 || rep.Frontier.Pending == 0 {
		t.Errorf("status --json frontier = %+v: leases of a dead crawl are pending, not in progress", rep.Frontier)
	}
	if r := cli(t, context.Background(), "--db", db, "status"); strings.Contains(r.stdout, "running") ||
		!strings.Contains(r.stdout, "left by a stopped run") || !strings.Contains(r.stdout, " 0 in progress") {
		t.Errorf("status after kill -9:\n%s", r.stdout)
	}
	// stats shows the run the lock of the dead crawl names as status does.
	if last := statsLastRun(t, db); last == nil || last.Status != store.StatusInterrupted || last.FinishedAt == nil ||
		len(rep.Runs) != 1 || rep.Runs[0].FinishedAt == nil || !last.FinishedAt.Equal(*rep.Runs[0].FinishedAt) {
		t.Errorf("stats --format json last_run = %+v after kill -9 of a crawl, want status's %+v", last, rep.Runs)
	}

	// The next crawl takes the lock over and records how the killed run ended.
	if r := cli(t, context.Background(), crawlArgs...); r.code != 0 {
		t.Fatalf("resumed crawl: exit %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE id = 1 AND status = 'interrupted' AND finished_at >= started_at"); n != 1 {
		t.Errorf("killed run not marked interrupted with finished_at")
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'"); n != 0 {
		t.Errorf("%d runs still running", n)
	}
}

// countWhileRunning runs a count(*) query on an archive another process is writing,
// 0 while the archive is not there or not readable yet.
func countWhileRunning(db, query string) int {
	if _, err := os.Stat(db); err != nil {
		return 0
	}
	conn, err := sql.Open("sqlite", roURI(db))
	if err != nil {
		return 0
	}
	defer conn.Close()
	var n int
	_ = conn.QueryRow(query).Scan(&n)
	return n
}

// leasedThreads counts leased thread items.
func leasedThreads(db string) int {
	return countWhileRunning(db, `SELECT count(*) FROM frontier WHERE state = 'leased' AND kind = 'thread'`)
}

// TestCrawlStaleRunsMarked: a crawl run left 'running' without a live lock is marked
// interrupted when the next crawl takes the lock.
func TestCrawlStaleRunsMarked(t *testing.T) {
	srv := httptest.NewServer(crawlForum())
	defer srv.Close()
	dbPath := filepath.Join(t.TempDir(), "s.db")
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(context.Background(), "crawl", []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.StartRun(context.Background(), "archive", []string{"y"})
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	db.Close()
	conn, _ := sql.Open("sqlite", dbPath)
	if _, err := conn.Exec(`INSERT INTO crawl_lock (id, run_id, pid, host, command, started_at, heartbeat_at) VALUES (1, ?, 999999999, ?, 'crawl x', '2000-01-01T00:00:00Z', '2000-01-01T00:00:05Z')`,
		run.ID(), host); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if r := cli(t, context.Background(), "--db", dbPath, "crawl", "--delay", "0", "--max-threads", "1", srv.URL+"/"); r.code != 0 {
		t.Fatalf("crawl: exit %d %s", r.code, r.stderr)
	}
	if n := count(t, dbPath, "SELECT count(*) FROM crawl_runs WHERE status = 'interrupted' AND finished_at = max(started_at, '2000-01-01T00:00:05Z')"); n != 1 {
		t.Errorf("dead crawl run: want interrupted, finished at its last heartbeat or start")
	}
	if n := count(t, dbPath, "SELECT count(*) FROM crawl_runs WHERE id = "+fmt.Sprint(other.ID())+" AND status = 'running'"); n != 1 {
		t.Errorf("an archive run (not under the crawl lock) must be left alone")
	}
}

// TestCrawlStopReleasesLeases interrupts a crawl with pages in flight: nothing may stay
// leased, and status counts leases as in progress only while a crawl holds the lock.
func TestCrawlStopReleasesLeases(t *testing.T) {
	f := crawlForum()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var threads atomic.Int32
	f.Fault = func(r *http.Request) (int, http.Header) {
		if strings.HasPrefix(r.URL.Path, "/threads/") {
			if threads.Add(1) == 6 {
				cancel() // SIGINT while three pages are in flight
			}
			time.Sleep(50 * time.Millisecond)
		}
		return 0, nil
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "l.db")
	r := cli(t, ctx, "--db", db, "crawl", "--delay", "0", "--concurrency", "3", srv.URL+"/")
	if r.code != exitInterrupted {
		t.Fatalf("exit %d, want 130\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM frontier WHERE state = 'leased'"); n != 0 {
		t.Errorf("%d frontier rows still leased after a clean stop", n)
	}
	if r := cli(t, context.Background(), "--db", db, "status"); !strings.Contains(r.stdout, " 0 in progress") {
		t.Errorf("status after a clean stop:\n%s", r.stdout)
	}

	// Leases left by a run that is gone are pending; held by a live crawl, in progress.
	conn, _ := sql.Open("sqlite", db)
	if _, err := conn.Exec(`UPDATE frontier SET state = 'leased', lease_until = '2999-01-01T00:00:00Z' WHERE id IN (SELECT id FROM frontier WHERE state = 'pending' LIMIT 2)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	pending := count(t, db, "SELECT count(*) FROM frontier WHERE state IN ('pending', 'leased') AND (not_before IS NULL OR state = 'leased')")
	rep := statusJSON(t, db)
	if rep.Frontier.Leased != 0 || rep.Frontier.Pending != pending {
		t.Errorf("no crawl running: frontier %+v, want 0 leased and %d pending", rep.Frontier, pending)
	}
	if r := cli(t, context.Background(), "--db", db, "status"); !strings.Contains(r.stdout, "2 left by a stopped run") {
		t.Errorf("status:\n%s", r.stdout)
	}
	sdb, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	lock, err := sdb.AcquireCrawlLock(context.Background(), "crawl x", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release(context.Background())
	if rep := statusJSON(t, db); rep.Frontier.Leased != 2 {
		t.Errorf("crawl running: frontier %+v, want 2 leased", rep.Frontier)
	}
}

// TestCrawlSiteDownNamesCause: a site that cannot be reached defers its work, and the
// summary, the exit message and status say why.
func TestCrawlSiteDownNamesCause(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	down := srv.URL + "/"
	srv.Close() // nothing listens there any more: connection refused
	db := filepath.Join(t.TempDir(), "d.db")
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--attempts", "1", down)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "connection refused") || !strings.Contains(r.stdout, "deferred") {
		t.Errorf("summary does not name the cause:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "connection refused") {
		t.Errorf("stderr does not name the cause: %s", r.stderr)
	}
	if n := count(t, db, "SELECT errors FROM crawl_runs"); n != 0 {
		t.Errorf("crawl_runs.errors = %d: deferred work is no failed page", n)
	}
	st := cli(t, context.Background(), "--db", db, "status")
	_, recent, _ := strings.Cut(st.stdout, "Recent errors:")
	if !strings.Contains(recent, "connection refused") {
		t.Errorf("status does not show the cause among recent errors:\n%s", st.stdout)
	}
}

// TestCrawlSinceCountedApart: threads skipped by --since are not "unchanged".
func TestCrawlSinceCountedApart(t *testing.T) {
	srv := httptest.NewServer(crawlForum())
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "since.db")
	// Thread n's last post is 2024-01-01 08:00 + n hours: threads 0..39 end before.
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--since", "2024-01-03T00:00:00Z", srv.URL+"/")
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "60 threads archived, 0 unchanged threads skipped, 40 threads skipped by --since") {
		t.Errorf("summary: %s", r.stdout)
	}
}

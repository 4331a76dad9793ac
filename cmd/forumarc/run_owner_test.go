package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
	"github.com/forumarc/forumarc/store"
)

// storedPages counts the archive's pages.
func storedPages(db string) int { return countWhileRunning(db, `SELECT count(*) FROM pages`) }

// slowThreadForum serves one thread of 200 posts (10 pages), each thread page after
// 100 ms, so an archive of it can be killed halfway.
func slowThreadForum(t *testing.T) (thread string) {
	t.Helper()
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 1, PostsPerThread: func(int) int { return 200 }})
	f.Fault = func(r *http.Request) (int, http.Header) {
		if strings.HasPrefix(r.URL.Path, "/threads/") {
			time.Sleep(100 * time.Millisecond)
		}
		return 0, nil
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + sampleforum.ThreadPath(f.Thread(1))
}

// killArchive runs 'forumarc ARGS...' (an archive of a slowThreadForum thread into db)
// in a child process and kills it with SIGKILL once it stored 2 pages, leaving its run
// (id 1) "running" with the dead process's pid and a heartbeat.
func killArchive(t *testing.T, archiveArgs []string, db string) {
	t.Helper()
	args, _ := json.Marshal(archiveArgs)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FORUMARC_TEST_CHILD_ARGS="+string(args))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for storedPages(db) < 2 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the archive stored no 2 pages in 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if n := storedPages(db); n >= 10 {
		t.Fatalf("the archive finished all %d pages before the kill", n)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE id = 1 AND status = 'running' AND pid = "+
		strconv.Itoa(cmd.Process.Pid)+" AND heartbeat_at >= started_at"); n != 1 {
		t.Fatalf("the killed run is not left running with its pid and a heartbeat")
	}
}

// TestArchiveKilledRunInterrupted kills an archive process with SIGKILL in the middle
// of a thread. archive takes no lock, so only the run's pid proves it dead: status
// must show the run interrupted, and the next archive marks it so in crawl_runs and
// finishes the thread with every post exactly once.
func TestArchiveKilledRunInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	thread := slowThreadForum(t)
	dir := t.TempDir()

	ref := filepath.Join(dir, "ref.db")
	if r := cli(t, context.Background(), "--db", ref, "archive", "--delay", "0", thread); r.code != 0 {
		t.Fatalf("reference archive: exit %d %s", r.code, r.stderr)
	}
	want := snapshot(t, ref)
	if len(want) != 200 {
		t.Fatalf("reference archive has %d posts, want 200", len(want))
	}

	db := filepath.Join(dir, "killed.db")
	archiveArgs := []string{"--db", db, "--log-level", "warn", "archive", "--delay", "0", thread}
	killArchive(t, archiveArgs, db)

	// status reads only: it shows the run interrupted and leaves the row as it is.
	rep := statusJSON(t, db)
	if len(rep.Runs) != 1 || rep.Runs[0].Status != store.StatusInterrupted || rep.Runs[0].FinishedAt == nil ||
		rep.Runs[0].FinishedAt.Before(rep.Runs[0].StartedAt) {
		t.Errorf("status --json runs = %+v, want the killed archive interrupted with finished_at", rep.Runs)
	}
	r := cli(t, context.Background(), "--db", db, "status")
	if !strings.Contains(r.stdout, "interrupted") || strings.Contains(r.stdout, "running") {
		t.Errorf("status after kill -9 of archive:\n%s", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'"); n != 1 {
		t.Errorf("status wrote to crawl_runs")
	}

	// The next archive records how the killed run ended and finishes the thread.
	r = cli(t, context.Background(), archiveArgs...)
	if r.code != 0 {
		t.Fatalf("archive again: exit %d %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "marked the runs of processes that died interrupted") || !strings.Contains(r.stderr, "count=1") {
		t.Errorf("archive again did not log the recovered run: %q", r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE id = 1 AND status = 'interrupted' AND finished_at >= started_at"); n != 1 {
		t.Error("killed run not marked interrupted with finished_at")
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'"); n != 0 {
		t.Errorf("%d runs still running", n)
	}
	got := snapshot(t, db)
	if len(got) != len(want) {
		t.Fatalf("after the kill: %d posts, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after the kill: post %d = %s, want %s", i, got[i], want[i])
		}
	}
	if n := count(t, db, "SELECT count(*) - count(DISTINCT thread_id || '/' || external_id) FROM posts"); n != 0 {
		t.Errorf("%d duplicated posts", n)
	}
}

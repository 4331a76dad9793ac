package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/store"
)

// statsLastRun is the last_run of 'forumarc stats --format json'.
func statsLastRun(t *testing.T, db string) *store.RunSummary {
	t.Helper()
	r := cli(t, context.Background(), "--db", db, "stats", "--format", "json")
	if r.code != 0 {
		t.Fatalf("stats --format json: exit %d %s", r.code, r.stderr)
	}
	var st store.Stats
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("stats --format json: %v\n%s", err, r.stdout)
	}
	return st.LastRun
}

// TestStatsShowsKilledRunInterrupted: stats shows the run of an archive killed with
// SIGKILL as status does, interrupted and finished at its last heartbeat, not running,
// and like status it writes nothing.
func TestStatsShowsKilledRunInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	thread := slowThreadForum(t)
	db := filepath.Join(t.TempDir(), "killed.db")
	killArchive(t, []string{"--db", db, "--log-level", "warn", "archive", "--delay", "0", thread}, db)

	rep := statusJSON(t, db)
	if len(rep.Runs) != 1 || rep.Runs[0].FinishedAt == nil {
		t.Fatalf("status --json runs = %+v", rep.Runs)
	}
	last := statsLastRun(t, db)
	if last == nil || last.Command != "archive" || last.Status != store.StatusInterrupted ||
		last.FinishedAt == nil || !last.FinishedAt.Equal(*rep.Runs[0].FinishedAt) || !last.StartedAt.Equal(rep.Runs[0].StartedAt) {
		t.Errorf("stats --format json last_run = %+v, want status's %+v", last, rep.Runs[0])
	}
	r := cli(t, context.Background(), "--db", db, "stats")
	if r.code != 0 || !strings.Contains(r.stdout, "archive, interrupted, started ") || strings.Contains(r.stdout, "running") {
		t.Errorf("stats after kill -9 of archive: exit %d\n%s", r.code, r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'"); n != 1 {
		t.Errorf("stats wrote to crawl_runs")
	}
}

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/forumarc/forumarc/scraper/sampleforum"
	"github.com/forumarc/forumarc/store"
)

// TestRunDueInterruptedSummaryKeepsFinishedJobs: run-due interrupted (SIGINT or
// SIGTERM cancel its context) during its third of four due jobs, after the first
// failed and the second succeeded: exit 130, and the last line says how the two jobs
// before ended, that the third stays due and that the fourth was not run. Interrupted
// between jobs (the job's crawl still ended on its own), the line says so too; with
// one job due, the crawl's own line is the only one.
func TestRunDueInterruptedSummaryKeepsFinishedJobs(t *testing.T) {
	setup := func(t *testing.T, names ...string) (string, *clock) {
		db := filepath.Join(t.TempDir(), "a.db")
		c := &clock{t: t0}
		for _, name := range names {
			if r := jobsCLI(context.Background(), env{now: c.now}, "--db", db, "jobs", "add", name, "--every", "6h", "https://forum.example/"+name+"/"); r.code != 0 {
				t.Fatalf("add %s: %d %s", name, r.code, r.stderr)
			}
		}
		return db, c
	}
	jobOf := func(args []string) string {
		return strings.TrimSuffix(strings.TrimPrefix(args[len(args)-1], "https://forum.example/"), "/")
	}
	// runDue runs run-due with a fake crawl that ends each job as ends says: "ok",
	// "fail", "interrupt" (the signal comes during the crawl, which stops at once) or
	// "late" (the signal comes during the crawl, which ends ok anyway).
	runDue := func(t *testing.T, db string, c *clock, ends map[string]string, extra ...string) (cliResult, []string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		fake := &fakeRunner{t: t, db: db, code: func(ctx context.Context, args []string) int {
			switch ends[jobOf(args)] {
			case "fail":
				return exitFailed
			case "interrupt":
				cancel()
				<-ctx.Done()
				return exitInterrupted
			case "late":
				cancel()
			}
			return exitOK
		}}
		r := jobsCLI(ctx, env{now: c.now, runJob: fake.run}, append(append([]string{"--log-level", "error"}, extra...), "--db", db, "run-due")...)
		var calls []string
		for _, a := range fake.Calls() {
			calls = append(calls, jobOf(a))
		}
		return r, calls
	}

	t.Run("during a job", func(t *testing.T) {
		db, c := setup(t, "a", "b", "c", "d")
		r, calls := runDue(t, db, c, map[string]string{"a": "fail", "b": "ok", "c": "interrupt", "d": "ok"})
		want := []string{"forumarc: run-due: interrupted during job c (3 of 4 due jobs), which stays due and resumes next time; " +
			"ran before it: a failed, b ok; not run, still due: d"}
		if got := errorLines(r.stderr); r.code != exitInterrupted || !reflect.DeepEqual(got, want) {
			t.Errorf("exit %d (want 130), lines\n%q\nwant\n%q", r.code, got, want)
		}
		if !reflect.DeepEqual(calls, []string{"a", "b", "c"}) {
			t.Errorf("jobs run: %q, want a, b, c", calls)
		}
		if r.stdout != "job a: failed\njob b: ok\njob c: interrupted\n" {
			t.Errorf("stdout:\n%s", r.stdout)
		}
		for name, status := range map[string]string{"a": store.StatusFailed, "b": store.StatusOK} {
			if j := readJob(t, db, name); j.LastStatus == nil || *j.LastStatus != status || j.Due(t0) {
				t.Errorf("job %s: %+v, want recorded %s and not due", name, j, status)
			}
		}
		if j := readJob(t, db, "c"); j.LastStatus == nil || *j.LastStatus != store.StatusInterrupted || !j.Due(t0) {
			t.Errorf("interrupted job c: %+v, want recorded interrupted and still due", j)
		}
		if j := readJob(t, db, "d"); j.LastRunAt != nil || !j.Due(t0) {
			t.Errorf("job d, not reached: %+v", j)
		}
	})

	t.Run("during the first job", func(t *testing.T) {
		db, c := setup(t, "a", "b")
		r, _ := runDue(t, db, c, map[string]string{"a": "interrupt"})
		want := []string{"forumarc: run-due: interrupted during job a (1 of 2 due jobs), which stays due and resumes next time; not run, still due: b"}
		if got := errorLines(r.stderr); r.code != exitInterrupted || !reflect.DeepEqual(got, want) {
			t.Errorf("exit %d (want 130), lines\n%q\nwant\n%q", r.code, got, want)
		}
	})

	t.Run("between jobs", func(t *testing.T) {
		db, c := setup(t, "a", "b", "c", "d")
		r, calls := runDue(t, db, c, map[string]string{"a": "fail", "b": "late"})
		want := []string{"forumarc: run-due: interrupted after 2 of 4 due jobs: a failed, b ok; not run, still due: c, d"}
		if got := errorLines(r.stderr); r.code != exitInterrupted || !reflect.DeepEqual(got, want) {
			t.Errorf("exit %d (want 130), lines\n%q\nwant\n%q", r.code, got, want)
		}
		if !reflect.DeepEqual(calls, []string{"a", "b"}) {
			t.Errorf("jobs run: %q, want a, b", calls)
		}
	})

	t.Run("json log lines", func(t *testing.T) {
		db, c := setup(t, "a", "b")
		r, _ := runDue(t, db, c, map[string]string{"a": "ok", "b": "interrupt"}, "--log-format", "json")
		if r.code != exitInterrupted {
			t.Fatalf("exit %d, want 130\n%s", r.code, r.stderr)
		}
		var recs []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("stderr line is not JSON: %q", l)
			}
			recs = append(recs, rec)
		}
		want := "run-due: interrupted during job b (2 of 2 due jobs), which stays due and resumes next time; ran before it: a ok"
		if len(recs) != 1 || recs[0]["msg"] != want || recs[0]["level"] != "WARN" || recs[0]["exit"] != float64(exitInterrupted) {
			t.Errorf("records %v, want one warning %q with exit 130", recs, want)
		}
	})

	t.Run("one job due", func(t *testing.T) {
		db, c := setup(t, "a")
		r, _ := runDue(t, db, c, map[string]string{"a": "interrupt"})
		if got := errorLines(r.stderr); r.code != exitInterrupted || len(got) != 0 {
			t.Errorf("exit %d (want 130), lines %q, want none (the crawl's own line says it)", r.code, got)
		}
	})
}

// TestRunDueInterruptedRealCrawl: two jobs crawl two test forums in-process; the
// signal comes while the second crawls (its forum cancels run-due's context on its
// first thread request). The second crawl's line says it was interrupted, and run-due's
// last line says the first job ended ok before it: exit 130.
func TestRunDueInterruptedRealCrawl(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	okForum := httptest.NewServer(sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 2, PostsPerThread: func(int) int { return 3 }}))
	defer okForum.Close()
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 3, PostsPerThread: func(int) int { return 3 }})
	var once sync.Once
	stopping := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/threads/") {
			once.Do(cancel)
		}
		f.ServeHTTP(w, r)
	}))
	defer stopping.Close()
	db := filepath.Join(t.TempDir(), "a.db")
	e := env{now: (&clock{t: t0}).now}
	for _, j := range []struct{ name, url string }{{"a", okForum.URL + "/"}, {"b", stopping.URL + "/"}} {
		if r := jobsCLI(context.Background(), e, "--db", db, "jobs", "add", j.name, "--every", "1h", "--delay", "0", j.url); r.code != 0 {
			t.Fatalf("jobs add %s: exit %d %s", j.name, r.code, r.stderr)
		}
	}
	r := jobsCLI(ctx, e, "--log-level", "error", "--db", db, "run-due")
	want := []string{"forumarc: job b: interrupted; everything fetched before was committed",
		"forumarc: run-due: interrupted during job b (2 of 2 due jobs), which stays due and resumes next time; ran before it: a ok"}
	if got := errorLines(r.stderr); r.code != exitInterrupted || !reflect.DeepEqual(got, want) {
		t.Errorf("exit %d (want 130), lines\n%q\nwant\n%q\nstdout:\n%s", r.code, got, want, r.stdout)
	}
	if j := readJob(t, db, "a"); j.LastStatus == nil || *j.LastStatus != store.StatusOK || j.Due(t0) {
		t.Errorf("job a: %+v", j)
	}
	if j := readJob(t, db, "b"); j.LastStatus == nil || *j.LastStatus != store.StatusInterrupted || !j.Due(t0) {
		t.Errorf("job b: %+v", j)
	}
	if r := cli(t, context.Background(), "run-due", "--help"); !strings.Contains(r.stdout, "a last line says how each job run before ended") {
		t.Errorf("run-due --help does not describe the interrupted summary:\n%s", r.stdout)
	}
}

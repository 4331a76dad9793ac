package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forumarc/forumarc/store"
)

// syncBuffer is a bytes.Buffer safe for the scheduler's goroutines and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeRunner stands in for the in-process crawl: it records each call, creates a
// crawl_runs row like a crawl would, and exits with code(args).
type fakeRunner struct {
	t     *testing.T
	db    string
	mu    sync.Mutex
	calls [][]string
	code  func(ctx context.Context, args []string) int
	runs  []int64

	active, maxActive atomic.Int32
}

func (f *fakeRunner) run(ctx context.Context, args []string) int {
	n := f.active.Add(1)
	defer f.active.Add(-1)
	for {
		m := f.maxActive.Load()
		if n <= m || f.maxActive.CompareAndSwap(m, n) {
			break
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, append([]string(nil), args...))
	f.mu.Unlock()
	db, err := store.Open(context.Background(), f.db)
	if err != nil {
		f.t.Errorf("fake crawl: open: %v", err)
		return exitDatabase
	}
	defer db.Close()
	r, err := db.StartRun(context.Background(), "crawl", args[3:])
	if err != nil {
		f.t.Errorf("fake crawl: start run: %v", err)
		return exitDatabase
	}
	f.mu.Lock()
	f.runs = append(f.runs, r.ID())
	f.mu.Unlock()
	code := exitOK
	if f.code != nil {
		code = f.code(ctx, args)
	}
	status := map[int]string{exitOK: store.StatusOK, exitInterrupted: store.StatusInterrupted}[code]
	if status == "" {
		status = store.StatusFailed
	}
	if err := r.Finish(context.Background(), status); err != nil {
		f.t.Errorf("fake crawl: finish: %v", err)
	}
	return code
}

func (f *fakeRunner) Calls() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]string(nil), f.calls...)
}

// clock is a settable clock for env.now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var t0 = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func jobsCLI(ctx context.Context, e env, args ...string) cliResult {
	var out, errb syncBuffer
	e.stdout, e.stderr = &out, &errb
	code := run(ctx, args, e)
	return cliResult{code, out.String(), errb.String()}
}

func readJob(t *testing.T, db, name string) store.Job {
	t.Helper()
	d, err := store.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	j, err := d.GetJob(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJobsAddListRemove(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: t0}
	e := env{now: c.now}
	ctx := context.Background()

	r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "general", "--every", "6h", "--max-threads", "5", "--include", "/threads/", "https://forum.example/forums/general.2/")
	if r.code != 0 || !strings.Contains(r.stdout, "added job general (every 6h), next run 2026-01-15 12:00:00Z") {
		t.Fatalf("add: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	// Flags after the command name, --cron=, and '--' before crawl arguments.
	r = jobsCLI(ctx, e, "jobs", "add", "--db", db, "nightly", "--cron=0 3 * * *", "--", "--since", "2025-01-01", "https://forum.example/")
	if r.code != 0 || !strings.Contains(r.stdout, "next run 2026-01-16 03:00:00Z") {
		t.Fatalf("add nightly: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if j := readJob(t, db, "general"); !reflect.DeepEqual(j.Args, []string{"--max-threads", "5", "--include", "/threads/", "https://forum.example/forums/general.2/"}) {
		t.Errorf("general args = %q", j.Args)
	}
	if j := readJob(t, db, "nightly"); !reflect.DeepEqual(j.Args, []string{"--since", "2025-01-01", "https://forum.example/"}) || j.Schedule.Cron != "0 3 * * *" {
		t.Errorf("nightly = %+v", j)
	}

	bad := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"x", "--cron", "0 3 * *", "https://f.example/"}, exitUsage, `invalid cron expression "0 3 * *"`},
		{[]string{"x", "--cron", "0 0 30 2 *", "https://f.example/"}, exitUsage, "never fires"},
		{[]string{"x", "--every", "soon", "https://f.example/"}, exitUsage, `invalid interval "soon"`},
		{[]string{"x", "--every", "20s", "https://f.example/"}, exitUsage, "at least 1m"},
		{[]string{"x", "--every", "6h", "--depth", "2"}, exitUsage, "http(s) URL"},
		{[]string{"x", "--every", "6h", "ftp://f.example/"}, exitUsage, "http(s) URL"},
		{[]string{"x", "https://f.example/"}, exitUsage, "schedule is required"},
		{[]string{"x", "--every", "6h", "--cron", "@daily", "https://f.example/"}, exitUsage, "not both"},
		{[]string{"--every", "6h", "https://f.example/"}, exitUsage, "NAME"},
		{[]string{"--depth", "2", "x", "https://f.example/"}, exitUsage, "NAME must come before"},
		{[]string{"bad/name", "--every", "6h", "https://f.example/"}, exitUsage, "invalid job name"},
		{[]string{"x", "--every"}, exitUsage, "needs an argument"},
		{[]string{"general", "--every", "1h", "https://f.example/"}, exitFailed, `job "general" already exists`},
	}
	for _, b := range bad {
		r := jobsCLI(ctx, e, append([]string{"--db", db, "jobs", "add"}, b.args...)...)
		if r.code != b.code || !strings.Contains(r.stderr, b.msg) {
			t.Errorf("jobs add %q: exit %d (want %d), stderr %q (want %q)", b.args, r.code, b.code, r.stderr, b.msg)
		}
	}

	r = jobsCLI(ctx, e, "--db", db, "jobs", "list")
	if r.code != 0 {
		t.Fatalf("list: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "general") || !strings.Contains(lines[1], "every 6h") ||
		!strings.Contains(lines[1], "2026-01-15 12:00:00Z (due)") || !strings.Contains(lines[1], "never") ||
		!strings.HasPrefix(lines[2], "nightly") || !strings.Contains(lines[2], "cron 0 3 * * *") || strings.Contains(lines[2], "(due)") {
		t.Errorf("list:\n%s", r.stdout)
	}
	r = jobsCLI(ctx, e, "--db", db, "jobs", "list", "--json")
	var listed []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 2 {
		t.Fatalf("list --json: %v %q", err, r.stdout)
	}
	if listed[0]["name"] != "general" || listed[0]["every_seconds"] != float64(21600) || listed[0]["cron"] != nil ||
		listed[1]["cron"] != "0 3 * * *" || listed[1]["next_run_at"] != "2026-01-16T03:00:00Z" {
		t.Errorf("list --json = %v", listed)
	}

	r = jobsCLI(ctx, e, "--db", db, "jobs", "remove", "general", "nope")
	if r.code != exitFailed || !strings.Contains(r.stdout, "removed job general") || !strings.Contains(r.stderr, "no job named nope") {
		t.Errorf("remove: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = jobsCLI(ctx, e, "--db", db, "jobs", "list", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil || len(listed) != 1 || listed[0]["name"] != "nightly" {
		t.Errorf("after remove: %q", r.stdout)
	}
	if r := jobsCLI(ctx, e, "--db", db, "jobs", "remove"); r.code != exitUsage {
		t.Errorf("remove without name: exit %d", r.code)
	}
}

func TestRunDueRunsOnlyDueJobsWithStoredArgs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: t0}
	fake := &fakeRunner{t: t, db: db}
	e := env{now: c.now, runJob: fake.run}
	ctx := context.Background()
	for _, args := range [][]string{
		{"six", "--every", "6h", "--max-threads", "5", "https://forum.example/forums/a.1/"},
		{"cron", "--cron", "0 */6 * * *", "https://forum.example/forums/b.2/", "https://forum.example/forums/c.3/"},
	} {
		if r := jobsCLI(ctx, e, append([]string{"--db", db, "jobs", "add"}, args...)...); r.code != 0 {
			t.Fatalf("add %v: %d %s", args, r.code, r.stderr)
		}
	}

	// 12:00: only the --every job is due (the cron job's first slot is 18:00).
	r := jobsCLI(ctx, e, "--db", db, "run-due")
	if r.code != 0 {
		t.Fatalf("run-due: exit %d %s", r.code, r.stderr)
	}
	calls := fake.Calls()
	want := []string{"--db", db, "crawl", "--max-threads", "5", "https://forum.example/forums/a.1/"}
	if len(calls) != 1 || !reflect.DeepEqual(calls[0], want) {
		t.Fatalf("runner calls = %q, want [%q]", calls, want)
	}
	j := readJob(t, db, "six")
	if j.LastStatus == nil || *j.LastStatus != "ok" || j.LastRunID == nil || *j.LastRunID != fake.runs[0] ||
		j.LastRunAt == nil || !j.LastRunAt.Equal(t0) || !j.NextRunAt.Equal(t0.Add(6*time.Hour)) {
		t.Errorf("six after run: %+v", j)
	}

	// Still 12:00 (and at 17:59:59): nothing is due, nothing runs.
	for _, at := range []time.Time{t0, t0.Add(6*time.Hour - time.Second)} {
		c.set(at)
		if r := jobsCLI(ctx, e, "--db", db, "run-due"); r.code != 0 || !strings.Contains(r.stdout, "no jobs due") {
			t.Errorf("run-due at %v: exit %d %q", at, r.code, r.stdout)
		}
	}
	if n := len(fake.Calls()); n != 1 {
		t.Fatalf("not-due jobs ran: %d calls", n)
	}

	// 18:05: both due; the cron job's crawl fails: exit 1, both recorded, in due order.
	c.set(t0.Add(6*time.Hour + 5*time.Minute))
	fake.code = func(_ context.Context, args []string) int {
		if strings.Contains(strings.Join(args, " "), "b.2") {
			return exitFailed
		}
		return exitOK
	}
	r = jobsCLI(ctx, e, "--db", db, "run-due")
	// The fake crawl prints no line of its own: only run-due's count is there.
	wantLines := []string{"forumarc: run-due: 1 of 2 due jobs failed (cron); see the lines above"}
	if got := errorLines(r.stderr); r.code != exitFailed || !reflect.DeepEqual(got, wantLines) {
		t.Errorf("run-due with a failing job: exit %d, lines %q, want %q\nstderr %s", r.code, got, wantLines, r.stderr)
	}
	calls = fake.Calls()
	if len(calls) != 3 || !reflect.DeepEqual(calls[1][3:], []string{"https://forum.example/forums/b.2/", "https://forum.example/forums/c.3/"}) ||
		calls[2][len(calls[2])-1] != "https://forum.example/forums/a.1/" {
		t.Errorf("calls = %q", calls)
	}
	cj := readJob(t, db, "cron")
	if *cj.LastStatus != "failed" || !cj.NextRunAt.Equal(t0.Add(12*time.Hour)) || *cj.LastRunID != fake.runs[1] {
		t.Errorf("cron after failure: %+v", cj)
	}
	// The --every job keeps its phase: 18:00 + 6h, not 18:05 + 6h.
	if j := readJob(t, db, "six"); !j.NextRunAt.Equal(t0.Add(12 * time.Hour)) {
		t.Errorf("six next = %v, want %v (no drift)", j.NextRunAt, t0.Add(12*time.Hour))
	}
}

func TestRunDueRefusesWhileLocked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: t0}
	fake := &fakeRunner{t: t, db: db}
	e := env{now: c.now, runJob: fake.run}
	ctx := context.Background()
	if r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "six", "--every", "6h", "https://forum.example/"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	lock, err := d.AcquireCrawlLock(ctx, "crawl https://other.example/", 42)
	if err != nil {
		t.Fatal(err)
	}
	r := jobsCLI(ctx, e, "--db", db, "run-due")
	if r.code != exitLocked || !strings.Contains(r.stderr, "another crawl is running") || !strings.Contains(r.stderr, "run 42") {
		t.Errorf("run-due while locked: exit %d %q", r.code, r.stderr)
	}
	if n := len(fake.Calls()); n != 0 {
		t.Errorf("ran %d jobs while locked", n)
	}
	// status shows the running crawl and the due job.
	r = jobsCLI(ctx, e, "--db", db, "status")
	if r.code != 0 || !strings.Contains(r.stdout, "Running: crawl https://other.example/ (run 42, pid") ||
		!strings.Contains(r.stdout, "six (every 6h) due since 2026-01-15 12:00:00Z") {
		t.Errorf("status while locked: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if err := lock.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if j := readJob(t, db, "six"); j.LastRunAt != nil || !j.Due(t0) {
		t.Errorf("job touched while locked: %+v", j)
	}

	// A crawl that finds the lock taken (a race with another process) stops run-due
	// with exit 3 and leaves the job due.
	fake.code = func(context.Context, []string) int { return exitLocked }
	if r := jobsCLI(ctx, e, "--db", db, "run-due"); r.code != exitLocked {
		t.Errorf("runner locked: exit %d", r.code)
	}
	if j := readJob(t, db, "six"); j.LastRunAt != nil || !j.Due(t0) {
		t.Errorf("job marked after a locked crawl: %+v", j)
	}
	// Interrupted: exit 130, recorded, still due so the crawl resumes next time.
	fake.code = func(context.Context, []string) int { return exitInterrupted }
	if r := jobsCLI(ctx, e, "--db", db, "run-due"); r.code != exitInterrupted {
		t.Errorf("runner interrupted: exit %d", r.code)
	}
	if j := readJob(t, db, "six"); j.LastStatus == nil || *j.LastStatus != "interrupted" || !j.Due(t0) {
		t.Errorf("after interrupt: %+v", j)
	}
}

func TestStatusJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: t0}
	e := env{now: c.now}
	ctx := context.Background()
	if r := jobsCLI(ctx, e, "--db", db, "status"); r.code != exitDatabase {
		t.Errorf("status without archive: exit %d", r.code)
	}
	d, err := store.Open(ctx, db, store.WithNow(c.now))
	if err != nil {
		t.Fatal(err)
	}
	run, err := d.StartRun(ctx, "crawl", []string{"https://forum.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.RecordError(ctx, "https://forum.example/threads/9/", errAt("HTTP 503 after 3 attempts")); err != nil {
		t.Fatal(err)
	}
	if err := run.Finish(ctx, store.StatusFailed); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "later", "--cron", "@daily", "https://forum.example/"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := jobsCLI(ctx, e, "--db", db, "status", "--json")
	if r.code != 0 {
		t.Fatalf("status --json: %d %s", r.code, r.stderr)
	}
	var rep struct {
		Running  any               `json:"running"`
		Frontier map[string]int    `json:"frontier"`
		Runs     []store.RunInfo   `json:"runs"`
		Errors   []store.ErrorInfo `json:"errors"`
		DueJobs  []any             `json:"due_jobs"`
		Jobs     int               `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if rep.Running != nil || len(rep.Runs) != 1 || rep.Runs[0].Status != "failed" || rep.Runs[0].Errors != 1 ||
		len(rep.Errors) != 1 || rep.Errors[0].URL != "https://forum.example/threads/9/" || rep.DueJobs == nil ||
		len(rep.DueJobs) != 0 || rep.Jobs != 1 || rep.Frontier == nil {
		t.Errorf("status = %s", r.stdout)
	}
	r = jobsCLI(ctx, e, "--db", db, "status")
	for _, want := range []string{"Running: no crawl", "Frontier: 0 pending", "failed", "HTTP 503 after 3 attempts", "Jobs: 1 defined, 0 due"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status text lacks %q:\n%s", want, r.stdout)
		}
	}
}

type errAt string

func (e errAt) Error() string { return string(e) }

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// scheduleRun is a 'forumarc schedule' running in a goroutine of the test.
type scheduleRun struct {
	stderr syncBuffer
	cancel context.CancelFunc
	done   chan struct{}
	code   int // set when done is closed
}

// startSchedule runs 'forumarc --db db schedule --reload 50ms' with e (its stdout and
// stderr replaced by buffers) until stop. Should the test end first, cleanup stops it,
// before the test's temporary directories go.
func startSchedule(t *testing.T, e env, db string) *scheduleRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &scheduleRun{cancel: cancel, done: make(chan struct{})}
	var out syncBuffer
	e.stdout, e.stderr = &out, &s.stderr
	go func() {
		defer close(s.done)
		s.code = run(ctx, []string{"--db", db, "schedule", "--reload", "50ms"}, e)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Error("schedule did not stop at the end of the test")
		}
	})
	return s
}

// stop cancels the scheduler's context, as SIGINT or SIGTERM do, and returns its exit
// code; the test fails at once if it has not stopped within 10 s.
func (s *scheduleRun) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case <-s.done:
		return s.code
	case <-time.After(10 * time.Second):
		t.Fatal("schedule did not stop within 10s of the cancel")
		return 0
	}
}

func TestScheduleRunsDueJobsPicksUpNewOnesAndStops(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	fake := &fakeRunner{t: t, db: db}
	e := env{runJob: fake.run} // real clock: gocron times real timers
	if r := jobsCLI(context.Background(), e, "--db", db, "jobs", "add", "first", "--every", "1h", "https://forum.example/a/"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := jobsCLI(context.Background(), e, "--db", db, "jobs", "add", "tomorrow", "--cron", "0 0 1 1 *", "https://forum.example/z/"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	sched := startSchedule(t, e, db)
	waitFor(t, "the due job to run", 5*time.Second, func() bool { return len(fake.Calls()) >= 1 })
	if c := fake.Calls()[0]; !reflect.DeepEqual(c, []string{"--db", db, "crawl", "https://forum.example/a/"}) {
		t.Errorf("first call = %q", c)
	}
	waitFor(t, "the run to be recorded", 5*time.Second, func() bool {
		j := readJob(t, db, "first")
		return j.LastStatus != nil && *j.LastStatus == "ok"
	})
	if j := readJob(t, db, "first"); time.Until(j.NextRunAt) < 59*time.Minute {
		t.Errorf("first next run %v, want in an hour", j.NextRunAt)
	}

	// A job added while the scheduler runs is picked up at the next reload.
	if r := jobsCLI(context.Background(), e, "--db", db, "jobs", "add", "second", "--every", "2h", "--max-pages", "3", "https://forum.example/b/"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	waitFor(t, "the added job to run", 5*time.Second, func() bool { return len(fake.Calls()) >= 2 })
	if c := fake.Calls()[1]; !reflect.DeepEqual(c, []string{"--db", db, "crawl", "--max-pages", "3", "https://forum.example/b/"}) {
		t.Errorf("second call = %q", c)
	}
	time.Sleep(200 * time.Millisecond) // a few reloads: nothing runs twice, nothing not due runs
	if n := len(fake.Calls()); n != 2 {
		t.Errorf("%d runs, want 2: %q", n, fake.Calls())
	}
	if code := sched.stop(t); code != 0 {
		t.Errorf("schedule exit %d, stderr %s", code, sched.stderr.String())
	}
	if !strings.Contains(sched.stderr.String(), "scheduler stopped") {
		t.Errorf("no stop log: %s", sched.stderr.String())
	}
}

func TestScheduleNeverOverlapsAndStopsRunningCrawl(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	release := make(chan struct{})
	var slowRuns atomic.Int32
	fake := &fakeRunner{t: t, db: db}
	fake.code = func(ctx context.Context, args []string) int {
		if args[len(args)-1] != "https://forum.example/slow/" {
			return exitOK
		}
		wait := release
		if slowRuns.Add(1) > 1 {
			wait = nil // the second run lasts until the scheduler stops
		}
		select {
		case <-wait:
			return exitOK
		case <-ctx.Done():
			return exitInterrupted
		}
	}
	e := env{runJob: fake.run}
	for _, a := range [][]string{
		{"slow", "--every", "1h", "https://forum.example/slow/"},
		{"fast", "--every", "1h", "https://forum.example/fast/"},
	} {
		if r := jobsCLI(context.Background(), e, append([]string{"--db", db, "jobs", "add"}, a...)...); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	// fast comes due two seconds later, while slow runs.
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SkipJob(context.Background(), "fast", time.Now().Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	d.Close()

	sched := startSchedule(t, e, db)
	errb := &sched.stderr
	waitFor(t, "slow to start", 5*time.Second, func() bool { return len(fake.Calls()) >= 1 })
	waitFor(t, "fast to be skipped", 8*time.Second, func() bool {
		return strings.Contains(errb.String(), "job due while another crawl runs")
	})
	if s := errb.String(); !strings.Contains(s, "job=fast") || !strings.Contains(s, "running=slow") {
		t.Errorf("skip log does not name both jobs:\n%s", s)
	}
	if n := len(fake.Calls()); n != 1 {
		t.Fatalf("%d crawls started while slow ran", n)
	}
	close(release)
	waitFor(t, "fast to run after slow", 5*time.Second, func() bool { return len(fake.Calls()) >= 2 })
	if got := fake.Calls()[1]; got[len(got)-1] != "https://forum.example/fast/" {
		t.Errorf("second crawl = %q", got)
	}
	if m := fake.maxActive.Load(); m != 1 {
		t.Errorf("%d crawls ran at once", m)
	}

	// Stopping while a crawl runs: the crawl sees the cancel, the job stays due.
	d, err = store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "fast to be recorded", 5*time.Second, func() bool {
		j := readJob(t, db, "fast")
		return j.LastStatus != nil
	})
	if err := d.SkipJob(context.Background(), "slow", time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	d.Close()
	waitFor(t, "slow to start again", 5*time.Second, func() bool { return len(fake.Calls()) >= 3 })
	if code := sched.stop(t); code != 0 {
		t.Errorf("schedule exit %d", code)
	}
	j := readJob(t, db, "slow")
	if j.LastStatus == nil || *j.LastStatus != "interrupted" || !j.Due(time.Now()) {
		t.Errorf("slow after stop: %+v", j)
	}
}

func TestJobCommandsHelp(t *testing.T) {
	for _, c := range [][]string{{"jobs"}, {"jobs", "add"}, {"jobs", "list"}, {"jobs", "remove"}, {"run-due"}, {"schedule"}, {"status"}} {
		r := cli(t, context.Background(), append(c, "--help")...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%v --help: exit %d, output %q", c, r.code, r.stdout)
		}
	}
	if r := cli(t, context.Background(), "schedule", "--reload", "0s"); r.code != exitUsage {
		t.Errorf("schedule --reload 0: exit %d", r.code)
	}
}

func TestJobArgsValidatedAgainstCrawlFlags(t *testing.T) {
	a := &app{env: env{now: time.Now, getenv: func(string) string { return "" }}}
	// jobs add checks stored arguments against the real crawl command's flags.
	cases := []struct {
		args []string
		err  string
	}{
		{[]string{"--max-threads", "5", "--full", "https://forum.example/"}, ""},
		{[]string{"https://forum.example/", "https://forum.example/b/"}, ""},
		{[]string{"--bogus", "https://forum.example/"}, "unknown flag: --bogus"},
		{[]string{"--max-threads", "many", "https://forum.example/"}, "invalid argument"},
		{[]string{"--max-threads", "5", "forum.example"}, `"forum.example" is not an http(s) URL`},
		{[]string{"--max-threads", "5"}, "at least one http(s) URL"},
	}
	for _, c := range cases {
		err := a.validateCrawlArgs(c.args)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.args, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: error %v, want %q", c.args, err, c.err)
		case err != nil && exitCode(err, io.Discard) != exitUsage:
			t.Errorf("%q: not a usage error", c.args)
		}
	}
}

// TestRunDueFailedAndLockedJobs: every due job is attempted; a job refused by the lock
// stays due with one line naming the crawl that holds it; the exit code is 1 when a job
// failed, else 3 when one was refused, and the last line counts both.
func TestRunDueFailedAndLockedJobs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	c := &clock{t: t0}
	ctx := context.Background()
	for _, name := range []string{"a", "b", "c"} {
		if r := jobsCLI(ctx, env{now: c.now}, "--db", db, "jobs", "add", name, "--every", "6h", "https://forum.example/"+name+"/"); r.code != 0 {
			t.Fatalf("add %s: %d %s", name, r.code, r.stderr)
		}
	}
	d, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var (
		errb  *syncBuffer
		lock  *store.CrawlLock
		calls []string
		// how each job's crawl ends: "ok", "fail", "take" (ok, and another crawl takes
		// the archive as it ends), "locked" (the real in-process crawl, which finds the
		// archive taken), "race" (another crawl takes the archive just before the real
		// crawl starts, and ends after it)
		ends map[string]string
	)
	fake := &fakeRunner{t: t, db: db}
	runner := func(ctx context.Context, args []string) int {
		name := strings.TrimSuffix(strings.TrimPrefix(args[len(args)-1], "https://forum.example/"), "/")
		calls = append(calls, name)
		switch ends[name] {
		case "locked", "race":
			if ends[name] == "race" {
				if lock, err = d.AcquireCrawlLock(ctx, "crawl https://other.example/", 42); err != nil {
					t.Error(err)
				}
			}
			code := run(ctx, args, env{stdout: io.Discard, stderr: errb, job: name, now: c.now})
			if ends[name] == "race" {
				if err := lock.Release(ctx); err != nil {
					t.Error(err)
				}
			}
			return code
		case "fail":
			fake.code = func(context.Context, []string) int { return exitFailed }
		default:
			fake.code = nil
		}
		code := fake.run(ctx, args)
		if ends[name] == "take" {
			if lock, err = d.AcquireCrawlLock(ctx, "crawl https://other.example/", 42); err != nil {
				t.Error(err)
			}
		}
		return code
	}
	runDue := func() (int, []string) {
		calls, errb = nil, &syncBuffer{}
		code := run(ctx, []string{"--log-level", "error", "--db", db, "run-due"},
			env{now: c.now, runJob: runner, stdout: io.Discard, stderr: errb})
		return code, errorLines(errb.String())
	}
	lockLine := "forumarc: job c: another crawl is running on this archive: crawl https://other.example/ (run 42, pid "

	// a fails, b succeeds and another crawl takes the archive, c is refused: exit 1.
	ends = map[string]string{"a": "fail", "b": "take", "c": "locked"}
	code, lines := runDue()
	want := "forumarc: run-due: 1 of 3 due jobs failed (a), 1 refused: another crawl holds the archive (c); see the lines above"
	if code != exitFailed || len(lines) != 2 || !strings.HasPrefix(lines[0], lockLine) || lines[1] != want {
		t.Errorf("failed, ok, refused: exit %d (want 1), lines\n%q\nwant %q... and\n%q", code, lines, lockLine, want)
	}
	if !reflect.DeepEqual(calls, []string{"a", "b", "c"}) {
		t.Errorf("jobs attempted: %q, want a, b, c", calls)
	}
	if j := readJob(t, db, "c"); j.LastRunAt != nil || !j.Due(t0) {
		t.Errorf("refused job c was marked run: %+v", j)
	}
	for _, name := range []string{"a", "b"} {
		if j := readJob(t, db, name); j.LastRunAt == nil || j.Due(t0) {
			t.Errorf("job %s not recorded: %+v", name, j)
		}
	}

	// Only c is due, and the other crawl still runs: nothing is run, one line, exit 3.
	if code, lines := runDue(); code != exitLocked || len(lines) != 1 || !strings.HasPrefix(lines[0], "forumarc: no job run: another crawl is running") || len(calls) != 0 {
		t.Errorf("the only due job while locked: exit %d (want 3), lines %q, calls %q", code, lines, calls)
	}
	if err := lock.Release(ctx); err != nil {
		t.Fatal(err)
	}

	// Six hours on, all three are due, c (due since 12:00) first: another crawl takes the
	// archive as c starts and ends right after; a and b still run: exit 3.
	c.set(t0.Add(6 * time.Hour))
	ends = map[string]string{"a": "ok", "b": "ok", "c": "race"}
	code, lines = runDue()
	want = "forumarc: run-due: 1 of 3 due jobs refused: another crawl holds the archive (c); see the lines above"
	if code != exitLocked || len(lines) != 2 || !strings.HasPrefix(lines[0], lockLine) || lines[1] != want {
		t.Errorf("refused, ok, ok: exit %d (want 3), lines\n%q\nwant %q... and\n%q", code, lines, lockLine, want)
	}
	if !reflect.DeepEqual(calls, []string{"c", "a", "b"}) {
		t.Errorf("jobs attempted: %q, want c, a, b", calls)
	}
	if j := readJob(t, db, "c"); j.LastRunAt != nil || !j.Due(c.now()) {
		t.Errorf("refused job c was marked run: %+v", j)
	}
	if j := readJob(t, db, "a"); j.LastStatus == nil || *j.LastStatus != "ok" || j.Due(c.now()) {
		t.Errorf("job a after c was refused: %+v", j)
	}
	if r := cli(t, ctx, "run-due", "--help"); !strings.Contains(r.stdout, "1 some job failed\n(whether or not others were refused), 3 no job failed") {
		t.Errorf("run-due --help does not give the exit codes of failed and refused jobs:\n%s", r.stdout)
	}
}

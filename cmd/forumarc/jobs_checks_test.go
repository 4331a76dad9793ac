package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// countingServer serves a small sample forum and counts the requests made to it.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 2, PostsPerThread: func(int) int { return 3 }})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		f.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// firstLine is the error line of a failed command's stderr.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestJobsAddChecksValuesAsCrawl: jobs add refuses what crawl would refuse, with the
// same message and exit 2, and crawl refuses it before any request.
func TestJobsAddChecksValuesAsCrawl(t *testing.T) {
	srv, requests := countingServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	e := env{now: (&clock{t: t0}).now}
	ctx := context.Background()
	cases := []struct {
		flags []string
		msg   string
	}{
		{[]string{"--since", "garbage"}, `--since: "garbage" is not a date`},
		{[]string{"--include", "("}, `--include "("`},
		{[]string{"--exclude", "a[", "--include", "x"}, `--exclude "a["`},
		{[]string{"--timezone", "Bad/Zone"}, `unknown time zone "Bad/Zone"`},
		{[]string{"--concurrency", "0"}, "--concurrency and --per-host >= 1"},
		{[]string{"--depth", "-1"}, "--depth must be >= 0"},
		{[]string{"--engine", "nosuch"}, `unknown engine "nosuch" (see 'forumarc engines')`},
		{[]string{"--cookies", filepath.Join(dir, "nonexist.txt")}, "nonexist.txt: no such file"},
		{[]string{"--attempts", "0"}, "--attempts >= 1"},
		{[]string{"--delay", "-1s"}, "--delay must be >= 0"},
	}
	for _, c := range cases {
		before := requests.Load()
		cr := jobsCLI(ctx, e, append(append([]string{"--db", db, "crawl"}, c.flags...), srv.URL+"/")...)
		if cr.code != exitUsage || !strings.Contains(cr.stderr, c.msg) {
			t.Errorf("crawl %q: exit %d (want 2), stderr %q (want %q)", c.flags, cr.code, cr.stderr, c.msg)
		}
		if n := requests.Load() - before; n != 0 {
			t.Errorf("crawl %q: %d requests before refusing", c.flags, n)
		}
		jr := jobsCLI(ctx, e, append(append([]string{"--db", db, "jobs", "add", "j", "--every", "6h"}, c.flags...), srv.URL+"/")...)
		if jr.code != exitUsage || firstLine(jr.stderr) != firstLine(cr.stderr) {
			t.Errorf("jobs add %q: exit %d (want 2), stderr %q, want crawl's %q", c.flags, jr.code, jr.stderr, firstLine(cr.stderr))
		}
	}
	if _, err := os.Stat(db); err == nil {
		if r := jobsCLI(ctx, e, "--db", db, "jobs", "list"); !strings.Contains(r.stdout, "no jobs") {
			t.Errorf("a refused job was stored:\n%s", r.stdout)
		}
	}
	// archive checks --engine the same way, before any request.
	before := requests.Load()
	r := jobsCLI(ctx, e, "--db", db, "archive", "--engine", "nosuch", srv.URL+"/threads/x.1/")
	if r.code != exitUsage || !strings.Contains(r.stderr, "forumarc engines") || requests.Load() != before {
		t.Errorf("archive --engine nosuch: exit %d, %d requests, stderr %q", r.code, requests.Load()-before, r.stderr)
	}
}

// TestJobsAddCronZoneAndEvery: a zone with no schedule after it made the cron
// library panic; @every in --cron has --every's minimum.
func TestJobsAddCronZoneAndEvery(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	e := env{now: (&clock{t: t0}).now}
	ctx := context.Background()
	for _, expr := range []string{"CRON_TZ=UTC", "CRON_TZ=Europe/Berlin", "TZ=UTC", "CRON_TZ=", "CRON_TZ=Bad/Zone 0 3 * * *",
		"@every 10s", "CRON_TZ=UTC @every 5s"} {
		r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "z", "--cron", expr, "https://forum.example/")
		if r.code != exitUsage || !strings.Contains(r.stderr, "invalid cron expression") || strings.Count(r.stderr, "\n") != 2 {
			t.Errorf("--cron %q: exit %d (want 2), stderr %q", expr, r.code, r.stderr)
		}
		if strings.Contains(expr, "@every") && !strings.Contains(r.stderr, "at least 1m") {
			t.Errorf("--cron %q: stderr %q does not name the 1m minimum", expr, r.stderr)
		}
	}
	r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "ok", "--cron", "CRON_TZ=UTC @every 2h", "https://forum.example/")
	if r.code != 0 || !strings.Contains(r.stdout, "next run 2026-01-15 14:00:00Z") {
		t.Errorf("@every 2h: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := jobsCLI(ctx, e, "jobs", "add", "--help"); !strings.Contains(r.stdout, "@every INTERVAL (at least 1m") {
		t.Errorf("jobs add --help does not say what --cron accepts:\n%s", r.stdout)
	}
}

// TestCrawlBadOptionRecordsNoRun: a crawl refused for its options leaves no run row
// (before, --cookies was loaded after the row was made, which stayed "running").
func TestCrawlBadOptionRecordsNoRun(t *testing.T) {
	srv, requests := countingServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	ctx := context.Background()
	if r := cli(t, ctx, "--db", db, "crawl", "--delay", "0", srv.URL+"/"); r.code != 0 {
		t.Fatalf("crawl: exit %d %s", r.code, r.stderr)
	}
	before := requests.Load()
	r := cli(t, ctx, "--db", db, "crawl", "--delay", "0", "--cookies", filepath.Join(dir, "nonexist.txt"), srv.URL+"/")
	if r.code != exitUsage || !strings.Contains(r.stderr, "nonexist.txt") {
		t.Errorf("crawl --cookies nonexist.txt: exit %d %q", r.code, r.stderr)
	}
	if n := requests.Load() - before; n != 0 {
		t.Errorf("%d requests before refusing", n)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs"); n != 1 {
		t.Errorf("%d runs recorded, want only the first crawl's", n)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE status = 'running' OR finished_at IS NULL"); n != 0 {
		t.Errorf("%d runs left running", n)
	}

	// The same through run-due: a job whose cookies file went away fails (exit 1)
	// and leaves no run running.
	cookies := filepath.Join(dir, "ck.txt")
	if err := os.WriteFile(cookies, []byte("# Netscape HTTP Cookie File\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := env{}
	if r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "gone", "--every", "1h", "--delay", "0", "--cookies", cookies, srv.URL+"/"); r.code != 0 {
		t.Fatalf("jobs add: exit %d %s", r.code, r.stderr)
	}
	os.Remove(cookies)
	r = jobsCLI(ctx, e, "--db", db, "run-due")
	if r.code != exitFailed || !strings.Contains(r.stdout, "job gone: failed (usage error, exit 2)") {
		t.Errorf("run-due: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE status = 'running' OR finished_at IS NULL"); n != 0 {
		t.Errorf("run-due left %d runs running", n)
	}
}

// TestJobsStoreAbsoluteCookies: a relative --cookies path is stored absolute, so
// run-due from another directory still finds it.
func TestJobsStoreAbsoluteCookies(t *testing.T) {
	var sawCookie atomic.Bool
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 1, PostsPerThread: func(int) int { return 2 }})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("sid"); err == nil && c.Value == "s3cret" {
			sawCookie.Store(true)
		}
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "ck.db")
	host := strings.TrimPrefix(srv.URL, "http://")
	host, _, _ = strings.Cut(host, ":")
	if err := os.WriteFile(filepath.Join(dir, "cookies.txt"), []byte(host+"\tFALSE\t/\tFALSE\t0\tsid\ts3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	e := env{now: (&clock{t: t0}).now}
	ctx := context.Background()
	for _, c := range [][]string{{"a", "--cookies", "cookies.txt"}, {"b", "--cookies=cookies.txt"}} {
		if r := jobsCLI(ctx, e, append(append([]string{"--db", db, "jobs", "add"}, c...), "--every", "1h", "--delay", "0", srv.URL+"/")...); r.code != 0 {
			t.Fatalf("jobs add %q: exit %d %s", c, r.code, r.stderr)
		}
	}
	abs := filepath.Join(dir, "cookies.txt")
	if j := readJob(t, db, "a"); !reflect.DeepEqual(j.Args[:2], []string{"--cookies", abs}) {
		t.Errorf("a args = %q, want the cookies file as %s", j.Args, abs)
	}
	if j := readJob(t, db, "b"); j.Args[0] != "--cookies="+abs {
		t.Errorf("b args = %q, want --cookies=%s", j.Args, abs)
	}
	if r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "c", "--every", "1h", "--cookies", "missing.txt", srv.URL+"/"); r.code != exitUsage ||
		!strings.Contains(r.stderr, "missing.txt") {
		t.Errorf("missing cookies file: exit %d %q", r.code, r.stderr)
	}
	t.Chdir("/")
	if r := jobsCLI(ctx, env{}, "--db", db, "run-due"); r.code != 0 {
		t.Fatalf("run-due from /: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if !sawCookie.Load() {
		t.Error("the job's crawl did not send the cookie")
	}
}

// TestScheduleStopWordsFollowWhatRuns: stopping an idle scheduler says nothing of a
// running crawl; stopping one that runs a crawl does.
func TestScheduleStopWordsFollowWhatRuns(t *testing.T) {
	for _, busy := range []bool{false, true} {
		db := filepath.Join(t.TempDir(), "a.db")
		fake := &fakeRunner{t: t, db: db, code: func(ctx context.Context, _ []string) int {
			<-ctx.Done()
			return exitInterrupted
		}}
		e := env{runJob: fake.run}
		sched := []string{"--cron", "0 0 1 1 *"} // not due for months
		if busy {
			sched = []string{"--every", "1h"} // due at once
		}
		if r := jobsCLI(context.Background(), e, append(append([]string{"--db", db, "jobs", "add", "j"}, sched...), "https://forum.example/")...); r.code != 0 {
			t.Fatal(r.stderr)
		}
		s := startSchedule(t, e, db)
		waitFor(t, "the scheduler to start", 5*time.Second, func() bool { return strings.Contains(s.stderr.String(), "scheduler started") })
		if busy {
			waitFor(t, "the job to run", 5*time.Second, func() bool { return len(fake.Calls()) == 1 })
		} else {
			time.Sleep(100 * time.Millisecond)
		}
		notice := interruptNotice()
		s.stop(t)
		log := s.stderr.String()
		if busy {
			if !strings.Contains(notice, "finishing the current step") || !strings.Contains(log, "waiting for the running crawl to reach a safe point") {
				t.Errorf("busy stop: notice %q, log:\n%s", notice, log)
			}
			continue
		}
		if strings.Contains(notice, "finishing") || strings.Contains(log, "safe point") || !strings.Contains(log, "scheduler stopping") {
			t.Errorf("idle stop: notice %q, log:\n%s", notice, log)
		}
	}
	if n := interruptNotice(); !strings.Contains(n, "finishing the current step") {
		t.Errorf("notice after schedule ended = %q", n)
	}
}

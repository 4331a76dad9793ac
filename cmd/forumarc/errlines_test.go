package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/store"
)

// addRawJob stores a job without jobs add's checks, as an older forumarc (or a hand
// edit) may have left it, and returns the archive's path.
func addRawJob(t *testing.T, db, name string, args ...string) {
	t.Helper()
	d, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := store.NewSchedule("6h", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddJob(context.Background(), name, s, args); err != nil {
		t.Fatal(err)
	}
}

// errorLines are the "forumarc: ..." lines of stderr (log records left out).
func errorLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "forumarc: ") || strings.HasPrefix(l, "Run 'forumarc") {
			out = append(out, l)
		}
	}
	return out
}

func TestRunDueOneLinePerFailure(t *testing.T) {
	ctx := context.Background()
	t.Run("the only due job fails", func(t *testing.T) {
		// The job's own line says it all: no summary repeating it.
		db := filepath.Join(t.TempDir(), "a.db")
		addRawJob(t, db, "bad", "--no-such-flag", "https://forum.example/")
		want := "forumarc: job bad: unknown flag: --no-such-flag\n"
		// The real in-process crawl; --log-level error leaves only the error lines.
		r := jobsCLI(ctx, env{}, "--log-level", "error", "--db", db, "run-due")
		if r.code != exitFailed || r.stderr != want {
			t.Errorf("exit %d, want 1; stderr\n%q, want\n%q", r.code, r.stderr, want)
		}
	})
	t.Run("two of three due jobs fail", func(t *testing.T) {
		// One line per failed job, then one counting them.
		srv, _ := countingServer(t)
		db := filepath.Join(t.TempDir(), "a.db")
		// Named in the order they are added: due in that order or at the same time, they
		// run in it.
		addRawJob(t, db, "a-bad", "--no-such-flag", srv.URL+"/")
		addRawJob(t, db, "b-good", "--delay", "0", srv.URL+"/")
		addRawJob(t, db, "c-bad", "--bogus", srv.URL+"/")
		want := []string{
			"forumarc: job a-bad: unknown flag: --no-such-flag",
			"forumarc: job c-bad: unknown flag: --bogus",
			"forumarc: run-due: 2 of 3 due jobs failed (a-bad, c-bad); see the lines above",
		}
		r := jobsCLI(ctx, env{}, "--log-level", "error", "--db", db, "run-due")
		if got := strings.Join(want, "\n") + "\n"; r.code != exitFailed || r.stderr != got {
			t.Errorf("exit %d, want 1; stderr\n%q, want\n%q", r.code, r.stderr, got)
		}
		if !strings.Contains(r.stdout, "job b-good: ok\n") {
			t.Errorf("b-good did not run: stdout %q", r.stdout)
		}
		// With the log records (a "job finished" per job) in between, the same lines.
		for _, name := range []string{"a-bad", "b-good", "c-bad"} {
			d, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			err = d.SkipJob(ctx, name, time.Now().Add(-time.Minute))
			d.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		r = jobsCLI(ctx, env{}, "--db", db, "run-due")
		if got := errorLines(r.stderr); r.code != exitFailed || !reflect.DeepEqual(got, want) {
			t.Errorf("exit %d, want 1; lines\n%q, want\n%q\nstderr %s", r.code, got, want, r.stderr)
		}
		if strings.Contains(r.stderr, "--help") {
			t.Errorf("usage hint in run-due output:\n%s", r.stderr)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		f := crawlForum()
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		f.Fault = func(*http.Request) (int, http.Header) {
			cancel() // Ctrl-C while the job's first request is in flight
			time.Sleep(50 * time.Millisecond)
			return 0, nil
		}
		srv := httptest.NewServer(f)
		defer srv.Close()
		db := filepath.Join(t.TempDir(), "a.db")
		addRawJob(t, db, "a1", "--delay", "0", srv.URL+"/")
		r := jobsCLI(cctx, env{}, "--db", db, "run-due")
		if got := errorLines(r.stderr); r.code != exitInterrupted || len(got) != 1 ||
			strings.Count(r.stderr, "everything fetched before was committed") != 1 {
			t.Errorf("exit %d, want 130 and one line; lines %q\nstderr %s", r.code, got, r.stderr)
		}
	})
	t.Run("lock taken by another crawl", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "a.db")
		addRawJob(t, db, "a1", "--delay", "0", "https://forum.example/")
		var out, errb syncBuffer
		// The runner takes the lock between run-due's check and the job's crawl, as
		// another process may, then runs the crawl as run-due does in-process.
		runner := func(ctx context.Context, args []string) int {
			d, err := store.Open(ctx, db)
			if err != nil {
				t.Error(err)
				return exitDatabase
			}
			defer d.Close()
			lock, err := d.AcquireCrawlLock(ctx, "crawl https://other.example/", 42)
			if err != nil {
				t.Error(err)
				return exitDatabase
			}
			defer lock.Release(ctx)
			return run(ctx, args, env{stdout: &out, stderr: &errb, job: "a1"})
		}
		code := run(ctx, []string{"--db", db, "run-due"}, env{stdout: &out, stderr: &errb, runJob: runner})
		got := errorLines(errb.String())
		if code != exitLocked || len(got) != 1 || !strings.HasPrefix(got[0], "forumarc: job a1: ") ||
			!strings.Contains(got[0], "another crawl is running") {
			t.Errorf("exit %d, want 3 and one line naming the job and the running crawl; lines %q\nstderr %s", code, got, errb.String())
		}
		if strings.Contains(errb.String(), "took the archive") {
			t.Errorf("second line for the lock:\n%s", errb.String())
		}
	})
}

// allJSON fails unless every non-empty line of stderr is a JSON object.
func allJSON(t *testing.T, what, stderr string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("%s: stderr line is not JSON: %q", what, l)
			continue
		}
		recs = append(recs, m)
	}
	return recs
}

func TestJSONLogFormatKeepsStderrJSON(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, ctx, "--log-format", "json", "--db", db, "archive", "not-a-url")
	recs := allJSON(t, "usage error", r.stderr)
	if r.code != exitUsage || len(recs) != 1 || recs[0]["level"] != "ERROR" || recs[0]["exit"] != float64(exitUsage) ||
		!strings.Contains(recs[0]["msg"].(string), "not an http(s) URL") {
		t.Errorf("usage error: exit %d, records %v", r.code, recs)
	}
	// Text mode is unchanged: the line and the usage hint.
	if r := cli(t, ctx, "--db", db, "archive", "not-a-url"); !strings.HasPrefix(r.stderr, "forumarc: ") || !strings.Contains(r.stderr, "Run 'forumarc archive --help'") {
		t.Errorf("text mode: %q", r.stderr)
	}

	addRawJob(t, db, "bad", "--no-such-flag", "https://forum.example/")
	addRawJob(t, db, "bad2", "--bogus", "https://forum.example/")
	r = jobsCLI(ctx, env{}, "--log-format", "json", "--db", db, "run-due")
	recs = allJSON(t, "run-due", r.stderr)
	var jobErr, finished, summary int
	for _, m := range recs {
		msg, _ := m["msg"].(string)
		if m["level"] == "ERROR" && m["job"] == "bad" && msg == "unknown flag: --no-such-flag" && m["exit"] == float64(exitUsage) {
			jobErr++
		}
		if msg == "job finished" && m["job"] == "bad" {
			finished++
		}
		if strings.Contains(msg, "due jobs failed") {
			summary++
			if msg != "run-due: 2 of 2 due jobs failed (bad, bad2); see the lines above" || m["exit"] != float64(exitFailed) || m["job"] != nil {
				t.Errorf("run-due summary record: %v", m)
			}
		}
	}
	if r.code != exitFailed || jobErr != 1 || finished != 1 || summary != 1 {
		t.Errorf("run-due: exit %d, want 1 with the job's error, its job finished record and the summary once each:\n%s", r.code, r.stderr)
	}

	r = cli(t, ctx, "--log-format", "json", "--db", db, "export", "--format", "jsonl")
	if recs := allJSON(t, "export", r.stderr); r.code != 0 || len(recs) != 2 {
		t.Errorf("export of an empty archive: exit %d, want 2 records:\n%s", r.code, r.stderr)
	}
}

func TestLogFormatArg(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", "json", "run-due"}, "json"},
		{[]string{"--db", "x", "schedule", "--log-format=json"}, "json"},
		{[]string{"jobs", "add", "a", "--", "--log-format=json"}, ""},
		{[]string{"run-due"}, ""},
	} {
		if got := logFormatArg(c.args); got != c.want {
			t.Errorf("logFormatArg(%q) = %q, want %q", c.args, got, c.want)
		}
	}
}

func TestMissingDirectoryIsNamed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no", "such")
	db := filepath.Join(dir, "x.db")
	for _, args := range [][]string{
		{"--db", db, "jobs", "add", "a1", "--every", "6h", "https://forum.example/"},
		{"--db", db, "archive", "https://forum.example/threads/x.1/"},
	} {
		r := cli(t, context.Background(), args...)
		if r.code != exitDatabase || !strings.Contains(r.stderr, "directory "+dir+" does not exist") ||
			strings.Contains(r.stderr, "disk full") || len(errorLines(r.stderr)) != 1 {
			t.Errorf("%v: exit %d stderr %q, want 4 naming the missing directory", args[2:], r.code, r.stderr)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the missing directory was created")
	}
}

// TestErrorLineNamesPathOnce: the error line of a command names the archive or the
// URL once, not again in every layer that wrapped the error.
func TestErrorLineNamesPathOnce(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "x.db")
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("not an archive, not SQLite either\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	robots500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Write([]byte("<html><body>never asked for</body></html>"))
	}))
	defer robots500.Close()
	notArchive := "forumarc: open archive " + junk + ": not a forumarc archive (not an SQLite database)"
	archive := filepath.Join(dir, "empty.db")
	if d, err := store.Open(context.Background(), archive); err != nil {
		t.Fatal(err)
	} else {
		d.Close()
	}
	noDir := filepath.Join(dir, "no", "such", "x.jsonl")
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string // the whole of stderr (and the usage hint for exit 2), with --log-level error
	}{
		{"jobs add: directory missing", []string{"--db", missing, "jobs", "add", "a1", "--every", "6h", "https://forum.example/"},
			exitDatabase, "forumarc: open archive " + missing + ": directory " + filepath.Dir(missing) + " does not exist (create it first)"},
		{"jobs remove: not an archive", []string{"--db", junk, "jobs", "remove", "a1"}, exitDatabase, notArchive},
		{"run-due: not an archive", []string{"--db", junk, "run-due"}, exitDatabase, notArchive},
		{"schedule: not an archive", []string{"--db", junk, "schedule"}, exitDatabase, notArchive},
		{"archive: directory missing", []string{"--db", missing, "archive", "http://127.0.0.1:1/threads/x.1/"},
			exitDatabase, "forumarc: open archive " + missing + ": directory " + filepath.Dir(missing) + " does not exist (create it first)"},
		{"query: not an archive", []string{"--db", junk, "query", "SELECT 1"}, exitDatabase, notArchive},
		{"jobs list: not an archive", []string{"--db", junk, "jobs", "list"}, exitDatabase, notArchive},
		{"status: not an archive", []string{"--db", junk, "status"}, exitDatabase, notArchive},
		{"query: no archive yet", []string{"--db", missing, "query", "SELECT 1"}, exitDatabase,
			"forumarc: open " + missing + ": no archive there yet (run 'forumarc archive URL' or 'forumarc demo' first)"},
		{"extract: file missing", []string{"extract", filepath.Join(dir, "nofile.html")}, exitUsage,
			"forumarc: open " + filepath.Join(dir, "nofile.html") + ": no such file or directory"},
		{"extract: stdin is empty", []string{"extract", "-"}, exitFailed, "forumarc: stdin: empty: nothing to extract"},
		{"export: directory missing", []string{"--db", archive, "export", "--format", "jsonl", "-o", noDir}, exitFailed,
			"forumarc: export: create " + noDir + ": directory " + filepath.Dir(noDir) + " does not exist (create it first)"},
		{"export: a directory where the file goes", []string{"--db", archive, "export", "--format", "warc", "-o", outDir}, exitUsage,
			"forumarc: export: " + outDir + ": a directory is there (use --force to replace it, or give a file name)"},
		{"archive: robots.txt answers 500", []string{"--db", filepath.Join(dir, "a.db"), "archive", "--attempts", "1", "--delay", "0",
			robots500.URL + "/threads/x.1/"}, exitFailed, "forumarc: " + robots500.URL +
			": robots.txt answered HTTP 500 Internal Server Error: robots.txt unavailable, so the site is treated as disallowed for now; try again later"},
	} {
		r := cli(t, context.Background(), append([]string{"--log-level", "error"}, c.args...)...)
		want := c.want + "\n"
		if c.code == exitUsage {
			command := c.args[0]
			if command == "--db" {
				command = c.args[2]
			}
			want += "Run 'forumarc " + command + " --help' for usage.\n"
		}
		if r.code != c.code || r.stderr != want {
			t.Errorf("%s: exit %d (want %d), stderr\n%q, want\n%q", c.name, r.code, c.code, r.stderr, want)
		}
	}
}

package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestJobCommandsRefuseMissingArchive: run-due, schedule, jobs remove and reparse on a
// --db path with no archive (a typo in a crontab) exit 4 with one line naming the path,
// as jobs list does, and create nothing there. They used to create an empty archive
// and report "no jobs due", exit 0.
func TestJobCommandsRefuseMissingArchive(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "froum.db")
	want := "forumarc: open " + missing + ": no archive there yet (run 'forumarc archive URL' or 'forumarc demo' first)\n"
	for _, args := range [][]string{
		{"run-due"},
		{"schedule"},
		{"jobs", "remove", "general"},
		{"reparse"},
		{"reparse", "--dry-run"},
		{"jobs", "list"}, // the model
	} {
		// schedule would wait for its jobs: the deadline ends it if the archive is opened.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		r := jobsCLI(ctx, env{}, append([]string{"--db", missing}, args...)...)
		cancel()
		name := strings.Join(args, " ")
		if r.code != exitDatabase || r.stderr != want {
			t.Errorf("%s: exit %d, stderr %q; want exit 4 and %q", name, r.code, r.stderr, want)
		}
		if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s created %s", name, missing)
		}
	}

	// An empty file is no archive either: refused and left empty, not migrated.
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"run-due"}, {"jobs", "remove", "x"}, {"reparse"}} {
		r := jobsCLI(context.Background(), env{}, append([]string{"--db", empty}, args...)...)
		if r.code != exitDatabase || !strings.Contains(r.stderr, "not a forumarc archive (empty file)") {
			t.Errorf("%s on an empty file: exit %d %q", strings.Join(args, " "), r.code, r.stderr)
		}
		if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
			t.Fatalf("%s wrote to the empty file", strings.Join(args, " "))
		}
	}
}

// TestJobsAddSaysItCreatedTheArchive: jobs add starts a scheduled setup, so it creates
// the archive, and says so the first time (a mistyped --db shows at once).
func TestJobsAddSaysItCreatedTheArchive(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	c := &clock{t: t0}
	e := env{now: c.now}
	r := jobsCLI(context.Background(), e, "--db", db, "jobs", "add", "general", "--every", "6h", "https://forum.example/forums/general.2/")
	want := "created a new archive at " + db + "\nadded job general (every 6h), next run 2026-01-15 12:00:00Z\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("first jobs add: exit %d, stdout %q, want %q (stderr %q)", r.code, r.stdout, want, r.stderr)
	}
	r = jobsCLI(context.Background(), e, "--db", db, "jobs", "add", "nightly", "--cron", "0 3 * * *", "https://forum.example/")
	if r.code != 0 || strings.Contains(r.stdout, "created") || !strings.HasPrefix(r.stdout, "added job nightly") {
		t.Errorf("second jobs add: exit %d, stdout %q", r.code, r.stdout)
	}
	// The archive is there now: run-due and jobs remove use it.
	if r := jobsCLI(context.Background(), e, "--db", db, "jobs", "remove", "nightly"); r.code != 0 || r.stdout != "removed job nightly\n" {
		t.Errorf("jobs remove: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A Discourse thread archived through its JSON API is reparsed from the stored JSON
// (the topic and its post chunks), not run through the HTML engines: every page is
// re-read, nothing fails, and the posts keep their numbers.
func TestReparseDiscourseAPIPages(t *testing.T) {
	site := newDiscSite(t, 47, true)
	db := filepath.Join(t.TempDir(), "a.db")
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", site.srv.URL+"/t/big-topic/500"); r.code != 0 {
		t.Fatalf("archive: exit %d: %s", r.code, r.stderr)
	}
	before := count(t, db, "SELECT count(*) FROM posts WHERE CAST(external_id AS INTEGER) = number")
	r := cli(t, context.Background(), "--db", db, "reparse")
	if r.code != 0 {
		t.Fatalf("reparse: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "failed") || strings.Contains(r.stdout, "missing") {
		t.Errorf("reparse of the JSON pages reported failures or missing posts:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "3 pages") {
		t.Errorf("reparse summary does not count the 3 JSON pages:\n%s", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE CAST(external_id AS INTEGER) = number AND deleted_at IS NULL"); n != 47 || before != 47 {
		t.Errorf("posts keyed by number: %d before, %d after reparse; want 47", before, n)
	}
}

// A page that fails to re-extract is named once on its line, not again by its error.
func TestReparseFailedLineNamesPageOnce(t *testing.T) {
	site := newDiscSite(t, 5, true)
	db := filepath.Join(t.TempDir(), "a.db")
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", site.srv.URL+"/t/big-topic/500"); r.code != 0 {
		t.Fatalf("archive: exit %d: %s", r.code, r.stderr)
	}
	// Forced to an HTML engine, the stored JSON cannot be read.
	r := cli(t, context.Background(), "--db", db, "reparse", "--engine", "xenforo2")
	if r.code != 1 {
		t.Fatalf("reparse --engine xenforo2: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	var failed []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "failed ") {
			failed = append(failed, line)
		}
	}
	if len(failed) != 1 {
		t.Fatalf("failed lines = %q, want one (the topic page)", failed)
	}
	if n := strings.Count(failed[0], site.srv.URL); n != 1 {
		t.Errorf("failed line names the URL %d times, want once: %s", n, failed[0])
	}
}

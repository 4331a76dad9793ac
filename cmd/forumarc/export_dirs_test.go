package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every format refuses -o in a directory that does not exist, with the same words and
// exit code, creating nothing; html and markdown create the -o directory itself.
func TestExportMissingDirectoryAllFormats(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	root := t.TempDir()
	for _, format := range []string{"jsonl", "csv", "warc", "html", "markdown"} {
		out := filepath.Join(root, "nodir", "sub", "out")
		r := cli(t, ctx, "--db", db, "export", "--format", format, "-o", out)
		want := "directory " + filepath.Join(root, "nodir", "sub") + " does not exist (create it first)"
		if r.code != exitFailed || !strings.Contains(r.stderr, want) {
			t.Errorf("%s -o %s: exit %d, stderr %q; want 1 and %q", format, out, r.code, r.stderr, want)
		}
		if _, err := os.Stat(filepath.Join(root, "nodir")); !os.IsNotExist(err) {
			t.Errorf("%s -o %s created a directory", format, out)
		}
	}
	for _, format := range []string{"html", "markdown"} {
		out := filepath.Join(root, format)
		if r := cli(t, ctx, "--db", db, "export", "--format", format, "-o", out); r.code != 0 || !strings.Contains(r.stderr, "1 files in "+out) {
			t.Errorf("%s -o %s: exit %d %s", format, out, r.code, r.stderr)
		}
	}
}

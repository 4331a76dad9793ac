package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// export -o names the path given in its errors, never its temporary file; --force
// replaces what is at the path (a file, or an empty directory) once the new file is
// complete, and without --force the refusal says what is there.
func TestExportOutputPath(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	t.Run("directory missing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "no", "such")
		p := filepath.Join(dir, "x.jsonl")
		r := cli(t, ctx, "--db", db, "export", "--format", "jsonl", "-o", p)
		want := "forumarc: export: create " + p + ": directory " + dir + " does not exist (create it first)\n"
		if r.code != exitFailed || r.stderr != want {
			t.Errorf("exit %d, stderr %q, want %q", r.code, r.stderr, want)
		}
	})
	t.Run("a directory there", func(t *testing.T) {
		// A relative name in the working directory, as typed.
		t.Chdir(t.TempDir())
		if err := os.Mkdir("DIR", 0o755); err != nil {
			t.Fatal(err)
		}
		r := cli(t, ctx, "--db", db, "export", "--format", "warc", "-o", "DIR")
		if r.code != exitUsage || !strings.Contains(r.stderr, "forumarc: export: DIR: a directory is there (use --force to replace it, or give a file name)\n") {
			t.Errorf("without --force: exit %d, stderr %q", r.code, r.stderr)
		}
		r = cli(t, ctx, "--db", db, "export", "--format", "warc", "-o", "DIR", "--force")
		if r.code != 0 || strings.Contains(r.stderr, ".partial") {
			t.Fatalf("--force: exit %d, stderr %q", r.code, r.stderr)
		}
		b, err := os.ReadFile("DIR")
		if err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("DIR is not the gzipped WARC file: %v", err)
		}
		// An existing file is replaced by the new export.
		if err := os.WriteFile("DIR", []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := cli(t, ctx, "--db", db, "export", "--format", "warc", "-o", "DIR", "--force"); r.code != 0 {
			t.Fatalf("--force over a file: exit %d, stderr %q", r.code, r.stderr)
		}
		if b, _ := os.ReadFile("DIR"); !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("the old file was not replaced: %q", b[:min(len(b), 10)])
		}
		if left, _ := filepath.Glob(".*"); len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	})
	t.Run("a directory with files there", func(t *testing.T) {
		dir := t.TempDir()
		keep := filepath.Join(dir, "keep.txt")
		if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, force := range []bool{false, true} {
			args := []string{"--db", db, "export", "--format", "warc", "-o", dir}
			if force {
				args = append(args, "--force")
			}
			r := cli(t, ctx, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "forumarc: export: "+dir+": a directory with files in it is there") {
				t.Errorf("force=%v: exit %d, stderr %q", force, r.code, r.stderr)
			}
		}
		if b, _ := os.ReadFile(keep); string(b) != "mine" {
			t.Error("the directory's file is gone")
		}
	})
}

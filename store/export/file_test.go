package export_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/store/export"
)

// writeText is a File.Write body writing s, then failing with fail when it is set.
func writeText(s string, fail error) func(io.Writer) (export.Counts, error) {
	return func(w io.Writer) (export.Counts, error) {
		if _, err := io.WriteString(w, s); err != nil {
			return export.Counts{}, err
		}
		return export.Counts{Posts: 1}, fail
	}
}

// noTemporaries fails when a temporary file or directory of File is left in dir.
func noTemporaries(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestFileWrite(t *testing.T) {
	boom := errors.New("boom")
	t.Run("new file", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "x.jsonl")
		if _, err := (export.File{Path: p}).Write(writeText("new\n", nil)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != "new\n" {
			t.Errorf("content %q", b)
		}
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("mode %v %v, want 0644", fi.Mode(), err)
		}
		noTemporaries(t, dir)
	})
	t.Run("existing file", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "x.jsonl")
		os.WriteFile(p, []byte("old\n"), 0o644)
		_, err := export.File{Path: p}.Write(writeText("new\n", nil))
		if !errors.Is(err, export.ErrExists) || err.Error() != "export: "+p+": file exists (use --force to overwrite)" {
			t.Errorf("without force: %v", err)
		}
		// A failed export with Force leaves the old file as it was.
		if _, err := (export.File{Path: p, Force: true}).Write(writeText("half", boom)); !errors.Is(err, boom) {
			t.Errorf("failing write: %v", err)
		}
		if b, _ := os.ReadFile(p); string(b) != "old\n" {
			t.Errorf("after a failed export: %q, want the old file", b)
		}
		if _, err := (export.File{Path: p, Force: true}).Write(writeText("new\n", nil)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != "new\n" {
			t.Errorf("with force: %q", b)
		}
		noTemporaries(t, dir)
	})
	t.Run("empty directory", func(t *testing.T) {
		dir := t.TempDir()
		p := filepath.Join(dir, "out")
		os.Mkdir(p, 0o755)
		_, err := export.File{Path: p}.Write(writeText("new\n", nil))
		if !errors.Is(err, export.ErrExists) || strings.Contains(err.Error(), "file exists") || !strings.Contains(err.Error(), "a directory is there") {
			t.Errorf("without force: %v", err)
		}
		if _, err := (export.File{Path: p, Force: true}).Write(writeText("half", boom)); !errors.Is(err, boom) {
			t.Errorf("failing write: %v", err)
		}
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			t.Errorf("after a failed export the directory is gone: %v %v", fi, err)
		}
		if _, err := (export.File{Path: p, Force: true}).Write(writeText("new\n", nil)); err != nil {
			t.Fatalf("force: %v", err)
		}
		if b, err := os.ReadFile(p); string(b) != "new\n" {
			t.Errorf("with force: %q %v", b, err)
		}
		noTemporaries(t, dir)
	})
	t.Run("directory with files", func(t *testing.T) {
		// Never deleted, with or without Force: it may hold anything.
		dir := t.TempDir()
		p := filepath.Join(dir, "out")
		os.Mkdir(p, 0o755)
		keep := filepath.Join(p, "keep.txt")
		os.WriteFile(keep, []byte("mine"), 0o644)
		for _, force := range []bool{false, true} {
			_, err := export.File{Path: p, Force: force}.Write(writeText("new\n", nil))
			if !errors.Is(err, export.ErrExists) || !strings.Contains(err.Error(), p+": a directory with files in it is there") {
				t.Errorf("force=%v: %v", force, err)
			}
		}
		if b, _ := os.ReadFile(keep); string(b) != "mine" {
			t.Errorf("the directory's file is gone")
		}
		noTemporaries(t, dir)
	})
	t.Run("directory missing", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "no", "such")
		p := filepath.Join(dir, "x.jsonl")
		_, err := export.File{Path: p}.Write(writeText("new\n", nil))
		if want := "export: create " + p + ": directory " + dir + " does not exist (create it first)"; err == nil || err.Error() != want {
			t.Errorf("error %v, want %s", err, want)
		}
	})
	t.Run("parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		parent := filepath.Join(dir, "file")
		os.WriteFile(parent, nil, 0o644)
		p := filepath.Join(parent, "x.jsonl")
		_, err := export.File{Path: p}.Write(writeText("new\n", nil))
		if want := "export: create " + p + ": " + parent + " is not a directory"; err == nil || err.Error() != want {
			t.Errorf("error %v, want %s", err, want)
		}
	})
}

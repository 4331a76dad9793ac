//go:build unix

package export_test

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/forumarc/forumarc/store/export"
)

// An export to a FIFO (or /dev/null, /dev/stdout) writes into it, with or without
// --force: it used to refuse without --force ("file exists") and, with it, to rename
// a regular file over the FIFO, destroying it while its reader waited.
func TestFileWriteIntoFIFO(t *testing.T) {
	for _, force := range []bool{false, true} {
		p := filepath.Join(t.TempDir(), "out.fifo")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		got := make(chan string, 1)
		go func() {
			r, err := os.Open(p)
			if err != nil {
				got <- "open: " + err.Error()
				return
			}
			defer r.Close()
			b, _ := io.ReadAll(r)
			got <- string(b)
		}()
		if _, err := (export.File{Path: p, Force: force}).Write(writeText("line\n", nil)); err != nil {
			t.Fatalf("force=%v: %v", force, err)
		}
		if s := <-got; s != "line\n" {
			t.Errorf("force=%v: reader got %q, want the export", force, s)
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("force=%v: %s is no longer a FIFO (%v, %v)", force, p, fi.Mode(), err)
		}
		noTemporaries(t, filepath.Dir(p))
	}
}

func TestFileWriteToDevNull(t *testing.T) {
	before, err := os.Stat(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	// Without --force only: were the fix undone, --force would replace the machine's
	// /dev/null (the FIFO test covers --force).
	if _, err := (export.File{Path: os.DevNull}).Write(writeText("x\n", nil)); err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(os.DevNull)
	if err != nil || after.Mode() != before.Mode() {
		t.Fatalf("%s changed: mode %v -> %v (%v)", os.DevNull, before.Mode(), after.Mode(), err)
	}
}

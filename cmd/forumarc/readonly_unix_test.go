//go:build unix

package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadOnlyArchive: jobs list, status and query work on an archive whose file and
// directory are read-only (SQLite cannot create the -wal and -shm files), and a command
// that writes says the archive is not writable. Root ignores file modes, so as root the
// checks run in a copy of the test binary started as nobody.
func TestReadOnlyArchive(t *testing.T) {
	if db := os.Getenv("FORUMARC_TEST_RO_DB"); db != "" {
		checkReadOnlyArchive(t, db)
		return
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "ro.db")
	if r := cli(t, context.Background(), "--db", db, "jobs", "add", "a1", "--every", "6h", "https://forum.example/"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if os.Geteuid() != 0 {
		checkReadOnlyArchive(t, db)
		return
	}
	rerunAsNobody(t, dir, "TestReadOnlyArchive", "FORUMARC_TEST_RO_DB="+db)
}

// rerunAsNobody runs test (one of this binary's) again as user nobody, with env added:
// root ignores file modes, so a test of what permissions refuse must run as someone
// else. dir is the test's temporary directory, which nobody must reach. The test is
// skipped when the system cannot start a process as nobody.
func rerunAsNobody(t *testing.T, dir, test, env string) {
	t.Helper()
	// t.TempDir's parent is 0700; open it for nobody.
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "forumarc.test") // a sibling of dir
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env, "HOME=/", "GOCOVERDIR=")
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Skipf("running as root and cannot run %s as nobody (root ignores file modes): %v", test, err)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
}

func checkReadOnlyArchive(t *testing.T, db string) {
	ctx := context.Background()
	if r := cli(t, ctx, "--db", db, "jobs", "list"); r.code != 0 || !strings.Contains(r.stdout, "a1") {
		t.Errorf("jobs list: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, ctx, "--db", db, "status"); r.code != 0 || !strings.Contains(r.stdout, "Jobs: 1 defined") {
		t.Errorf("status: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := cli(t, ctx, "--db", db, "query", "SELECT name FROM jobs"); r.code != 0 || !strings.Contains(r.stdout, "a1") {
		t.Errorf("query: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	r := cli(t, ctx, "--db", db, "jobs", "add", "a2", "--every", "6h", "https://forum.example/")
	if r.code != exitDatabase || !strings.Contains(r.stderr, "not writable") || strings.Contains(r.stderr, "opened read-only") {
		t.Errorf("jobs add: exit %d %q, want 4 saying the archive is not writable", r.code, r.stderr)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Errorf("%s created next to a read-only archive", suffix)
		}
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

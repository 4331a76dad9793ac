//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/store"
)

// TestUnwritableArchiveFile: an archive file mode 444 in a writable directory (SQLite
// then opens it read-only without a word). reparse, reparse --dry-run, run-due and
// archive exit 4 with one line saying the file is not writable because of its
// permissions; reparse used to exit 1 blaming "the archive is opened read-only", and
// the dry run failed once per page. Commands that only read still work. Root ignores
// file modes, so as root the checks run in a copy of the test binary started as nobody.
func TestUnwritableArchiveFile(t *testing.T) {
	if db := os.Getenv("FORUMARC_TEST_UNWRITABLE_DB"); db != "" {
		checkUnwritableArchiveFile(t, db)
		return
	}
	db := demoDB(t)
	dir := filepath.Dir(db)
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil { // the directory stays writable
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		checkUnwritableArchiveFile(t, db)
		return
	}
	// As root; TestNotWritableMessage checks the message even where nobody cannot run.
	rerunAsNobody(t, dir, "TestUnwritableArchiveFile", "FORUMARC_TEST_UNWRITABLE_DB="+db)
}

func checkUnwritableArchiveFile(t *testing.T, db string) {
	ctx := context.Background()
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "forumarc: open archive " + db + ": the file is not writable: its permissions do not let this user write it (commands that only read, like status, jobs list and query, still work)"
	for _, c := range []struct {
		args []string
		want string // all of stderr
	}{
		{[]string{"reparse"}, prefix + "\n"},
		{[]string{"reparse", "--dry-run"}, prefix + "; reparse --dry-run needs to write too (it makes each change and rolls it back)\n"},
		{[]string{"run-due"}, prefix + "\n"},
		{[]string{"jobs", "add", "a1", "--every", "6h", "https://forum.example/"}, prefix + "\n"},
		{[]string{"archive", "--delay", "0", "http://127.0.0.1:1/threads/x.1/"}, prefix + "\n"},
	} {
		r := cli(t, ctx, append([]string{"--db", db, "--log-level", "error"}, c.args...)...)
		name := strings.Join(c.args, " ")
		if r.code != exitDatabase || r.stderr != c.want || r.stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr\n%q\nwant exit 4 and\n%q", name, r.code, r.stdout, r.stderr, c.want)
		}
	}
	if r := cli(t, ctx, "--db", db, "status"); r.code != 0 {
		t.Errorf("status on the read-only file: exit %d %q", r.code, r.stderr)
	}
	if after, err := os.ReadFile(db); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the read-only file changed (%v)", err)
	}
}

// TestNotWritableMessage: a write SQLite refuses on the archive (store.ErrReadOnly, here
// from an archive opened with the read-only mode the store uses for reading, which fails
// the same way as a file SQLite could only open read-only) is reported as the file not
// being writable, exit 4, not as forumarc having opened it read-only; other errors pass.
func TestNotWritableMessage(t *testing.T) {
	path := demoDB(t)
	ctx := context.Background()
	db, err := store.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, werr := db.StartReparse(ctx, nil, false)
	if !errors.Is(werr, store.ErrReadOnly) {
		t.Fatalf("StartReparse on a read-only archive: %v, want store.ErrReadOnly", werr)
	}
	err = notWritable(path, werr)
	if !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("notWritable lost the cause: %v", err)
	}
	var stderr bytes.Buffer
	code := exitReport(err, &stderr, "text", "", "forumarc reparse")
	want := "forumarc: open archive " + path + ": the file is not writable: SQLite refused to write it (check the permissions of the file and its directory) (commands that only read, like status, jobs list and query, still work)\n"
	if code != exitDatabase || stderr.String() != want {
		t.Errorf("exit %d, stderr\n%q\nwant exit 4 and\n%q", code, stderr.String(), want)
	}

	other := errors.New("reparse: 1 of 3 pages could not be re-extracted")
	if got := notWritable(path, other); got != other {
		t.Errorf("notWritable(other) = %v, want it unchanged", got)
	}
	if err := checkWritable(path); err != nil && os.Geteuid() != 0 {
		t.Errorf("checkWritable on a writable archive: %v", err)
	}
	if err := checkWritable(filepath.Join(t.TempDir(), "missing.db")); err != nil {
		t.Errorf("checkWritable on a missing file: %v (store.Open creates it)", err)
	}
}

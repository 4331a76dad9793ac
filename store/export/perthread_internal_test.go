package export

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/forumarc/forumarc/store"
)

// A thread file whose writing fails is not left behind half-written: the files of the
// threads before it are complete, and nothing else (no truncated file, no temporary
// one) is in the directory.
func TestPerThreadFailureLeavesNoPartialFile(t *testing.T) {
	dir := Dir{Path: t.TempDir()}
	posts := func(yield func(*store.PostRecord, error) bool) {
		for _, id := range []int64{1, 1, 2, 2} {
			var r store.PostRecord
			r.Archive.ThreadRowID = id
			if !yield(&r, nil) {
				return
			}
		}
	}
	full := errors.New("no space left on device")
	_, err := perThread(dir, "html", posts, func(w io.Writer, thread []*store.PostRecord) error {
		if _, err := io.WriteString(w, "<html>half a thread"); err != nil {
			return err
		}
		if thread[0].Archive.ThreadRowID == 2 {
			return full
		}
		_, err := io.WriteString(w, "</html>")
		return err
	})
	if !errors.Is(err, full) {
		t.Fatalf("perThread: %v, want the write error", err)
	}
	entries, err := os.ReadDir(dir.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != FileName("", 1, "html") {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %q, want only thread 1's file", names)
	}
	if b, _ := os.ReadFile(dir.Path + "/" + entries[0].Name()); string(b) != "<html>half a thread</html>" {
		t.Errorf("thread 1's file = %q", b)
	}
}

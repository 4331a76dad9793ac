package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A write error of the temporary file names the output path instead.
func TestNamedWriterNamesPath(t *testing.T) {
	tmp, err := os.CreateTemp(t.TempDir(), ".x.jsonl.*.partial")
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close() // the next write fails
	want := filepath.Join("out", "x.jsonl")
	_, err = namedWriter{tmp, want}.Write([]byte("x"))
	if err == nil || err.Error() != "write "+want+": file already closed" || strings.Contains(err.Error(), ".partial") {
		t.Errorf("error %v, want it to name %s", err, want)
	}
}

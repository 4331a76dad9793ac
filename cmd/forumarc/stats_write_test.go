package main

import (
	"context"
	"errors"
	"testing"

	"github.com/forumarc/forumarc/store"
)

// failAfter accepts n bytes, then fails every write: a disk that fills part-way.
type failAfter struct{ n int }

var errDiskFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

// A stats report whose later sections fail to write is an error, not a short report
// with exit 0.
func TestStatsTextReportsLateWriteErrors(t *testing.T) {
	db, err := store.OpenReadOnly(context.Background(), demoDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := db.Stats(context.Background(), 5)
	if err != nil {
		t.Fatal(err)
	}
	var whole countingWriter
	if err := writeStats(&whole, st); err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{0, whole.n / 2, whole.n - 1} {
		if err := writeStats(&failAfter{n: at}, st); !errors.Is(err, errDiskFull) {
			t.Errorf("disk full after %d of %d bytes: error %v, want the write error", at, whole.n, err)
		}
	}
}

type countingWriter struct{ n int }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

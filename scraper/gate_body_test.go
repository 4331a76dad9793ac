package scraper

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadBody(t *testing.T) {
	page := strings.Repeat("<p>a post of the thread</p>\n", 3000) // 84 KB
	for _, c := range []struct {
		name        string
		in          string
		hint, limit int64
		want        string
	}{
		{"length known", page, int64(len(page)), 1 << 20, page},
		{"length unknown", page, -1, 1 << 20, page},
		{"length understated", page, 100, 1 << 20, page},
		{"limit", page, int64(len(page)), 1000, page[:1000]},
		{"empty", "", 0, 1 << 20, ""},
	} {
		got, err := readBody(strings.NewReader(c.in), c.hint, c.limit)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %d bytes, err %v; want %d bytes", c.name, len(got), err, len(c.want))
		}
	}
	// The slice returned is the caller's: reading the next body into the pooled
	// buffer must not change it.
	first, _ := readBody(strings.NewReader(page), -1, 1<<20)
	for range 4 {
		if _, err := readBody(strings.NewReader(strings.Repeat("x", len(page))), -1, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	if string(first) != page {
		t.Error("a body read earlier changed when the next one was read")
	}
}

func TestReadBodyKeepsWhatWasReadOnError(t *testing.T) {
	cut := errors.New("connection reset")
	got, err := readBody(io.MultiReader(strings.NewReader("half a page"), errReader{cut}), -1, 1<<20)
	if !errors.Is(err, cut) || string(got) != "half a page" {
		t.Errorf("got %q, %v; want the bytes before the error and the error", got, err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// BenchmarkReadBody compares reading a 62 KB page as the gate does with io.ReadAll.
func BenchmarkReadBody(b *testing.B) {
	page := bytes.Repeat([]byte("<p>a post of the thread</p>\n"), 2200)
	b.Run("readBody", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for range b.N {
			if _, err := readBody(bytes.NewReader(page), -1, 8<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("io.ReadAll", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for range b.N {
			if _, err := io.ReadAll(io.LimitReader(bytes.NewReader(page), 8<<20)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

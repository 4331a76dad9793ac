// Package export writes archived posts and pages out of a forumarc archive in formats
// other tools read: JSON Lines and CSV for pandas, Datasette and spreadsheets, one
// self-contained HTML or Markdown file per thread for reading offline, and WARC for the
// web-archive world (pywb, warcio, OpenWayback).
//
// Every writer consumes the streaming iterators of package store, so exports of any
// size run in constant memory (HTML and Markdown hold one thread at a time).
package export

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/forumarc/forumarc/store"
)

// Formats lists the export formats, for flags and help.
var Formats = []string{"jsonl", "csv", "html", "markdown", "warc"}

// Counts is what an export wrote.
type Counts struct {
	Posts   int
	Threads int
	Pages   int
	Files   int
}

// Dir creates export files inside a directory. Existing files are refused unless
// Force, so a second export never silently replaces the first.
type Dir struct {
	Path  string
	Force bool
}

// ErrExists: an output file is already there and Force is off. File's refusals of a
// directory where its file is to go match it too (errors.Is).
var ErrExists = errors.New("file exists (use --force to overwrite)")

// create makes the directory unless it is there. Its parent must exist, as a
// single-file export's directory must: a mistyped path is refused, not created.
func (d Dir) create() error {
	err := os.Mkdir(d.Path, 0o755)
	if errors.Is(err, fs.ErrExist) {
		fi, serr := os.Stat(d.Path)
		if serr == nil && fi.IsDir() {
			return nil
		}
		if serr == nil {
			return fmt.Errorf("export: %s is a file: html and markdown write one file per thread into a directory", d.Path)
		}
		err = serr
	}
	if err != nil {
		return File{Path: filepath.Clean(d.Path)}.pathError("create", err)
	}
	return nil
}

// file is the output for name (a bare file name from FileName) inside the directory,
// written like any single-file export (File: a temporary name, moved into place when
// complete), so a failed export never leaves a truncated thread file behind.
func (d Dir) file(name string) (File, error) {
	if name != filepath.Base(name) || name == "." || name == ".." {
		return File{}, fmt.Errorf("export: unsafe file name %q", name)
	}
	return File{Path: filepath.Join(d.Path, name), Force: d.Force}, nil
}

// maxSlugRunes keeps file names well under every file system's 255-byte limit even
// when each rune takes four bytes.
const maxSlugRunes = 60

// FileName is a safe file name for a thread: the title reduced to letters and digits
// (any script) joined by '-', at most 60 characters, then the thread's row id so names
// are unique, then ext. Path separators, dots, control and reserved characters never
// survive, so no title can escape the directory or hide the file.
func FileName(title string, threadRowID int64, ext string) string {
	var b strings.Builder
	dash := false
	n := 0
	for _, r := range title {
		if n >= maxSlugRunes {
			break
		}
		if r == utf8.RuneError {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
				n++
			}
			b.WriteRune(unicode.ToLower(r))
			n++
			dash = false
			continue
		}
		dash = true
	}
	slug := b.String()
	if slug == "" {
		slug = "thread"
	}
	return slug + "-" + strconv.FormatInt(threadRowID, 10) + "." + ext
}

// threadGroups splits a post stream (grouped by thread, as store.DB.Posts yields it)
// into one slice per thread.
func threadGroups(posts iter.Seq2[*store.PostRecord, error]) iter.Seq2[[]*store.PostRecord, error] {
	return func(yield func([]*store.PostRecord, error) bool) {
		var cur []*store.PostRecord
		for p, err := range posts {
			if err != nil {
				yield(nil, err)
				return
			}
			if len(cur) > 0 && cur[0].Archive.ThreadRowID != p.Archive.ThreadRowID {
				if !yield(cur, nil) {
					return
				}
				cur = nil
			}
			cur = append(cur, p)
		}
		if len(cur) > 0 {
			yield(cur, nil)
		}
	}
}

// perThread writes one file per thread with write, named by FileName.
func perThread(dir Dir, ext string, posts iter.Seq2[*store.PostRecord, error],
	write func(w io.Writer, thread []*store.PostRecord) error) (Counts, error) {
	var c Counts
	if err := dir.create(); err != nil {
		return c, err
	}
	for thread, err := range threadGroups(posts) {
		if err != nil {
			return c, err
		}
		title := ""
		if t := thread[0].Thread.Title; t != nil {
			title = *t
		}
		out, err := dir.file(FileName(title, thread[0].Archive.ThreadRowID, ext))
		if err != nil {
			return c, err
		}
		id := thread[0].Archive.ThreadRowID
		_, err = out.Write(func(w io.Writer) (Counts, error) {
			if err := write(w, thread); err != nil {
				return Counts{}, fmt.Errorf("export thread %d: %w", id, err)
			}
			return Counts{}, nil
		})
		if err != nil {
			return c, err // File's own errors start "export:" and name the thread's file
		}
		c.Files++
		c.Threads++
		c.Posts += len(thread)
	}
	return c, nil
}

// prefetch reads the post stream in its own goroutine, in batches, so reading SQLite
// and encoding overlap on two cores; the stream's order is kept. Stopping the
// returned sequence early stops the reader and waits for it, so the read snapshot is
// released before prefetch's caller returns.
func prefetch(posts iter.Seq2[*store.PostRecord, error]) iter.Seq2[*store.PostRecord, error] {
	const batchSize = 256
	type batch struct {
		recs []*store.PostRecord
		err  error
	}
	return func(yield func(*store.PostRecord, error) bool) {
		ch := make(chan batch, 4)
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			defer close(ch)
			cur := make([]*store.PostRecord, 0, batchSize)
			send := func(b batch) bool {
				select {
				case ch <- b:
					return true
				case <-done:
					return false
				}
			}
			for p, err := range posts {
				if err != nil {
					send(batch{recs: cur, err: err})
					return
				}
				cur = append(cur, p)
				if len(cur) == batchSize {
					if !send(batch{recs: cur}) {
						return
					}
					cur = make([]*store.PostRecord, 0, batchSize)
				}
			}
			if len(cur) > 0 {
				send(batch{recs: cur})
			}
		}()
		defer func() {
			close(done)
			<-finished
		}()
		for b := range ch {
			for _, p := range b.recs {
				if !yield(p, nil) {
					return
				}
			}
			if b.err != nil {
				yield(nil, b.err)
				return
			}
		}
	}
}

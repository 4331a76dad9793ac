package export_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/store"
	"github.com/forumarc/forumarc/store/export"
)

// html and markdown create the directory -o names (it is the output) but not its
// parent: a mistyped path is refused as the single-file formats refuse it, and
// nothing is created.
func TestPerThreadOutputDirectory(t *testing.T) {
	db, _, _ := archive(t)
	ctx := context.Background()
	formats := map[string]func(dir export.Dir) (export.Counts, error){
		"html": func(dir export.Dir) (export.Counts, error) {
			return export.HTML(dir, db.Posts(ctx, store.Selection{}), export.HTMLOptions{})
		},
		"markdown": func(dir export.Dir) (export.Counts, error) {
			return export.Markdown(dir, db.Posts(ctx, store.Selection{}))
		},
	}
	for name, write := range formats {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			// A missing parent: refused, named, nothing created.
			for _, out := range []string{filepath.Join(root, "nodir", "sub"), filepath.Join(root, "nodir", "sub") + "/"} {
				_, err := write(export.Dir{Path: out})
				want := "directory " + filepath.Join(root, "nodir") + " does not exist (create it first)"
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("-o %s: error %v, want it to say %q", out, err, want)
				}
				if _, err := os.Stat(filepath.Join(root, "nodir")); !os.IsNotExist(err) {
					t.Errorf("-o %s: the missing parent was created", out)
				}
			}
			// The same path refused by a single-file export, with the same words.
			_, ferr := export.File{Path: filepath.Join(root, "nodir", "sub", "out.jsonl")}.Write(func(w io.Writer) (export.Counts, error) {
				return export.Counts{}, nil
			})
			if ferr == nil || !strings.Contains(ferr.Error(), "does not exist (create it first)") {
				t.Errorf("single-file export into a missing directory: %v", ferr)
			}
			// The directory itself is created when its parent exists.
			out := filepath.Join(root, "threads")
			c, err := write(export.Dir{Path: out})
			if err != nil || c.Files == 0 {
				t.Fatalf("-o %s: %+v, %v", out, c, err)
			}
			if entries, _ := os.ReadDir(out); len(entries) != c.Files {
				t.Errorf("%s holds %d entries, want %d", out, len(entries), c.Files)
			}
			// A file where the directory should be is refused.
			file := filepath.Join(root, "file")
			if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := write(export.Dir{Path: file}); err == nil || !strings.Contains(err.Error(), "is a file") {
				t.Errorf("-o a file: %v", err)
			}
			// A second export without Force names the thread's file once, "export:" once.
			_, err = write(export.Dir{Path: out})
			if err == nil || strings.Count(err.Error(), "export") != 1 || !strings.Contains(err.Error(), out+string(filepath.Separator)) {
				t.Errorf("second export: %v, want one \"export:\" and the file's path", err)
			}
		})
	}
}

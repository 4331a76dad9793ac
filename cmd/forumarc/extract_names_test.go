package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/scraper"
)

// notRecognised is the text after "WHERE: " of the error extract gives for a page no
// engine reads.
func notRecognised(t *testing.T, page string) string {
	t.Helper()
	const u = "http://x.example/p"
	_, err := scraper.ExtractAny([]byte(page), u, scraper.Options{})
	if err == nil {
		t.Fatal("the page was read as a forum thread")
	}
	rest, ok := strings.CutPrefix(err.Error(), u+": ")
	if !ok {
		t.Fatalf("error %q does not start with the URL", err)
	}
	return rest
}

// extract names what it read in its errors: stdin as "stdin" (not as a file:// URL of
// the working directory), a file by the path given, and the address it was read as
// (--url, or the page's canonical link) next to it, once.
func TestExtractErrorNamesInput(t *testing.T) {
	const page = "<html><body><p>hello</p></body></html>"
	const u = "https://forum.example/threads/x.1/"
	canonical := `<html><head><link rel="canonical" href="` + u + `"></head><body><p>hello</p></body></html>`
	why := notRecognised(t, page)
	file := filepath.Join(t.TempDir(), "saved.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	withLink := filepath.Join(t.TempDir(), "linked.html")
	if err := os.WriteFile(withLink, []byte(canonical), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  string // the line after "forumarc: "
	}{
		{"stdin", page, []string{"extract", "-"}, "stdin: " + why},
		{"stdin --url", page, []string{"extract", "--url", u, "-"}, "stdin (as " + u + "): " + why},
		{"stdin canonical", canonical, []string{"extract", "-"}, "stdin (as " + u + "): " + why},
		{"file", "", []string{"extract", file}, file + ": " + why},
		{"file --url", "", []string{"extract", "--url", u, file}, file + " (as " + u + "): " + why},
		{"file canonical", "", []string{"extract", withLink}, withLink + " (as " + u + "): " + why},
	} {
		r := cliStdin(t, c.stdin, append([]string{"--log-level", "error"}, c.args...)...)
		if want := "forumarc: " + c.want + "\n"; r.code != exitFailed || r.stderr != want {
			t.Errorf("%s: exit %d, stderr\n%q, want\n%q", c.name, r.code, r.stderr, want)
		}
		if strings.Contains(r.stderr, "file://") {
			t.Errorf("%s: a file:// URL in %q", c.name, r.stderr)
		}
	}
}

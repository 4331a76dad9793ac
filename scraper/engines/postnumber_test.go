package engines

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// TestPostNumberThousands rewrites the first post counter of one fixture per engine
// to a grouped figure: every engine must read "#1,234" as 1234 (not 1, as Atoi did).
func TestPostNumberThousands(t *testing.T) {
	for _, c := range []struct {
		engine, file, url, from, to string
	}{
		{"vbulletin4", "thread-p1.html", "https://forum.example.com/showthread.php?t=1", `class="postcounter">#1<`, `class="postcounter">#1,234<`},
		{"mybb", "thread-p1.html", "https://forum.example.org/showthread.php?tid=42", `Moving a board from SQLite to MySQL">#1<`, `Moving a board from SQLite to MySQL">#1,234<`},
		{"xenforo1", "thread-p1.html", "https://forum.example.com/threads/x.1/", `data-href="posts/5001/permalink">#1<`, `data-href="posts/5001/permalink">#1.234<`},
	} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", c.engine, c.file))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(raw, []byte(c.from)) != 1 {
			t.Fatalf("%s: marker %q not found exactly once", c.engine, c.from)
		}
		raw = bytes.Replace(raw, []byte(c.from), []byte(c.to), 1)
		p, err := scraper.Extract(raw, c.url, scraper.Options{Engine: c.engine, FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatalf("%s: %v", c.engine, err)
		}
		if got := p.Posts[0].Number; got == nil || *got != 1234 {
			t.Errorf("%s: first post number = %v, want 1234", c.engine, got)
		}
	}
}

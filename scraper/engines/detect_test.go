package engines

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/scraper"
)

// detectFixture is one page the detection table runs over and the engine that must
// claim it ("" when no engine may: generic pages need a profile).
type detectFixture struct {
	path, want string
}

// detectFixtures lists every HTML page under testdata/<engine>/ (threads, listings and
// localised variants) with its expected engine: the fixtures.json "expect" or
// "engine" field when set, else the folder name.
func detectFixtures(t *testing.T) []detectFixture {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "*.html"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no fixtures found: %v", err)
	}
	want := map[string]string{}
	for _, dir := range detectDirs(pages) {
		raw, err := os.ReadFile(filepath.Join(dir, "fixtures.json"))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var fx []struct{ File, Engine, Expect string }
		if err := json.Unmarshal(raw, &fx); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, f := range fx {
			if w := cmp.Or(f.Expect, f.Engine); w != "" {
				want[filepath.Join(dir, f.File)] = w
			}
		}
	}
	out := make([]detectFixture, 0, len(pages))
	for _, p := range pages {
		w, ok := want[p]
		if !ok {
			w = filepath.Base(filepath.Dir(p))
		}
		if w == "generic" {
			w = ""
		}
		out = append(out, detectFixture{path: p, want: w})
	}
	return out
}

// detectRealPages adds the shared corpus of real forum pages with the engine its
// answer key names; it returns nothing when the corpus is absent (a user's clone).
func detectRealPages(t *testing.T) []detectFixture {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "realpages")
	raw, err := os.ReadFile(filepath.Join(dir, "answers.json"))
	if err != nil {
		return nil
	}
	var key struct {
		Pages []struct{ File, Engine string }
	}
	if err := json.Unmarshal(raw, &key); err != nil {
		t.Fatalf("answers.json: %v", err)
	}
	var out []detectFixture
	for _, p := range key.Pages {
		out = append(out, detectFixture{path: filepath.Join(dir, p.File), want: p.Engine})
	}
	return out
}

func detectDirs(paths []string) []string {
	var dirs []string
	for _, p := range paths {
		if d := filepath.Dir(p); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// TestDetectEveryFixture runs scraper.Detect and, separately, every engine's own
// Detect over every fixture of every engine (and the shared real pages when present). The second check matters because
// detection runs in alphabetical order: a detector that is too loose would claim a
// later engine's pages in production, yet stay hidden behind the engine that
// currently comes first.
func TestDetectEveryFixture(t *testing.T) {
	all := append(detectFixtures(t), detectRealPages(t)...)
	for _, f := range all {
		name := strings.TrimPrefix(filepath.ToSlash(f.path), "../../testdata/")
		name = strings.TrimPrefix(name, "../../../shared/")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			doc, _, err := scraper.Parse(raw, "")
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if e, err := scraper.Detect(doc); err == nil {
				got = e.Info().Name
			}
			if got != f.want {
				t.Errorf("scraper.Detect = %q, want %q", got, f.want)
			}
			var claim []string
			for _, e := range scraper.Engines() {
				if name := e.Info().Name; name != "generic" && e.Detect(doc) {
					claim = append(claim, name)
				}
			}
			if f.want == "" && len(claim) > 0 || f.want != "" && !slices.Equal(claim, []string{f.want}) {
				t.Errorf("engines claiming the page = %v, want only %q", claim, f.want)
			}
		})
	}
}

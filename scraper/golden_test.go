package scraper_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
	_ "github.com/forumarc/forumarc/scraper/engines"
)

var update = flag.Bool("update", false, "rewrite testdata/*/*.golden.json from current output")

// fixture is one entry of testdata/<engine>/fixtures.json.
type fixture struct {
	File      string `json:"file"`
	URL       string `json:"url"`
	FetchedAt string `json:"fetched_at"`
	Timezone  string `json:"timezone"`
	Engine    string `json:"engine"` // forced engine; empty means detect
	// Expect is the engine detection must find ("" = the directory name).
	Expect string `json:"expect"`
}

func testdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "testdata"}, parts...)...)
}

func loadFixtures(t testing.TB) map[string][]fixture {
	t.Helper()
	dirs, err := filepath.Glob(testdata("*", "fixtures.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]fixture{}
	for _, m := range dirs {
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		var fs []fixture
		if err := json.Unmarshal(raw, &fs); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		out[filepath.Base(filepath.Dir(m))] = fs
	}
	return out
}

func (f fixture) options(t testing.TB) scraper.Options {
	t.Helper()
	o := scraper.Options{Engine: f.Engine, FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
	if f.FetchedAt != "" {
		ts, err := time.Parse(time.RFC3339, f.FetchedAt)
		if err != nil {
			t.Fatal(err)
		}
		o.FetchedAt = ts
	}
	if f.Timezone != "" {
		loc, err := time.LoadLocation(f.Timezone)
		if err != nil {
			t.Fatal(err)
		}
		o.Location = loc
	}
	return o
}

// TestGolden extracts every fixture and compares with its golden JSON. Run
// `go test ./scraper -run TestGolden -update` after an intended change and review the diff.
func TestGolden(t *testing.T) {
	for dir, fs := range loadFixtures(t) {
		for _, f := range fs {
			t.Run(dir+"/"+f.File, func(t *testing.T) {
				raw, err := os.ReadFile(testdata(dir, f.File))
				if err != nil {
					t.Fatal(err)
				}
				p, err := scraper.Extract(raw, f.URL, f.options(t))
				if err != nil {
					t.Fatalf("extract: %v", err)
				}
				want := f.Expect
				if want == "" {
					want = dir
				}
				if p.Engine != want {
					t.Errorf("engine = %q, want %q", p.Engine, want)
				}
				got, err := json.MarshalIndent(p, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
				golden := testdata(dir, trimExt(f.File)+".golden.json")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				wantJSON, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("read golden (run with -update to create): %v", err)
				}
				if !bytes.Equal(got, wantJSON) {
					t.Errorf("output differs from %s (rerun with -update and review the diff)\n%s", golden, firstDiff(wantJSON, got))
				}
			})
		}
	}
}

func trimExt(name string) string { return name[:len(name)-len(filepath.Ext(name))] }

func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n want: " + string(w) + "\n  got: " + string(g)
		}
	}
	return ""
}

func itoa(n int) string { return string(json.Number(jsonInt(n))) }

func jsonInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

type engineFixture struct {
	File      string `json:"file"`
	URL       string `json:"url"`
	FetchedAt string `json:"fetched_at"`
	Timezone  string `json:"timezone"`
	Engine    string `json:"engine"`
}

// fixtureChain is every page of one multi-page thread among an engine's fixtures.
type fixtureChain struct {
	engine string
	pages  map[int]engineFixture
	posts  int
	total  int
}

func fixtureChains(t *testing.T) []fixtureChain {
	t.Helper()
	manifests, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "fixtures.json"))
	var chains []fixtureChain
	for _, m := range manifests {
		dir := filepath.Dir(m)
		raw, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		var fs []engineFixture
		if err := json.Unmarshal(raw, &fs); err != nil {
			t.Fatal(err)
		}
		groups := map[string]*fixtureChain{}
		for _, f := range fs {
			if f.Engine != "" {
				continue // forced engines (profiles) are covered by their own tests
			}
			body, err := os.ReadFile(filepath.Join(dir, f.File))
			if err != nil {
				t.Fatal(err)
			}
			p, err := scraper.Extract(body, f.URL, scraper.Options{FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)})
			if err != nil || p.Thread.ID == nil || p.Page.Total == nil || *p.Page.Total < 2 {
				continue
			}
			key := scraper.SiteBase(f.URL) + "|" + *p.Thread.ID
			c := groups[key]
			if c == nil {
				c = &fixtureChain{engine: p.Engine, pages: map[int]engineFixture{}, total: *p.Page.Total}
				groups[key] = c
			}
			c.pages[p.Page.Number] = f
			c.posts += len(p.Posts)
		}
		for _, c := range groups {
			if len(c.pages) == c.total {
				c.engine = filepath.Base(dir)
				chains = append(chains, *c)
			}
		}
	}
	sort.Slice(chains, func(i, j int) bool { return chains[i].engine < chains[j].engine })
	return chains
}

// TestArchiveEveryEngine serves each engine's multi-page fixture thread from an
// httptest server (links rewritten to it) and archives it from page 1 through the
// CLI: every engine's pagination must lead through all pages, storing each post once.
func TestArchiveEveryEngine(t *testing.T) {
	chains := fixtureChains(t)
	seen := map[string]bool{}
	for _, c := range chains {
		seen[c.engine] = true
	}
	// Discourse's crawler view does not show a page total; its archive paths (JSON API
	// and HTML fallback) have their own httptest crawls in wire_test.go.
	for _, want := range []string{"xenforo1", "xenforo2", "vbulletin3", "vbulletin4", "vbulletin5", "phpbb3", "smf2", "mybb", "invision"} {
		if !seen[want] {
			t.Errorf("no complete multi-page fixture thread for %s", want)
		}
	}
	for _, c := range chains {
		t.Run(c.engine+"/"+c.pages[1].File, func(t *testing.T) {
			origin := scraper.SiteBase(c.pages[1].URL)
			host := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")
			var srv *httptest.Server
			routes := map[string][]byte{}
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, ok := routes[scraper.CleanURL(srv.URL+r.URL.RequestURI())]
				if !ok {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "text/html")
				w.Write(body)
			}))
			defer srv.Close()
			rewrite := strings.NewReplacer("https://"+host, srv.URL, "http://"+host, srv.URL, "//"+host, srv.URL)
			dir := filepath.Join("..", "..", "testdata", c.engine)
			for _, f := range c.pages {
				body, err := os.ReadFile(filepath.Join(dir, f.File))
				if err != nil {
					t.Fatal(err)
				}
				u, _ := url.Parse(rewrite.Replace(f.URL))
				u.Fragment = ""
				routes[scraper.CleanURL(u.String())] = []byte(rewrite.Replace(string(body)))
			}
			first, _ := url.Parse(rewrite.Replace(c.pages[1].URL))
			first.Fragment = ""
			db := filepath.Join(t.TempDir(), "a.db")
			args := []string{"--db", db, "archive", "--delay", "0", "--attempts", "1"}
			if tz := c.pages[1].Timezone; tz != "" {
				args = append(args, "--timezone", tz)
			}
			r := cli(t, context.Background(), append(args, first.String())...)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			if n := count(t, db, "SELECT count(*) FROM pages WHERE url NOT LIKE '%.json%'"); n != c.total {
				t.Errorf("pages archived = %d, want %d\n%s", n, c.total, r.stdout)
			}
			if n := count(t, db, "SELECT count(*) FROM posts"); n != c.posts {
				t.Errorf("posts archived = %d, want %d (the fixtures' posts, each once)", n, c.posts)
			}
			if n := count(t, db, "SELECT count(*) FROM threads"); n != 1 {
				t.Errorf("threads = %d, want 1", n)
			}
		})
	}
}

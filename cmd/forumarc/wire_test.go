package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// discSite is a Discourse server for archive tests. Topic 500 ("big-topic") is
// generated with n posts (global ids 9000+3k, so ids and numbers differ); topic 4417
// is served from testdata/discourse (crawler-view HTML and JSON fixtures). json
// false makes every .json URL answer 404, as sites that block the API do.
type discSite struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	n    int
	json bool
	hits map[string]int
	// loginJSON answers .json URLs with an HTML login page; robotsJSON disallows the
	// topic JSON of 4417 in robots.txt. Both must make archive read the HTML.
	loginJSON, robotsJSON bool
}

func newDiscSite(t *testing.T, n int, jsonOn bool) *discSite {
	s := &discSite{t: t, n: n, json: jsonOn, hits: map[string]int{}}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *discSite) set(n int, jsonOn bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n, s.json = n, jsonOn
}

func (s *discSite) count(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[kind]
}

func (s *discSite) fixture(name string) []byte {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "discourse", name))
	if err != nil {
		s.t.Error(err)
	}
	return []byte(strings.ReplaceAll(string(raw), "https://forum.homelab.example", s.srv.URL))
}

func discGlobalID(number int) int { return 9000 + 3*number }

func (s *discSite) post(number int) map[string]any {
	return map[string]any{
		"id": discGlobalID(number), "post_number": number, "post_type": 1, "version": 1,
		"username": fmt.Sprintf("user%d", number%4), "user_id": 10 + number%4,
		"created_at": fmt.Sprintf("2025-10-%02dT10:%02d:00.000Z", 1+number/60, number%60),
		"updated_at": fmt.Sprintf("2025-10-%02dT10:%02d:00.000Z", 1+number/60, number%60),
		"cooked":     fmt.Sprintf("<p>Message number %d about bike frames.</p>", number),
		"topic_id":   500, "topic_slug": "big-topic",
	}
}

func (s *discSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n, jsonOn, loginJSON, robotsJSON := s.n, s.json, s.loginJSON, s.robotsJSON
	p := r.URL.Path
	kind := p
	switch {
	case p == "/latest.json":
		kind = "list.json"
	case strings.HasSuffix(p, "/posts.json"):
		kind = "posts.json"
	case strings.HasSuffix(p, ".json"):
		kind = "topic.json"
	case strings.HasPrefix(p, "/t/"):
		kind = "html"
	}
	s.hits[kind]++
	s.mu.Unlock()
	if p == "/robots.txt" {
		if robotsJSON {
			fmt.Fprint(w, "User-agent: *\nDisallow: /t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417.json\n")
		} else {
			http.NotFound(w, r)
		}
		return
	}
	if strings.HasSuffix(p, ".json") && loginJSON {
		// Some sites answer API requests of visitors with their login page.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><form action="/session">Log in</form></body></html>`)
		return
	}
	if strings.HasSuffix(p, ".json") && !jsonOn {
		http.Error(w, `{"errors":["The requested URL or resource could not be found."]}`, http.StatusNotFound)
		return
	}
	writeJSON := func(v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(v)
	}
	switch p {
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><meta name="generator" content="Discourse 3.3.2 - https://github.com/discourse/discourse version 1f2e">`+
			`<title>Homelab</title></head><body><noscript><div id="main-outlet">Latest topics</div></noscript></body></html>`)
	case "/latest.json":
		if r.URL.Query().Get("page") != "" {
			writeJSON(map[string]any{"topic_list": map[string]any{"topics": []any{}}})
			return
		}
		writeJSON(map[string]any{"topic_list": map[string]any{
			"more_topics_url": "/latest?no_definitions=true&page=1",
			"topics": []map[string]any{
				{"id": 500, "title": "Big topic", "slug": "big-topic", "posts_count": n, "last_posted_at": fmt.Sprintf("2025-11-01T10:%02d:00.000Z", n%60)},
				{"id": 4417, "title": "ZFS scrub takes three days on a 4-disk pool", "slug": "zfs-scrub-takes-three-days-on-a-4-disk-pool", "posts_count": 26, "last_posted_at": "2025-12-01T10:00:00.000Z"},
			}}})
	case "/t/big-topic/500.json":
		var posts []map[string]any
		var stream []int
		for k := 1; k <= n; k++ {
			stream = append(stream, discGlobalID(k))
			if k <= 20 {
				posts = append(posts, s.post(k))
			}
		}
		writeJSON(map[string]any{"id": 500, "title": "Big topic", "slug": "big-topic", "posts_count": n,
			"post_stream": map[string]any{"posts": posts, "stream": stream}})
	case "/t/500/posts.json":
		var posts []map[string]any
		for _, v := range r.URL.Query()["post_ids[]"] {
			id, _ := strconv.Atoi(v)
			if (id-9000)%3 == 0 && (id-9000)/3 <= n {
				posts = append(posts, s.post((id-9000)/3))
			}
		}
		writeJSON(map[string]any{"post_stream": map[string]any{"posts": posts}})
	case "/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417.json":
		w.Header().Set("Content-Type", "application/json")
		w.Write(s.fixture("topic.json"))
	case "/t/4417/posts.json":
		w.Header().Set("Content-Type", "application/json")
		w.Write(s.fixture("posts.json"))
	case "/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417":
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(s.fixture("topic-p" + page + ".html"))
	default:
		http.NotFound(w, r)
	}
}

func TestArchiveDiscourseAPI(t *testing.T) {
	site := newDiscSite(t, 47, true)
	db := filepath.Join(t.TempDir(), "a.db")
	thread := site.srv.URL + "/t/big-topic/500/12" // a post link works too
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "3 pages, 47 new posts") {
		t.Errorf("summary = %q", r.stdout)
	}
	if got := [3]int{site.count("topic.json"), site.count("posts.json"), site.count("html")}; got != [3]int{1, 2, 0} {
		t.Errorf("requests topic.json/posts.json/html = %v, want [1 2 0]", got)
	}
	// Post ids are post numbers (not the global ids 9003...), one per post.
	if n := count(t, db, "SELECT count(*) FROM posts WHERE CAST(external_id AS INTEGER) = number AND number BETWEEN 1 AND 47"); n != 47 {
		t.Errorf("posts keyed by number = %d, want 47", n)
	}
	// Pages keep the JSON (URL and raw body) for reparsing; the thread its HTML URL.
	if n := count(t, db, "SELECT count(*) FROM pages WHERE url LIKE '%.json%'"); n != 3 {
		t.Errorf("json pages = %d, want 3", n)
	}
	if n := count(t, db, "SELECT count(*) FROM pages WHERE number = 3 AND url LIKE '%/t/500/posts.json?post_ids[]=9123&%'"); n != 1 {
		t.Errorf("chunk 2 is not page 3 with post ids from 9123 (post 41): %v", dumpPages(t, db))
	}
	if n := count(t, db, fmt.Sprintf("SELECT count(*) FROM threads WHERE url = '%s/t/big-topic/500' AND title = 'Big topic' AND page_count = 3", site.srv.URL)); n != 1 {
		t.Errorf("thread row url/title/page_count wrong")
	}

	// Again: the topic is refetched, the full middle chunk skipped, the last refetched.
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 || !strings.Contains(r.stdout, "2 pages, 0 new posts") {
		t.Errorf("re-archive: exit %d, summary %q %s", r.code, r.stdout, r.stderr)
	}
	if got := [2]int{site.count("topic.json"), site.count("posts.json")}; got != [2]int{2, 3} {
		t.Errorf("requests after re-archive = %v, want [2 3]", got)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("posts after re-archive = %d, want 47", n)
	}

	// New replies: the last chunk's id list changed, so it is a new page URL.
	site.set(52, true)
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 || !strings.Contains(r.stdout, "5 new posts") {
		t.Errorf("new replies: exit %d, summary %q %s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NULL"); n != 52 {
		t.Errorf("posts = %d, want 52", n)
	}
}

func TestArchiveDiscourseAPIResume(t *testing.T) {
	site := newDiscSite(t, 47, true)
	db := filepath.Join(t.TempDir(), "a.db")
	thread := site.srv.URL + "/t/big-topic/500"
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", "--max-pages", "2", thread); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 40 {
		t.Fatalf("posts after 2 pages = %d, want 40", n)
	}
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 {
		t.Fatalf("resume: %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NULL"); n != 47 {
		t.Errorf("posts after resume = %d, want 47", n)
	}
	// Resume: topic.json again, chunk 1 skipped (archived), chunk 2 fetched.
	if got := [2]int{site.count("topic.json"), site.count("posts.json")}; got != [2]int{2, 2} {
		t.Errorf("requests = %v, want [2 2]", got)
	}
}

func TestArchiveDiscourseFallsBackToHTML(t *testing.T) {
	site := newDiscSite(t, 0, false)
	db := filepath.Join(t.TempDir(), "a.db")
	thread := site.srv.URL + "/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417"
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// topic-p1..p3.html: posts 1-20, 21-23 and 25, 41-42.
	if !strings.Contains(r.stdout, "3 pages, 26 new posts") {
		t.Errorf("summary = %q", r.stdout)
	}
	if got := [3]int{site.count("topic.json"), site.count("posts.json"), site.count("html")}; got != [3]int{1, 0, 3} {
		t.Errorf("requests topic.json/posts.json/html = %v, want [1 0 3]", got)
	}
	if n := count(t, db, "SELECT count(*) FROM pages WHERE url LIKE '%.json%'"); n != 0 {
		t.Errorf("json pages stored after a 404: %d", n)
	}

	// The site opens its API: the same posts are not stored twice (one id space).
	site.set(0, true)
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 {
		t.Fatalf("api run: exit %d: %s", r.code, r.stderr)
	}
	// topic.json + posts.json hold posts 1-25; only 24 is new.
	if !strings.Contains(r.stdout, "2 pages, 1 new posts") {
		t.Errorf("api summary = %q", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 27 {
		t.Errorf("posts = %d, want 27 (1-25, 41, 42)", n)
	}
	if n := count(t, db, "SELECT count(*) FROM threads"); n != 1 {
		t.Errorf("threads = %d, want 1", n)
	}
	// 41 and 42 are not in the topic's stream any more: marked deleted, kept.
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 2 {
		t.Errorf("deleted = %d, want 2", n)
	}

	// API closed again: the HTML walk does not resume at a JSON page.
	site.set(0, false)
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 {
		t.Fatalf("html again: exit %d: %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 27 {
		t.Errorf("posts = %d, want 27", n)
	}
}

// genSite serves testdata/generic's made-up "Lantern Board" topic at
// /board/topic/2291?pg=N.
func genSite(t *testing.T) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := ""
		switch r.URL.Path {
		case "/board/cat/3/frames":
			name = "board.html"
		case "/board/topic/2291":
			pg := r.URL.Query().Get("pg")
			if pg == "" {
				pg = "1"
			}
			name = "topic-p" + pg + ".html"
		default:
			http.NotFound(w, r)
			return
		}
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "generic", name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(strings.ReplaceAll(string(raw), "https://oldspokes.example", srv.URL)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

const genProfilePath = "../../testdata/generic/example-profile.yaml"

func TestProfileExtractAndArchive(t *testing.T) {
	page := filepath.Join("..", "..", "testdata", "generic", "topic-p1.html")
	r := cli(t, context.Background(), "extract", "--profile", genProfilePath, page)
	if r.code != 0 {
		t.Fatalf("extract: exit %d: %s", r.code, r.stderr)
	}
	var out struct {
		Engine string
		URL    string
		Posts  []struct {
			ID     string
			Author struct{ Name string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Engine != "generic" || out.URL != "https://oldspokes.example/board/topic/2291" || len(out.Posts) != 4 || out.Posts[0].ID != "77101" {
		t.Errorf("extract = %+v", out)
	}
	// Without the profile the page is nobody's.
	if r := cli(t, context.Background(), "extract", page); r.code != 1 || !strings.Contains(r.stderr, "--profile") {
		t.Errorf("extract without profile: exit %d %q", r.code, r.stderr)
	}

	srv := genSite(t)
	db := filepath.Join(t.TempDir(), "a.db")
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", "--profile", genProfilePath, srv.URL+"/board/topic/2291")
	if r.code != 0 || !strings.Contains(r.stdout, "3 pages, 9 new posts") {
		t.Fatalf("archive: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM sites WHERE engine = 'generic'"); n != 1 {
		t.Errorf("site engine is not generic")
	}
	// A crawl seeded with the thread reads it with the profile too.
	db2 := filepath.Join(t.TempDir(), "c.db")
	r = cli(t, context.Background(), "--db", db2, "crawl", "--delay", "0", "--profile", genProfilePath, srv.URL+"/board/topic/2291")
	if r.code != 0 {
		t.Fatalf("crawl: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db2, "SELECT count(*) FROM posts"); n != 9 {
		t.Errorf("crawl posts = %d, want 9", n)
	}
	// A board page read with the profile's listing section.
	db3 := filepath.Join(t.TempDir(), "b.db")
	r = cli(t, context.Background(), "--db", db3, "crawl", "--delay", "0", "--profile", genProfilePath,
		"--include", "/topic/2291", "--exclude", "/lugs$", srv.URL+"/board/cat/3/frames")
	if r.code != 0 || !strings.Contains(r.stdout, "1 listing pages, 1 threads archived") {
		t.Fatalf("board crawl: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db3, "SELECT count(*) FROM posts"); n != 9 {
		t.Errorf("board crawl posts = %d, want 9", n)
	}
	// Unchanged board: the thread is skipped.
	r = cli(t, context.Background(), "--db", db3, "crawl", "--delay", "0", "--profile", genProfilePath,
		"--include", "/topic/2291", "--exclude", "/lugs$", srv.URL+"/board/cat/3/frames")
	if r.code != 0 || !strings.Contains(r.stdout, "0 threads archived, 1 unchanged threads skipped") {
		t.Errorf("board re-crawl: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
}

func TestProfileUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("posts: div.post\npost:\n  id: {attr: id}\n  body: '.msg'\n  author:\n    nmae: '.who'\n"), 0o644)
	badSel := filepath.Join(dir, "badsel.json")
	os.WriteFile(badSel, []byte(`{"posts": "div.post", "post": {"id": {"attr": "id"}, "body": "div[[["}}`), 0o644)
	page := filepath.Join("..", "..", "testdata", "generic", "topic-p1.html")
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"extract", "--profile", bad, page}, []string{"bad.yaml", "nmae"}},
		{[]string{"extract", "--profile", badSel, page}, []string{"badsel.json", "post.body"}},
		{[]string{"extract", "--profile", filepath.Join(dir, "missing.yaml"), page}, []string{"missing.yaml"}},
		{[]string{"extract", "--engine", "generic", page}, []string{"--profile"}},
		{[]string{"extract", "--engine", "xenforo2", "--profile", genProfilePath, page}, []string{"--profile"}},
		{[]string{"--db", filepath.Join(dir, "a.db"), "archive", "--profile", bad, "https://forum.example/t/1"}, []string{"bad.yaml", "nmae"}},
		{[]string{"--db", filepath.Join(dir, "a.db"), "archive", "--engine", "generic", "https://forum.example/t/1"}, []string{"--profile"}},
		{[]string{"--db", filepath.Join(dir, "a.db"), "crawl", "--profile", badSel, "https://forum.example/"}, []string{"badsel.json"}},
	}
	for _, c := range cases {
		r := cli(t, context.Background(), c.args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", c.args, r.code, r.stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, r.stderr, w)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a.db")); err == nil {
		t.Error("a bad profile still created the database")
	}
}

func dumpPages(t *testing.T, db string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite", roURI(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT number, url FROM pages ORDER BY number")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n int
		var u string
		rows.Scan(&n, &u)
		out = append(out, fmt.Sprintf("%d %s", n, u))
	}
	return out
}

func TestCrawlDiscourseSite(t *testing.T) {
	site := newDiscSite(t, 47, true)
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", site.srv.URL+"/")
	if r.code != 0 {
		t.Fatalf("crawl: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// Root HTML, /latest.json and its (empty) next page; both topics through the API.
	if !strings.Contains(r.stdout, "2 listing pages, 2 threads archived") {
		t.Errorf("summary = %q", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47+25 {
		t.Errorf("posts = %d, want 72", n)
	}
	if got := [3]int{site.count("list.json"), site.count("topic.json"), site.count("html")}; got != [3]int{2, 2, 0} {
		t.Errorf("requests list.json/topic.json/html = %v, want [2 2 0]", got)
	}
	// Unchanged listing: no topic is fetched again.
	r = cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", site.srv.URL+"/")
	if r.code != 0 || !strings.Contains(r.stdout, "2 unchanged threads skipped") {
		t.Errorf("re-crawl: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if n := site.count("topic.json"); n != 2 {
		t.Errorf("topic.json requests after re-crawl = %d, want 2", n)
	}
	// New posts in one topic: only it is fetched.
	site.set(50, true)
	r = cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", site.srv.URL+"/")
	if r.code != 0 || !strings.Contains(r.stdout, "1 threads archived, 1 unchanged threads skipped") {
		t.Errorf("crawl after replies: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 75 {
		t.Errorf("posts = %d, want 75", n)
	}
}

func TestJobsStoreAbsoluteProfile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	e := env{now: (&clock{t: t0}).now}
	ctx := context.Background()
	r := jobsCLI(ctx, e, "--db", db, "jobs", "add", "lantern", "--every", "6h", "--profile", genProfilePath, "https://oldspokes.example/board/cat/3/frames")
	if r.code != 0 {
		t.Fatalf("add: exit %d %q", r.code, r.stderr)
	}
	abs, _ := filepath.Abs(genProfilePath)
	if j := readJob(t, db, "lantern"); len(j.Args) != 3 || j.Args[0] != "--profile" || j.Args[1] != abs {
		t.Errorf("args = %q, want the profile as %s", j.Args, abs)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("posts: 'div[['\n"), 0o644)
	r = jobsCLI(ctx, e, "--db", db, "jobs", "add", "broken", "--every", "6h", "--profile="+bad, "https://oldspokes.example/")
	if r.code != 2 || !strings.Contains(r.stderr, "bad.yaml") {
		t.Errorf("bad profile: exit %d %q", r.code, r.stderr)
	}
	r = jobsCLI(ctx, e, "--db", db, "jobs", "add", "noprofile", "--every", "6h", "--engine", "generic", "https://oldspokes.example/")
	if r.code != 2 || !strings.Contains(r.stderr, "--profile") {
		t.Errorf("generic without profile: exit %d %q", r.code, r.stderr)
	}
}

func TestExtractDiscourseJSON(t *testing.T) {
	r := cli(t, context.Background(), "extract", "--url", "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417.json",
		filepath.Join("..", "..", "testdata", "discourse", "topic.json"))
	if r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	var out struct {
		Engine string
		Page   struct{ Total int }
		Posts  []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Engine != "discourse" || out.Page.Total != 2 || len(out.Posts) != 20 || out.Posts[19].ID != "20" {
		t.Errorf("extract = %+v", out)
	}
}

func TestArchiveDiscourseAPIRefused(t *testing.T) {
	for _, mode := range []string{"login", "robots"} {
		t.Run(mode, func(t *testing.T) {
			site := newDiscSite(t, 0, true)
			site.mu.Lock()
			site.loginJSON, site.robotsJSON = mode == "login", mode == "robots"
			site.mu.Unlock()
			db := filepath.Join(t.TempDir(), "a.db")
			r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", site.srv.URL+"/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417")
			if r.code != 0 || !strings.Contains(r.stdout, "3 pages, 26 new posts") {
				t.Fatalf("exit %d %q %s", r.code, r.stdout, r.stderr)
			}
			want := 1
			if mode == "robots" {
				want = 0 // never asked
			}
			if got := site.count("topic.json"); got != want {
				t.Errorf("topic.json requests = %d, want %d", got, want)
			}
			if n := count(t, db, "SELECT count(*) FROM pages WHERE url LIKE '%.json%'"); n != 0 {
				t.Errorf("json pages = %d", n)
			}
		})
	}
}

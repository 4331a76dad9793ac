package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// cli runs forumarc in-process and returns its exit code and output.
type cliResult struct {
	code           int
	stdout, stderr string
}

func cli(t *testing.T, ctx context.Context, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, env{stdout: &out, stderr: &errb, stdin: strings.NewReader("")})
	return cliResult{code, out.String(), errb.String()}
}

func cliStdin(t *testing.T, stdin string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, env{stdout: &out, stderr: &errb, stdin: strings.NewReader(stdin)})
	return cliResult{code, out.String(), errb.String()}
}

func demoServer(t *testing.T) (*sampleforum.Forum, *httptest.Server, string) {
	t.Helper()
	f := sampleforum.Demo()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv, srv.URL + sampleforum.ThreadPath(f.Thread(1))
}

func count(t *testing.T, db, q string) int {
	t.Helper()
	conn, err := sql.Open("sqlite", roURI(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestArchiveWholeThreadIdempotent(t *testing.T) {
	_, _, thread := demoServer(t)
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "3 pages, 47 new posts") {
		t.Errorf("summary = %q", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("posts = %d, want 47", n)
	}
	if n := count(t, db, "SELECT count(*) FROM pages"); n != 3 {
		t.Errorf("pages = %d, want 3", n)
	}
	// Again: resumes at the last page, adds nothing.
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 || !strings.Contains(r.stdout, "1 pages, 0 new posts") {
		t.Errorf("re-archive: exit %d, summary %q", r.code, r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("posts after re-archive = %d, want 47", n)
	}
	if n := count(t, db, "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'shellacked'"); n == 0 {
		t.Error("full-text search finds nothing")
	}
}

func TestArchiveResumesInterruptedRun(t *testing.T) {
	// With ETags the resumed page answers 304: the walk must go on from the stored
	// copy's next-page link, not take the thread as unchanged.
	for _, etags := range []bool{false, true} {
		t.Run(fmt.Sprintf("etags=%v", etags), func(t *testing.T) {
			f := sampleforum.Demo()
			f.ETags = etags
			srv := httptest.NewServer(f)
			defer srv.Close()
			thread := srv.URL + sampleforum.ThreadPath(f.Thread(1))
			db := filepath.Join(t.TempDir(), "a.db")
			if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", "--max-pages", "1", thread); r.code != 0 {
				t.Fatalf("first run: %d %s", r.code, r.stderr)
			}
			if n := count(t, db, "SELECT count(*) FROM posts"); n != 20 {
				t.Fatalf("posts after 1 page = %d, want 20", n)
			}
			before := f.Requests()
			r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
			if r.code != 0 {
				t.Fatalf("resume: %d %s", r.code, r.stderr)
			}
			if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
				t.Errorf("posts after resume = %d, want 47\n%s", n, r.stdout)
			}
			// robots.txt, page 1 again (last archived; 304 with ETags), pages 2 and 3.
			if got := f.Requests() - before; got != 4 {
				t.Errorf("requests on resume = %d, want 4", got)
			}
			// A third run finds the thread complete: one request for its last page.
			before = f.Requests()
			if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread); r.code != 0 {
				t.Fatalf("third run: %d %s", r.code, r.stderr)
			}
			if got := f.Requests() - before; got != 2 {
				t.Errorf("requests on an unchanged thread = %d, want 2 (robots.txt, last page)", got)
			}
			if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NULL"); n != 47 {
				t.Errorf("live posts after the third run = %d, want 47", n)
			}
		})
	}
}

func TestArchiveFailsMidThreadAndContinues(t *testing.T) {
	f, _, thread := demoServer(t)
	var broken atomic.Bool
	broken.Store(true)
	f.Fault = func(r *http.Request) (int, http.Header) {
		if broken.Load() && strings.HasSuffix(r.URL.Path, "/page-2") {
			return http.StatusNotFound, nil
		}
		return 0, nil
	}
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "page-2") || strings.Count(strings.TrimSpace(r.stderr), "\n") > 2 {
		t.Errorf("stderr should be a short message naming the page: %q", r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 20 {
		t.Errorf("posts kept = %d, want 20", n)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_errors WHERE url LIKE '%page-2'"); n != 1 {
		t.Errorf("crawl_errors = %d, want 1", n)
	}
	broken.Store(false)
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread); r.code != 0 {
		t.Fatalf("second run: %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("posts after second run = %d, want 47", n)
	}
}

func TestArchiveRetriesTransientErrors(t *testing.T) {
	f, _, thread := demoServer(t)
	var n429, n500 atomic.Int32
	f.Fault = func(r *http.Request) (int, http.Header) {
		if strings.HasSuffix(r.URL.Path, "/page-2") && n429.Add(1) == 1 {
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}
		}
		if strings.HasSuffix(r.URL.Path, "/page-3") && n500.Add(1) <= 2 {
			return http.StatusBadGateway, nil
		}
		return 0, nil
	}
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("posts = %d, want 47", n)
	}
	if n429.Load() != 2 || n500.Load() != 3 {
		t.Errorf("attempts: page-2 %d (want 2), page-3 %d (want 3)", n429.Load(), n500.Load())
	}
}

func TestArchiveObeysRobots(t *testing.T) {
	f, _, thread := demoServer(t)
	f.Robots = "User-agent: *\nDisallow: /threads/\n"
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != 1 || !strings.Contains(r.stderr, "robots.txt") {
		t.Fatalf("exit %d stderr %q, want 1 naming robots.txt", r.code, r.stderr)
	}
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", "--ignore-robots", thread)
	if r.code != 0 {
		t.Fatalf("--ignore-robots: exit %d %s", r.code, r.stderr)
	}
}

func TestArchiveBadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, context.Background(), "--db", db, "archive", "not-a-url")
	if r.code != 2 || !strings.Contains(r.stderr, "not an http(s) URL") {
		t.Errorf("invalid URL: exit %d stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("invalid URL created the database")
	}
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><head><title>Shop</title></head><body><h1>Buy things</h1><p>No forum here.</p></body></html>")
	}))
	defer plain.Close()
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", plain.URL+"/shop")
	if r.code != 1 || !strings.Contains(r.stderr, plain.URL+"/shop") || !strings.Contains(r.stderr, "not recognised") {
		t.Errorf("not a forum: exit %d stderr %q", r.code, r.stderr)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("not a forum: want one line on stderr, got %q", r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM pages"); n != 0 {
		t.Errorf("not a forum wrote %d pages", n)
	}
	r = cli(t, context.Background(), "--db", db, "archive", "--delay", "0", plain.URL+"/missing")
	if r.code != 1 {
		t.Errorf("exit %d", r.code)
	}
}

func TestForeignDatabaseIsNotTouched(t *testing.T) {
	_, _, thread := demoServer(t)
	db := filepath.Join(t.TempDir(), "notes.db")
	content := []byte("these are my notes, not a database\n")
	if err := os.WriteFile(db, content, 0o644); err != nil {
		t.Fatal(err)
	}
	r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread)
	if r.code != exitDatabase {
		t.Errorf("exit %d (%s), want %d", r.code, r.stderr, exitDatabase)
	}
	got, _ := os.ReadFile(db)
	if !bytes.Equal(got, content) {
		t.Error("foreign file was modified")
	}
}

func TestInterruptKeepsCommittedPages(t *testing.T) {
	f, _, thread := demoServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.Fault = func(r *http.Request) (int, http.Header) {
		if strings.HasSuffix(r.URL.Path, "/page-2") {
			cancel() // Ctrl-C while page 2 is in flight
			time.Sleep(50 * time.Millisecond)
		}
		return 0, nil
	}
	db := filepath.Join(t.TempDir(), "a.db")
	r := cli(t, ctx, "--db", db, "archive", "--delay", "0", thread)
	if r.code != exitInterrupted {
		t.Fatalf("exit %d (%s), want 130", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 20 {
		t.Errorf("posts = %d, want page 1's 20", n)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE status = 'interrupted' AND finished_at IS NOT NULL"); n != 1 {
		t.Errorf("interrupted runs recorded = %d, want 1", n)
	}
	f.Fault = nil
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread); r.code != 0 {
		t.Fatalf("resume: %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("posts after resume = %d, want 47", n)
	}
}

func TestDemoQueryAndExtract(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	r := cli(t, context.Background(), "--db", db, "demo")
	if r.code != 0 || !strings.Contains(r.stdout, "forumarc --db") {
		t.Fatalf("demo: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	r = cli(t, context.Background(), "--db", db, "query", "--format", "jsonl", "SELECT post_number, author_name FROM post_details ORDER BY post_number LIMIT 2")
	if r.code != 0 {
		t.Fatalf("query: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || lines[0] != `{"post_number":1,"author_name":"marta_wheels"}` {
		t.Errorf("jsonl = %q", r.stdout)
	}
	r = cli(t, context.Background(), "--db", db, "query", "--format", "csv", "SELECT name, messages FROM authors WHERE name = 'Jiří Novák'")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "name,messages\nJiří Novák,") {
		t.Errorf("csv = %q (%s)", r.stdout, r.stderr)
	}
	r = cli(t, context.Background(), "--db", db, "query", "--format", "json", "SELECT count(*) AS n FROM posts")
	var rows []map[string]int
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 || rows[0]["n"] != 47 {
		t.Errorf("json = %q (%v)", r.stdout, err)
	}
	for _, q := range []string{"DELETE FROM posts", "DROP TABLE posts", "UPDATE posts SET body_text = ''", "PRAGMA user_version = 99"} {
		r = cli(t, context.Background(), "--db", db, "query", q)
		if r.code == 0 || !strings.Contains(r.stderr, "read-only") {
			t.Errorf("%s: exit %d stderr %q, want refusal", q, r.code, r.stderr)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE body_text != ''"); n != 47 {
		t.Errorf("posts after refused writes = %d", n)
	}
	r = cli(t, context.Background(), "--db", db, "query", "--format", "xml", "SELECT 1")
	if r.code != 2 {
		t.Errorf("bad format: exit %d", r.code)
	}
	r = cli(t, context.Background(), "--db", filepath.Join(dir, "none.db"), "query", "SELECT 1")
	if r.code == 0 || !strings.Contains(r.stderr, "no archive") {
		t.Errorf("missing db: exit %d %q", r.code, r.stderr)
	}
}

func TestExtractCommand(t *testing.T) {
	f := sampleforum.Demo()
	srv := httptest.NewServer(f)
	defer srv.Close()
	resp, err := http.Get(srv.URL + sampleforum.ThreadPath(f.Thread(1)) + "page-3")
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	page.ReadFrom(resp.Body)
	resp.Body.Close()
	file := filepath.Join(t.TempDir(), "saved.html")
	os.WriteFile(file, page.Bytes(), 0o644)

	for _, r := range []cliResult{
		cli(t, context.Background(), "extract", file),
		cliStdin(t, page.String(), "extract", "--url", srv.URL+sampleforum.ThreadPath(f.Thread(1))+"page-3", "-"),
	} {
		if r.code != 0 {
			t.Fatalf("extract: %d %s", r.code, r.stderr)
		}
		var out struct {
			Engine string
			Page   struct{ Number, Total int }
			Posts  []struct {
				ID     string
				Number int
				Author struct{ Name string }
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.Engine != "xenforo2" || out.Page.Number != 3 || out.Page.Total != 3 || len(out.Posts) != 7 || out.Posts[0].Number != 41 {
			t.Errorf("extract = %+v", out)
		}
	}
	r := cliStdin(t, "<html><body>hello</body></html>", "extract", "-")
	if r.code != 1 || !strings.Contains(r.stderr, "not recognised") {
		t.Errorf("non-forum: exit %d %q", r.code, r.stderr)
	}
	r = cli(t, context.Background(), "extract", filepath.Join(t.TempDir(), "missing.html"))
	if r.code != exitUsage {
		t.Errorf("missing file: exit %d (want %d, a wrong argument)", r.code, exitUsage)
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range []string{"", "archive", "extract", "query", "demo", "engines"} {
		args := []string{"--help"}
		if c != "" {
			args = []string{c, "--help"}
		}
		r := cli(t, context.Background(), args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help: exit %d, output %q", c, r.code, r.stdout)
		}
	}
	if r := cli(t, context.Background(), "archive", "--no-such-flag", "x"); r.code != 2 {
		t.Errorf("unknown flag: exit %d", r.code)
	}
	if r := cli(t, context.Background(), "frobnicate"); r.code != 2 {
		t.Errorf("unknown command: exit %d", r.code)
	}
}

func TestArchiveTruncatedPage(t *testing.T) {
	f, _, thread := demoServer(t)
	var cut atomic.Int32
	real := f
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/page-2") && cut.Load() > 0 {
			cut.Add(-1)
			rec := httptest.NewRecorder()
			real.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			w.Write(body[:len(body)/2]) // a complete response holding half a page
			return
		}
		real.ServeHTTP(w, r)
	}))
	defer srv.Close()
	thread = strings.Replace(thread, thread[:strings.Index(thread, "/threads/")], srv.URL, 1)
	db := filepath.Join(t.TempDir(), "a.db")

	cut.Store(1) // cut once: the refetch succeeds
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread); r.code != 0 {
		t.Fatalf("one truncated answer: exit %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("posts = %d, want 47", n)
	}

	db2 := filepath.Join(t.TempDir(), "b.db")
	cut.Store(5) // always cut
	r := cli(t, context.Background(), "--db", db2, "archive", "--delay", "0", thread)
	if r.code != 1 || !strings.Contains(r.stderr, "truncated") {
		t.Fatalf("exit %d stderr %q, want 1 naming truncation", r.code, r.stderr)
	}
	if n := count(t, db2, "SELECT count(*) FROM posts"); n != 20 {
		t.Errorf("posts = %d, want page 1's 20 kept", n)
	}
}

func TestArchiveNonUTF8Page(t *testing.T) {
	page := []byte("<!DOCTYPE html><html id=\"XF\" data-xf=\"2.2\" data-app=\"public\"><head><meta charset=\"windows-1251\"><title>t</title></head><body>" +
		"<div class=\"p-title\"><h1 class=\"p-title-value\">\xcf\xf0\xe8\xe2\xe5\xf2</h1></div>" +
		"<article class=\"message message--post\" data-author=\"ivan\" data-content=\"post-7\" id=\"js-post-7\"><div class=\"message-userDetails\"><h4 class=\"message-name\"><a class=\"username\" href=\"/members/ivan.3/\" data-user-id=\"3\">ivan</a></h4></div>" +
		"<header class=\"message-attribution\"><ul class=\"message-attribution-main\"><li><a href=\"/threads/t.5/post-7\"><time class=\"u-dt\" datetime=\"2020-01-02T10:00:00+0000\" data-time=\"1577959200\">Jan 2, 2020</time></a></li></ul></header>" +
		"<article class=\"message-body\"><div class=\"bbWrapper\">\xd2\xe5\xea\xf1\xf2 \xef\xee\xf1\xf2\xe0</div></article></article></body></html>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(page)
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "a.db")
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", srv.URL+"/threads/t.5/"); r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE body_text = 'Текст поста'"); n != 1 {
		t.Error("windows-1251 body not decoded")
	}
	if n := count(t, db, "SELECT count(*) FROM pages WHERE encoding = 'windows-1251'"); n != 1 {
		t.Error("page encoding not recorded")
	}
}

func TestAuthorSidebarStored(t *testing.T) {
	_, _, thread := demoServer(t)
	db := filepath.Join(t.TempDir(), "a.db")
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread); r.code != 0 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if n := count(t, db, `SELECT count(*) FROM authors WHERE name = 'marta_wheels' AND title = 'ELITE MEMBER'
		AND joined_on = '2006-05-21' AND joined_text = 'May 21, 2006' AND reaction_score = 14 AND location = 'Leeds'
		AND json_extract(extras, '$.Points') = '113'`); n != 1 {
		t.Error("author sidebar not stored in full")
	}
	if n := count(t, db, `SELECT count(*) FROM post_details WHERE author_joined_text = 'May 21, 2006'`); n == 0 {
		t.Error("post_details lacks author_joined_text")
	}
}

// roURI is a read-only SQLite URI for a path that may hold '#' or '?' (subtest names).
func roURI(path string) string {
	return (&url.URL{Scheme: "file", Path: path, RawQuery: "mode=ro"}).String()
}

// TestDemoTwiceOneSite: the sample forum's address is part of the archived site, so a
// second demo into the same archive must find the same site, not add a copy.
func TestDemoTwiceOneSite(t *testing.T) {
	ln, err := net.Listen("tcp", demoAddr)
	if err != nil {
		t.Skipf("demo port in use here: %v", err)
	}
	ln.Close()
	db := filepath.Join(t.TempDir(), "demo.db")
	for i := range 2 {
		if r := cli(t, context.Background(), "--db", db, "demo"); r.code != 0 {
			t.Fatalf("demo %d: exit %d %s", i+1, r.code, r.stderr)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM sites"); n != 1 {
		t.Errorf("%d sites after two demos, want 1", n)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 47 {
		t.Errorf("%d posts after two demos, want 47", n)
	}
}

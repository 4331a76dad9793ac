package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/nlnwa/gowarc/v2"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// demoDB archives the sample forum once per test into a temp dir.
func demoDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "demo.db")
	if r := cli(t, context.Background(), "--db", db, "demo"); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	return db
}

func TestSearchCommand(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	r := cli(t, ctx, "--db", db, "search", "shellac*", "--limit", "3")
	if r.code != 0 || !strings.Contains(r.stdout, "**shellacked**") || strings.Count(r.stdout, "(score ") != 3 {
		t.Errorf("table: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, ctx, "--db", db, "search", "--format", "json", `"bar tape"`)
	var hits []struct {
		PostID  int64   `json:"post_id"`
		Author  string  `json:"author_name"`
		Score   float64 `json:"score"`
		Snippet string  `json:"snippet"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &hits); err != nil || len(hits) == 0 {
		t.Fatalf("json: %v %q %s", err, r.stdout, r.stderr)
	}
	for i, h := range hits {
		if !strings.Contains(strings.ToLower(h.Snippet), "**bar tape**") || (i > 0 && h.Score > hits[i-1].Score) {
			t.Errorf("hit %d = %+v", i, h)
		}
	}
	r = cli(t, ctx, "--db", db, "search", "--format", "jsonl", "--author", "marta_wheels", "shellac*")
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.Contains(line, `"author_name":"marta_wheels"`) {
			t.Errorf("author filter let through %s", line)
		}
	}
	if r := cli(t, ctx, "--db", db, "search", "--format", "json", "--until", "2000", "shellac*"); r.code != 0 || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("until 2000: %d %q", r.code, r.stdout)
	}
	if r := cli(t, ctx, "--db", db, "search", "--literal", "wheel-set", "(front)"); r.code != 0 {
		t.Errorf("--literal: %d %s", r.code, r.stderr)
	}
	// Typed text with punctuation is searched as words (see search_everyday_test.go);
	// an operator without its words is a usage error saying so.
	for _, q := range []string{"foo AND", "OR foo", "foo NOT"} {
		r := cli(t, ctx, "--db", db, "search", q)
		first := strings.SplitN(r.stderr, "\n", 2)[0]
		if r.code != exitUsage || !strings.Contains(first, "search: bad query "+strconv.Quote(q)) || !strings.Contains(first, "needs a word") ||
			strings.Contains(r.stderr, "SQL logic error") {
			t.Errorf("bad query %q: exit %d stderr %q", q, r.code, r.stderr)
		}
	}
	if r := cli(t, ctx, "--db", db, "search", "--since", "yesterday", "x"); r.code != exitUsage {
		t.Errorf("bad date: exit %d", r.code)
	}
}

func TestExportCommand(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	out := t.TempDir()
	jsonl := filepath.Join(out, "posts.jsonl")
	r := cli(t, ctx, "--db", db, "export", "--format", "jsonl", "-o", jsonl)
	if r.code != 0 || !strings.Contains(r.stderr, "exported 47 posts of 1 threads") {
		t.Fatalf("jsonl: %d %s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(jsonl)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var first map[string]any
	if len(lines) != 47 || json.Unmarshal([]byte(lines[0]), &first) != nil || first["id"] != "1001" ||
		first["thread"].(map[string]any)["title"] == nil || first["site"].(map[string]any)["engine"] != "xenforo2" {
		t.Errorf("jsonl: %d lines, first %v", len(lines), first)
	}
	if r := cli(t, ctx, "--db", db, "export", "--format", "jsonl", "-o", jsonl); r.code != exitUsage || !strings.Contains(r.stderr, "--force") {
		t.Errorf("overwrite: exit %d %s", r.code, r.stderr)
	}
	if r := cli(t, ctx, "--db", db, "export", "--format", "jsonl", "--author", "old_spokes", "-o", jsonl, "--force"); r.code != 0 {
		t.Errorf("--force: exit %d %s", r.code, r.stderr)
	}
	b, _ = os.ReadFile(jsonl)
	if n := strings.Count(string(b), "\n"); n != 12 {
		t.Errorf("old_spokes posts = %d, want 12", n)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(out, ".*partial")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	r = cli(t, ctx, "--db", db, "export", "--format", "csv", "--since", "2023-03-10")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if r.code != 0 || err != nil || len(rows) < 2 || rows[0][0] != "site_url" {
		t.Fatalf("csv: %d %v %s", r.code, err, r.stderr)
	}
	for _, row := range rows[1:] {
		if row[10] < "2023-03-10" { // posted_at
			t.Errorf("csv row before --since: %v", row[10])
		}
	}

	dir := filepath.Join(out, "html")
	if r := cli(t, ctx, "--db", db, "export", "--format", "html", "-o", dir); r.code != 0 {
		t.Fatalf("html: %d %s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(files) != 1 || filepath.Base(files[0]) != "restoring-a-1974-raleigh-competition-build-log-1.html" {
		t.Fatalf("html files = %v", files)
	}
	page, _ := os.ReadFile(files[0])
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.Find("article").Length(); n != 47 {
		t.Errorf("html articles = %d, want 47 (all pages merged)", n)
	}
	if doc.Find("script").Length() != 0 || doc.Find(`a[href="#post-1011"]`).Length() == 0 {
		t.Error("html: script present or quote not linked")
	}
	if r := cli(t, ctx, "--db", db, "export", "--format", "html", "-o", dir); r.code != exitUsage {
		t.Errorf("html overwrite: exit %d", r.code)
	}
	if r := cli(t, ctx, "--db", db, "export", "--format", "markdown", "-o", dir); r.code != 0 {
		t.Errorf("markdown: %d %s", r.code, r.stderr)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.md")); len(files) != 1 {
		t.Errorf("markdown files = %v", files)
	}

	warc := filepath.Join(out, "forum.warc.gz")
	if r := cli(t, ctx, "--db", db, "export", "--format", "warc", "-o", warc); r.code != 0 || !strings.Contains(r.stderr, "3 pages") {
		t.Fatalf("warc: %d %s", r.code, r.stderr)
	}
	wr, err := gowarc.NewWarcFileReader(warc, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer wr.Close()
	responses := 0
	for {
		rec, _, _, err := wr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Type() == gowarc.Response {
			responses++
			if !strings.Contains(rec.WarcHeader().Get(gowarc.WarcTargetURI), "/threads/restoring") {
				t.Errorf("target %s", rec.WarcHeader().Get(gowarc.WarcTargetURI))
			}
		}
		rec.Close()
	}
	if responses != 3 {
		t.Errorf("warc responses = %d", responses)
	}

	for _, args := range [][]string{
		{"export"}, {"export", "--format", "pdf"}, {"export", "--format", "html"},
		{"export", "--format", "csv", "--remote-images"},
	} {
		if r := cli(t, ctx, append([]string{"--db", db}, args...)...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, r.code, exitUsage)
		}
	}
}

func TestStatsCommand(t *testing.T) {
	db := demoDB(t)
	r := cli(t, context.Background(), "--db", db, "stats")
	if r.code != 0 || !strings.Contains(r.stdout, "posts        47") || !strings.Contains(r.stdout, "2023-03       47") ||
		!strings.Contains(r.stdout, "most active authors") {
		t.Errorf("stats: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, context.Background(), "--db", db, "stats", "--format", "json", "--top", "2")
	var st struct {
		Posts      int
		Threads    int
		Authors    int
		TopAuthors []struct{ Name string } `json:"top_authors"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Posts != 47 || st.Threads != 1 || st.Authors != 4 || len(st.TopAuthors) != 2 {
		t.Errorf("json: %v %+v", err, st)
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// readCommands are the commands that must open the archive read-only.
func readCommands(db, out string) [][]string {
	return [][]string{
		{"--db", db, "search", "shellac*"},
		{"--db", db, "stats"},
		{"--db", db, "export", "--format", "jsonl"},
		{"--db", db, "export", "--format", "warc", "-o", filepath.Join(out, "x.warc.gz"), "--force"},
		{"--db", db, "export", "--format", "html", "-o", out, "--force"},
		{"--db", db, "query", "SELECT count(*) FROM posts"},
	}
}

func TestReadCommandsDoNotWrite(t *testing.T) {
	db := demoDB(t)
	before := fileSum(t, db)
	runs := count(t, db, "SELECT count(*) FROM crawl_runs")
	for _, args := range readCommands(db, t.TempDir()) {
		if r := cli(t, context.Background(), args...); r.code != 0 {
			t.Errorf("%v: exit %d %s", args[2:], r.code, r.stderr)
		}
	}
	if fileSum(t, db) != before {
		t.Error("a read command modified the archive file")
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs"); n != runs {
		t.Errorf("crawl_runs %d -> %d", runs, n)
	}
	// On a file the process may not write, they still work.
	if os.Getuid() != 0 {
		os.Chmod(db, 0o444)
		defer os.Chmod(db, 0o644)
		for _, args := range readCommands(db, t.TempDir()) {
			if r := cli(t, context.Background(), args...); r.code != 0 {
				t.Errorf("read-only file %v: exit %d %s", args[2:], r.code, r.stderr)
			}
		}
	}
}

func TestReadCommandsWhileCrawlWrites(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	// A crawl in the middle of a write transaction holds the write lock.
	w, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	conn, err := w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO crawl_runs (command, started_at, status) VALUES ('crawl', '2026-01-01T00:00:00Z', 'running')`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `UPDATE posts SET body_text = body_text || ' uncommitted' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	// One after another: run() sets package globals (scraper.Version), so in-process
	// CLIs must not run in parallel. The write lock is held throughout.
	out := t.TempDir()
	start := time.Now()
	for _, args := range readCommands(db, out) {
		r := cli(t, ctx, args...)
		if r.code != 0 {
			t.Errorf("%v while writing: exit %d %s", args[2:], r.code, r.stderr)
		}
		if strings.Contains(r.stdout, "uncommitted") {
			t.Errorf("%v saw uncommitted data", args[2:])
		}
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("read commands waited for the writer: %v", d)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	// A crawl committing page after page while the read commands run.
	wdb, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer wdb.Close()
	run, err := wdb.StartRun(ctx, "crawl", nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var saved atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			url := fmt.Sprintf("https://w.example/threads/t.1/page-%d", i+1)
			p := &scraper.Page{URL: url, Thread: scraper.Thread{ID: scraper.Str("1"), Title: scraper.Str("Live")},
				Page: scraper.PageInfo{Number: i + 1}, Posts: []scraper.Post{{ID: fmt.Sprint(i), BodyText: "shellacked live post",
					BodyHTML: "<p>x</p>", Quotes: []scraper.Quote{}}}}
			if _, err := run.SavePage(ctx, &scraper.Fetched{URL: url, Status: 200, Body: []byte("<html></html>")}, p); err != nil {
				t.Error(err)
				return
			}
			saved.Add(1)
		}
	})
	for _, args := range readCommands(db, out) {
		if r := cli(t, ctx, args...); r.code != 0 {
			t.Errorf("%v during a crawl: exit %d %s", args[2:], r.code, r.stderr)
		}
	}
	close(stop)
	wg.Wait()
	if saved.Load() == 0 {
		t.Error("the concurrent crawl wrote nothing")
	}
}

// fixedEngine is a deliberately changed extractor: xenforo2, but "shellacked" is
// rewritten, as an extractor fix would change the text of exactly the posts holding it.
type fixedEngine struct{ scraper.Engine }

func (e fixedEngine) Info() scraper.EngineInfo {
	i := e.Engine.Info()
	i.Name = "test-xf2-fixed"
	return i
}
func (fixedEngine) Detect(*goquery.Document) bool { return false }
func (e fixedEngine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	p, err := e.Engine.Extract(doc, in)
	if err != nil {
		return nil, err
	}
	for i := range p.Posts {
		p.Posts[i].BodyText = strings.ReplaceAll(p.Posts[i].BodyText, "shellacked", "varnished")
	}
	return p, nil
}

var registerFixed sync.Once

func TestReparseCommand(t *testing.T) {
	registerFixed.Do(func() {
		xf, ok := scraper.Lookup("xenforo2")
		if !ok {
			t.Fatal("no xenforo2 engine")
		}
		scraper.Register(fixedEngine{xf})
	})
	db := demoDB(t)
	ctx := context.Background()
	affected := count(t, db, "SELECT count(*) FROM posts WHERE body_text LIKE '%shellacked%'")
	if affected == 0 || affected == 47 {
		t.Fatalf("corpus: %d posts with the word", affected)
	}
	r := cli(t, ctx, "--db", db, "reparse")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "reparsed 3 pages: 0 new posts, 0 changed, 47 unchanged\n") ||
		strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("unchanged reparse: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, ctx, "--db", db, "reparse", "--engine", "test-xf2-fixed", "--dry-run")
	if r.code != 0 || strings.Count(r.stdout, "changed  post") != affected || count(t, db, "SELECT count(*) FROM post_revisions") != 0 {
		t.Fatalf("dry run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = cli(t, ctx, "--db", db, "reparse", "--engine", "test-xf2-fixed", "--format", "json")
	if r.code != 0 {
		t.Fatalf("reparse: %d %s", r.code, r.stderr)
	}
	changed := 0
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		switch l["kind"] {
		case "changed":
			changed++
			if !strings.Contains(l["old_text"].(string), "shellacked") || !strings.Contains(l["new_text"].(string), "varnished") {
				t.Errorf("change = %v", l)
			}
		case "summary":
			if l["changed_posts"].(float64) != float64(affected) || l["unchanged_posts"].(float64) != float64(47-affected) {
				t.Errorf("summary = %v", l)
			}
		default:
			t.Errorf("unexpected line %v", l)
		}
	}
	if changed != affected {
		t.Errorf("changed %d, want %d", changed, affected)
	}
	if n := count(t, db, "SELECT count(*) FROM post_revisions WHERE body_text LIKE '%shellacked%'"); n != affected {
		t.Errorf("revisions = %d, want %d", n, affected)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE body_text LIKE '%varnished%'"); n != affected {
		t.Errorf("updated posts = %d", n)
	}
	if n := count(t, db, "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'varnished'"); n != affected {
		t.Errorf("search index not updated: %d", n)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_runs WHERE command = 'reparse' AND status = 'ok'"); n != 2 {
		t.Errorf("reparse runs = %d, want 2 (dry run not recorded)", n)
	}
	if r := cli(t, ctx, "--db", db, "reparse", "--engine", "nope"); r.code != exitUsage {
		t.Errorf("unknown engine: exit %d", r.code)
	}
	if r := cli(t, ctx, "--db", filepath.Join(t.TempDir(), "none.db"), "reparse"); r.code != exitDatabase {
		t.Errorf("missing db: exit %d %s", r.code, r.stderr)
	}
}

func TestUseCommandsHelp(t *testing.T) {
	for _, c := range []string{"search", "export", "reparse", "stats"} {
		r := cli(t, context.Background(), c, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help: exit %d, output %q", c, r.code, r.stdout)
		}
	}
}

// The SQL examples in the README run as written.
func TestReadmeSQLExamples(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var queries []string
	for _, block := range strings.Split(string(doc), "```sql\n")[1:] {
		queries = append(queries, block[:strings.Index(block, "```")])
	}
	if len(queries) < 3 {
		t.Fatalf("README shows %d SQL examples, want the post_details examples", len(queries))
	}
	db := demoDB(t)
	for _, q := range queries {
		if r := cli(t, context.Background(), "--db", db, "query", q); r.code != 0 {
			t.Errorf("README query failed: %s\n%s", r.stderr, q)
		}
	}
}

// A stored post the extractor no longer finds is reported and kept.
func TestReparseReportsMissingPosts(t *testing.T) {
	db := demoDB(t)
	w, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO posts (thread_id, external_id, body_html, body_text, content_hash, first_seen_at, last_seen_at)
		VALUES (1, 'ad-slot-1', '<p>Buy now</p>', 'Buy now', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	r := cli(t, context.Background(), "--db", db, "reparse")
	if r.code != 0 || !strings.Contains(r.stdout, "missing  post ad-slot-1") || !strings.Contains(r.stdout, "1 stored posts no longer found (kept)") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE external_id = 'ad-slot-1'"); n != 1 {
		t.Error("missing post was deleted")
	}
}

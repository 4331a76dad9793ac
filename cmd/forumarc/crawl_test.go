package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
	"github.com/forumarc/forumarc/store"
)

// TestMain lets a test re-run this binary as the forumarc command, so crash tests can
// kill -9 a real process.
func TestMain(m *testing.M) {
	if args := os.Getenv("FORUMARC_TEST_CHILD_ARGS"); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			panic(err)
		}
		os.Exit(run(context.Background(), a, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

func crawlForum() *sampleforum.Forum {
	return sampleforum.Generate(sampleforum.Spec{Boards: 2, SubBoards: 1, ThreadsPerBoard: 25,
		PostsPerThread: func(i int) int {
			if i%3 == 0 {
				return 45 // three pages
			}
			return 5
		}})
}

// snapshot is the archive's content, independent of row ids and fetch times.
func snapshot(t *testing.T, db string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite", roURI(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT t.external_id, p.external_id, p.number, p.content_hash, coalesce(p.deleted_at, '') != ''
		FROM posts p JOIN threads t ON t.id = p.thread_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tid, pid, hash string
		var num sql.NullInt64
		var del bool
		if err := rows.Scan(&tid, &pid, &num, &hash, &del); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s/%s #%d %s %v", tid, pid, num.Int64, hash[:12], del))
	}
	sort.Strings(out)
	return out
}

// TestCrawlIncremental runs against a forum without validators and against one that
// answers conditional requests with 304: the requests made and the archive must be
// the same, and --full must read unchanged pages from the archive.
func TestCrawlIncremental(t *testing.T) {
	for _, etags := range []bool{false, true} {
		t.Run(fmt.Sprintf("etags=%v", etags), func(t *testing.T) { testCrawlIncremental(t, etags) })
	}
}

func testCrawlIncremental(t *testing.T, etags bool) {
	f := crawlForum()
	f.ETags = etags
	var notModified atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		f.ServeHTTP(rec, r)
		if rec.status == http.StatusNotModified {
			notModified.Add(1)
		}
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	crawl := func(extra ...string) cliResult {
		args := append([]string{"--db", db, "crawl", "--delay", "0", "--concurrency", "4"}, extra...)
		return cli(t, context.Background(), append(args, srv.URL+"/")...)
	}
	r := crawl()
	if r.code != 0 {
		t.Fatalf("crawl: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if got, want := count(t, db, "SELECT count(*) FROM posts"), f.PostCount(); got != want {
		t.Fatalf("posts = %d, want %d (%s)", got, want, r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM threads"); n != 100 {
		t.Errorf("threads = %d, want 100", n)
	}

	// Unchanged forum: robots.txt, the index and the 8 listing pages, nothing else.
	before := f.Requests()
	r = crawl()
	if r.code != 0 {
		t.Fatalf("re-crawl: exit %d %s", r.code, r.stderr)
	}
	if got := f.Requests() - before; got != 10 {
		t.Errorf("unchanged re-crawl made %d requests, want 10 (robots + index + 8 listing pages)\n%s", got, r.stdout)
	}
	if !strings.Contains(r.stdout, "100 unchanged threads skipped") {
		t.Errorf("summary: %s", r.stdout)
	}

	// Add a post to a 3-page thread, edit and reply in a short one, delete from another.
	long, short, other := f.Thread(1), f.Thread(2), f.Thread(3)
	later := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f.AddPost(long, long.Posts[0].Author, later, "A new reply on page three.")
	f.EditPost(short.Posts[4], "Edited text of the fifth post.", later)
	f.AddPost(short, short.Posts[0].Author, later.Add(time.Minute), "Reply after the edit.")
	gone := other.Posts[2]
	f.DeletePost(other, gone)

	before = f.Requests()
	r = crawl()
	if r.code != 0 {
		t.Fatalf("incremental crawl: exit %d %s", r.code, r.stderr)
	}
	// 10 as above, plus the last archived page of each of the 3 changed threads.
	if got := f.Requests() - before; got != 13 {
		t.Errorf("incremental crawl made %d requests, want 13\n%s", got, r.stdout)
	}
	if got, want := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NULL"), f.PostCount(); got != want {
		t.Errorf("live posts = %d, want %d", got, want)
	}
	if n := count(t, db, fmt.Sprintf("SELECT count(*) FROM posts WHERE external_id = '%d' AND deleted_at IS NOT NULL", gone.ID)); n != 1 {
		t.Errorf("deleted post not marked")
	}
	if n := count(t, db, fmt.Sprintf(`SELECT count(*) FROM post_revisions r JOIN posts p ON p.id = r.post_id
		WHERE p.external_id = '%d' AND r.body_text LIKE 'Post 5 of thread%%' AND p.body_text = 'Edited text of the fifth post.'`, short.Posts[4].ID)); n != 1 {
		t.Errorf("edited post: want one revision holding the old text")
	}
	if !strings.Contains(r.stdout, "2 new posts, 1 updated, 1 marked deleted") {
		t.Errorf("summary: %s", r.stdout)
	}

	// An edit on page 1 of a long thread is invisible to the listing; --full finds it.
	f.EditPost(long.Posts[0], "Rewritten opening post.", later.Add(time.Hour))
	f.AddPost(long, long.Posts[1].Author, later.Add(2*time.Hour), "Another reply.")
	r = crawl("--full")
	if r.code != 0 {
		t.Fatalf("full crawl: exit %d %s", r.code, r.stderr)
	}
	if n := count(t, db, fmt.Sprintf("SELECT count(*) FROM posts WHERE external_id = '%d' AND body_text = 'Rewritten opening post.'", long.Posts[0].ID)); n != 1 {
		t.Errorf("--full did not pick up the page-1 edit: %s", r.stdout)
	}

	// --full over an unchanged forum: every thread page is asked for again, and with
	// validators every one answers 304 and is read from the archive. Either way no
	// post may be taken for deleted.
	live := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NULL")
	threadPages := count(t, db, "SELECT count(*) FROM pages WHERE thread_id IS NOT NULL")
	before, nm := f.Requests(), notModified.Load()
	if r = crawl("--full"); r.code != 0 {
		t.Fatalf("second full crawl: exit %d %s", r.code, r.stderr)
	}
	if got, want := int(f.Requests()-before), 10+threadPages; got != want {
		t.Errorf("--full on an unchanged forum made %d requests, want %d (10 + one per thread page)", got, want)
	}
	want304 := 0
	if etags {
		want304 = threadPages
	}
	if got := int(notModified.Load() - nm); got != want304 {
		t.Errorf("--full: %d answers were 304, want %d", got, want304)
	}
	if got := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NULL"); got != live || got != f.PostCount() {
		t.Errorf("live posts after an unchanged --full = %d, want %d (forum %d)", got, live, f.PostCount())
	}
}

// statusRecorder notes the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func TestCrawlFaultsAndFilters(t *testing.T) {
	f := crawlForum()
	var resets atomic.Int32
	f.Fault = func(r *http.Request) (int, http.Header) {
		switch {
		case strings.Contains(r.URL.Path, "board-1-sub-1"):
			return http.StatusServiceUnavailable, nil // a board that keeps failing
		case r.URL.Path == "/threads/board-1-topic-4.4/" && resets.Add(1) == 1:
			return http.StatusTooManyRequests, http.Header{"Retry-After": {"1"}}
		case r.URL.Path == "/threads/board-1-topic-5.5/":
			time.Sleep(150 * time.Millisecond) // slow but within the timeout
		case r.URL.Path == "/threads/board-1-topic-6.6/":
			time.Sleep(3 * time.Second) // never answers in time
		}
		return 0, nil
	}
	f.Robots = "User-agent: *\nDisallow: /threads/board-1-topic-7.7/\n"
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--timeout", "1s", "--attempts", "2",
		"--exclude", "board-2/", "--exclude", "board-2\\.", srv.URL+"/")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (some pages failed)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, u := range []string{"board-1-sub-1", "topic-6.6"} {
		if n := count(t, db, "SELECT count(*) FROM crawl_errors WHERE url LIKE '%"+u+"%'"); n == 0 {
			t.Errorf("no crawl_error for %s", u)
		}
	}
	// Disallowed by robots.txt: skipped, neither archived nor an error.
	if n := count(t, db, "SELECT count(*) FROM crawl_errors WHERE url LIKE '%topic-7.7%'"); n != 0 {
		t.Errorf("the robots-disallowed thread was recorded as an error")
	}
	if n := count(t, db, "SELECT count(*) FROM threads WHERE url LIKE '%topic-7.7%'"); n != 0 {
		t.Errorf("the robots-disallowed thread was archived")
	}
	if !strings.Contains(r.stdout, "1 disallowed by robots.txt") {
		t.Errorf("summary does not count the disallowed thread: %s", r.stdout)
	}
	if n := count(t, db, "SELECT count(*) FROM threads WHERE url LIKE '%topic-4.4%' OR url LIKE '%topic-5.5%'"); n != 2 {
		t.Errorf("429-then-ok and slow threads archived: %d, want 2", n)
	}
	if n := count(t, db, "SELECT count(*) FROM threads WHERE url LIKE '%/board-2-topic%'"); n != 0 {
		t.Errorf("--exclude: %d threads of board 2 archived", n)
	}
	if n := count(t, db, "SELECT count(*) FROM threads WHERE url NOT LIKE '"+srv.URL+"%'"); n != 0 {
		t.Errorf("crawl left the site")
	}
}

func TestCrawlLock(t *testing.T) {
	f := crawlForum()
	srv := httptest.NewServer(f)
	defer srv.Close()
	dbPath := filepath.Join(t.TempDir(), "c.db")
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := db.AcquireCrawlLock(context.Background(), "crawl https://elsewhere.example/", 7)
	if err != nil {
		t.Fatal(err)
	}
	r := cli(t, context.Background(), "--db", dbPath, "crawl", "--delay", "0", srv.URL+"/")
	if r.code != exitLocked || !strings.Contains(r.stderr, "another crawl is running") || !strings.Contains(r.stderr, "run 7") {
		t.Errorf("exit %d stderr %q, want 3 naming run 7", r.code, r.stderr)
	}
	lock.Release(context.Background())
	// A lock left by a process that died is taken over.
	conn, _ := sql.Open("sqlite", dbPath)
	host, _ := os.Hostname()
	if _, err := conn.Exec(`INSERT INTO crawl_lock (id, run_id, pid, host, command, started_at, heartbeat_at) VALUES (1, 9, 999999999, ?, 'crawl x', '2026-01-01T00:00:00Z', ?)`,
		host, time.Now().UTC().Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db.Close()
	r = cli(t, context.Background(), "--db", dbPath, "crawl", "--delay", "0", "--max-threads", "2", srv.URL+"/")
	if r.code != 0 {
		t.Errorf("stale lock not recovered: exit %d %s", r.code, r.stderr)
	}
}

// TestCrawlKillResume kills a real crawl process with SIGKILL at random moments and
// resumes it until done; the archive must equal an uninterrupted crawl's.
func TestCrawlKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	f := sampleforum.Generate(sampleforum.Spec{Boards: 2, SubBoards: 1, ThreadsPerBoard: 8,
		PostsPerThread: func(i int) int { return 1 + (i*7)%50 }})
	f.Fault = func(*http.Request) (int, http.Header) { time.Sleep(8 * time.Millisecond); return 0, nil }
	// With validators, a thread cut off by the kill resumes at a page that answers 304:
	// the walk must go on from the archived copy.
	f.ETags = true
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := t.TempDir()

	ref := filepath.Join(dir, "ref.db")
	if r := cli(t, context.Background(), "--db", ref, "crawl", "--delay", "0", srv.URL+"/"); r.code != 0 {
		t.Fatalf("reference crawl: %d %s", r.code, r.stderr)
	}
	want := snapshot(t, ref)

	db := filepath.Join(dir, "killed.db")
	args, _ := json.Marshal([]string{"--db", db, "--log-level", "error", "crawl", "--delay", "0", "--concurrency", "3", srv.URL + "/"})
	kills := 0
	for finished := false; !finished; {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "FORUMARC_TEST_CHILD_ARGS="+string(args))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill the first runs at random moments; let the last one finish.
		limit := time.Duration(100+rand.IntN(900)) * time.Millisecond
		if kills >= 6 {
			limit = 5 * time.Minute
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("crawl process failed on its own: %v", err)
			}
			finished = true
		case <-time.After(limit):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
		}
	}
	if kills == 0 {
		t.Log("crawl finished before any kill; the forum is too small for this machine")
	}
	got := snapshot(t, db)
	if len(got) != len(want) {
		t.Fatalf("after %d kills: %d posts, want %d", kills, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after %d kills: post %d = %s, want %s", kills, i, got[i], want[i])
		}
	}
	if n := count(t, db, "SELECT count(*) - count(DISTINCT thread_id || '/' || external_id) FROM posts"); n != 0 {
		t.Errorf("%d duplicated posts", n)
	}
	t.Logf("archive identical after %d kill -9s", kills)
}

func TestCrawlRobotsUnavailableDefers(t *testing.T) {
	f := crawlForum()
	var down atomic.Bool
	down.Store(true)
	f.Fault = func(r *http.Request) (int, http.Header) {
		if r.URL.Path == "/robots.txt" && down.Load() {
			return http.StatusServiceUnavailable, nil
		}
		return 0, nil
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--attempts", "1", srv.URL+"/")
	if r.code != 1 || !strings.Contains(r.stderr, "deferred") {
		t.Fatalf("robots.txt 503: exit %d stderr %q, want 1 saying work was deferred", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM frontier WHERE state = 'pending' AND not_before IS NOT NULL"); n != 1 {
		t.Errorf("deferred frontier items = %d, want the seed", n)
	}
	if n := count(t, db, "SELECT count(*) FROM posts"); n != 0 {
		t.Errorf("fetched pages while robots.txt was unavailable: %d posts", n)
	}
}

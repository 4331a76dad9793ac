package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
	_ "github.com/forumarc/forumarc/scraper/engines"
	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// pageVersion is one page_versions row, html decompressed.
type pageVersion struct {
	pageID                        int64
	url, fetchedAt, sha, etag, lm string
	status                        int
	encoding                      string
	body                          []byte
}

func pageVersions(t *testing.T, db *DB, url string) []pageVersion {
	t.Helper()
	rows, err := db.read.Query(`SELECT v.page_id, v.url, v.fetched_at, v.status, COALESCE(v.etag, ''),
		COALESCE(v.last_modified, ''), v.sha256, COALESCE(v.encoding, ''), v.html
		FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE p.url = ? ORDER BY v.id`, url)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []pageVersion
	for rows.Next() {
		var v pageVersion
		var z []byte
		if err := rows.Scan(&v.pageID, &v.url, &v.fetchedAt, &v.status, &v.etag, &v.lm, &v.sha, &v.encoding, &z); err != nil {
			t.Fatal(err)
		}
		if v.body, err = gunzip(z); err != nil {
			t.Fatalf("page_versions html of %s: %v", url, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func storedBody(t *testing.T, db *DB, url string) (body []byte, fetchedAt string) {
	t.Helper()
	var z []byte
	if err := db.read.QueryRow(`SELECT html, fetched_at FROM pages WHERE url = ?`, url).Scan(&z, &fetchedAt); err != nil {
		t.Fatalf("pages row %s: %v", url, err)
	}
	b, err := gunzip(z)
	if err != nil {
		t.Fatal(err)
	}
	return b, fetchedAt
}

// withEdit is p with its first post's body changed, as a re-fetch after an edit shows.
func withEdit(p *scraper.Page, text string) *scraper.Page {
	c := *p
	c.Posts = slices.Clone(p.Posts)
	c.Posts[0].BodyHTML = "<p>" + text + "</p>"
	c.Posts[0].BodyText = text
	return &c
}

func TestPageVersionsKeepReplacedBytes(t *testing.T) {
	db, clock := openTest(t)
	r := startRun(t, db)
	p := makePage("1", 1, 2, 1)
	first := fetchedFor(p, clock.t)
	first.Body = []byte("<html><body>first copy, ünïcode</body></html>")
	first.LastModified = "Wed, 14 Jan 2026 10:00:00 GMT"
	mustSave(t, r, first, p)
	if n := count(t, db, "page_versions"); n != 0 {
		t.Fatalf("first save wrote %d versions", n)
	}

	// The same bytes again (a 304 confirms the stored copy and the archiver saves it
	// with the new fetch time and validators; or a page that did not change): the
	// page's row is updated, no version is written.
	clock.advance(time.Hour)
	again := fetchedFor(p, clock.t)
	again.Body = bytes.Clone(first.Body)
	again.ETag = `"abc-2"`
	mustSave(t, r, again, p)
	if n := count(t, db, "page_versions"); n != 0 {
		t.Fatalf("an unchanged re-fetch wrote %d versions", n)
	}
	if _, at := storedBody(t, db, p.URL); at != stamp(clock.t) {
		t.Errorf("pages.fetched_at = %s, want the re-fetch's %s", at, stamp(clock.t))
	}

	// Other bytes but the same posts (a forum's per-request token, "users online"):
	// nothing worth a copy changed, none is kept.
	clock.advance(time.Hour)
	token := fetchedFor(p, clock.t)
	token.Body = []byte("<html><body>first copy, ünïcode<input name=_xfToken value=7f3a></body></html>")
	token.ETag = `"abc-2"`
	mustSave(t, r, token, p)
	if n := count(t, db, "page_versions"); n != 0 {
		t.Fatalf("a re-fetch showing the same posts wrote %d versions", n)
	}
	first.Body = token.Body // the copy pages holds now

	// Changed bytes and posts: the copy being replaced is kept as it was.
	clock.advance(time.Hour)
	second := fetchedFor(p, clock.t)
	second.Body = []byte("<html><body>second copy</body></html>")
	second.ETag = `"def"`
	second.Encoding = "windows-1252"
	p = withEdit(p, "second")
	mustSave(t, r, second, p)
	vs := pageVersions(t, db, p.URL)
	if len(vs) != 1 {
		t.Fatalf("after a changed re-fetch: %d versions, want 1", len(vs))
	}
	v := vs[0]
	if !bytes.Equal(v.body, first.Body) {
		t.Errorf("kept version = %q, want the first fetch %q", v.body, first.Body)
	}
	wantAt := stamp(clock.t.Add(-time.Hour))
	// The replaced row is the unchanged re-fetch's: its time and validators.
	if v.url != p.URL || v.fetchedAt != wantAt || v.status != 200 || v.etag != `"abc-2"` ||
		v.lm != "" || v.encoding != "utf-8" || v.sha != sha256Hex(first.Body) {
		t.Errorf("kept version = %+v, want the replaced row's url, fetched_at %s, etag, last_modified, sha256, encoding", v, wantAt)
	}
	if body, at := storedBody(t, db, p.URL); !bytes.Equal(body, second.Body) || at != stamp(clock.t) {
		t.Errorf("pages holds %q fetched %s, want the second copy", body, at)
	}

	// A third copy keeps the second; the first stays.
	clock.advance(time.Hour)
	third := fetchedFor(p, clock.t)
	third.Body = []byte("<html><body>third copy</body></html>")
	mustSave(t, r, third, withEdit(p, "third"))
	vs = pageVersions(t, db, p.URL)
	if len(vs) != 2 || !bytes.Equal(vs[0].body, first.Body) || !bytes.Equal(vs[1].body, second.Body) ||
		vs[1].encoding != "windows-1252" || vs[1].etag != `"def"` {
		t.Fatalf("versions after a third copy = %+v", vs)
	}

	// Other updates of a page row (here its fetch time) keep nothing.
	if _, err := db.write.Exec(`UPDATE pages SET fetched_at = '2020-01-01T00:00:00Z', number = 1`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "page_versions"); n != 2 {
		t.Errorf("an update of other columns changed page_versions to %d rows", n)
	}
	// A row stored without bytes has nothing to keep.
	if _, err := db.write.Exec(`INSERT INTO pages (url, fetched_at, status, sha256) VALUES ('https://forum.example/x', 'x', 200, 'a')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`UPDATE pages SET sha256 = 'b', html = x'00' WHERE url = 'https://forum.example/x'`); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "page_versions"); n != 2 {
		t.Errorf("replacing a row without html kept a version: %d rows", n)
	}
	// page_versions is looked up by page.
	rows, err := db.write.Query(`EXPLAIN QUERY PLAN SELECT * FROM page_versions WHERE page_id = 1`)
	if err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail + "; ")
	}
	rows.Close()
	if !strings.Contains(plan.String(), "page_versions_page") {
		t.Errorf("page_versions(page_id) lookup does not use the index: %s", plan.String())
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// A page archived before the migration keeps its copy when re-fetched after it.
func TestPageVersionsForPagesArchivedBefore(t *testing.T) {
	ctx := context.Background()
	path, raw := archiveBefore(t, "page_versions")
	v, _ := migrationVersion(t, "page_versions")
	old := []byte("<html><body>archived before page_versions</body></html>")
	z, err := gzipBytes(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO pages (url, fetched_at, status, sha256, encoding, html)
		VALUES ('https://forum.example/threads/1/page-1', '2025-06-01T00:00:00Z', 200, ?, 'utf-8', ?)`, sha256Hex(old), z); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	// Read-only, at the schema before page_versions: PageBodies reads the page alone.
	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for sp, err := range ro.PageBodies(ctx, Selection{}) {
		if err != nil {
			t.Fatalf("PageBodies of a schema-%d archive: %v", v-1, err)
		}
		if !bytes.Equal(sp.Body, old) || sp.VersionID != 0 {
			t.Errorf("PageBodies of a schema-%d archive yielded %+v", v-1, sp)
		}
		n++
	}
	ro.Close()
	if n != 1 {
		t.Errorf("PageBodies of a schema-%d archive yielded %d pages, want 1", v-1, n)
	}

	clock := newClock()
	db, err := Open(ctx, path, WithNow(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := startRun(t, db)
	p := makePage("1", 1, 1, 1)
	mustSave(t, r, fetchedFor(p, clock.t), p)
	vs := pageVersions(t, db, p.URL)
	if len(vs) != 1 || !bytes.Equal(vs[0].body, old) || vs[0].fetchedAt != "2025-06-01T00:00:00Z" {
		t.Fatalf("versions = %+v, want the copy archived before the migration", vs)
	}
}

// The real path: archive a thread from a forum, change one of its pages, archive it
// again. The replaced copy is in page_versions byte for byte; pages answered 304 or
// served unchanged add nothing.
func TestPageVersionsArchiveRefetch(t *testing.T) {
	for _, etags := range []bool{true, false} {
		t.Run(fmt.Sprintf("etags=%v", etags), func(t *testing.T) {
			ctx := context.Background()
			f := sampleforum.New("Versions")
			f.ETags = etags
			b := f.AddBoard(nil, "General")
			th := f.AddThread(b, "Two pages", "")
			u := &sampleforum.User{ID: 5, Name: "ann", Title: "Member", Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
			base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
			var posts []*sampleforum.Post
			for i := range 25 {
				posts = append(posts, f.AddPost(th, u, base.Add(time.Duration(i)*time.Hour), fmt.Sprintf("Post %d about sprockets.", i+1)))
			}
			var answers syncCount
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec := &statusRecorder{ResponseWriter: w, status: 200}
				f.ServeHTTP(rec, r)
				answers.add(rec.status)
			}))
			defer srv.Close()
			thread := srv.URL + sampleforum.ThreadPath(th)
			page1, page2 := thread, thread+"page-2"

			db, _ := openTest(t)
			archive := func() scraper.ThreadResult {
				t.Helper()
				run, err := db.StartRun(ctx, "archive", []string{thread})
				if err != nil {
					t.Fatal(err)
				}
				fetch := scraper.NewFetcher(ctx, scraper.FetchConfig{IgnoreRobots: true})
				res, err := scraper.NewArchiver(fetch, run, scraper.ArchiveConfig{Location: time.UTC, FromStart: true}).Thread(ctx, thread)
				if err != nil {
					t.Fatalf("archive: %v", err)
				}
				if err := run.Finish(ctx, StatusOK); err != nil {
					t.Fatal(err)
				}
				return res
			}
			get := func(url string) []byte {
				resp, err := http.Get(url)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return b
			}

			archive()
			first1, _ := storedBody(t, db, page1)
			if !bytes.Equal(first1, get(page1)) {
				t.Fatal("stored page 1 differs from what the forum serves")
			}
			if n := count(t, db, "page_versions"); n != 0 {
				t.Fatalf("first archive wrote %d versions", n)
			}

			// Unchanged forum: nothing kept (304s with ETags, same bytes without).
			answers.reset()
			archive()
			if etags && answers.get(304) == 0 {
				t.Errorf("no 304 answered for an unchanged thread: %v", answers.snapshot())
			}
			if n := count(t, db, "page_versions"); n != 0 {
				t.Fatalf("re-archiving an unchanged thread wrote %d versions", n)
			}

			// An edit on page 1 changes page 1 only.
			f.EditPost(posts[3], "Post 4, rewritten: about gearboxes now.", base.Add(48*time.Hour))
			second1 := get(page1)
			archive()
			vs := pageVersions(t, db, page1)
			if len(vs) != 1 || !bytes.Equal(vs[0].body, first1) {
				t.Fatalf("page 1 versions = %d (first equal: %v), want the first fetch", len(vs), len(vs) == 1 && bytes.Equal(vs[0].body, first1))
			}
			if now1, _ := storedBody(t, db, page1); !bytes.Equal(now1, second1) {
				t.Error("pages does not hold page 1 as the forum serves it now")
			}
			if vs := pageVersions(t, db, page2); len(vs) != 0 {
				t.Errorf("unchanged page 2 got %d versions", len(vs))
			}

			// And once more unchanged: still one version.
			archive()
			if n := count(t, db, "page_versions"); n != 1 {
				t.Errorf("after a third, unchanged archive: %d versions, want 1", n)
			}
		})
	}
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// syncCount counts answers by status, safely across the server's goroutines.
type syncCount struct {
	mu sync.Mutex
	m  map[int]int
}

func (c *syncCount) add(status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int]int{}
	}
	c.m[status]++
}

func (c *syncCount) get(status int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[status]
}

func (c *syncCount) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

func (c *syncCount) snapshot() map[int]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}

// PageBodies reads pages and their earlier copies from one snapshot: a page re-fetched
// with other bytes while an export runs is exported as it was when the export began,
// once, with no copy made after that.
func TestPageBodiesOneSnapshot(t *testing.T) {
	ctx := context.Background()
	db, clock := openTest(t)
	r := startRun(t, db)
	p1, p2 := makePage("1", 1, 2, 1), makePage("1", 2, 2, 3)
	mustSave(t, r, fetchedFor(p1, clock.t), p1)
	mustSave(t, r, fetchedFor(p2, clock.t), p2) // kept as page 2's earlier copy by the next save
	clock.advance(time.Minute)
	first2 := fetchedFor(p2, clock.t)
	first2.Body = []byte("<html><body>page 2, second fetch</body></html>")
	mustSave(t, r, first2, withEdit(p2, "second fetch"))
	var got []*StoredPage
	for sp, err := range db.PageBodies(ctx, Selection{}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			// A crawl re-fetches page 2 with other bytes while the export runs.
			clock.advance(time.Minute)
			again := fetchedFor(p2, clock.t)
			again.Body = []byte("<html><body>page 2, fetched again</body></html>")
			mustSave(t, r, again, withEdit(p2, "fetched again"))
		}
		got = append(got, sp)
	}
	// Page 1, page 2's earlier copy, page 2 as it was when the export began.
	if len(got) != 3 {
		for _, sp := range got {
			t.Logf("yielded %s version %d: %q", sp.URL, sp.VersionID, sp.Body)
		}
		t.Fatalf("PageBodies yielded %d records, want 3 (as when it began)", len(got))
	}
	if got[1].VersionID == 0 || got[2].VersionID != 0 || !bytes.Equal(got[2].Body, first2.Body) {
		t.Errorf("page 2 = %q (version %d), want the bytes it had when the export began, after its one earlier copy",
			got[2].Body, got[2].VersionID)
	}
}

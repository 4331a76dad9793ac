package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// TestArchiveOtherURLFormJumpMarksNothing: given another URL form of an archived
// thread, the archiver reads page 1, then jumps to the last archived page. The pages
// skipped in between were not read, so none of their posts may be taken for deleted.
func TestArchiveOtherURLFormJumpMarksNothing(t *testing.T) {
	f := sampleforum.Demo()
	srv := httptest.NewServer(f)
	defer srv.Close()
	thread := srv.URL + sampleforum.ThreadPath(f.Thread(1))
	db := filepath.Join(t.TempDir(), "a.db")
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", thread); r.code != 0 {
		t.Fatalf("first run: %d %s", r.code, r.stderr)
	}
	// The forum ignores the slug: same thread, a URL the archive has never seen.
	other := strings.Replace(thread, "/threads/", "/threads/old-title-", 1)
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", other); r.code != 0 {
		t.Fatalf("second run: %d %s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 0 {
		t.Errorf("%d posts marked deleted after a jump over page 2, want 0", n)
	}
}

// renumberForum is one board holding a three-page thread (45 posts, 20 a page: pages
// of 20, 20 and 5) and a one-page thread.
func renumberForum() *sampleforum.Forum {
	return sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 2,
		PostsPerThread: func(i int) int { return []int{45, 5}[i] }})
}

// TestCrawlIncrementalRenumbered: an incremental crawl resumes a changed thread at its
// last archived page. When posts before that page were deleted or inserted, the posts
// it reads show other numbers; the archiver then reads the thread once more from page
// 1 (conditionally), so the deletion is marked and every number is the forum's. A
// change on the resumed page itself needs no second walk.
func TestCrawlIncrementalRenumbered(t *testing.T) {
	later := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		change func(f *sampleforum.Forum, th *sampleforum.Thread) (gone *sampleforum.Post)
		// Requests for the thread's pages, 304 answers among them with ETags, and
		// the crawl summary.
		requests, notModified int
		summary               string
	}{
		{
			// Page 3 (the resumed page, 200) shows its posts one number lower: pages
			// 1 and 2 changed (200) and page 3, read a moment ago, answers 304.
			name: "deleted on page 1, reply added",
			change: func(f *sampleforum.Forum, th *sampleforum.Thread) *sampleforum.Post {
				gone := th.Posts[4]
				f.DeletePost(th, gone)
				f.AddPost(th, th.Posts[0].Author, later, "A reply after the deletion.")
				return gone
			},
			requests: 4, notModified: 1,
			summary: "4 pages, 1 new posts, 0 updated, 1 marked deleted",
		},
		{
			// A held post approved on page 1: the same walks; nothing is deleted.
			name: "inserted on page 1",
			change: func(f *sampleforum.Forum, th *sampleforum.Thread) *sampleforum.Post {
				f.InsertPost(th, 3, th.Posts[1].Author, th.Posts[2].Time.Add(30*time.Second), "Approved by a moderator.")
				return nil
			},
			requests: 4, notModified: 1,
			summary: "4 pages, 1 new posts, 0 updated, 0 marked deleted",
		},
		{
			// The first post of the resumed page: the new first post of page 3 moved
			// up, and the walk from page 3 cannot tell the deleted post was on it. Pages
			// 1 and 2 did not change: with ETags all three re-reads answer 304.
			name: "first post of the last page deleted",
			change: func(f *sampleforum.Forum, th *sampleforum.Thread) *sampleforum.Post {
				gone := th.Posts[40]
				f.DeletePost(th, gone)
				return gone
			},
			requests: 4, notModified: 3,
			summary: "4 pages, 0 new posts, 0 updated, 1 marked deleted",
		},
		{
			// A later post of the resumed page: its first post keeps its number, the
			// walk from page 3 sees the whole change. One request, as before.
			name: "deleted inside the last page",
			change: func(f *sampleforum.Forum, th *sampleforum.Thread) *sampleforum.Post {
				gone := th.Posts[42]
				f.DeletePost(th, gone)
				return gone
			},
			requests: 1, notModified: 0,
			summary: "1 pages, 0 new posts, 0 updated, 1 marked deleted",
		},
	} {
		for _, etags := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/etags=%v", tc.name, etags), func(t *testing.T) {
				f := renumberForum()
				f.ETags = etags
				th := f.Thread(1)
				c := newThreadCounter(f, th)
				defer c.srv.Close()
				db := filepath.Join(t.TempDir(), "c.db")
				crawl := func(extra ...string) cliResult {
					args := append([]string{"--db", db, "crawl", "--delay", "0"}, extra...)
					r := cli(t, context.Background(), append(args, c.srv.URL+"/")...)
					if r.code != 0 {
						t.Fatalf("crawl: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
					}
					return r
				}
				crawl()
				gone := tc.change(f, th)
				c.reset()
				r := crawl()
				want304 := 0
				if etags {
					want304 = tc.notModified
				}
				if got, nm := c.counts(); got != tc.requests || nm != want304 {
					t.Errorf("requests for the thread's pages = %d (%d answered 304), want %d (%d)\n%s", got, nm, tc.requests, want304, r.stdout)
				}
				if !strings.Contains(r.stdout, tc.summary) {
					t.Errorf("summary %q, want it to contain %q", r.stdout, tc.summary)
				}
				if gone != nil {
					if n := count(t, db, fmt.Sprintf("SELECT count(*) FROM posts WHERE external_id = '%d' AND deleted_at IS NOT NULL", gone.ID)); n != 1 {
						t.Errorf("post %d deleted on the forum: not marked deleted", gone.ID)
					}
				}
				checkNumbers(t, db, th)
			})
		}
	}
}

// TestCrawlIncrementalRenumberedMaxPages: the second walk counts against --max-pages.
// The resumed page 3 is the first page read, then pages 1, 2 and 3 again: a limit
// below 4 stops the walk from page 1 before the thread's end, so nothing is marked
// deleted from it (no post of the pages not re-read is taken for deleted) and the
// deletion is left to --full; 4 pages are enough to finish it.
func TestCrawlIncrementalRenumberedMaxPages(t *testing.T) {
	for _, tc := range []struct {
		maxPages, requests int
		marked             bool
	}{{1, 1, false}, {2, 2, false}, {3, 3, false}, {4, 4, true}} {
		t.Run(fmt.Sprintf("max-pages=%d", tc.maxPages), func(t *testing.T) {
			f := renumberForum()
			th := f.Thread(1)
			c := newThreadCounter(f, th)
			defer c.srv.Close()
			db := filepath.Join(t.TempDir(), "c.db")
			crawl := func(extra ...string) cliResult {
				args := append([]string{"--db", db, "crawl", "--delay", "0"}, extra...)
				r := cli(t, context.Background(), append(args, c.srv.URL+"/")...)
				if r.code != 0 {
					t.Fatalf("crawl: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
				}
				return r
			}
			crawl()
			gone := th.Posts[4]
			f.DeletePost(th, gone)
			c.reset()
			r := crawl("--max-pages", fmt.Sprint(tc.maxPages))
			if got, _ := c.counts(); got != tc.requests {
				t.Errorf("requests for the thread's pages = %d, want %d\n%s", got, tc.requests, r.stdout)
			}
			goneMarked := fmt.Sprintf("SELECT count(*) FROM posts WHERE external_id = '%d' AND deleted_at IS NOT NULL", gone.ID)
			want := 0
			if tc.marked {
				want = 1
			}
			if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != want {
				t.Errorf("%d posts marked deleted, want %d", n, want)
			}
			if tc.marked {
				if n := count(t, db, goneMarked); n != 1 {
					t.Errorf("the deleted post is not the one marked")
				}
				checkNumbers(t, db, th)
				return
			}
			// --full finds the deletion and fixes every number.
			crawl("--full")
			if n := count(t, db, goneMarked); n != 1 {
				t.Errorf("--full did not mark the deleted post")
			}
			checkNumbers(t, db, th)
		})
	}
}

// threadCounter serves a forum and counts the requests for one thread's pages.
type threadCounter struct {
	srv        *httptest.Server
	mu         sync.Mutex
	n, n304    int
	threadPath string
}

func newThreadCounter(f *sampleforum.Forum, th *sampleforum.Thread) *threadCounter {
	c := &threadCounter{threadPath: sampleforum.ThreadPath(th)}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		f.ServeHTTP(rec, r)
		if strings.HasPrefix(r.URL.Path, c.threadPath) {
			c.mu.Lock()
			c.n++
			if rec.status == http.StatusNotModified {
				c.n304++
			}
			c.mu.Unlock()
		}
	}))
	return c
}

func (c *threadCounter) reset() {
	c.mu.Lock()
	c.n, c.n304 = 0, 0
	c.mu.Unlock()
}

func (c *threadCounter) counts() (requests, notModified int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.n304
}

// checkNumbers: the thread's live posts in the archive are exactly the forum's, each
// numbered as the forum shows it now (its place in the thread), no number twice.
func checkNumbers(t *testing.T, db string, th *sampleforum.Thread) {
	t.Helper()
	conn, err := sql.Open("sqlite", roURI(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT p.external_id, p.number FROM posts p JOIN threads t ON t.id = p.thread_id
		WHERE t.external_id = ? AND p.deleted_at IS NULL`, fmt.Sprint(th.ID))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	byNumber := map[int]string{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		got[id] = n
		if other, dup := byNumber[n]; dup {
			t.Errorf("live posts %s and %s both numbered %d", other, id, n)
		}
		byNumber[n] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(th.Posts) {
		t.Errorf("live posts archived = %d, forum shows %d", len(got), len(th.Posts))
	}
	var wrong []string
	for i, p := range th.Posts {
		if n, ok := got[fmt.Sprint(p.ID)]; !ok {
			t.Errorf("post %d (#%d on the forum) not archived as live", p.ID, i+1)
		} else if n != i+1 {
			wrong = append(wrong, fmt.Sprintf("post %d is #%d, the forum shows #%d", p.ID, n, i+1))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%d posts numbered otherwise than on the forum, first: %s", len(wrong), wrong[0])
	}
}

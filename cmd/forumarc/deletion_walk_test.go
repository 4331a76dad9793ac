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

// These tests cover which archived posts a walk of a thread may mark deleted: the
// walked range is a range of positions (post numbers), not of posted times, and a
// walk from page 1 covers the whole thread.

// pathLog serves a forum and records, per request for one thread's pages, the path
// and the status answered.
type pathLog struct {
	srv        *httptest.Server
	threadPath string
	mu         sync.Mutex
	reqs       []string // "path status"
}

func newPathLog(f *sampleforum.Forum, th *sampleforum.Thread) *pathLog {
	l := &pathLog{threadPath: sampleforum.ThreadPath(th)}
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		f.ServeHTTP(rec, r)
		if strings.HasPrefix(r.URL.Path, l.threadPath) {
			l.mu.Lock()
			l.reqs = append(l.reqs, fmt.Sprintf("%s %d", strings.TrimPrefix(r.URL.Path, l.threadPath), rec.status))
			l.mu.Unlock()
		}
	}))
	return l
}

// take returns the requests recorded since the last call.
func (l *pathLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.reqs
	l.reqs = nil
	return r
}

// sameMinuteForum is one board with a 45-post thread (pages of 20, 20 and 5) posted a
// minute apart, except that the first post of page 3 shows the same time as the
// last post of page 2, as forums showing minutes do for quick replies.
func sameMinuteForum() (*sampleforum.Forum, *sampleforum.Thread) {
	f := sampleforum.New("Same minute")
	b := f.AddBoard(nil, "General")
	th := f.AddThread(b, "Quick replies", "")
	u := &sampleforum.User{ID: 7, Name: "ann", Title: "Member", Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	base := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 45; i++ {
		at := base.Add(time.Duration(i) * time.Minute)
		if i == 40 {
			at = base.Add(39 * time.Minute)
		}
		f.AddPost(th, u, at, fmt.Sprintf("Post %d.", i+1))
	}
	return f, th
}

func archiveOK(t *testing.T, ctx context.Context, db string, args ...string) cliResult {
	t.Helper()
	r := cli(t, ctx, append([]string{"--db", db, "archive", "--delay", "0"}, args...)...)
	if r.code != 0 {
		t.Fatalf("archive: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	return r
}

// TestResumedWalkNeverMarksEarlierPages (D1): a resumed walk starts at the thread's
// last archived page; the posts before its first archived post are not in its range,
// whatever their posted time: one of page 2 showing the same minute as the first post
// of page 3, or one inserted on page 1 with a later time, is not marked deleted.
func TestResumedWalkNeverMarksEarlierPages(t *testing.T) {
	for _, tc := range []struct {
		name   string
		forum  func() (*sampleforum.Forum, *sampleforum.Thread)
		change func(f *sampleforum.Forum, th *sampleforum.Thread)
	}{
		{
			name:  "same minute as the resumed page",
			forum: sameMinuteForum,
		},
		{
			// Approved late: posted after every post of page 3 but shown on page 1.
			name: "inserted on page 1 with a later time",
			forum: func() (*sampleforum.Forum, *sampleforum.Thread) {
				f := renumberForum()
				return f, f.Thread(1)
			},
			change: func(f *sampleforum.Forum, th *sampleforum.Thread) {
				f.InsertPost(th, 3, th.Posts[1].Author, th.Posts[44].Time.Add(time.Hour), "Held for moderation, approved.")
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f, th := tc.forum()
			srv := httptest.NewServer(f)
			defer srv.Close()
			thread := srv.URL + sampleforum.ThreadPath(th)
			db := filepath.Join(t.TempDir(), "a.db")
			archiveOK(t, ctx, db, thread)
			if tc.change != nil {
				tc.change(f, th)
				archiveOK(t, ctx, db, thread) // re-reads from page 1: the inserted post is archived
			}
			f.AddPost(th, th.Posts[0].Author, th.Posts[len(th.Posts)-1].Time.Add(2*time.Hour), "A new reply.")
			r := archiveOK(t, ctx, db, thread)
			if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 0 {
				t.Errorf("%d live posts marked deleted by the resumed walk\n%s", n, r.stderr)
			}
			checkNumbers(t, db, th)
		})
	}
}

// TestDeletedFirstPostMarked (D2): the first post of a thread deleted on the forum is
// marked deleted by the walk from page 1 (the re-read of a renumbered thread, --full,
// or the resumed walk of a one-page thread), though it was posted before every post
// the walk saw.
func TestDeletedFirstPostMarked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		thread int
		full   bool
	}{
		{"three pages, re-read", 1, false},
		{"three pages, --full", 1, true},
		{"one page", 2, false},
		{"one page, --full", 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := renumberForum()
			f.ETags = true
			th := f.Thread(tc.thread)
			srv := httptest.NewServer(f)
			defer srv.Close()
			db := filepath.Join(t.TempDir(), "c.db")
			crawl := func(extra ...string) cliResult {
				args := append([]string{"--db", db, "crawl", "--delay", "0"}, extra...)
				r := cli(t, context.Background(), append(args, srv.URL+"/")...)
				if r.code != 0 {
					t.Fatalf("crawl: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
				}
				return r
			}
			crawl()
			gone := th.Posts[0]
			f.DeletePost(th, gone)
			var r cliResult
			if tc.full {
				r = crawl("--full")
			} else {
				r = crawl()
			}
			if n := count(t, db, fmt.Sprintf("SELECT count(*) FROM posts WHERE external_id = '%d' AND deleted_at IS NOT NULL", gone.ID)); n != 1 {
				t.Errorf("deleted first post not marked deleted\n%s", r.stdout)
			}
			if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 1 {
				t.Errorf("%d posts marked deleted, want 1", n)
			}
			checkNumbers(t, db, th)
		})
	}
}

// TestInterruptedRereadRedone (D3): a resumed walk that finds posts renumbered leaves
// that evidence in the archive (threads.full_walk_needed_at) with the page that shows
// it, so a re-read from page 1 cut short (a failing page, Ctrl-C, --max-pages) is done
// by the next run, which reads the thread from page 1 instead of resuming, marks the
// deleted post, fixes every number, duplicates nothing, and clears the flag.
func TestInterruptedRereadRedone(t *testing.T) {
	for _, how := range []string{"failing page", "interrupted", "max-pages"} {
		for _, etags := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/etags=%v", how, etags), func(t *testing.T) {
				f := renumberForum()
				f.ETags = etags
				th := f.Thread(1)
				page2 := sampleforum.ThreadPath(th) + "page-2"
				srv := httptest.NewServer(f)
				defer srv.Close()
				db := filepath.Join(t.TempDir(), "c.db")
				crawl := func(ctx context.Context, extra ...string) cliResult {
					args := append([]string{"--db", db, "crawl", "--delay", "0"}, extra...)
					return cli(t, ctx, append(args, srv.URL+"/")...)
				}
				if r := crawl(context.Background()); r.code != 0 {
					t.Fatalf("first crawl: exit %d\n%s", r.code, r.stderr)
				}
				gone := th.Posts[4] // on page 1: every later post moves one place
				f.DeletePost(th, gone)

				// The second crawl reads page 3 (renumbered), then re-reads from page 1
				// and is stopped at page 2.
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var extra []string
				switch how {
				case "failing page":
					f.Fault = func(r *http.Request) (int, http.Header) {
						if r.URL.Path == page2 {
							return http.StatusForbidden, nil
						}
						return 0, nil
					}
				case "interrupted":
					f.Fault = func(r *http.Request) (int, http.Header) {
						if r.URL.Path == page2 {
							cancel()
							return http.StatusServiceUnavailable, nil
						}
						return 0, nil
					}
				case "max-pages":
					extra = []string{"--max-pages", "2"}
				}
				r := crawl(ctx, extra...)
				if how != "max-pages" && r.code == 0 {
					t.Fatalf("second crawl: exit 0, want it cut short\n%s", r.stdout)
				}
				f.Fault = nil
				if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 0 {
					t.Fatalf("%d posts marked deleted by the cut re-read, want 0", n)
				}
				if n := count(t, db, "SELECT count(*) FROM threads WHERE full_walk_needed_at IS NOT NULL"); n != 1 {
					t.Errorf("threads flagged for a walk from page 1 = %d, want 1", n)
				}

				r = crawl(context.Background())
				if r.code != 0 {
					t.Fatalf("third crawl: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
				}
				if n := count(t, db, fmt.Sprintf("SELECT count(*) FROM posts WHERE external_id = '%d' AND deleted_at IS NOT NULL", gone.ID)); n != 1 {
					t.Errorf("the deleted post is not marked deleted after the next run\n%s", r.stdout)
				}
				if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 1 {
					t.Errorf("%d posts marked deleted, want 1", n)
				}
				if n := count(t, db, fmt.Sprintf(`SELECT count(*) FROM posts p JOIN threads t ON t.id = p.thread_id
					WHERE t.external_id = '%d'`, th.ID)); n != 45 {
					t.Errorf("thread's posts archived = %d, want 45 (44 live, 1 deleted)", n)
				}
				if n := count(t, db, "SELECT count(*) FROM threads WHERE full_walk_needed_at IS NOT NULL"); n != 0 {
					t.Errorf("flag not cleared by the complete walk from page 1")
				}
				checkNumbers(t, db, th)

				// The thread is whole again: the next change resumes at the last page.
				f.AddPost(th, th.Posts[0].Author, th.Posts[len(th.Posts)-1].Time.Add(time.Hour), "After the repair.")
				if r := crawl(context.Background()); r.code != 0 || !strings.Contains(r.stdout, "1 pages, 1 new posts") {
					t.Errorf("crawl after the repair: exit %d, want one page read\n%s", r.code, r.stdout)
				}
			})
		}
	}
}

// TestShrunkThreadResumesAtItsLastPage (D4b): a thread that lost its last page (page 4
// now redirects to page 3) resumes at page 3 from then on, asking for it with page 3's
// own validators, not at the stale page-4 row.
func TestShrunkThreadResumesAtItsLastPage(t *testing.T) {
	ctx := context.Background()
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 1, PostsPerThread: func(int) int { return 65 }})
	f.ETags = true
	th := f.Thread(1)
	l := newPathLog(f, th)
	defer l.srv.Close()
	thread := l.srv.URL + sampleforum.ThreadPath(th)
	db := filepath.Join(t.TempDir(), "a.db")
	archiveOK(t, ctx, db, thread)
	if got := strings.Join(l.take(), ", "); got != " 200, page-2 200, page-3 200, page-4 200" {
		t.Fatalf("first run requests: %s", got)
	}
	// The first run an hour ago: page 4 is the last page it fetched.
	ageFetched(t, db, "", time.Hour)
	for _, p := range append([]*sampleforum.Post(nil), th.Posts[60:]...) {
		f.DeletePost(th, p)
	}
	archiveOK(t, ctx, db, thread)
	if got := strings.Join(l.take(), ", "); got != "page-4 302, page-3 200" {
		t.Errorf("run after the shrink: %s, want page-4 redirected to page-3", got)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 5 {
		t.Errorf("%d posts marked deleted, want the 5 of page 4", n)
	}
	for run := 0; run < 2; run++ {
		r := archiveOK(t, ctx, db, thread)
		if got := strings.Join(l.take(), ", "); got != "page-3 304" {
			t.Errorf("unchanged run %d: %s, want page-3 asked with its own validators (304)\n%s", run+1, got, r.stderr)
		}
	}
	checkNumbers(t, db, th)
}

// ageFetched moves the fetched_at of the archived pages whose URL contains part back
// by d, as if they had been fetched that long before.
func ageFetched(t *testing.T, db, part string, d time.Duration) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`UPDATE pages SET fetched_at = strftime('%Y-%m-%dT%H:%M:%SZ', fetched_at, ?) WHERE url LIKE ?`,
		fmt.Sprintf("-%d seconds", int(d.Seconds())), "%"+part+"%"); err != nil {
		t.Fatal(err)
	}
}

// TestFullWalkLongerThanMaxPages: a thread flagged for a walk from page 1 that is
// longer than --max-pages is not re-read from page 1 on every run (it would never get
// past page N, and its new pages would never be archived): it resumes at its last
// page as usual, the flag stays for a run without the limit, and that run settles it.
func TestFullWalkLongerThanMaxPages(t *testing.T) {
	f := renumberForum() // thread 1: 45 posts, 20 a page: 3 pages
	th := f.Thread(1)
	srv := httptest.NewServer(f)
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "a.db")
	threadURL := srv.URL + sampleforum.ThreadPath(th)
	archiveOK(t, context.Background(), db, threadURL)
	f.DeletePost(th, th.Posts[4]) // on page 1: every later post moves one place
	last := th.Posts[len(th.Posts)-1]
	for i := range 60 { // three pages more
		f.AddPost(th, last.Author, last.Time.Add(time.Duration(i+1)*time.Minute), fmt.Sprintf("reply %d", i))
	}
	for range 4 {
		archiveOK(t, context.Background(), db, "--max-pages", "2", threadURL)
	}
	// Every post the forum shows, and the deleted one, not marked yet: only a walk from
	// page 1 can tell it is gone.
	if n := count(t, db, "SELECT count(*) FROM posts"); n != len(th.Posts)+1 {
		t.Errorf("%d posts after four runs of --max-pages 2, want %d: the new pages were never reached", n, len(th.Posts)+1)
	}
	if n := count(t, db, "SELECT count(*) FROM threads WHERE full_walk_needed_at IS NOT NULL"); n != 1 {
		t.Errorf("threads flagged = %d, want 1 (no run without the limit yet)", n)
	}
	archiveOK(t, context.Background(), db, threadURL)
	if n := count(t, db, "SELECT count(*) FROM threads WHERE full_walk_needed_at IS NOT NULL"); n != 0 {
		t.Errorf("threads flagged = %d after a run without --max-pages, want 0", n)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 1 {
		t.Errorf("%d posts marked deleted, want 1", n)
	}
	checkNumbers(t, db, th)
}

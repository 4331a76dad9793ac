package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// TestReparseKeepsNumbersFromNewerPages: a 33-post thread archived over 4 pages; 3 posts
// of page 1 are deleted on the forum and the thread archived again: page 4 now redirects
// to page 3, whose fresh copy renumbers the posts it shows, while the copy of page 4
// stored by the first run stays in the archive. Reparse re-reads that old page too, but
// the posts it shows were seen on a newer page since: their numbers, urls and texts stay
// what the newer page showed.
func TestReparseKeepsNumbersFromNewerPages(t *testing.T) {
	ctx := context.Background()
	tf := newOneThreadForum(t, 33)
	f, th, db := tf.f, tf.th, tf.db
	tf.archive(t)
	if n := count(t, db, "SELECT count(*) FROM pages"); n != 4 {
		t.Fatalf("first archive stored %d pages, want 4", n)
	}
	// Later runs fetch later: the stored page 4 must be older than the fresh page 3.
	time.Sleep(1100 * time.Millisecond)
	for _, p := range []*sampleforum.Post{th.Posts[2], th.Posts[5], th.Posts[8]} {
		f.DeletePost(th, p)
	}
	last := th.Posts[len(th.Posts)-1]
	tf.archive(t)
	checkNumbers(t, db, th)
	if n := count(t, db, "SELECT count(*) FROM pages WHERE number = 4"); n != 1 {
		t.Fatalf("stored copies of page 4 = %d, want the old one kept", n)
	}
	numberOf := func(p *sampleforum.Post) int {
		return count(t, db, fmt.Sprintf("SELECT number FROM posts WHERE external_id = '%d'", p.ID))
	}
	if n := numberOf(last); n != len(th.Posts) {
		t.Fatalf("post %d is #%d after the second archive, the forum shows #%d", last.ID, n, len(th.Posts))
	}
	urlOf := func(p *sampleforum.Post) int {
		return count(t, db, fmt.Sprintf("SELECT count(*) FROM posts WHERE external_id = '%d' AND url LIKE '%%page-3%%'", p.ID))
	}
	wasOnPage3 := urlOf(last)

	for _, args := range [][]string{{"--dry-run"}, nil, nil} {
		r := cli(t, ctx, append([]string{"--db", db, "reparse"}, args...)...)
		if r.code != 0 {
			t.Fatalf("reparse %v: %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "number") {
			t.Errorf("reparse %v reports numbers re-read:\n%s", args, r.stdout)
		}
		checkNumbers(t, db, th)
		if n := numberOf(last); n != len(th.Posts) {
			t.Errorf("after reparse %v post %d is #%d, the forum shows #%d", args, last.ID, n, len(th.Posts))
		}
		if got := urlOf(last); got != wasOnPage3 {
			t.Errorf("after reparse %v post %d's url changed (on page 3: %d, before %d)", args, last.ID, got, wasOnPage3)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM post_revisions"); n != 0 {
		t.Errorf("reparse recorded %d revisions, want none (no post changed)", n)
	}
}

// oneThreadForum is a sample forum of one thread, 10 posts a page, served for a test,
// with an archive file and a command that archives the thread into it (exit 0 or the
// test fails).
type oneThreadForum struct {
	f   *sampleforum.Forum
	th  *sampleforum.Thread
	url string // the thread's URL
	db  string
}

func newOneThreadForum(t *testing.T, posts int) *oneThreadForum {
	t.Helper()
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 1,
		PostsPerThread: func(int) int { return posts }})
	f.PostsPerPage = 10
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	th := f.Thread(1)
	return &oneThreadForum{f: f, th: th, url: srv.URL + sampleforum.ThreadPath(th),
		db: filepath.Join(t.TempDir(), "a.db")}
}

func (o *oneThreadForum) archive(t *testing.T) {
	t.Helper()
	if r := cli(t, context.Background(), "--db", o.db, "archive", "--delay", "0", o.url); r.code != 0 {
		t.Fatalf("archive: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

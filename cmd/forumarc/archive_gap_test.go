package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// A thread first archived from its last page, then given at page 1 (or by its URL),
// is read through every page in between: the resume jumps only over pages the
// archive holds from page 1 on, never over pages it lacks. It used to jump from page
// 1 straight to the archived last page, leaving pages 2 to 7 out for good, with exit 0.
func TestArchiveFillsPagesBeforeAnArchivedLastPage(t *testing.T) {
	ctx := context.Background()
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 1,
		PostsPerThread: func(int) int { return 75 }})
	f.PostsPerPage = 10
	th := f.Thread(1)
	log := newPathLog(f, th)
	defer log.srv.Close()
	thread := log.srv.URL + sampleforum.ThreadPath(th)
	db := filepath.Join(t.TempDir(), "a.db")
	archive := func(u string) {
		t.Helper()
		if r := cli(t, ctx, "--db", db, "archive", "--delay", "0", u); r.code != 0 {
			t.Fatalf("archive %s: exit %d\n%s%s", u, r.code, r.stdout, r.stderr)
		}
	}
	archive(thread + "page-8")
	if got := log.take(); !slices.Equal(got, []string{"page-8 200"}) {
		t.Fatalf("archive of page 8 requested %v, want page 8 alone (it is the last)", got)
	}
	archive(thread)
	want := []string{" 200", "page-2 200", "page-3 200", "page-4 200", "page-5 200", "page-6 200", "page-7 200"}
	got := log.take()
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("archive of page 1 requested %v, want pages 1 to 7 first", got)
	}
	if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NULL"); n != 75 {
		t.Errorf("%d posts archived, want all 75", n)
	}
	// Now the archive holds pages 1 to 8: a third run resumes at page 8 at once.
	archive(thread)
	if got := log.take(); len(got) != 1 || got[0][:6] != "page-8" {
		t.Errorf("third run requested %v, want page 8 alone", got)
	}
}

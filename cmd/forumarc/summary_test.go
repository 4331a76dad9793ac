package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// archive's summary names each thread URL that was followed to another host of the
// same site, as crawl's does for start URLs; a thread read where it was given gets no
// such line.
func TestArchiveSummaryNamesSiteRedirect(t *testing.T) {
	f := redirectForum()
	one := sampleforum.ThreadPath(f.Thread(1)) // 2 pages
	two := sampleforum.ThreadPath(f.Thread(2))
	t.Run("followed", func(t *testing.T) {
		n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://www.example.test"), "www.example.test": f})
		db := filepath.Join(t.TempDir(), "a.db")
		r := cliNet(context.Background(), n, "--db", db, "archive", "--delay", "0", "http://example.test"+one, "http://www.example.test"+two)
		if r.code != 0 {
			t.Fatalf("exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		want := "  thread URL redirected to another host of the same site, archived there: http://example.test" + one +
			" -> http://www.example.test" + one + " (give that URL next time)\n"
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, r.stdout)
		}
		if c := strings.Count(r.stdout, "redirected to another host"); c != 1 {
			t.Errorf("%d redirect lines, want 1 (the second URL was not redirected):\n%s", c, r.stdout)
		}
	})
	t.Run("later page fails", func(t *testing.T) {
		// Page 1 was read on www.example.test: the summary says so next to the failure.
		www := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/page-2") {
				http.Error(w, "gone", http.StatusNotFound)
				return
			}
			f.ServeHTTP(w, r)
		})
		n := newHostNet(t, map[string]http.Handler{"example.test": redirector("http://www.example.test"), "www.example.test": www})
		db := filepath.Join(t.TempDir(), "a.db")
		r := cliNet(context.Background(), n, "--db", db, "archive", "--delay", "0", "http://example.test"+one)
		if r.code != exitFailed {
			t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "archived there: http://example.test"+one+" -> http://www.example.test"+one+" (give that URL next time)") ||
			!strings.Contains(r.stdout, "  failed: http://www.example.test"+one+"page-2: HTTP 404 Not Found\n") {
			t.Errorf("summary:\n%s", r.stdout)
		}
	})
	t.Run("not redirected", func(t *testing.T) {
		srv := httptest.NewServer(f)
		defer srv.Close()
		r := cli(t, context.Background(), "--db", filepath.Join(t.TempDir(), "a.db"), "archive", "--delay", "0", srv.URL+one)
		if r.code != 0 || strings.Contains(r.stdout, "redirected to another host") {
			t.Errorf("exit %d, summary:\n%s", r.code, r.stdout)
		}
	})
}

// The crawl summary names a failed URL once: the cause no longer repeats it.
func TestCrawlSummaryNamesFailedURLOnce(t *testing.T) {
	f := redirectForum()
	srv := httptest.NewServer(f)
	defer srv.Close()
	missing := srv.URL + "/threads/no-such-thread.999/"
	r := cli(t, context.Background(), "--db", filepath.Join(t.TempDir(), "c.db"), "crawl", "--delay", "0", missing)
	if r.code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
	}
	if want := "  failed: " + missing + ": HTTP 404 Not Found\n"; !strings.Contains(r.stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, r.stdout)
	}
	if c := strings.Count(r.stdout, missing); c != 1 {
		t.Errorf("the summary names %s %d times, want once:\n%s", missing, c, r.stdout)
	}
}

// archive's summary counts what it lists: a thread whose start page answers 404 (no
// crawl_errors row) is an error next to its failed line, named once; posts found
// gone are counted as marked deleted.
func TestArchiveSummaryCounts(t *testing.T) {
	f := renumberForum()
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "a.db")
	missing := srv.URL + "/threads/no-such-thread.999/"
	t.Run("start page 404", func(t *testing.T) {
		r := cli(t, ctx, "--db", db, "archive", "--delay", "0", missing)
		if r.code != exitFailed {
			t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitFailed, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, " 1 errors in ") || !strings.Contains(r.stdout, "  failed: "+missing+": HTTP 404 Not Found\n") ||
			strings.Count(r.stdout, missing) != 1 {
			t.Errorf("summary, want 1 error and one failed line naming the URL once:\n%s", r.stdout)
		}
	})
	thread := srv.URL + sampleforum.ThreadPath(f.Thread(2)) // one page, 5 posts
	t.Run("marked deleted", func(t *testing.T) {
		if r := cli(t, ctx, "--db", db, "archive", "--delay", "0", thread); r.code != 0 || !strings.Contains(r.stdout, " 0 marked deleted, 0 errors in ") {
			t.Fatalf("first run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		th := f.Thread(2)
		f.DeletePost(th, th.Posts[2])
		r := cli(t, ctx, "--db", db, "archive", "--delay", "0", thread)
		if r.code != 0 {
			t.Fatalf("second run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if n := count(t, db, "SELECT count(*) FROM posts WHERE deleted_at IS NOT NULL"); n != 1 {
			t.Fatalf("%d posts marked deleted in the archive, want 1", n)
		}
		if !strings.Contains(r.stdout, "1 pages, 0 new posts, 0 updated, 1 marked deleted, 0 errors in ") {
			t.Errorf("summary:\n%s", r.stdout)
		}
	})
	t.Run("two threads fail", func(t *testing.T) {
		r := cli(t, ctx, "--db", db, "archive", "--delay", "0", missing, srv.URL+"/threads/gone.998/", thread)
		if r.code != exitFailed || !strings.Contains(r.stdout, " 2 errors in ") || strings.Count(r.stdout, "  failed: ") != 2 {
			t.Errorf("exit %d, summary:\n%s", r.code, r.stdout)
		}
	})
}

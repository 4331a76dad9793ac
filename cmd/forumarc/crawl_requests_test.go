package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// TestCrawlFetchesEachPageOnce crawls the sample forum for the first time from its
// index under every URL form that serves it, and from a thread page: robots.txt, the
// start page, every listing page and every thread page below it are each requested
// exactly once, and nothing else is. (A seed that is a thread page was fetched twice:
// once to tell it is no listing, then again by the archiver.)
func TestCrawlFetchesEachPageOnce(t *testing.T) {
	f := sampleforum.Generate(sampleforum.Spec{Boards: 2, SubBoards: 1, ThreadsPerBoard: 7,
		PostsPerThread: func(i int) int {
			if i%3 == 0 {
				return 45 // three pages
			}
			return 4
		}})
	f.ThreadsPerPage = 5 // two listing pages per board
	pagePath := func(base string, n int) string {
		if n == 1 {
			return base
		}
		return fmt.Sprintf("%spage-%d", base, n)
	}
	threadPages := func(th *sampleforum.Thread) []string {
		var out []string
		for n := 1; n <= (len(th.Posts)+f.PostsPerPage-1)/f.PostsPerPage; n++ {
			out = append(out, pagePath(sampleforum.ThreadPath(th), n))
		}
		return out
	}
	var below []string // every listing and thread page under the index
	var walk func([]*sampleforum.Board)
	walk = func(bs []*sampleforum.Board) {
		for _, b := range bs {
			for n := 1; n <= (len(b.Threads)+f.ThreadsPerPage-1)/f.ThreadsPerPage; n++ {
				below = append(below, pagePath(sampleforum.BoardPath(b), n))
			}
			for _, th := range b.Threads {
				below = append(below, threadPages(th)...)
			}
			walk(b.Sub)
		}
	}
	walk(f.Boards())
	thread := f.Thread(1)

	for _, tc := range []struct {
		name, seed, first string
		rest              []string
	}{
		{"root", "/", "/", below},
		{"root without slash", "", "/", below},
		{"forums index", "/forums/", "/forums/", below},
		{"thread page", sampleforum.ThreadPath(thread), sampleforum.ThreadPath(thread), threadPages(thread)[1:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			got := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got[r.URL.RequestURI()]++
				mu.Unlock()
				f.ServeHTTP(w, r)
			}))
			defer srv.Close()
			db := filepath.Join(t.TempDir(), "c.db")
			r := cli(t, context.Background(), "--db", db, "crawl", "--delay", "0", "--concurrency", "4", srv.URL+tc.seed)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			want := map[string]int{"/robots.txt": 1, tc.first: 1}
			for _, p := range tc.rest {
				want[p] = 1
			}
			mu.Lock()
			defer mu.Unlock()
			var diffs []string
			for p, n := range got {
				if want[p] != n {
					diffs = append(diffs, fmt.Sprintf("%s requested %d times, want %d", p, n, want[p]))
				}
			}
			for p := range want {
				if got[p] == 0 {
					diffs = append(diffs, p+" never requested")
				}
			}
			sort.Strings(diffs)
			if len(diffs) > 0 {
				t.Errorf("first crawl from %s:\n%s", tc.seed, strings.Join(diffs, "\n"))
			}
		})
	}
}

package scraper

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// pagedEngine reads the test thread below: page N of /t/ has two posts posted N hours
// in, and links to page N+1.
type pagedEngine struct{}

func (pagedEngine) Info() EngineInfo              { return EngineInfo{Name: "zzpaged"} }
func (pagedEngine) Detect(*goquery.Document) bool { return true }

func (pagedEngine) Extract(doc *goquery.Document, in Input) (*Page, error) {
	var n int
	if _, err := fmt.Sscanf(in.URL.Path, "/t/%d", &n); err != nil {
		return nil, err
	}
	p := &Page{Thread: Thread{ID: Str("7"), Title: Str("Paged"), URL: ResolvePtr(in.URL, "/t/1")}, Page: PageInfo{Number: n}}
	doc.FindMatcher(countSelPost).Each(func(i int, s *goquery.Selection) {
		at := time.Date(2026, 1, 1, n, i, 0, 0, time.UTC)
		p.Posts = append(p.Posts, Post{ID: Attr(s, "id"), PostedAt: &at, BodyText: s.Text()})
	})
	if next := Attr(doc.FindMatcher(countSelNext), "href"); next != "" {
		p.Page.NextURL = ResolvePtr(in.URL, next)
	}
	return p, nil
}

// rereadSink has archived the thread through page 3 and reports, for every page
// saved, that its first archived post moved by shift.
type rereadSink struct {
	memSink
	base  string
	shift int

	mu      sync.Mutex
	saved   []string    // paths of the pages saved, in order
	missing []time.Time // from of each MarkMissing call
}

func (s *rereadSink) SavePage(_ context.Context, _ *Fetched, p *Page) (SaveStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved = append(s.saved, strings.TrimPrefix(p.URL, s.base))
	renumbered := 0
	if s.shift != 0 {
		renumbered = len(p.Posts)
	}
	return SaveStats{PostsUnchanged: len(p.Posts), Renumbered: renumbered, Shift: s.shift}, nil
}

func (s *rereadSink) ThreadByURL(context.Context, string) (string, string, bool, error) {
	return s.base, "7", true, nil
}

func (s *rereadSink) Thread(context.Context, string, string) (ThreadState, error) {
	return ThreadState{Found: true, LastPageURL: s.base + "/t/3", LastPage: 3, PageCount: 3, Posts: 6}, nil
}

func (s *rereadSink) MarkMissing(_ context.Context, _, _ string, from time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missing = append(s.missing, from)
	return 1, nil
}

// TestArchiveRereadsRenumberedThreadOnce: a resumed walk whose first archived post
// moved reads the thread once more from page 1, and only once, even when every page
// of the second walk still reports moved posts; each complete walk marks what it did
// not see from its own first post on, and --max-pages bounds both walks together.
func TestArchiveRereadsRenumberedThreadOnce(t *testing.T) {
	const pages = 3
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(r.URL.Path, "/t/%d", &n); err != nil || n < 1 || n > pages {
			http.NotFound(w, r)
			return
		}
		next := ""
		if n < pages {
			next = fmt.Sprintf(`<a class="next" href="/t/%d">Next</a>`, n+1)
		}
		fmt.Fprintf(w, `<html><body><div class="post" id="p%d1">one</div><div class="post" id="p%d2">two</div>%s</body></html>`, n, n, next)
	}))
	defer srv.Close()
	hour := func(h int) time.Time { return time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name      string
		shift     int
		cfg       ArchiveConfig
		saved     []string
		missingAt []time.Time // from of each MarkMissing call
	}{
		{name: "moved", shift: -1, saved: []string{"/t/3", "/t/1", "/t/2", "/t/3"}, missingAt: []time.Time{hour(3), hour(1)}},
		{name: "inserted", shift: 2, saved: []string{"/t/3", "/t/1", "/t/2", "/t/3"}, missingAt: []time.Time{hour(3), hour(1)}},
		{name: "not moved", shift: 0, saved: []string{"/t/3"}, missingAt: []time.Time{hour(3)}},
		{name: "from start", shift: -1, cfg: ArchiveConfig{FromStart: true}, saved: []string{"/t/1", "/t/2", "/t/3"}, missingAt: []time.Time{hour(1)}},
		// The second walk stops at the limit: it did not reach the end, so it marks nothing.
		{name: "max pages", shift: -1, cfg: ArchiveConfig{MaxPages: 2}, saved: []string{"/t/3", "/t/1"}, missingAt: []time.Time{hour(3)}},
		// No page left for a second walk.
		{name: "max pages 1", shift: -1, cfg: ArchiveConfig{MaxPages: 1}, saved: []string{"/t/3"}, missingAt: []time.Time{hour(3)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			sink := &rereadSink{base: srv.URL, shift: tc.shift}
			cfg := tc.cfg
			cfg.Profile = pagedEngine{}
			res, err := NewArchiver(NewFetcher(ctx, FetchConfig{IgnoreRobots: true}), sink, cfg).Thread(ctx, srv.URL+"/t/1")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sink.saved, tc.saved) {
				t.Errorf("pages saved %v, want %v", sink.saved, tc.saved)
			}
			if res.Pages != len(tc.saved) {
				t.Errorf("result pages = %d, want %d (one per page read)", res.Pages, len(tc.saved))
			}
			if !slices.EqualFunc(sink.missing, tc.missingAt, time.Time.Equal) {
				t.Errorf("MarkMissing from %v, want %v", sink.missing, tc.missingAt)
			}
			if res.Deleted != len(tc.missingAt) {
				t.Errorf("result deleted = %d, want %d (the sum over the walks)", res.Deleted, len(tc.missingAt))
			}
		})
	}
}

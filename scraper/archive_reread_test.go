package scraper

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// pagedEngine reads the test thread below: page N of /t/ has two posts posted N hours
// in, and links to page N+1. With numbers, the posts show their place in the thread
// (2N-1 and 2N).
type pagedEngine struct{ numbers bool }

func (pagedEngine) Info() EngineInfo              { return EngineInfo{Name: "zzpaged"} }
func (pagedEngine) Detect(*goquery.Document) bool { return true }

func (e pagedEngine) Extract(doc *goquery.Document, in Input) (*Page, error) {
	var n int
	if _, err := fmt.Sscanf(in.URL.Path, "/t/%d", &n); err != nil {
		return nil, err
	}
	p := &Page{Thread: Thread{ID: Str("7"), Title: Str("Paged"), URL: ResolvePtr(in.URL, "/t/1")}, Page: PageInfo{Number: n}}
	doc.FindMatcher(countSelPost).Each(func(i int, s *goquery.Selection) {
		at := time.Date(2026, 1, 1, n, i, 0, 0, time.UTC)
		post := Post{ID: Attr(s, "id"), PostedAt: &at, BodyText: s.Text()}
		if e.numbers {
			post.Number = Int(2*n - 1 + i)
		}
		p.Posts = append(p.Posts, post)
	})
	if next := Attr(doc.FindMatcher(countSelNext), "href"); next != "" {
		p.Page.NextURL = ResolvePtr(in.URL, next)
	}
	return p, nil
}

// rereadSink has archived the thread through page 3 and reports, for every page
// saved, that its first archived post moved by shift (its stored number is the one
// shown minus shift, when the page shows numbers).
type rereadSink struct {
	memSink
	base  string
	shift int
	// fullWalk is the thread's ThreadState.FullWalkNeeded; fresh: no post of the
	// pages is archived.
	fullWalk, fresh bool

	mu      sync.Mutex
	saved   []string       // paths of the pages saved, in order
	missing []MissingRange // range of each MarkMissing call
}

func (s *rereadSink) SavePage(_ context.Context, _ *Fetched, p *Page) (SaveStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved = append(s.saved, strings.TrimPrefix(p.URL, s.base))
	if s.fresh {
		return SaveStats{PostsNew: len(p.Posts)}, nil
	}
	renumbered := 0
	if s.shift != 0 {
		renumbered = len(p.Posts)
	}
	st := SaveStats{PostsUnchanged: len(p.Posts), Renumbered: renumbered, Shift: s.shift}
	if len(p.Posts) > 0 && p.Posts[0].Number != nil {
		st.StoredNumber = *p.Posts[0].Number - s.shift
	}
	return st, nil
}

func (s *rereadSink) ThreadByURL(context.Context, string) (string, string, bool, error) {
	return s.base, "7", true, nil
}

func (s *rereadSink) Thread(context.Context, string, string) (ThreadState, error) {
	return ThreadState{Found: true, LastPageURL: s.base + "/t/3", LastPage: 3, PageCount: 3, Posts: 6,
		URL: s.base + "/t/1", FullWalkNeeded: s.fullWalk}, nil
}

func (s *rereadSink) MarkMissing(_ context.Context, _, _ string, r MissingRange) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missing = append(s.missing, r)
	return 1, nil
}

// TestArchiveRereadsRenumberedThreadOnce: a resumed walk whose first archived post
// moved reads the thread once more from page 1, and only once, even when every page
// of the second walk still reports moved posts; each complete walk marks what it did
// not see in its own range (the walk from page 1 the whole thread; the resumed one
// from its first archived post's stored number, or with no post numbers after its
// first post's time), and --max-pages bounds both walks together. A thread flagged
// FullWalkNeeded is walked from page 1 instead of resumed, unless --max-pages is
// smaller than the thread.
func TestArchiveRereadsRenumberedThreadOnce(t *testing.T) {
	srv := pagedThreadServer(t, 3, "")
	after := func(h int) MissingRange { return MissingRange{After: time.Date(2026, 1, 1, h, 0, 0, 0, time.UTC)} }
	whole := MissingRange{Whole: true}
	from := func(n int) MissingRange { return MissingRange{FromNumber: n} }
	for _, tc := range []struct {
		name            string
		shift           int
		numbers         bool // the engine shows post numbers
		fullWalk, fresh bool // rereadSink's
		cfg             ArchiveConfig
		saved           []string
		missing         []MissingRange // range of each MarkMissing call
	}{
		{name: "moved", shift: -1, saved: []string{"/t/3", "/t/1", "/t/2", "/t/3"}, missing: []MissingRange{after(3), whole}},
		{name: "inserted", shift: 2, saved: []string{"/t/3", "/t/1", "/t/2", "/t/3"}, missing: []MissingRange{after(3), whole}},
		{name: "not moved", shift: 0, saved: []string{"/t/3"}, missing: []MissingRange{after(3)}},
		{name: "from start", shift: -1, cfg: ArchiveConfig{FromStart: true}, saved: []string{"/t/1", "/t/2", "/t/3"}, missing: []MissingRange{whole}},
		// The second walk stops at the limit: it did not reach the end, so it marks nothing.
		{name: "max pages", shift: -1, cfg: ArchiveConfig{MaxPages: 2}, saved: []string{"/t/3", "/t/1"}, missing: []MissingRange{after(3)}},
		// No page left for a second walk.
		{name: "max pages 1", shift: -1, cfg: ArchiveConfig{MaxPages: 1}, saved: []string{"/t/3"}, missing: []MissingRange{after(3)}},
		// Page 3 shows #5 first: stored as #6 (one post before it deleted), as #3
		// (two inserted) or as #5.
		{name: "numbered, moved", shift: -1, numbers: true, saved: []string{"/t/3", "/t/1", "/t/2", "/t/3"}, missing: []MissingRange{from(6), whole}},
		{name: "numbered, inserted", shift: 2, numbers: true, saved: []string{"/t/3", "/t/1", "/t/2", "/t/3"}, missing: []MissingRange{from(3), whole}},
		{name: "numbered, not moved", numbers: true, saved: []string{"/t/3"}, missing: []MissingRange{from(5)}},
		// No archived post seen by the resumed walk: nothing is in its range.
		{name: "nothing archived", fresh: true, saved: []string{"/t/3"}},
		{name: "numbered, nothing archived", fresh: true, numbers: true, saved: []string{"/t/3"}},
		// An earlier run found the posts renumbered and did not finish: page 1 first,
		// and no second walk.
		{name: "flagged", shift: -1, fullWalk: true, saved: []string{"/t/1", "/t/2", "/t/3"}, missing: []MissingRange{whole}},
		{name: "flagged, numbered", shift: -1, numbers: true, fullWalk: true, saved: []string{"/t/1", "/t/2", "/t/3"}, missing: []MissingRange{whole}},
		// A walk from page 1 that --max-pages would cut short every run: resumed as
		// usual instead (the flag stays for a run without the limit).
		{name: "flagged, max pages", fullWalk: true, cfg: ArchiveConfig{MaxPages: 2}, saved: []string{"/t/3"}, missing: []MissingRange{after(3)}},
		{name: "flagged, max pages enough", fullWalk: true, cfg: ArchiveConfig{MaxPages: 3}, saved: []string{"/t/1", "/t/2", "/t/3"}, missing: []MissingRange{whole}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			sink := &rereadSink{base: srv.URL, shift: tc.shift, fullWalk: tc.fullWalk, fresh: tc.fresh}
			cfg := tc.cfg
			cfg.Profile = pagedEngine{numbers: tc.numbers}
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
			if !slices.EqualFunc(sink.missing, tc.missing, func(a, b MissingRange) bool {
				return a.Whole == b.Whole && a.FromNumber == b.FromNumber && a.After.Equal(b.After)
			}) {
				t.Errorf("MarkMissing ranges %+v, want %+v", sink.missing, tc.missing)
			}
			if res.Deleted != len(tc.missing) {
				t.Errorf("result deleted = %d, want %d (the sum over the walks)", res.Deleted, len(tc.missing))
			}
		})
	}
}

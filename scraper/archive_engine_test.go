package scraper

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// detectOnceEngine recognises pages carrying <meta name="zzcount"> and counts how
// often its Detect runs.
type detectOnceEngine struct{ detects *atomic.Int64 }

var (
	countSelMeta = MustCompile(`meta[name="zzcount"]`)
	countSelPost = MustCompile(`div.post[id]`)
	countSelNext = MustCompile(`a.next`)
)

func (detectOnceEngine) Info() EngineInfo { return EngineInfo{Name: "zzcount"} }

func (e detectOnceEngine) Detect(doc *goquery.Document) bool {
	e.detects.Add(1)
	return doc.FindMatcher(countSelMeta).Length() > 0
}

func (detectOnceEngine) Extract(doc *goquery.Document, in Input) (*Page, error) {
	p := &Page{Thread: Thread{ID: Str("7"), Title: Str("Counting")}}
	doc.FindMatcher(countSelPost).Each(func(i int, s *goquery.Selection) {
		at := time.Date(2026, 1, 1, 0, len(p.Posts), 0, 0, time.UTC)
		p.Posts = append(p.Posts, Post{ID: Attr(s, "id"), PostedAt: &at, BodyText: s.Text()})
	})
	if next := Attr(doc.FindMatcher(countSelNext), "href"); next != "" {
		p.Page.NextURL = ResolvePtr(in.URL, next)
	}
	return p, nil
}

// memSink stores nothing; it only answers the Archiver's questions.
type memSink struct{ pages int }

func (s *memSink) SavePage(_ context.Context, _ *Fetched, p *Page) (SaveStats, error) {
	s.pages++
	return SaveStats{PostsNew: len(p.Posts)}, nil
}
func (s *memSink) ThreadByURL(context.Context, string) (string, string, bool, error) {
	return "", "", false, nil
}
func (s *memSink) Thread(context.Context, string, string) (ThreadState, error) {
	return ThreadState{}, nil
}
func (s *memSink) RecordError(context.Context, string, error) error { return nil }
func (s *memSink) PageValidators(context.Context, string) (string, string, error) {
	return "", "", nil
}
func (s *memSink) ArchivedPage(context.Context, string) (*Fetched, error) { return nil, nil }
func (s *memSink) MarkMissing(context.Context, string, string, MissingRange) (int, error) {
	return 0, nil
}

// TestArchiverDetectsOncePerThread: every page of a thread comes from one engine, so
// the Archiver runs detection on the first page only and forces that engine after.
func TestArchiverDetectsOncePerThread(t *testing.T) {
	eng := detectOnceEngine{detects: new(atomic.Int64)}
	Register(eng)
	t.Cleanup(func() {
		registryMu.Lock()
		defer registryMu.Unlock()
		delete(registry, "zzcount")
		detectOrder = slices.DeleteFunc(slices.Clone(detectOrder), func(r registration) bool { return r.info.Name == "zzcount" })
	})
	const pages = 4
	srv := pagedThreadServer(t, pages, `<meta name="zzcount" content="1">`)
	ctx := context.Background()
	f := NewFetcher(ctx, FetchConfig{IgnoreRobots: true})
	sink := &memSink{}
	res, err := NewArchiver(f, sink, ArchiveConfig{}).Thread(ctx, srv.URL+"/t/1")
	if err != nil {
		t.Fatal(err)
	}
	if res.Pages != pages || sink.pages != pages || res.PostsNew != 2*pages {
		t.Fatalf("archived %d pages (%d saved), %d posts; want %d, %d", res.Pages, sink.pages, res.PostsNew, pages, 2*pages)
	}
	if got := eng.detects.Load(); got != 1 {
		t.Errorf("Detect ran %d times for a %d-page thread, want 1", got, pages)
	}
}

// pagedThreadServer serves a thread of pages /t/1 ... /t/N, two posts each (ids
// p<page>1 and p<page>2), linked by a.next, with head inside <head>.
func pagedThreadServer(t *testing.T, pages int, head string) *httptest.Server {
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
		fmt.Fprintf(w, `<html><head>%s</head><body>
			<div class="post" id="p%d1">one</div><div class="post" id="p%d2">two</div>%s</body></html>`, head, n, n, next)
	}))
	t.Cleanup(srv.Close)
	return srv
}

package scraper

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// shrunkSink has archived pages 1 to 4 of the paged test thread; page 4 is its last
// page, stored with a Last-Modified validator and its old bytes.
type shrunkSink struct {
	memSink
	base string

	mu    sync.Mutex
	saved []string // "path first-post-id" of each page saved
}

func (s *shrunkSink) SavePage(_ context.Context, f *Fetched, p *Page) (SaveStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	first := ""
	if len(p.Posts) > 0 {
		first = p.Posts[0].ID
	}
	s.saved = append(s.saved, strings.TrimPrefix(f.URL, s.base)+" "+first)
	return SaveStats{PostsUnchanged: len(p.Posts), StoredNumber: 5}, nil
}

func (s *shrunkSink) ThreadByURL(context.Context, string) (string, string, bool, error) {
	return s.base, "7", true, nil
}

func (s *shrunkSink) Thread(context.Context, string, string) (ThreadState, error) {
	return ThreadState{Found: true, LastPageURL: s.base + "/t/4", LastPage: 4, PageCount: 4, URL: s.base + "/t/1"}, nil
}

func (s *shrunkSink) PageValidators(_ context.Context, u string) (string, string, error) {
	if u == s.base+"/t/4" {
		return "", "Mon, 02 Jan 2006 15:04:05 GMT", nil
	}
	return "", "", nil
}

func (s *shrunkSink) ArchivedPage(_ context.Context, u string) (*Fetched, error) {
	if u != s.base+"/t/4" {
		return nil, nil
	}
	return &Fetched{URL: u, Status: 200, ContentType: "text/html",
		Body: []byte(`<html><body><div class="post" id="p41">old</div></body></html>`)}, nil
}

// TestArchiveRedirectedConditionalRequest: a stored page that now redirects (the
// thread shrank: page 4 redirects to page 3) was asked for with its own validators,
// which the forum applied to page 3: a 304 there confirms nothing about page 3 (nor
// about the archived copy of page 4), so page 3 is asked for again without them.
func TestArchiveRedirectedConditionalRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/t/4":
			http.Redirect(w, r, "/t/3", http.StatusFound)
		case "/t/3":
			if r.Header.Get("If-Modified-Since") != "" {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			fmt.Fprint(w, `<html><body><div class="post" id="p31">one</div><div class="post" id="p32">two</div></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	sink := &shrunkSink{base: srv.URL}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil)).With("thread", srv.URL+"/t/1")
	res, err := NewArchiver(NewFetcher(ctx, FetchConfig{IgnoreRobots: true}), sink,
		ArchiveConfig{Profile: pagedEngine{}, Logger: log}).Thread(ctx, srv.URL+"/t/1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sink.saved, ", "); got != "/t/3 p31" {
		t.Errorf("pages saved: %s, want page 3 as the forum serves it now", got)
	}
	if res.Deleted != 0 {
		t.Errorf("deleted = %d", res.Deleted)
	}
	checkLogKeys(t, logs.Bytes())
}

// TestMarkedDeletedLogLine (D9a): the line counting posts marked deleted carries each
// key once under a JSON handler whose logger names the thread already.
func TestMarkedDeletedLogLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html><body><div class="post" id="p31">one</div></body></html>`)
	}))
	defer srv.Close()
	ctx := context.Background()
	sink := &rereadSink{base: srv.URL}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil)).With("thread", srv.URL+"/t/1")
	res, err := NewArchiver(NewFetcher(ctx, FetchConfig{IgnoreRobots: true}), sink,
		ArchiveConfig{Profile: pagedEngine{}, Logger: log}).Thread(ctx, srv.URL+"/t/3")
	if err != nil || res.Deleted != 1 {
		t.Fatalf("archive: %+v %v, want 1 marked deleted", res, err)
	}
	if !bytes.Contains(logs.Bytes(), []byte("posts gone from the forum marked deleted")) {
		t.Fatalf("no line for the posts marked deleted:\n%s", logs.Bytes())
	}
	checkLogKeys(t, logs.Bytes())
}

// checkLogKeys fails on a JSON log line that holds a key twice.
func checkLogKeys(t *testing.T, logs []byte) {
	t.Helper()
	for _, line := range bytes.Split(bytes.TrimSpace(logs), []byte("\n")) {
		dec := json.NewDecoder(bytes.NewReader(line))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("not a JSON object: %s", line)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			k := tok.(string)
			if seen[k] {
				t.Errorf("key %q twice in %s", k, line)
			}
			seen[k] = true
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
		}
	}
}

// Package sampleforum serves a small XenForo 2 style forum from memory. It backs
// `forumarc demo` (no network needed) and the crawl tests, so both exercise the real
// fetch, extract and store path against markup modelled on XenForo 2.
package sampleforum

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Forum is an in-memory forum. Mutating methods are safe while it serves requests, so
// tests can add, edit and delete posts between crawls.
type Forum struct {
	Title        string
	PostsPerPage int
	// ThreadsPerPage is how many threads one board listing page shows.
	ThreadsPerPage int
	// Robots is served as /robots.txt.
	Robots string
	// Fault, when set, may answer a request instead of the forum (status != 0).
	Fault func(r *http.Request) (status int, header http.Header)
	// ETags makes thread pages carry a strong ETag of their bytes and answer a
	// matching If-None-Match with 304 Not Modified, as forums behind a caching proxy
	// do; the pagination links are part of the bytes, so a page whose thread grew
	// a page changes too.
	ETags bool

	mu       sync.RWMutex
	boards   []*Board
	threads  map[int]*Thread
	nextPost int
	requests atomic.Int64
}

// Board is a forum section holding threads and sub-boards.
type Board struct {
	ID      int
	Title   string
	Threads []*Thread
	Sub     []*Board
	parent  *Board
}

// Thread is a topic with its posts in order.
type Thread struct {
	ID     int
	Title  string
	Prefix string
	Posts  []*Post
	board  *Board
}

// Post is one message.
type Post struct {
	ID      int
	Author  *User
	Time    time.Time
	Body    string // HTML
	Edited  *time.Time
	Quote   *Post // quoted post, shown above the body
	Deleted bool
}

// User is an author with the sidebar XenForo 2 shows.
type User struct {
	ID        int
	Name      string
	Title     string
	Joined    time.Time
	Messages  int
	Reactions int
	Location  string
	Points    int
}

// New returns an empty forum.
func New(title string) *Forum {
	return &Forum{Title: title, PostsPerPage: 20, ThreadsPerPage: 20, Robots: "User-agent: *\nDisallow: /login/\n", threads: map[int]*Thread{}, nextPost: 1000}
}

// Requests is how many HTTP requests the forum has answered.
func (f *Forum) Requests() int64 { return f.requests.Load() }

// AddBoard adds a top-level board (parent nil) or a sub-board.
func (f *Forum) AddBoard(parent *Board, title string) *Board {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := &Board{ID: f.countBoards() + 1, Title: title, parent: parent}
	if parent == nil {
		f.boards = append(f.boards, b)
	} else {
		parent.Sub = append(parent.Sub, b)
	}
	return b
}

func (f *Forum) countBoards() int {
	n := 0
	var walk func([]*Board)
	walk = func(bs []*Board) {
		for _, b := range bs {
			n++
			walk(b.Sub)
		}
	}
	walk(f.boards)
	return n
}

// AddThread starts a thread on b.
func (f *Forum) AddThread(b *Board, title, prefix string) *Thread {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := &Thread{ID: len(f.threads) + 1, Title: title, Prefix: prefix, board: b}
	f.threads[t.ID] = t
	// Newest threads first, as forum listings show them.
	b.Threads = append([]*Thread{t}, b.Threads...)
	return t
}

// AddPost appends a post to t.
func (f *Forum) AddPost(t *Thread, u *User, at time.Time, bodyHTML string) *Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextPost++
	p := &Post{ID: f.nextPost, Author: u, Time: at.UTC(), Body: bodyHTML}
	t.Posts = append(t.Posts, p)
	u.Messages++
	// Bump the thread to the top of its board, as a new reply does.
	b := t.board
	for i, x := range b.Threads {
		if x == t {
			b.Threads = append(append([]*Thread{t}, b.Threads[:i]...), b.Threads[i+1:]...)
			break
		}
	}
	return p
}

// InsertPost puts a post at index i of t's posts (0 = first), as approving a post
// held for moderation or merging threads does: every post after it moves down one
// place and its number goes up by one. Unlike a reply, it does not bump the thread.
func (f *Forum) InsertPost(t *Thread, i int, u *User, at time.Time, bodyHTML string) *Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextPost++
	p := &Post{ID: f.nextPost, Author: u, Time: at.UTC(), Body: bodyHTML}
	i = min(max(i, 0), len(t.Posts))
	t.Posts = append(t.Posts[:i], append([]*Post{p}, t.Posts[i:]...)...)
	u.Messages++
	return p
}

// EditPost changes a post's body and marks it edited.
func (f *Forum) EditPost(p *Post, bodyHTML string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p.Body = bodyHTML
	e := at.UTC()
	p.Edited = &e
}

// DeletePost removes a post from its thread, as a moderator's hard delete does.
func (f *Forum) DeletePost(t *Thread, p *Post) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range t.Posts {
		if x == p {
			t.Posts = append(t.Posts[:i], t.Posts[i+1:]...)
			return
		}
	}
}

// Thread returns a thread by id.
func (f *Forum) Thread(id int) *Thread {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.threads[id]
}

// ThreadPath is the path of page 1 of t.
func ThreadPath(t *Thread) string { return fmt.Sprintf("/threads/%s.%d/", slug(t.Title), t.ID) }

// BoardPath is the path of page 1 of b's listing.
func BoardPath(b *Board) string { return fmt.Sprintf("/forums/%s.%d/", slug(b.Title), b.ID) }

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonWord.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

var (
	threadRe = regexp.MustCompile(`^/threads/[a-z0-9-]*\.(\d+)/(?:page-(\d+))?$`)
	boardRe  = regexp.MustCompile(`^/forums/[a-z0-9-]*\.(\d+)/(?:page-(\d+))?$`)
)

// ServeHTTP answers like a XenForo 2 site: thread pages, board listings, the index,
// robots.txt, and page-N beyond the end redirecting to the last page.
func (f *Forum) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if f.Fault != nil {
		if status, h := f.Fault(r); status != 0 {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, "<html><body>error %d</body></html>", status)
			return
		}
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	base := "http://" + r.Host
	path := r.URL.Path
	switch {
	case path == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, f.Robots)
	case path == "/" || path == "/forums/":
		f.renderIndex(w, base)
	case threadRe.MatchString(path):
		m := threadRe.FindStringSubmatch(path)
		id, _ := strconv.Atoi(m[1])
		t := f.threads[id]
		if t == nil {
			http.NotFound(w, r)
			return
		}
		page := 1
		if m[2] != "" {
			page, _ = strconv.Atoi(m[2])
		}
		last := pages(len(t.Posts), f.PostsPerPage)
		if page > last {
			http.Redirect(w, r, pageURL(ThreadPath(t), last), http.StatusFound)
			return
		}
		if !f.ETags {
			f.renderThread(w, base, t, page, last)
			return
		}
		serveValidated(w, r, func(w http.ResponseWriter) { f.renderThread(w, base, t, page, last) })
	case boardRe.MatchString(path):
		m := boardRe.FindStringSubmatch(path)
		id, _ := strconv.Atoi(m[1])
		b := f.board(id)
		if b == nil {
			http.NotFound(w, r)
			return
		}
		page := 1
		if m[2] != "" {
			page, _ = strconv.Atoi(m[2])
		}
		f.renderBoard(w, base, b, page)
	default:
		http.NotFound(w, r)
	}
}

func (f *Forum) board(id int) *Board {
	var found *Board
	var walk func([]*Board)
	walk = func(bs []*Board) {
		for _, b := range bs {
			if b.ID == id {
				found = b
			}
			walk(b.Sub)
		}
	}
	walk(f.boards)
	return found
}

func pages(n, per int) int {
	if n == 0 {
		return 1
	}
	return (n + per - 1) / per
}

func pageURL(base string, n int) string {
	if n <= 1 {
		return base
	}
	return fmt.Sprintf("%spage-%d", base, n)
}

// serveValidated renders a page into memory and answers it with a strong ETag of its
// bytes, or 304 when the request's If-None-Match names that ETag.
func serveValidated(w http.ResponseWriter, r *http.Request, render func(http.ResponseWriter)) {
	buf := &bufferWriter{header: w.Header()}
	render(buf)
	sum := sha256.Sum256(buf.body.Bytes())
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(buf.body.Bytes())
}

// bufferWriter is an http.ResponseWriter that keeps the body in memory and shares the
// real response's headers.
type bufferWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.header }
func (b *bufferWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferWriter) WriteHeader(int)             {}

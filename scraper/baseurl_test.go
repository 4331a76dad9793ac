package scraper

import (
	"net/url"
	"testing"
)

func TestBaseURL(t *testing.T) {
	page, _ := url.Parse("https://example.com/forum/threads/123-title/page2")
	for _, c := range []struct {
		name, html string
		page       *url.URL
		want       string
	}{
		{"no base", `<p><a href="x">x</a></p>`, page, page.String()},
		{"absolute", `<head><base href="https://example.com/forum/"></head>`, page, "https://example.com/forum/"},
		{"relative to page", `<head><base href="/board/"></head>`, page, "https://example.com/board/"},
		{"first wins, even in body", `<body><base href="/a/"><base href="/b/"></body>`, page, "https://example.com/a/"},
		{"no page, absolute base", `<head><base href="https://example.org/f/"></head>`, nil, "https://example.org/f/"},
		{"no page, relative base", `<head><base href="/f/"></head>`, nil, ""},
	} {
		got := BaseURL(queryDoc(t, c.html), c.page)
		s := ""
		if got != nil {
			s = got.String()
		}
		if s != c.want {
			t.Errorf("%s: BaseURL = %q, want %q", c.name, s, c.want)
		}
	}
	in := Input{URL: page}.WithBase(queryDoc(t, `<head><base href="/forum/"></head>`))
	if got := Resolve(in.URL, "threads/9/"); got != "https://example.com/forum/threads/9/" {
		t.Errorf("link resolved against WithBase = %q", got)
	}
	if page.String() != "https://example.com/forum/threads/123-title/page2" {
		t.Errorf("WithBase changed the caller's URL: %s", page)
	}
}

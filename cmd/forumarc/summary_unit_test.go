package main

import "testing"

func TestSiteRedirected(t *testing.T) {
	for _, c := range []struct{ given, first, want string }{
		{"http://example.test/t/1/", "http://www.example.test/t/1/", "http://www.example.test/t/1/"},
		{"http://example.test/t/1/", "", ""},
		{"http://example.test/t/1/", "http://example.test/t/1/page-3", ""},
		{"http://Example.TEST/t/1/", "http://example.test/t/1/", ""},
		{"http://example.test:80/t/1/", "http://example.test/t/1/", ""},
		{"https://example.test:443/t/1/", "https://example.test/t/1/", ""},
		{"http://127.0.0.1:8080/t/1/", "http://127.0.0.1:8081/t/1/", "http://127.0.0.1:8081/t/1/"},
	} {
		if got := siteRedirected(c.given, c.first); got != c.want {
			t.Errorf("siteRedirected(%q, %q) = %q, want %q", c.given, c.first, got, c.want)
		}
	}
}

func TestThreadFailureLine(t *testing.T) {
	for _, c := range []struct {
		err  string
		want string
	}{
		{"http://h/t/1/: HTTP 404 Not Found", "http://h/t/1/: HTTP 404 Not Found"},
		{"http://h/t/1/page-2: HTTP 500 Internal Server Error", "http://h/t/1/page-2: HTTP 500 Internal Server Error"},
		{"mark deleted posts: disk full", "http://h/t/1/: mark deleted posts: disk full"},
		{"http://h/t/1/: HTTP 500\nrecord error for http://h/t/1/: disk full", "http://h/t/1/: HTTP 500; record error for http://h/t/1/: disk full"},
	} {
		if got := threadFailure("http://h/t/1/", errString(c.err)); got != c.want {
			t.Errorf("threadFailure(%q) = %q, want %q", c.err, got, c.want)
		}
	}
	for _, c := range []struct{ url, msg, want string }{
		{"http://h/x/", "http://h/x/: HTTP 404 Not Found", "HTTP 404 Not Found"},
		{"http://h/x/", "http://h/x/page-2: HTTP 404 Not Found", "http://h/x/page-2: HTTP 404 Not Found"},
		{"http://h/x/", "http://h/x/: ", "http://h/x/: "},
		{"", "boom", "boom"},
	} {
		if got := withoutURL(c.url, c.msg); got != c.want {
			t.Errorf("withoutURL(%q, %q) = %q, want %q", c.url, c.msg, got, c.want)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

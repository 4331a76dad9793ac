package scraper

import (
	"errors"
	"fmt"
	"net/url"
	"testing"
)

func TestSameRegistrableDomain(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"http://example.com/", "https://www.example.com/", true},
		{"https://www.example.com/", "https://example.com/", true},
		{"https://forum.example.co.uk/", "https://www.example.co.uk/", true},
		{"https://Example.COM./", "https://www.example.com/", true},
		{"https://example.com/", "https://example.org/", false},
		{"https://example.com/", "https://example.com.evil.test/", false},
		{"https://alice.github.io/", "https://bob.github.io/", false}, // a private suffix
		{"https://example.co.uk/", "https://other.co.uk/", false},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:9090/", true},
		{"http://127.0.0.1/", "http://127.0.0.2/", false},
		{"http://127.0.0.1:8080/", "http://localhost:8080/", false},
		{"http://localhost:1/", "http://localhost:2/", true},
		{"http://localhost/", "http://www.localhost/", true},
		{"http://[::1]:80/", "http://[::1]:81/", true},
		{"http://forum/", "http://www.forum/", true}, // a name the list cannot split
		{"http://forum/", "http://wiki/", false},
	} {
		a, _ := url.Parse(tc.a)
		b, _ := url.Parse(tc.b)
		if got := sameRegistrableDomain(a, b); got != tc.want {
			t.Errorf("sameRegistrableDomain(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSiteRedirect(t *testing.T) {
	wrap := func(from, to string) error {
		return &FetchError{URL: from, Err: &RedirectError{From: from, To: to}}
	}
	if to, ok := siteRedirect(wrap("http://example.com/", "https://www.example.com/?sid=abc#top")); !ok || to != "https://www.example.com/" {
		t.Errorf("same site: %q %v, want the target, cleaned", to, ok)
	}
	for _, err := range []error{
		wrap("http://example.com/", "https://example.org/"),
		wrap("http://example.com/", "ftp://www.example.com/"),
		&FetchError{URL: "http://example.com/", Status: 404},
		errors.New("no redirect"),
		nil,
	} {
		if to, ok := siteRedirect(err); ok {
			t.Errorf("siteRedirect(%v) = %q, want none", err, to)
		}
	}
	if _, ok := siteRedirect(fmt.Errorf("page 3: %w", wrap("http://a.example.com/x", "http://b.example.com/x"))); !ok {
		t.Error("a wrapped RedirectError is not seen")
	}
}

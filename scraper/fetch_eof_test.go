package scraper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A server that closes the connection without answering is reported in words, not as
// net/http's bare "EOF".
func TestFetchErrorConnectionClosedWithoutAnswer(t *testing.T) {
	srv := httptest.NewServer(withoutRobots(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	f := testFetcher(t, FetchConfig{Attempts: 1})
	_, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/t/1"})
	if err == nil {
		t.Fatal("fetch succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "the server closed the connection without answering") {
		t.Errorf("error = %q, want it to say the server closed the connection", msg)
	}
	if n := strings.Count(msg, srv.URL+"/t/1"); n != 1 {
		t.Errorf("error names the URL %d times: %q", n, msg)
	}
}

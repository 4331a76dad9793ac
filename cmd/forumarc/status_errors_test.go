package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/scraper/sampleforum"
	"github.com/forumarc/forumarc/store"
)

// TestStatusErrorNamesURLOnce: a page that failed is shown under "Recent errors" with
// its URL once (the URL column), not again at the start of the message, which a
// scraper.FetchError's text begins with.
func TestStatusErrorNamesURLOnce(t *testing.T) {
	f := sampleforum.Generate(sampleforum.Spec{Boards: 1, ThreadsPerBoard: 1, PostsPerThread: func(int) int { return 50 }})
	f.Fault = func(r *http.Request) (int, http.Header) {
		if strings.HasSuffix(r.URL.Path, "/page-2") {
			return http.StatusInternalServerError, nil
		}
		return 0, nil
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	thread := srv.URL + sampleforum.ThreadPath(f.Thread(1))
	failed := thread + "page-2"
	db := filepath.Join(t.TempDir(), "a.db")
	ctx := context.Background()
	if r := cli(t, ctx, "--db", db, "--log-level", "error", "archive", "--delay", "0", "--attempts", "1", thread); r.code != exitFailed {
		t.Fatalf("archive with a failing page: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if n := count(t, db, "SELECT count(*) FROM crawl_errors WHERE url = '"+failed+"' AND message = 'HTTP 500 Internal Server Error'"); n != 1 {
		t.Errorf("crawl_errors has no row for %s with the message without its URL", failed)
	}

	r := cli(t, ctx, "--db", db, "status")
	_, errs, _ := strings.Cut(r.stdout, "Recent errors:")
	errs, _, _ = strings.Cut(errs, "\nJobs:")
	if r.code != 0 || strings.Count(errs, failed) != 1 || !strings.Contains(errs, failed+"  HTTP 500 Internal Server Error") {
		t.Errorf("status: exit %d; recent errors name %s %d times, want once before the message:\n%s",
			r.code, failed, strings.Count(errs, failed), r.stdout)
	}
	r = cli(t, ctx, "--db", db, "status", "--json")
	var rep struct{ Errors []store.ErrorInfo }
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].URL != failed || rep.Errors[0].Message != "HTTP 500 Internal Server Error" {
		t.Errorf("status --json errors = %+v", rep.Errors)
	}
}

package store

import (
	"context"
	"errors"
	"testing"

	"github.com/forumarc/forumarc/scraper"
)

// TestRecordErrorDropsLeadingURL: crawl_errors.url names the page, so its message does
// not start with the URL again (a scraper.FetchError's text does); rows written before
// that are read the same way.
func TestRecordErrorDropsLeadingURL(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	r := startRun(t, db)
	const u = "https://forum.example/threads/x.9/page-2"
	cases := []struct {
		url  string
		err  error
		want string
	}{
		{u, &scraper.FetchError{URL: u, Status: 500}, "HTTP 500 Internal Server Error"},
		{u, &scraper.FetchError{URL: u, Err: errors.New("connection refused")}, "connection refused"},
		// Only the row's own URL followed by ": " is dropped.
		{u, &scraper.FetchError{URL: u + "?x=1", Status: 503}, u + "?x=1: HTTP 503 Service Unavailable"},
		{u + "/more", errors.New(u + ": no"), u + ": no"},
		{u, errors.New(u + " timed out"), u + " timed out"},
		{u, errors.New("page " + u + ": gone"), "page " + u + ": gone"},
		{u, errors.New(u + ": "), u + ": "}, // nothing after the URL: kept
	}
	for _, c := range cases {
		if err := r.RecordError(ctx, c.url, c.err); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.read.QueryContext(ctx, `SELECT url, message FROM crawl_errors ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for rows.Next() {
		var url, msg string
		if err := rows.Scan(&url, &msg); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, msg)
	}
	rows.Close()
	if len(stored) != len(cases) {
		t.Fatalf("%d rows, want %d", len(stored), len(cases))
	}
	for i, c := range cases {
		if stored[i] != c.want {
			t.Errorf("RecordError(%q, %q): message %q, want %q", c.url, c.err, stored[i], c.want)
		}
	}

	// A row from an older forumarc still repeats the URL: RecentErrors reads it as a new one.
	if _, err := db.write.ExecContext(ctx, `INSERT INTO crawl_errors (run_id, url, message, at) VALUES (?, ?, ?, ?)`,
		r.ID(), u, u+": HTTP 502 Bad Gateway", "2026-01-15T12:00:01Z"); err != nil {
		t.Fatal(err)
	}
	got, err := db.RecentErrors(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].URL != u || got[0].Message != "HTTP 502 Bad Gateway" {
		t.Errorf("RecentErrors of an old row = %+v, want message %q", got, "HTTP 502 Bad Gateway")
	}
}

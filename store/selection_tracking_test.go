package store

import (
	"strings"
	"testing"
	"time"
)

// --thread finds a thread from a link carrying tracking parameters (a newsletter's
// utm_*, fbclid), also when the query string identifies the thread (phpBB's ?t=7):
// the URL is cleaned as the archive cleans the URLs it stores.
func TestThreadSelectionDropsTrackingParams(t *testing.T) {
	db, _ := openTest(t)
	r := startRun(t, db)
	for _, id := range []string{"7", "8"} {
		p := makePage(id, 1, 1, 1)
		p.Posts[0].ID = "post" + id
		p.URL = "https://p.example/viewtopic.php?t=" + id
		p.Thread.URL = &p.URL
		mustSave(t, r, fetchedFor(p, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), p)
	}
	for _, thread := range []string{
		"https://p.example/viewtopic.php?t=7",
		"https://p.example/viewtopic.php?t=7&utm_source=newsletter&utm_medium=email&fbclid=IwAR123",
		"https://p.example/viewtopic.php?utm_campaign=x&t=7&gclid=1#p123",
	} {
		if got := strings.Join(selectedIDs(t, db, Selection{Thread: thread}), ","); got != "post7" {
			t.Errorf("--thread %s selects %q, want post7", thread, got)
		}
	}
}

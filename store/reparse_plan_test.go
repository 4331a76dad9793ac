package store

import (
	"context"
	"strings"
	"testing"
)

// TestReparseQueryUsesIndexes: reading a stored post for reparse must not scan
// crawl_runs (it grows with every scheduled run) or posts.
func TestReparseQueryUsesIndexes(t *testing.T) {
	db, _ := openTest(t)
	rows, err := db.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+sqlReparsePost,
		1, "1001", "2026-01-01T00:00:00Z", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	for _, d := range plan {
		if strings.HasPrefix(d, "SCAN r") || strings.HasPrefix(d, "SCAN crawl_runs") || strings.HasPrefix(d, "SCAN p") {
			t.Errorf("plan scans a table: %q\nwhole plan:\n%s", d, strings.Join(plan, "\n"))
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/forumarc/forumarc/store"
)

// A full disk on stdout fails every output format, the table included.
func TestUseOutputWriteErrors(t *testing.T) {
	db := demoDB(t)
	for _, args := range [][]string{
		{"search", "shellac*"},
		{"search", "--format", "jsonl", "shellac*"},
		{"search", "--format", "json", "shellac*"},
		{"query", "SELECT post_id, body_text FROM post_details"},
		{"query", "--format", "csv", "SELECT post_id, body_text FROM post_details"},
		{"query", "--format", "jsonl", "SELECT post_id, body_text FROM post_details"},
		{"query", "--format", "json", "SELECT post_id, body_text FROM post_details"},
		{"stats", "--format", "json"},
		{"stats"},
	} {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip("no /dev/full:", err)
		}
		var errb bytes.Buffer
		code := run(context.Background(), append([]string{"--db", db}, args...), env{stdout: full, stderr: &errb, stdin: strings.NewReader("")})
		full.Close()
		if code != exitFailed || !strings.Contains(errb.String(), "no space left on device") {
			t.Errorf("%v > /dev/full: exit %d, stderr %q; want 1 and the write error", args, code, errb.String())
		}
	}
}

// --author matches non-ASCII names whatever their case.
func TestAuthorUnicodeCLI(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	for _, name := range []string{"Jiří Novák", "jiří novák", "JIŘÍ NOVÁK"} {
		r := cli(t, ctx, "--db", db, "export", "--format", "jsonl", "--author", name)
		if n := strings.Count(r.stdout, "\n"); r.code != 0 || n != 12 {
			t.Errorf("export --author %q: exit %d, %d posts, want 12 (%s)", name, r.code, n, r.stderr)
		}
		r = cli(t, ctx, "--db", db, "search", "--format", "jsonl", "--author", name, "the")
		if r.code != 0 || r.stdout == "" {
			t.Errorf("search --author %q: exit %d %q %s", name, r.code, r.stdout, r.stderr)
		}
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if !strings.Contains(line, `"author_name":"Jiří Novák"`) {
				t.Errorf("search --author %q let through %s", name, line)
			}
		}
	}
}

// --thread finds the thread from a URL with a fragment, a query or no trailing slash.
func TestThreadURLCLI(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	r := cli(t, ctx, "--db", db, "query", "--format", "csv", "SELECT url FROM threads")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 {
		t.Fatalf("threads: %d %q", r.code, r.stdout)
	}
	u := lines[1]
	for _, thread := range []string{u, strings.TrimSuffix(u, "/"), u + "#post-1005", u + "?order=desc", u + "page-2#post-1030"} {
		r := cli(t, ctx, "--db", db, "export", "--format", "jsonl", "--thread", thread)
		if n := strings.Count(r.stdout, "\n"); r.code != 0 || n != 47 {
			t.Errorf("--thread %s: exit %d, %d posts, want 47 (%s)", thread, r.code, n, r.stderr)
		}
	}
}

// Search JSON uses the post_details view's names for the same data.
func TestSearchJSONFieldNames(t *testing.T) {
	db := demoDB(t)
	r := cli(t, context.Background(), "--db", db, "search", "--format", "jsonl", "--limit", "1", "shellac*")
	var hit map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &hit); r.code != 0 || err != nil {
		t.Fatalf("jsonl: %d %v %q", r.code, err, r.stdout)
	}
	id, ok := hit["post_id"].(float64)
	if !ok || id < 1 {
		t.Fatalf("post_id = %#v, want the post's row id", hit["post_id"])
	}
	q := cli(t, context.Background(), "--db", db, "query", "--format", "jsonl",
		"SELECT post_id, post_external_id, post_number, post_url, author_name, thread_id, thread_external_id, thread_url, site_url FROM post_details WHERE post_id = "+
			fmt.Sprint(int64(id)))
	var row map[string]any
	if err := json.Unmarshal([]byte(q.stdout), &row); q.code != 0 || err != nil {
		t.Fatalf("post_details: %d %v %q %s", q.code, err, q.stdout, q.stderr)
	}
	for k, v := range row {
		if hit[k] != v {
			t.Errorf("search %s = %#v, post_details %s = %#v", k, hit[k], k, v)
		}
	}
}

// query runs one statement; more is a usage error, as is SQL SQLite cannot compile.
func TestQueryStatementErrors(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	for _, q := range []string{"SELECT 1; SELECT 2", "SELECT 1;\nSELECT 2;", "SELECT ';'; DELETE FROM posts"} {
		r := cli(t, ctx, "--db", db, "query", q)
		first := strings.SplitN(r.stderr, "\n", 2)[0]
		if r.code != exitUsage || !strings.Contains(first, "one statement") || r.stdout != "" {
			t.Errorf("%q: exit %d stdout %q stderr %q, want a usage error", q, r.code, r.stdout, r.stderr)
		}
	}
	for _, q := range []string{"SELECT 1;", "SELECT ';' AS x; -- done", "SELECT 'a;b' AS x /* ; */"} {
		if r := cli(t, ctx, "--db", db, "query", q); r.code != 0 {
			t.Errorf("%q: exit %d %s", q, r.code, r.stderr)
		}
	}
	if r := cliStdin(t, "SELECT 1;\nSELECT 2;\n", "--db", db, "query", "-"); r.code != exitUsage {
		t.Errorf("stdin with two statements: exit %d %s", r.code, r.stderr)
	}
	for q, want := range map[string]string{
		"SELEC 1":                "query: bad SQL: near \"SELEC\": syntax error",
		"SELECT nope FROM posts": "query: bad SQL: no such column: nope",
		"SELECT * FROM nowhere":  "query: bad SQL: no such table: nowhere",
	} {
		r := cli(t, ctx, "--db", db, "query", q)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != exitUsage || lines[0] != "forumarc: "+want || strings.Contains(r.stderr, "SQL logic error") {
			t.Errorf("%q: exit %d stderr %q, want usage error %q", q, r.code, r.stderr, want)
		}
	}
	// Writes are still refused as such.
	if r := cli(t, ctx, "--db", db, "query", "DELETE FROM posts"); r.code == 0 || r.code == exitUsage || !strings.Contains(r.stderr, "read-only") {
		t.Errorf("DELETE: exit %d %q", r.code, r.stderr)
	}
}

// JSON output keeps <, > and & as they are and gives every column its own key.
func TestQueryJSONEncoding(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	r := cli(t, ctx, "--db", db, "query", "--format", "jsonl", "SELECT '<a&b>' AS x, json_array('<', '&') AS j")
	if r.code != 0 || r.stdout != `{"x":"<a&b>","j":"[\"<\",\"&\"]"}`+"\n" {
		t.Errorf("jsonl = %q %s", r.stdout, r.stderr)
	}
	r = cli(t, ctx, "--db", db, "query", "--format", "json", "SELECT 1 a, 2 a, 3 a_2, 4 A, 5 a")
	if r.code != 0 || strings.Join(strings.Fields(r.stdout), "") != `[{"a":1,"a_3":2,"a_2":3,"A":4,"a_4":5}]` {
		t.Errorf("json = %q %s", r.stdout, r.stderr)
	}
	r = cli(t, ctx, "--db", db, "query", "--format", "jsonl", "SELECT 1 a, 2 a")
	if r.code != 0 || r.stdout != `{"a":1,"a_2":2}`+"\n" {
		t.Errorf("jsonl = %q %s", r.stdout, r.stderr)
	}
	// Table and CSV keep the names as SQLite gives them.
	r = cli(t, ctx, "--db", db, "query", "--format", "csv", "SELECT 1 a, 2 a")
	if r.code != 0 || r.stdout != "a,a\n1,2\n" {
		t.Errorf("csv = %q %s", r.stdout, r.stderr)
	}
}

// stats --format json lists are [] on an empty archive.
func TestStatsJSONEmptyArchive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := cli(t, context.Background(), "--db", path, "stats", "--format", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil {
		t.Fatalf("stats: %d %v %q %s", r.code, err, r.stdout, r.stderr)
	}
	for _, k := range []string{"per_site", "posts_per_month", "top_authors", "top_threads"} {
		if v, ok := got[k].([]any); !ok || len(v) != 0 {
			t.Errorf("%s = %#v, want []", k, got[k])
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"testing"
)

// TestQueryJSONNonFiniteNumbersAndBlobs: json and jsonl output stays valid JSON when a
// value is ±Inf or NaN (written null; it used to leave a lone "[" and a MarshalJSON
// error), and every blob is base64, zeroblob() and blobs of UTF-8 bytes included (they
// used to come out as text, "\u0000\u0000"), while text stays text.
func TestQueryJSONNonFiniteNumbersAndBlobs(t *testing.T) {
	db := demoDB(t)
	ctx := context.Background()
	q := `SELECT 1e999 AS inf, -1e999 AS ninf, 0.5 AS half, 2 AS two, NULL AS n, 'abc' AS txt,
		x'616263' AS utf8_blob, zeroblob(3) AS zeros, x'00ff' AS bin, x'' AS empty_blob, CAST('é' AS BLOB) AS cast_blob`
	want := map[string]any{"inf": nil, "ninf": nil, "half": 0.5, "two": 2.0, "n": nil, "txt": "abc",
		"utf8_blob": "YWJj", "zeros": "AAAA", "bin": "AP8=", "empty_blob": "", "cast_blob": "w6k="}
	check := func(format string, row map[string]any) {
		t.Helper()
		for k, v := range want {
			got, ok := row[k]
			if !ok || got != v {
				t.Errorf("%s: %s = %#v, want %#v", format, k, got, v)
			}
		}
	}

	r := cli(t, ctx, "--db", db, "query", "--format", "json", q+" UNION ALL "+q)
	var rows []map[string]any
	if r.code != 0 || r.stderr != "" || json.Unmarshal([]byte(r.stdout), &rows) != nil || len(rows) != 2 {
		t.Fatalf("json: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	check("json", rows[0])

	r = cli(t, ctx, "--db", db, "query", "--format", "jsonl", "SELECT 1 AS a UNION ALL SELECT 1e999")
	if r.code != 0 || r.stdout != "{\"a\":1}\n{\"a\":null}\n" || r.stderr != "" {
		t.Errorf("jsonl: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = cli(t, ctx, "--db", db, "query", "--format", "jsonl", q)
	var row map[string]any
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &row) != nil {
		t.Fatalf("jsonl: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	check("jsonl", row)

	// CSV still shows the numbers as they are.
	if r := cli(t, ctx, "--db", db, "query", "--format", "csv", "SELECT 1e999 AS a, -1e999 AS b"); r.code != 0 || r.stdout != "a,b\n+Inf,-Inf\n" {
		t.Errorf("csv: exit %d, stdout %q", r.code, r.stdout)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/store"
)

func (a *app) queryCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "query [--format table|csv|json|jsonl] SQL|-",
		Short: "Run a read-only SQL query against the archive",
		Long: `query runs one SQL statement against the archive, opened read-only: a statement that
would write fails with a clear error and changes nothing. It works while a crawl is writing.
A trailing semicolon is fine; more than one statement, a syntax error or an unknown table or
column is a usage error (exit code 2). In json and jsonl output a column name repeated in the
result gets a suffix (a, a_2, a_3...) so every key is unique, a BLOB is a base64 string
(every blob, zeroblob() and UTF-8 bytes included; CAST it AS TEXT to see text), and a
number JSON cannot hold (+Inf, -Inf, NaN, as from SELECT 1e999) is null.
See README for the schema and the post_details view.`,
		Example: `  forumarc query "SELECT count(*) FROM posts"
  forumarc query --format csv "SELECT * FROM post_details WHERE thread_title LIKE '%budget%'" > posts.csv
  forumarc query --format jsonl "SELECT post_id, body_text FROM post_details" | jq .body_text
  echo "SELECT name, messages FROM authors ORDER BY messages DESC LIMIT 5" | forumarc query -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := args[0]
			if q == "-" {
				b, err := io.ReadAll(a.stdin)
				if err != nil {
					return fmt.Errorf("read query: %w", err)
				}
				q = string(b)
			}
			return a.query(cmd.Context(), cmd.OutOrStdout(), q, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv, json or jsonl")
	return cmd
}

func (a *app) query(ctx context.Context, w io.Writer, q, format string) error {
	switch format {
	case "table", "csv", "json", "jsonl":
	default:
		return usagef("--format must be table, csv, json or jsonl, not %q", format)
	}
	if strings.TrimSpace(q) == "" {
		return usagef("empty query")
	}
	if err := store.SingleStatement(q); err != nil {
		return usageError{err}
	}
	db, err := a.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Query(ctx, q)
	if err != nil {
		return sqlErr(err)
	}
	defer res.Close()
	out := newRowWriter(w, format, res.Columns)
	for res.Next() {
		if err := out.row(res.Values()); err != nil {
			return err
		}
	}
	if err := res.Err(); err != nil {
		return sqlErr(err)
	}
	return out.close()
}

// sqlErr makes SQL that SQLite cannot run a usage error, like a malformed search query.
func sqlErr(err error) error {
	if errors.Is(err, store.ErrBadSQL) {
		return usageError{err}
	}
	return err
}

// rowWriter prints query results in one of the supported formats.
type rowWriter struct {
	format string
	cols   []string
	keys   []string // the JSON object keys: cols, repeated names made unique
	w      io.Writer
	tw     *tabwriter.Writer
	cw     *csv.Writer
	enc    *json.Encoder
	n      int
}

func newRowWriter(w io.Writer, format string, cols []string) *rowWriter {
	rw := &rowWriter{format: format, cols: cols, w: w}
	switch format {
	case "table":
		rw.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(rw.tw, strings.Join(cols, "\t"))
	case "csv":
		rw.cw = csv.NewWriter(w)
		_ = rw.cw.Write(cols)
	case "json":
		fmt.Fprint(w, "[")
		rw.enc = json.NewEncoder(w)
		rw.enc.SetEscapeHTML(false)
		rw.keys = uniqueKeys(cols)
	case "jsonl":
		rw.enc = json.NewEncoder(w)
		rw.enc.SetEscapeHTML(false)
		rw.keys = uniqueKeys(cols)
	}
	return rw
}

// uniqueKeys gives a column name that is repeated in cols ("SELECT 1 a, 2 a") the
// suffix _2, _3... at its second, third... occurrence, skipping any name another
// column has, so a JSON object keeps every value: {"a":1,"a_2":2}.
func uniqueKeys(cols []string) []string {
	taken := make(map[string]bool, len(cols))
	for _, c := range cols {
		taken[c] = true
	}
	used := make(map[string]bool, len(cols))
	keys := make([]string, len(cols))
	for i, c := range cols {
		k := c
		for n := 2; used[k]; n++ {
			if k = fmt.Sprintf("%s_%d", c, n); taken[k] {
				k = c // another column's own name: try the next suffix
			}
		}
		used[k] = true
		keys[i] = k
	}
	return keys
}

func (rw *rowWriter) row(vals []any) error {
	rw.n++
	switch rw.format {
	case "table":
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = tableCell(v)
		}
		_, err := fmt.Fprintln(rw.tw, strings.Join(cells, "\t"))
		return err
	case "csv":
		cells := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				cells[i] = plain(v)
			}
		}
		return rw.cw.Write(cells)
	default:
		ordered := make([]kv, len(vals))
		for i, v := range vals {
			ordered[i] = kv{rw.keys[i], jsonValue(v)}
		}
		if rw.format == "json" && rw.n > 1 {
			fmt.Fprint(rw.w, ",")
		}
		return rw.enc.Encode(orderedObject(ordered))
	}
}

func (rw *rowWriter) close() error {
	switch rw.format {
	case "table":
		return rw.tw.Flush()
	case "csv":
		rw.cw.Flush()
		return rw.cw.Error()
	case "json":
		_, err := fmt.Fprintln(rw.w, "]")
		return err
	}
	return nil
}

type kv struct {
	k string
	v any
}

// orderedObject keeps the query's column order in JSON output. Like the rest of
// forumarc's JSON it keeps <, > and & as they are (json.Marshal would write \u003c…).
type orderedObject []kv

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		// Encode ends each value with a newline, dropped here.
		if err := enc.Encode(p.k); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1)
		b.WriteByte(':')
		if err := enc.Encode(p.v); err != nil {
			return nil, err
		}
		b.Truncate(b.Len() - 1)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonValue is a result value as json and jsonl write it. SQLite gives TEXT as a
// string and a BLOB as []byte: every blob is a base64 string (standard alphabet with
// padding, what encoding/json does with []byte), whatever its bytes, zeroblob() and
// blobs that happen to be UTF-8 included, so a reader decodes a blob column one way.
// JSON has no number for ±Inf and NaN (SELECT 1e999): they are null, so the output
// stays valid JSON; csv and table print them as +Inf, -Inf and NaN.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
	case []byte:
		if x == nil {
			return []byte{} // an empty blob (x''), not NULL: "" rather than null
		}
	}
	return v
}

func plain(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

func tableCell(v any) string {
	if v == nil {
		return "NULL"
	}
	s := strings.Join(strings.Fields(plain(v)), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

func (a *app) queryCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "query [--format table|csv|json|jsonl] SQL|-",
		Short: "Run a read-only SQL query against the archive",
		Long: `query runs one SQL statement against the archive, opened read-only: a statement that
would write fails with a clear error and changes nothing. It works while a crawl is writing.
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
	db, err := a.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Query(ctx, q)
	if err != nil {
		return err
	}
	defer res.Close()
	out := newRowWriter(w, format, res.Columns)
	for res.Next() {
		if err := out.row(res.Values()); err != nil {
			return err
		}
	}
	if err := res.Err(); err != nil {
		return err
	}
	return out.close()
}

// rowWriter prints query results in one of the supported formats.
type rowWriter struct {
	format string
	cols   []string
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
	case "jsonl":
		rw.enc = json.NewEncoder(w)
		rw.enc.SetEscapeHTML(false)
	}
	return rw
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
		obj := make(map[string]any, len(vals))
		ordered := make([]kv, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				if utf8.Valid(b) {
					v = string(b)
				}
			}
			obj[rw.cols[i]] = v
			ordered[i] = kv{rw.cols[i], v}
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

// orderedObject keeps the query's column order in JSON output.
type orderedObject []kv

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
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

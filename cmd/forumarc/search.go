package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/store"
)

type searchOptions struct {
	selectionFlags
	limit   int
	format  string
	literal bool
}

func (a *app) searchCmd() *cobra.Command {
	var o searchOptions
	cmd := &cobra.Command{
		Use:   "search [flags] QUERY",
		Short: "Full-text search over archived posts, best matches first",
		Long: `search finds posts whose own text (quotes excluded) matches QUERY, ranked by relevance
(bm25), with the matching words highlighted in a snippet. The archive is opened read-only, so
search works while a crawl is writing.

Query syntax (SQLite FTS5):
  gearbox sprocket        both words, anywhere in the post (AND is implied)
  "bar tape"              the exact phrase
  shellac OR varnish      either word
  frame NOT steel         posts with frame but not steel (NOT needs a term on its left)
  restor*                 prefix: restore, restored, restoration...
  (chrome OR nickel) AND rust   group with parentheses
  NEAR(brake lever, 5)    both words at most 5 words apart
Operators are case-sensitive: write AND, OR, NOT in capitals. Put words containing
punctuation in double quotes ("531-tubing"), or use --literal to search the words as typed.
Matching ignores case and accents (cafe finds café).`,
		Example: `  forumarc search shellac
  forumarc search '"bar tape" OR handlebar*' --since 2025-01 --limit 5
  forumarc search --author marta_wheels --format jsonl 'frame NOT steel' | jq -r .post_url
  forumarc search --literal 'wheel-set (front)'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.search(cmd.Context(), cmd.OutOrStdout(), strings.Join(args, " "), o)
		},
	}
	f := cmd.Flags()
	o.selectionFlags.add(f, true)
	f.IntVar(&o.limit, "limit", 20, "most results to show")
	f.StringVar(&o.format, "format", "table", "output format: table, json or jsonl")
	f.BoolVar(&o.literal, "literal", false, "search the words as typed: no operators, phrases or prefixes")
	return cmd
}

// literalQuery quotes every word so FTS5 reads none of them as syntax.
func literalQuery(q string) string {
	words := strings.Fields(q)
	for i, w := range words {
		words[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(words, " ")
}

func (a *app) search(ctx context.Context, w io.Writer, query string, o searchOptions) error {
	switch o.format {
	case "table", "json", "jsonl":
	default:
		return usagef("--format must be table, json or jsonl, not %q", o.format)
	}
	if o.limit < 1 {
		return usagef("--limit must be at least 1")
	}
	if strings.TrimSpace(query) == "" {
		return usagef("empty search query")
	}
	sel, err := o.selection()
	if err != nil {
		return err
	}
	if o.literal {
		query = literalQuery(query)
	}
	db, err := a.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	mark := [2]string{"**", "**"}
	if o.format == "table" && isTerminal(w) {
		mark = [2]string{"\x1b[1m", "\x1b[0m"}
	}
	hits, err := db.Search(ctx, query, store.SearchOptions{Selection: sel, Limit: o.limit, Mark: mark, SnippetTokens: 20})
	if errors.Is(err, store.ErrBadQuery) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	switch o.format {
	case "json", "jsonl":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if o.format == "json" {
			enc.SetIndent("", "  ")
			if hits == nil {
				hits = []store.SearchHit{}
			}
			return enc.Encode(hits)
		}
		for _, h := range hits {
			if err := enc.Encode(h); err != nil {
				return err
			}
		}
		return nil
	}
	if len(hits) == 0 {
		a.notice("no posts match")
		return nil
	}
	// Buffered: a write error (a full disk, a closed pipe) sticks and Flush returns it.
	bw := bufio.NewWriter(w)
	for i, h := range hits {
		num := "post " + h.PostExternalID
		if h.PostNumber != nil {
			num = fmt.Sprintf("#%d", *h.PostNumber)
		}
		author, date := "(unknown)", ""
		if h.AuthorName != nil {
			author = *h.AuthorName
		}
		if h.PostedAt != nil {
			date = h.PostedAt.Format("2006-01-02")
		}
		title := h.ThreadURL
		if h.ThreadTitle != nil {
			title = *h.ThreadTitle
		}
		if i > 0 {
			fmt.Fprintln(bw)
		}
		deleted := ""
		if h.Deleted {
			deleted = "  [deleted on the forum]"
		}
		fmt.Fprintf(bw, "%s %s  %s  %s  (score %.2f)%s\n", num, title, author, date, h.Score, deleted)
		fmt.Fprintf(bw, "    %s\n", strings.Join(strings.Fields(h.Snippet), " "))
		link := h.ThreadURL
		if h.PostURL != nil {
			link = *h.PostURL
		}
		fmt.Fprintf(bw, "    %s\n", link)
	}
	return bw.Flush()
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

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
  ^update                 posts starting with the word
Operators are case-sensitive: write AND, OR, NOT, NEAR in capitals; in lower case they
are words. Anything else is searched as the words it holds: a word with punctuation in
it is searched as a phrase (e-bike finds "e-bike" and "e bike"; don't, frame., c++,
50%, #frame, @marta, U.S.A, 5/32 all work as typed), punctuation on its own (-, *) and
emoji are ignored, an unclosed " ends at the end of the query and a parenthesis without
its pair is ignored. -steel is the word steel, not an exclusion: write NOT steel.
--literal reads every word as typed: no operators, phrases or prefixes (OR is the word
"or", a " or * is ignored).

Matching ignores case, and accents on Latin letters (cafe finds café, jiri finds Jiří),
but not on other letters: еще does not find ещё, and Greek accents count. Chinese,
Japanese and Thai text is indexed by whole runs of characters between spaces and
punctuation, so a word inside a run is not found: see the README for the workaround
(a LIKE query through 'forumarc query').`,
		Example: `  forumarc search shellac
  forumarc search '"bar tape" OR handlebar*' --since 2025-01 --limit 5
  forumarc search --author marta_wheels --format jsonl 'frame NOT steel' | jq -r .post_url
  forumarc search e-bike 5/32 c++
  forumarc search --literal 'wheel-set (front) OR'`,
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
	typed := query
	if o.literal {
		query, err = store.LiteralSearchQuery(typed)
	} else {
		query, err = store.SearchQuery(typed)
	}
	if err != nil {
		return usageError{err}
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
	if len(hits) == 0 {
		if o.format == "table" {
			a.notice("no posts match")
		}
		if run := unspacedRun(typed); run != "" {
			a.notice(unspacedHint(run))
		}
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

// unspacedScripts are written without spaces between words (Korean attaches particles
// to words): the unicode61 tokenizer makes one token of a whole run of them, so a word
// inside a run is not found.
var unspacedScripts = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar}

func unspacedRune(r rune) bool { return unicode.In(r, unspacedScripts...) }

// unspacedRun is the first run of such characters in the query, or "".
func unspacedRun(query string) string {
	start := strings.IndexFunc(query, unspacedRune)
	if start < 0 {
		return ""
	}
	run := query[start:]
	if end := strings.IndexFunc(run, func(r rune) bool { return !unspacedRune(r) }); end >= 0 {
		run = run[:end]
	}
	return run
}

// unspacedHint is the one line shown when a query in such a script found nothing.
func unspacedHint(run string) string {
	return fmt.Sprintf("hint: text in Chinese, Japanese, Korean or Thai is indexed by whole runs of characters, "+
		"so a word inside a longer run is not found; search for the text itself with: "+
		"forumarc query \"SELECT post_url, body_text FROM post_details WHERE body_text LIKE '%%%s%%'\"", run)
}

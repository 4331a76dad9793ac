package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// ErrBadQuery: the full-text query is not valid FTS5 syntax. The error carries the
// query, SQLite's complaint without its noise, and a hint; callers show it as it is.
var ErrBadQuery = errors.New("bad query")

// searchHint is appended to ErrBadQuery messages: most mistakes are a stray operator,
// an unbalanced quote or punctuation that FTS5 reads as syntax.
const searchHint = `hint: put phrases and words with punctuation in double quotes ("wheel-set"), ` +
	`write AND, OR, NOT in capitals between two terms, end a word with * for a prefix`

// SearchOptions narrows and shapes a search.
type SearchOptions struct {
	Selection
	// Limit is the most hits returned; 0 means 20.
	Limit int
	// Mark wraps each matched term in the snippet, e.g. {"[", "]"}; empty means none.
	Mark [2]string
	// SnippetTokens is the snippet length in tokens (1-64); 0 means 16.
	SnippetTokens int
}

// SearchHit is one matching post, best first. Its JSON names are those of the
// post_details view for the same data: post_id and thread_id are the archive's row
// ids (integers), post_external_id and thread_external_id the forum's ids.
type SearchHit struct {
	PostID           int64      `json:"post_id"`
	PostExternalID   string     `json:"post_external_id"`
	PostNumber       *int       `json:"post_number"`
	PostURL          *string    `json:"post_url"`
	AuthorName       *string    `json:"author_name"`
	PostedAt         *time.Time `json:"posted_at"`
	ThreadID         int64      `json:"thread_id"`
	ThreadExternalID string     `json:"thread_external_id"`
	ThreadTitle      *string    `json:"thread_title"`
	ThreadURL        string     `json:"thread_url"`
	SiteURL          string     `json:"site_url"`
	// Deleted: the post vanished from the forum (post_details.deleted_at is set).
	Deleted bool `json:"deleted"`
	// Score is bm25 relevance, higher is better (SQLite's bm25() negated).
	Score   float64 `json:"score"`
	Snippet string  `json:"snippet"`
}

// Search runs an FTS5 query over post text (quotes excluded, so each post's own words
// count once) and returns hits ranked by bm25. query is FTS5 syntax: SearchQuery and
// LiteralSearchQuery build it from what a person types. Syntax errors in query are
// returned as ErrBadQuery in plain words with a hint, never as a raw SQLite error.
//
// It ranks first, then builds snippets. A selective query ranks in well under a
// millisecond, and one statement ranking and building snippets together is then the
// fastest way. When ranking was slow (a word in most posts), that statement would
// spend seconds more on joins for every match, so the snippets of the kept hits are
// built one by one instead. Both phases read one snapshot.
func (db *DB) Search(ctx context.Context, query string, o SearchOptions) ([]SearchHit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, fmt.Errorf("search: %w: empty query", ErrBadQuery)
	}
	limit := o.Limit
	if limit <= 0 {
		limit = 20
	}
	tokens := o.SnippetTokens
	if tokens <= 0 {
		tokens = 16
	}
	tokens = min(tokens, 64)
	const from = `FROM posts_fts
	JOIN posts p ON p.id = posts_fts.rowid
	JOIN threads t ON t.id = p.thread_id
	JOIN sites s ON s.id = t.site_id
	LEFT JOIN authors a ON a.id = p.author_id`

	tx, err := db.snap.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	sel, err := o.Selection.resolveAuthor(ctx, tx) // once, not in each phase's statement
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	where, args := sel.where()

	// Phase 1: the ranked ids.
	rank := `SELECT posts_fts.rowid, bm25(posts_fts) AS rank FROM posts_fts WHERE posts_fts MATCH ? ORDER BY rank, posts_fts.rowid LIMIT ?`
	rankArgs := []any{query, limit}
	if where != "1" {
		rank = `SELECT p.id, bm25(posts_fts) AS rank ` + from + ` WHERE posts_fts MATCH ? AND ` + where + ` ORDER BY rank, p.id LIMIT ?`
		rankArgs = append(append([]any{query}, args...), limit)
	}
	start := time.Now()
	rows, err := tx.QueryContext(ctx, rank, rankArgs...)
	if err != nil {
		return nil, searchErr(query, err)
	}
	type ranked struct {
		id   int64
		rank float64
	}
	var top []ranked
	for rows.Next() {
		var r ranked
		if err := rows.Scan(&r.id, &r.rank); err != nil {
			rows.Close()
			return nil, searchErr(query, err)
		}
		top = append(top, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, searchErr(query, err)
	}
	if len(top) == 0 {
		return nil, nil
	}

	const columns = `SELECT p.id, p.external_id, p.number, p.url, COALESCE(a.name, p.author_name), p.posted_at,
		t.id, t.external_id, t.title, t.url, s.base_url, p.deleted_at IS NOT NULL,
		bm25(posts_fts) AS rank, snippet(posts_fts, 0, ?, ?, '…', ?) `
	marks := []any{o.Mark[0], o.Mark[1], tokens}
	var hits []SearchHit
	if time.Since(start) < searchSlowRanking {
		// Phase 2, selective query: rank again and build the snippets in one statement.
		q := columns + from + ` WHERE posts_fts MATCH ? AND ` + where + ` ORDER BY rank, p.id LIMIT ?`
		all := append(append(append(marks, query), args...), limit)
		rows, err := tx.QueryContext(ctx, q, all...)
		if err != nil {
			return nil, searchErr(query, err)
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHit(rows)
			if err != nil {
				return nil, searchErr(query, err)
			}
			hits = append(hits, h)
		}
		if err := rows.Err(); err != nil {
			return nil, searchErr(query, err)
		}
		return hits, nil
	}
	// Phase 2, common words: the snippets of the kept hits only.
	stmt, err := tx.PrepareContext(ctx, columns+from+` WHERE posts_fts MATCH ? AND posts_fts.rowid = ?`)
	if err != nil {
		return nil, searchErr(query, err)
	}
	defer stmt.Close()
	for _, r := range top {
		rows, err := stmt.QueryContext(ctx, append(marks, query, r.id)...)
		if err != nil {
			return nil, searchErr(query, err)
		}
		if rows.Next() {
			h, err := scanHit(rows)
			if err != nil {
				rows.Close()
				return nil, searchErr(query, err)
			}
			h.Score = -r.rank // bm25 of the ranking pass, over all matches
			hits = append(hits, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, searchErr(query, err)
		}
	}
	return hits, nil
}

// searchSlowRanking is the ranking time above which Search builds snippets hit by hit
// (a variable so tests can force either path).
var searchSlowRanking = 25 * time.Millisecond

func scanHit(rows *sql.Rows) (SearchHit, error) {
	var (
		h                                   SearchHit
		number                              sql.NullInt64
		url, author, posted, title, snippet sql.NullString
		rank                                float64
	)
	if err := rows.Scan(&h.PostID, &h.PostExternalID, &number, &url, &author, &posted, &h.ThreadID, &h.ThreadExternalID,
		&title, &h.ThreadURL, &h.SiteURL, &h.Deleted, &rank, &snippet); err != nil {
		return h, err
	}
	if number.Valid {
		n := int(number.Int64)
		h.PostNumber = &n
	}
	h.PostURL, h.AuthorName, h.ThreadTitle = strPtr(url), strPtr(author), strPtr(title)
	h.PostedAt = timePtr(posted)
	h.Score, h.Snippet = -rank, snippet.String
	return h, nil
}

// sqliteNoise is what modernc's error text adds around SQLite's own message.
var sqliteNoise = regexp.MustCompile(`^(SQL logic error|SQLITE_ERROR)[: ]*|\s*\(\d+\)$`)

// searchErr turns an error of the search statement into ErrBadQuery when it comes
// from the MATCH expression (the rest of the statement is fixed, so an SQLITE_ERROR
// here is the user's query), keeping cancellations and I/O errors as they are.
func searchErr(query string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	if sqliteCode(err) == 1 || strings.Contains(msg, "fts5") {
		clean := sqliteNoise.ReplaceAllString(msg, "")
		clean = strings.TrimPrefix(clean, "fts5: ")
		return fmt.Errorf("search: %w %q: %s; %s", ErrBadQuery, query, plainFTSError(clean), searchHint)
	}
	return fmt.Errorf("search %q: %w", query, err)
}

var (
	ftsNoColumn = regexp.MustCompile(`^no such column: (.*)$`)
	ftsNear     = regexp.MustCompile(`^syntax error near "(.*)"$`)
)

// plainFTSError says what FTS5's complaint about a query means for the one who typed
// it, naming what to quote. (SearchQuery's expressions never draw one; a raw FTS5
// query passed to Search can.)
func plainFTSError(msg string) string {
	switch m := ftsNoColumn.FindStringSubmatch(msg); {
	case m != nil:
		return fmt.Sprintf("a word followed by ':' or after '-' is read as a column name (%s): put the word holding it in double quotes", m[1])
	case strings.HasPrefix(msg, "unknown special query"):
		return "a '*' must end a word (restor*): put a lone * in double quotes or leave it out"
	case msg == "unterminated string":
		return `a double quote is not closed: end the phrase with "`
	}
	if m := ftsNear.FindStringSubmatch(msg); m != nil {
		if m[1] == "" {
			return "the query ends too soon: an operator (AND, OR, NOT) needs a word after it"
		}
		return fmt.Sprintf("%q cannot be read here: put the word holding it in double quotes", m[1])
	}
	return msg
}

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

// SearchHit is one matching post, best first.
type SearchHit struct {
	PostRowID   int64      `json:"post_rowid"`
	PostID      string     `json:"post_id"`
	Number      *int       `json:"number"`
	URL         *string    `json:"url"`
	Author      *string    `json:"author"`
	PostedAt    *time.Time `json:"posted_at"`
	ThreadID    string     `json:"thread_id"`
	ThreadTitle *string    `json:"thread_title"`
	ThreadURL   string     `json:"thread_url"`
	Site        string     `json:"site"`
	Deleted     bool       `json:"deleted"`
	// Score is bm25 relevance, higher is better (SQLite's bm25() negated).
	Score   float64 `json:"score"`
	Snippet string  `json:"snippet"`
}

// Search runs an FTS5 query over post text (quotes excluded, so each post's own words
// count once) and returns hits ranked by bm25. Syntax errors in query are returned as
// ErrBadQuery with a hint, never as a raw SQLite error.
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
	// Rank first, then join and build snippets for the hits kept only: for a common
	// word, snippets and joins for every match would cost more than the ranking.
	where, args := o.Selection.where()
	top := `SELECT posts_fts.rowid AS id, bm25(posts_fts) AS rank FROM posts_fts
		WHERE posts_fts MATCH ? ORDER BY rank, id LIMIT ?`
	if where != "1" {
		top = `SELECT p.id AS id, bm25(posts_fts) AS rank FROM posts_fts
		JOIN posts p ON p.id = posts_fts.rowid
		JOIN threads t ON t.id = p.thread_id
		JOIN sites s ON s.id = t.site_id
		LEFT JOIN authors a ON a.id = p.author_id
		WHERE posts_fts MATCH ? AND ` + where + ` ORDER BY rank, id LIMIT ?`
	}
	q := `WITH top AS (` + top + `)
	SELECT p.id, p.external_id, p.number, p.url, COALESCE(a.name, p.author_name), p.posted_at,
		t.external_id, t.title, t.url, s.base_url, p.deleted_at IS NOT NULL,
		top.rank, snippet(posts_fts, 0, ?, ?, '…', ?)
	FROM top
	JOIN posts_fts ON posts_fts.rowid = top.id
	JOIN posts p ON p.id = top.id
	JOIN threads t ON t.id = p.thread_id
	JOIN sites s ON s.id = t.site_id
	LEFT JOIN authors a ON a.id = p.author_id
	WHERE posts_fts MATCH ?
	ORDER BY top.rank, top.id`
	// Placeholders in text order: the top query's, then the outer query's.
	all := append([]any{query}, args...)
	all = append(all, limit, o.Mark[0], o.Mark[1], tokens, query)
	rows, err := db.read.QueryContext(ctx, q, all...)
	if err != nil {
		return nil, searchErr(query, err)
	}
	defer rows.Close()
	var hits []SearchHit
	for rows.Next() {
		var (
			h        SearchHit
			number   sql.NullInt64
			url      sql.NullString
			author   sql.NullString
			posted   sql.NullString
			title    sql.NullString
			rank     float64
			deleted  bool
			snippet  sql.NullString
			threadID string
		)
		if err := rows.Scan(&h.PostRowID, &h.PostID, &number, &url, &author, &posted, &threadID, &title,
			&h.ThreadURL, &h.Site, &deleted, &rank, &snippet); err != nil {
			return nil, searchErr(query, err)
		}
		if number.Valid {
			n := int(number.Int64)
			h.Number = &n
		}
		h.URL, h.Author, h.ThreadTitle = strPtr(url), strPtr(author), strPtr(title)
		h.PostedAt = timePtr(posted)
		h.ThreadID, h.Deleted, h.Score, h.Snippet = threadID, deleted, -rank, snippet.String
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, searchErr(query, err)
	}
	return hits, nil
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
		return fmt.Errorf("search: %w %q: %s; %s", ErrBadQuery, query, clean, searchHint)
	}
	return fmt.Errorf("search %q: %w", query, err)
}

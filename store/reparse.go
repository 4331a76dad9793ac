package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/forumarc/forumarc/scraper"
)

// PostChange is one post a reparse added or changed.
type PostChange struct {
	PostID  string `json:"post_id"`
	Kind    string `json:"kind"` // "new", "changed" (text: a revision is kept) or "metadata"
	OldText string `json:"old_text,omitempty"`
	NewText string `json:"new_text,omitempty"`
	// Fields lists what a "metadata" change touched: number, url, author, posted_at,
	// posted_text, edited_at, quotes.
	Fields []string `json:"fields,omitempty"`
}

// ReparseResult is what re-extracting one stored page changed (or, on a dry run,
// would change).
type ReparseResult struct {
	PageURL      string       `json:"page_url"`
	New          int          `json:"new"`
	Updated      int          `json:"updated"`
	Unchanged    int          `json:"unchanged"` // text unchanged (Metadata of them had other fields re-read differently)
	Metadata     int          `json:"metadata"`
	ThreadUpdate bool         `json:"thread_updated"`
	Changes      []PostChange `json:"changes,omitempty"`
}

// errDryRun rolls a reparse transaction back after it ran.
var errDryRun = errors.New("dry run")

// ReparsePage stores the posts re-extracted from an archived page through the same
// code as SavePage (saveAuthors, savePosts): a post whose content changed keeps its
// old version in post_revisions, a post the old extractor missed is added, unchanged
// posts are left as they are. Times are the page's fetched_at, because that is when
// the forum showed what was extracted: new posts get it as first_seen_at, replaced
// versions as replaced_at. Authors already seen later elsewhere keep their newer
// sidebar values. The thread row is the page's own; only its title, prefix and forum
// path are refreshed. With dryRun the transaction is rolled back and the result says
// what would have changed. The run's posts_new/posts_updated count what was written.
func (r *Run) ReparsePage(ctx context.Context, pg StoredPage, p *scraper.Page, dryRun bool) (ReparseResult, error) {
	res := ReparseResult{PageURL: pg.URL}
	if p == nil {
		return res, fmt.Errorf("reparse %s: no extracted page", pg.URL)
	}
	if pg.ThreadRowID == 0 {
		return res, fmt.Errorf("reparse %s: the stored page belongs to no thread", pg.URL)
	}
	db := r.db
	at := stamp(pg.FetchedAt)
	if pg.FetchedAt.IsZero() {
		at = db.stampNow()
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res = ReparseResult{PageURL: pg.URL}
		var (
			siteID                     int64
			oldTitle, oldPrefix, oldFP sql.NullString
		)
		if err := tx.QueryRowContext(ctx, `SELECT site_id, title, prefix, forum_path FROM threads WHERE id = ?`,
			pg.ThreadRowID).Scan(&siteID, &oldTitle, &oldPrefix, &oldFP); err != nil {
			return fmt.Errorf("thread %d: %w", pg.ThreadRowID, err)
		}
		var fp any
		if len(p.Thread.ForumPath) > 0 {
			b, err := json.Marshal(p.Thread.ForumPath)
			if err != nil {
				return err
			}
			fp = string(b)
		}
		if changedPtr(oldTitle, p.Thread.Title) || changedPtr(oldPrefix, p.Thread.Prefix) ||
			(fp != nil && (!oldFP.Valid || oldFP.String != fp.(string))) {
			res.ThreadUpdate = true
			if _, err := tx.ExecContext(ctx, `UPDATE threads SET title = COALESCE(?, title),
				prefix = COALESCE(?, prefix), forum_path = COALESCE(?, forum_path) WHERE id = ?`,
				p.Thread.Title, p.Thread.Prefix, fp, pg.ThreadRowID); err != nil {
				return fmt.Errorf("thread %d: %w", pg.ThreadRowID, err)
			}
		}

		// What each post is before saving, for the report.
		requote := map[int64][]scraper.Quote{} // unchanged posts whose quotes were re-read differently
		for i := range p.Posts {
			post := &p.Posts[i]
			var (
				id                                        int64
				hash, text                                string
				number                                    sql.NullInt64
				url, name, posted, postedText, edited, ak sql.NullString
				quotes                                    string
			)
			err := tx.QueryRowContext(ctx, `SELECT p.id, p.content_hash, p.body_text, p.number, p.url, p.author_name,
					p.posted_at, p.posted_text, p.edited_at, a.external_id,
					(SELECT json_group_array(json_array(q.quoted_author, q.quoted_post_external_id, q.body_text))
					 FROM quotes q WHERE q.post_id = p.id)
				FROM posts p LEFT JOIN authors a ON a.id = p.author_id
				WHERE p.thread_id = ? AND p.external_id = ?`, pg.ThreadRowID, post.ID).Scan(
				&id, &hash, &text, &number, &url, &name, &posted, &postedText, &edited, &ak, &quotes)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				res.Changes = append(res.Changes, PostChange{PostID: post.ID, Kind: "new", NewText: post.BodyText})
				continue
			case err != nil:
				return fmt.Errorf("post %s: %w", post.ID, err)
			case hash != ContentHash(post):
				res.Changes = append(res.Changes, PostChange{PostID: post.ID, Kind: "changed", OldText: text, NewText: post.BodyText})
				continue
			}
			var fields []string
			if post.Number != nil && (!number.Valid || number.Int64 != int64(*post.Number)) {
				fields = append(fields, "number")
			}
			if changedPtr(url, post.URL) {
				fields = append(fields, "url")
			}
			if !ak.Valid || ak.String != authorKey(&post.Author) || changedPtr(name, post.Author.Name) {
				fields = append(fields, "author")
			}
			if t := stampPtr(post.PostedAt); t != nil && (!posted.Valid || posted.String != t.(string)) {
				fields = append(fields, "posted_at")
			}
			if changedPtr(postedText, post.PostedText) {
				fields = append(fields, "posted_text")
			}
			if t := stampPtr(post.EditedAt); t != nil && (!edited.Valid || edited.String != t.(string)) {
				fields = append(fields, "edited_at")
			}
			if !sameQuotes(quotes, post.Quotes) {
				fields = append(fields, "quotes")
				requote[id] = post.Quotes
			}
			if len(fields) > 0 {
				res.Metadata++
				res.Changes = append(res.Changes, PostChange{PostID: post.ID, Kind: "metadata", Fields: fields})
			}
		}

		// Authors seen on a newer page keep the values shown there.
		fresh := make([]scraper.Post, 0, len(p.Posts))
		authorIDs := map[string]int64{}
		for i := range p.Posts {
			k := authorKey(&p.Posts[i].Author)
			if _, ok := authorIDs[k]; ok {
				continue
			}
			var id int64
			var lastSeen string
			err := tx.QueryRowContext(ctx, `SELECT id, last_seen_at FROM authors WHERE site_id = ? AND external_id = ?`,
				siteID, k).Scan(&id, &lastSeen)
			switch {
			case err == nil && lastSeen > at:
				authorIDs[k] = id
			case err == nil || errors.Is(err, sql.ErrNoRows):
				fresh = append(fresh, p.Posts[i])
			default:
				return fmt.Errorf("author %s: %w", k, err)
			}
		}
		if len(fresh) > 0 {
			// All posts of a fresh author, so its last appearance on the page wins as in SavePage.
			freshKeys := map[string]bool{}
			for i := range fresh {
				freshKeys[authorKey(&fresh[i].Author)] = true
			}
			fresh = fresh[:0]
			for i := range p.Posts {
				if freshKeys[authorKey(&p.Posts[i].Author)] {
					fresh = append(fresh, p.Posts[i])
				}
			}
			ids, err := db.saveAuthors(ctx, tx, siteID, fresh, at)
			if err != nil {
				return fmt.Errorf("authors: %w", err)
			}
			for k, id := range ids {
				authorIDs[k] = id
			}
		}
		var st scraper.SaveStats
		if err := db.savePosts(ctx, tx, pg.ThreadRowID, p.Posts, authorIDs, at, 0, &st); err != nil {
			return err
		}
		res.New, res.Updated, res.Unchanged = st.PostsNew, st.PostsUpdated, st.PostsUnchanged
		// savePosts rewrites quotes only with a new content version; a fixed quote
		// reader must reach unchanged posts too.
		if len(requote) > 0 {
			ins, err := db.stmt(ctx, tx, sqlInsertQuote)
			if err != nil {
				return err
			}
			for postID, qs := range requote {
				if _, err := tx.ExecContext(ctx, `DELETE FROM quotes WHERE post_id = ?`, postID); err != nil {
					return fmt.Errorf("quotes: %w", err)
				}
				for _, q := range qs {
					if _, err := ins.ExecContext(ctx, postID, q.PostID, q.Author, q.Text); err != nil {
						return fmt.Errorf("quotes: %w", err)
					}
				}
			}
		}
		if dryRun {
			return errDryRun
		}
		// The counters of every page refresh the run's heartbeat (see StartRun) too.
		if _, err := tx.ExecContext(ctx, `UPDATE crawl_runs SET posts_new = posts_new + ?,
			posts_updated = posts_updated + ?, heartbeat_at = ? WHERE id = ?`,
			st.PostsNew, st.PostsUpdated, db.stampNow(), r.id); err != nil {
			return fmt.Errorf("run counters: %w", err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return ReparseResult{PageURL: pg.URL}, fmt.Errorf("reparse %s: %w", pg.URL, err)
	}
	if !dryRun {
		r.beaten()
		r.mu.Lock()
		r.stats.PostsNew += res.New
		r.stats.PostsUpdated += res.Updated
		r.mu.Unlock()
	}
	return res, nil
}

// sameQuotes compares stored quotes (json_group_array of [author, post id, text], as
// the reparse query reads them) with extracted ones.
func sameQuotes(stored string, qs []scraper.Quote) bool {
	var rows [][3]*string
	if err := json.Unmarshal([]byte(stored), &rows); err != nil || len(rows) != len(qs) {
		return false
	}
	eq := func(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	for i, r := range rows {
		t := qs[i].Text
		if !eq(r[0], qs[i].Author) || !eq(r[1], qs[i].PostID) || !eq(r[2], &t) {
			return false
		}
	}
	return true
}

// changedPtr reports whether a newly extracted optional value would replace the stored
// one (a nil value never replaces).
func changedPtr(old sql.NullString, v *string) bool {
	return v != nil && (!old.Valid || old.String != *v)
}

// ThreadPostIDs lists the forum post ids stored for a thread, so a reparse of all its
// pages can report stored posts the extractor no longer finds.
func (db *DB) ThreadPostIDs(ctx context.Context, threadRowID int64) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT external_id FROM posts WHERE thread_id = ? ORDER BY number, id`, threadRowID)
	if err != nil {
		return nil, fmt.Errorf("thread %d posts: %w", threadRowID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("thread %d posts: %w", threadRowID, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// StartReparse begins a reparse: a crawl_runs row with command "reparse" that counts
// what it changes, or, for a dry run, a Run that writes no row (its pages are rolled
// back anyway).
func (db *DB) StartReparse(ctx context.Context, args []string, dryRun bool) (*Run, error) {
	if db.write == nil {
		return nil, fmt.Errorf("start reparse: %w", ErrReadOnly)
	}
	if dryRun {
		return &Run{db: db}, nil
	}
	return db.StartRun(ctx, "reparse", args)
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"time"

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
	// Stale counts the posts (among Unchanged) left as they are because a newer page
	// showed them (see ReparsePage).
	Stale int `json:"stale,omitempty"`
}

// errDryRun rolls a reparse transaction back after it ran.
var errDryRun = errors.New("dry run")

// ReparsePage stores the posts re-extracted from an archived page through the same
// code as SavePage (saveAuthors, savePosts): a post whose content changed keeps its
// old version in post_revisions, a post the old extractor missed is added, unchanged
// posts are left as they are. Times are the page's fetched_at, because that is when
// the forum showed what was extracted: new posts get it as first_seen_at, replaced
// versions as replaced_at. Authors already seen later elsewhere keep their newer
// sidebar values.
//
// A stored page can be older than what the archive knows: a page that now redirects
// elsewhere (the thread shrank) keeps its last copy, while the posts it showed were
// seen since on another page, with other numbers. Such a post (see sqlReparsePost:
// the run that last saw it started after this page was fetched, and another page of
// the thread was fetched in or after that run) is left entirely as the newer page
// showed it (number, url, text, author, dates, quotes), and counted in Stale; it is
// reparsed from that newer page. For the other posts a reparse never moves
// last_seen_at back, and keeps a deletion marked by a run that started after the page
// was fetched (the post was there then, not since). The thread row is the page's own;
// only its title, prefix and forum path are refreshed, and only from the newest
// stored page of the thread. With dryRun the transaction is rolled back and the
// result says what would have changed. The run's posts_new/posts_updated count what
// was written.
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
		// What the thread shows now comes from its newest page.
		var newer bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pages
				WHERE thread_id = ? AND id != ? AND fetched_at > ?)`, pg.ThreadRowID, pg.RowID, at).Scan(&newer); err != nil {
			return fmt.Errorf("thread %d pages: %w", pg.ThreadRowID, err)
		}
		if !newer && (changedPtr(oldTitle, p.Thread.Title) || changedPtr(oldPrefix, p.Thread.Prefix) ||
			(fp != nil && (!oldFP.Valid || oldFP.String != fp.(string)))) {
			res.ThreadUpdate = true
			if _, err := tx.ExecContext(ctx, `UPDATE threads SET title = COALESCE(?, title),
				prefix = COALESCE(?, prefix), forum_path = COALESCE(?, forum_path) WHERE id = ?`,
				p.Thread.Title, p.Thread.Prefix, fp, pg.ThreadRowID); err != nil {
				return fmt.Errorf("thread %d: %w", pg.ThreadRowID, err)
			}
		}

		// What each post is before saving, for the report.
		requote := map[int64][]scraper.Quote{} // unchanged posts whose quotes were re-read differently
		stale := map[string]bool{}             // posts a newer page showed: left alone
		restore := map[int64]seenState{}       // what savePosts must not move back
		for i := range p.Posts {
			post := &p.Posts[i]
			if stale[post.ID] {
				continue
			}
			var (
				id                                        int64
				hash, text, lastSeen                      string
				number                                    sql.NullInt64
				url, name, posted, postedText, edited, ak sql.NullString
				deleted                                   sql.NullString
				quotes                                    string
				newerSeen, newerDeleted                   bool
			)
			err := tx.QueryRowContext(ctx, sqlReparsePost, pg.ThreadRowID, post.ID, at, pg.RowID).Scan(
				&id, &hash, &text, &number, &url, &name, &posted, &postedText, &edited, &ak, &quotes,
				&lastSeen, &deleted, &newerSeen, &newerDeleted)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				res.Changes = append(res.Changes, PostChange{PostID: post.ID, Kind: "new", NewText: post.BodyText})
				continue
			case err != nil:
				return fmt.Errorf("post %s: %w", post.ID, err)
			case newerSeen:
				stale[post.ID] = true
				res.Stale++
				continue
			}
			if lastSeen > at || (deleted.Valid && newerDeleted) {
				st := seenState{lastSeen: lastSeen}
				if newerDeleted {
					st.deleted = deleted
				}
				restore[id] = st
			}
			switch {
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
			ids, err := db.saveAuthors(ctx, tx, nil, siteID, fresh, at)
			if err != nil {
				return fmt.Errorf("authors: %w", err)
			}
			for k, id := range ids {
				authorIDs[k] = id
			}
		}
		posts := p.Posts
		if len(stale) > 0 {
			posts = make([]scraper.Post, 0, len(p.Posts))
			for i := range p.Posts {
				if !stale[p.Posts[i].ID] {
					posts = append(posts, p.Posts[i])
				}
			}
		}
		var st scraper.SaveStats
		if err := db.savePosts(ctx, tx, pg.ThreadRowID, posts, authorIDs, at, 0, &st); err != nil {
			return err
		}
		res.New, res.Updated, res.Unchanged = st.PostsNew, st.PostsUpdated, st.PostsUnchanged+res.Stale
		// savePosts stamps what it saves as seen at the page's time, not deleted; the
		// archive knows better when it saw the post since or found it gone since.
		for postID, s := range restore {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET last_seen_at = max(last_seen_at, ?),
				deleted_at = coalesce(deleted_at, ?) WHERE id = ?`, s.lastSeen, s.deleted, postID); err != nil {
				return fmt.Errorf("post %d: %w", postID, err)
			}
		}
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

// sqlReparsePost reads a stored post as ReparsePage compares it (?1 thread row, ?2
// post id), with its last_seen_at and deleted_at, and two verdicts on the page (?3
// its fetched_at, ?4 its row):
//
//   - a newer page showed the post: the run that last saw it (or, for a post no run
//     has seen since migration 0007, some crawl or archive run started by its
//     last_seen_at) started after the page was fetched, and another page of the
//     thread was fetched in or after that run. Pages are fetched during the run that
//     saves them, so that run saw the post on another page. (Comparing last_seen_at
//     with fetched_at alone would not do: a page's posts are saved a moment after it
//     is fetched, often in the next second.)
//   - the post was found gone since: a run that started after the page was fetched
//     marked it deleted (a run the page belongs to may unmark it: the page is its
//     evidence that the post was there).
//
// Reparse runs never count: they see nothing new.
// sqlReparsePost reads a stored post and whether a newer page showed it. The run that
// last saw it is looked up by its id (last_seen_run, set on every post saved since
// migration 0007); only older rows, and deleted posts, search runs by start time
// (crawl_runs_started, migration 0013), so a reparse costs no scan of crawl_runs per
// post.
const sqlReparsePost = `SELECT p.id, p.content_hash, p.body_text, p.number, p.url, p.author_name,
		p.posted_at, p.posted_text, p.edited_at, a.external_id,
		(SELECT json_group_array(json_array(q.quoted_author, q.quoted_post_external_id, q.body_text))
		 FROM quotes q WHERE q.post_id = p.id),
		p.last_seen_at, p.deleted_at,
		CASE WHEN p.last_seen_run IS NOT NULL THEN
			EXISTS (SELECT 1 FROM crawl_runs r
				WHERE r.id = p.last_seen_run AND r.started_at > ?3 AND r.command != 'reparse'
				  AND EXISTS (SELECT 1 FROM pages o WHERE o.thread_id = p.thread_id AND o.id != ?4
					AND o.fetched_at >= r.started_at))
		ELSE
			EXISTS (SELECT 1 FROM crawl_runs r
				WHERE r.started_at > ?3 AND r.started_at <= p.last_seen_at AND r.command != 'reparse'
				  AND EXISTS (SELECT 1 FROM pages o WHERE o.thread_id = p.thread_id AND o.id != ?4
					AND o.fetched_at >= r.started_at))
		END,
		p.deleted_at IS NOT NULL AND EXISTS (SELECT 1 FROM crawl_runs r
			WHERE r.started_at > ?3 AND r.started_at <= p.deleted_at AND r.command != 'reparse')
	FROM posts p LEFT JOIN authors a ON a.id = p.author_id
	WHERE p.thread_id = ?1 AND p.external_id = ?2`

// seenState is what a post's last_seen_at and deleted_at (when NULL, none to keep)
// were before a reparse saved it.
type seenState struct {
	lastSeen string
	deleted  sql.NullString
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

// ThreadPost is a post stored for a thread, as a reparse of all the thread's pages
// checks it: its forum id, and when a crawl found it gone from the forum (nil: never).
type ThreadPost struct {
	ID        string
	DeletedAt *time.Time
}

// ThreadPosts lists the posts stored for a thread, so a reparse of all its pages can
// report the stored posts that its pages no longer show: deleted on the forum, shown
// only by an older copy of a page, or no longer found by the extractor.
func (db *DB) ThreadPosts(ctx context.Context, threadRowID int64) ([]ThreadPost, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT external_id, deleted_at FROM posts
		WHERE thread_id = ? ORDER BY number, id`, threadRowID)
	if err != nil {
		return nil, fmt.Errorf("thread %d posts: %w", threadRowID, err)
	}
	defer rows.Close()
	var out []ThreadPost
	for rows.Next() {
		var p ThreadPost
		var deleted sql.NullString
		if err := rows.Scan(&p.ID, &deleted); err != nil {
			return nil, fmt.Errorf("thread %d posts: %w", threadRowID, err)
		}
		p.DeletedAt = timePtr(deleted)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ThreadPageCopies yields the earlier copies (page_versions) of a thread's stored
// pages fetched at or before until (zero: all of them), newest first, with their bytes
// (VersionID set; RowID, Number, Site and Engine are the page's); a copy that cannot be
// decompressed is yielded as an error and the others follow. A reparse reads them
// for the posts the current copies no longer show: the copy a re-fetch replaced is the
// last one that showed a post deleted on the forum since.
func (db *DB) ThreadPageCopies(ctx context.Context, threadRowID int64, until time.Time) iter.Seq2[*StoredPage, error] {
	return func(yield func(*StoredPage, error) bool) {
		q := `SELECT v.id, v.page_id, v.url, v.fetched_at, v.status, COALESCE(v.etag, ''),
			COALESCE(v.last_modified, ''), v.sha256, COALESCE(v.encoding, ''), v.html,
			COALESCE(pg.number, 1), COALESCE(s.base_url, ''), COALESCE(s.engine, '')
			FROM page_versions v JOIN pages pg ON pg.id = v.page_id
			LEFT JOIN threads t ON t.id = pg.thread_id LEFT JOIN sites s ON s.id = t.site_id
			WHERE pg.thread_id = ?`
		args := []any{threadRowID}
		if !until.IsZero() {
			q += ` AND v.fetched_at <= ?`
			args = append(args, stamp(until))
		}
		rows, err := db.read.QueryContext(ctx, q+` ORDER BY v.fetched_at DESC, v.id DESC`, args...)
		if err != nil {
			yield(nil, fmt.Errorf("thread %d page copies: %w", threadRowID, err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			v := &StoredPage{ThreadRowID: threadRowID}
			var fetched string
			var z []byte
			if err := rows.Scan(&v.VersionID, &v.RowID, &v.URL, &fetched, &v.Status, &v.ETag, &v.LastModified,
				&v.SHA256, &v.Encoding, &z, &v.Number, &v.Site, &v.Engine); err != nil {
				yield(nil, fmt.Errorf("thread %d page copies: %w", threadRowID, err))
				return
			}
			v.FetchedAt = parseStamp(fetched)
			if v.Body, err = gunzip(z); err != nil {
				if !yield(nil, fmt.Errorf("page %s version %d: decompress: %w", v.URL, v.VersionID, err)) {
					return
				}
				continue // the other copies may still be read
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, fmt.Errorf("thread %d page copies: %w", threadRowID, err))
		}
	}
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

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/forumarc/forumarc/scraper"
)

// ErrNotFound: the archive has no such page.
var ErrNotFound = errors.New("not found in the archive")

// ThreadByURL finds the thread an archived page URL (or thread URL) belongs to, so a
// crawl given any page of a known thread can resume it.
func (db *DB) ThreadByURL(ctx context.Context, pageURL string) (site, threadID string, ok bool, err error) {
	// An archived page (indexed by URL) first, then a thread's canonical URL.
	for _, q := range []string{
		`SELECT s.base_url, t.external_id FROM pages p
			JOIN threads t ON t.id = p.thread_id JOIN sites s ON s.id = t.site_id
		WHERE p.url = ?`,
		`SELECT s.base_url, t.external_id FROM threads t JOIN sites s ON s.id = t.site_id
		WHERE t.url = ? ORDER BY t.id LIMIT 1`,
	} {
		err = db.readRow(ctx, q, pageURL).Scan(&site, &threadID)
		if err == nil {
			return site, threadID, true, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", "", false, fmt.Errorf("thread by url %s: %w", pageURL, err)
		}
	}
	return "", "", false, nil
}

// Thread reports what is archived for a thread: its last page (where the archived
// pages from page 1 on stop), page count, how many posts are stored and whether it awaits a walk from
// page 1, so a re-crawl can start at the end and stop early.
func (db *DB) Thread(ctx context.Context, site, threadID string) (scraper.ThreadState, error) {
	var st scraper.ThreadState
	// Three reads without a transaction (the read pool refuses BEGIN): a page saved
	// in between can only make the later answers newer, never inconsistent for a resume.
	var err error
	var (
		id       int64
		count    sql.NullInt64
		fullWalk sql.NullString
	)
	err = db.readRow(ctx, `SELECT t.id, t.page_count, t.url, t.full_walk_needed_at FROM threads t JOIN sites s ON s.id = t.site_id
		WHERE s.base_url = ? AND t.external_id = ?`, site, threadID).Scan(&id, &count, &st.URL, &fullWalk)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("thread %s %s: %w", site, threadID, err)
	}
	st.Found = true
	st.PageCount = int(count.Int64)
	st.FullWalkNeeded = fullWalk.Valid
	// The last page is where the archived pages from page 1 on stop: the highest
	// numbered page N with every page 1..N archived. Not simply the highest numbered
	// one: a thread first archived from a later page (page 500 of 500), or one whose
	// walk was cut short before a page that failed, has pages missing in between, and
	// resuming at its highest page would skip them for good. Pages numbered beyond the
	// count the thread last showed (page_count, from the pagination's total) do not
	// count: a thread that shrank keeps the row of a page that now redirects to an
	// earlier one, and resuming there would send that page's validators to the page it
	// redirects to, every run. Not the most recently fetched page: resumePoint asks
	// just after saving the page it is on, and would find that page (no jump to the
	// end). No page 1 archived: no last page, the walk reads on from where it starts.
	var last sql.NullString
	var lastNum sql.NullInt64
	err = db.readRow(ctx, `WITH archived AS (SELECT DISTINCT number FROM pages
			WHERE thread_id = ?1 AND number >= 1 AND (?2 <= 0 OR number <= ?2)),
		run_end AS (SELECT min(a.number) AS n FROM archived a
			WHERE NOT EXISTS (SELECT 1 FROM archived b WHERE b.number = a.number + 1)
			AND EXISTS (SELECT 1 FROM archived WHERE number = 1))
		SELECT url, number FROM pages WHERE thread_id = ?1 AND number = (SELECT n FROM run_end)
		ORDER BY fetched_at DESC LIMIT 1`, id, st.PageCount).Scan(&last, &lastNum)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("thread %s %s: last page: %w", site, threadID, err)
	}
	st.LastPageURL, st.LastPage = last.String, int(lastNum.Int64)
	// A count, not the ids: a resume needs nothing per post, whatever the thread's length.
	if err := db.readRow(ctx, `SELECT count(*) FROM posts WHERE thread_id = ?`, id).Scan(&st.Posts); err != nil {
		return st, fmt.Errorf("thread %s %s: posts: %w", site, threadID, err)
	}
	return st, nil
}

// ThreadByURL is the Sink method; it reads the archive like DB.ThreadByURL.
func (r *Run) ThreadByURL(ctx context.Context, pageURL string) (site, threadID string, ok bool, err error) {
	return r.db.ThreadByURL(ctx, pageURL)
}

// Thread is the Sink method; it reads the archive like DB.Thread.
func (r *Run) Thread(ctx context.Context, site, threadID string) (scraper.ThreadState, error) {
	return r.db.Thread(ctx, site, threadID)
}

// PageHTML returns the raw bytes of an archived page as fetched (decompressed), so
// pages can be re-extracted when an extractor improves. ErrNotFound when absent.
func (db *DB) PageHTML(ctx context.Context, url string) ([]byte, error) {
	var z []byte
	err := db.read.QueryRowContext(ctx, `SELECT html FROM pages WHERE url = ?`, url).Scan(&z)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("page %s: %w", url, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("page %s: %w", url, err)
	}
	if z == nil {
		return nil, fmt.Errorf("page %s: %w (no stored html)", url, ErrNotFound)
	}
	b, err := gunzip(z)
	if err != nil {
		return nil, fmt.Errorf("page %s: decompress: %w", url, err)
	}
	return b, nil
}

// ArchivedPage is the Sink method: the page's archived response, its raw bytes
// decompressed, or nil when the archive holds no body for the URL. The content type
// is rebuilt from the stored encoding, so the copy decodes as the original did.
func (r *Run) ArchivedPage(ctx context.Context, pageURL string) (*scraper.Fetched, error) {
	db := r.db
	var (
		f             = scraper.Fetched{URL: pageURL}
		etag, lm, enc sql.NullString
		fetched       string
		z             []byte
	)
	err := db.readRow(ctx, `SELECT status, etag, last_modified, encoding, fetched_at, html FROM pages WHERE url = ?`,
		pageURL).Scan(&f.Status, &etag, &lm, &enc, &fetched, &z)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && z == nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("archived page %s: %w", pageURL, err)
	}
	if f.Body, err = gunzip(z); err != nil {
		return nil, fmt.Errorf("archived page %s: decompress: %w", pageURL, err)
	}
	f.ETag, f.LastModified, f.Encoding = etag.String, lm.String, enc.String
	f.FetchedAt = parseStamp(fetched)
	f.ContentType = "text/html"
	if f.Encoding != "" {
		f.ContentType += "; charset=" + f.Encoding
	}
	return &f, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PageValidators returns the ETag and Last-Modified stored with an archived page so a
// re-crawl can ask the forum for it conditionally.
func (db *DB) PageValidators(ctx context.Context, pageURL string) (etag, lastModified string, err error) {
	var e, lm sql.NullString
	err = db.readRow(ctx, `SELECT etag, last_modified FROM pages WHERE url = ?`, pageURL).Scan(&e, &lm)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("validators %s: %w", pageURL, err)
	}
	return e.String, lm.String, nil
}

// PageValidators is the Sink method.
func (r *Run) PageValidators(ctx context.Context, pageURL string) (string, string, error) {
	return r.db.PageValidators(ctx, pageURL)
}

// MarkMissing marks deleted the thread's live posts, posted at or after from, that
// the run's complete walk to the thread's end did not see (SavePage records the run
// that last saw each post).
func (r *Run) MarkMissing(ctx context.Context, site, threadID string, from time.Time) (int, error) {
	db := r.db
	marked := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE posts SET deleted_at = ?1
			WHERE deleted_at IS NULL AND posted_at IS NOT NULL AND posted_at >= ?2
			  AND (last_seen_run IS NULL OR last_seen_run != ?3)
			  AND thread_id = (SELECT t.id FROM threads t JOIN sites s ON s.id = t.site_id
			                   WHERE s.base_url = ?4 AND t.external_id = ?5)`,
			db.stampNow(), stamp(from), r.id, site, threadID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		marked = int(n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("mark missing posts of %s %s: %w", site, threadID, err)
	}
	return marked, nil
}

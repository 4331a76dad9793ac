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
	err = db.read.QueryRowContext(ctx, `SELECT etag, last_modified FROM pages WHERE url = ?`, pageURL).Scan(&e, &lm)
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

// MarkMissing marks deleted the thread's live posts, posted at or after from, that a
// complete walk to the thread's end did not see. Posts are ordered by posted time and
// then numeric id, which every engine assigns in increasing order.
func (db *DB) MarkMissing(ctx context.Context, site, threadID string, seen map[string]bool, from time.Time) (int, error) {
	fromStamp := stamp(from)
	marked := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.external_id FROM posts p
			JOIN threads t ON t.id = p.thread_id JOIN sites s ON s.id = t.site_id
			WHERE s.base_url = ? AND t.external_id = ? AND p.deleted_at IS NULL
			  AND p.posted_at IS NOT NULL AND p.posted_at >= ?`, site, threadID, fromStamp)
		if err != nil {
			return err
		}
		var gone []int64
		for rows.Next() {
			var id int64
			var ext string
			if err := rows.Scan(&id, &ext); err != nil {
				rows.Close()
				return err
			}
			if !seen[ext] {
				gone = append(gone, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.stampNow()
		for _, id := range gone {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = ? WHERE id = ?`, now, id); err != nil {
				return err
			}
		}
		marked = len(gone)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark missing posts of %s %s: %w", site, threadID, err)
	}
	return marked, nil
}

// MarkMissing is the Sink method.
func (r *Run) MarkMissing(ctx context.Context, site, threadID string, seen map[string]bool, from time.Time) (int, error) {
	return r.db.MarkMissing(ctx, site, threadID, seen, from)
}

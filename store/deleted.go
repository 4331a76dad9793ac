package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/forumarc/forumarc/scraper"
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

// MarkMissing marks deleted the thread's live posts in the walked range that the
// run's complete walk to the thread's end did not see (SavePage records the run that
// last saw each post). The range is one of positions: the whole thread for a walk from
// page 1, else the posts stored with a number at or after the stored number of the
// walk's first archived post; posted times only for engines that show no numbers, and
// then strictly after the walk's first post. A whole-thread range also clears the
// thread's full_walk_needed_at, in the same transaction: the walk from page 1 that
// flag asked for is done.
func (r *Run) MarkMissing(ctx context.Context, site, threadID string, rg scraper.MissingRange) (int, error) {
	if rg.Empty() {
		return 0, nil
	}
	db := r.db
	marked := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := db.queryRow(ctx, tx, `SELECT t.id FROM threads t JOIN sites s ON s.id = t.site_id
			WHERE s.base_url = ? AND t.external_id = ?`, site, threadID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		q := `UPDATE posts SET deleted_at = ?1
			WHERE thread_id = ?2 AND deleted_at IS NULL AND (last_seen_run IS NULL OR last_seen_run != ?3)`
		args := []any{db.stampNow(), id, r.id}
		switch {
		case rg.Whole:
		case rg.FromNumber > 0:
			q += ` AND number IS NOT NULL AND number >= ?4`
			args = append(args, rg.FromNumber)
		default:
			q += ` AND posted_at IS NOT NULL AND posted_at > ?4`
			args = append(args, stamp(rg.After))
		}
		res, err := db.exec(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		marked = int(n)
		if rg.Whole {
			if _, err := db.exec(ctx, tx, `UPDATE threads SET full_walk_needed_at = NULL
				WHERE id = ? AND full_walk_needed_at IS NOT NULL`, id); err != nil {
				return fmt.Errorf("clear full walk flag: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark missing posts of %s %s: %w", site, threadID, err)
	}
	return marked, nil
}

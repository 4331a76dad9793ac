package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/forumarc/forumarc/scraper"
)

var _ scraper.ListingState = (*DB)(nil)

// ThreadsChanged records what a listing page says about its threads, in one
// transaction, and reports for each whether it needs fetching: it was never archived
// completely, the listing shows no reply count or last-post time to compare, or
// either differs from the archived ones.
func (db *DB) ThreadsChanged(ctx context.Context, site string, es []scraper.ThreadEntry) ([]bool, error) {
	changed := make([]bool, len(es))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for i, e := range es {
			c, err := db.threadChanged(ctx, tx, site, e)
			if err != nil {
				return fmt.Errorf("listing entry %s: %w", e.URL, err)
			}
			changed[i] = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// threadChanged is ThreadsChanged for one entry, inside tx.
func (db *DB) threadChanged(ctx context.Context, tx *sql.Tx, site string, e scraper.ThreadEntry) (bool, error) {
	changed := true
	var ar sql.NullInt64
	var alp, alt, at sql.NullString
	err := db.queryRow(ctx, tx, `SELECT archived_replies, archived_last_post_at, archived_last_post_text, archived_at
		FROM listing_entries WHERE url = ?`, e.URL).Scan(&ar, &alp, &alt, &at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return true, err
	}
	if err == nil && at.Valid && (e.Replies != nil || e.LastPostAt != nil || e.LastPostText != nil) {
		changed = !sameInt(ar, e.Replies) || !sameStr(alp, stampPtr(e.LastPostAt)) || !sameStr(alt, ptrOrNil(e.LastPostText))
	}
	_, err = db.exec(ctx, tx, `INSERT INTO listing_entries (url, site, thread_external_id, title, replies, last_post_at, last_post_text, seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET thread_external_id = excluded.thread_external_id, title = excluded.title,
			replies = excluded.replies, last_post_at = excluded.last_post_at, last_post_text = excluded.last_post_text, seen_at = excluded.seen_at`,
		e.URL, site, ptrOrNil(e.ID), ptrOrNil(e.Title), int64OrNil(e.Replies), stampPtr(e.LastPostAt), ptrOrNil(e.LastPostText), db.stampNow())
	return changed, err
}

// ThreadArchived records the entry's values as the ones the archive is complete for.
func (db *DB) ThreadArchived(ctx context.Context, site string, e scraper.ThreadEntry) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.threadArchived(ctx, tx, site, e) })
}

// threadArchived is ThreadArchived inside tx.
func (db *DB) threadArchived(ctx context.Context, tx *sql.Tx, site string, e scraper.ThreadEntry) error {
	now := db.stampNow()
	_, err := db.exec(ctx, tx, `INSERT INTO listing_entries (url, site, thread_external_id, title, replies, last_post_at, last_post_text, seen_at,
				archived_replies, archived_last_post_at, archived_last_post_text, archived_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?5, ?6, ?7, ?8)
			ON CONFLICT (url) DO UPDATE SET archived_replies = ?5, archived_last_post_at = ?6, archived_last_post_text = ?7, archived_at = ?8`,
		e.URL, site, ptrOrNil(e.ID), ptrOrNil(e.Title), int64OrNil(e.Replies), stampPtr(e.LastPostAt), ptrOrNil(e.LastPostText), now)
	if err != nil {
		return fmt.Errorf("listing entry %s: %w", e.URL, err)
	}
	return nil
}

func sameInt(a sql.NullInt64, b *int64) bool {
	if !a.Valid || b == nil {
		return !a.Valid && b == nil
	}
	return a.Int64 == *b
}

func sameStr(a sql.NullString, b any) bool {
	s, ok := b.(string)
	if !a.Valid || !ok {
		return !a.Valid && !ok
	}
	return a.String == s
}

func ptrOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func int64OrNil(n *int64) any {
	if n == nil {
		return nil
	}
	return *n
}

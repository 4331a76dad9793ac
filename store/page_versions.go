package store

import (
	"context"
	"fmt"
)

// versionedPages is the set of pages with earlier copies in page_versions (the trigger
// pages_keep_version keeps the copy a re-fetch with other bytes replaces). Empty when
// there are none, or the archive, opened read-only, predates the table. q is the
// read transaction PageBodies reads the pages in, so copies and pages agree.
func versionedPages(ctx context.Context, q queryer) (map[int64]bool, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_schema
		WHERE type = 'table' AND name = 'page_versions')`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read page versions: %w", err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT page_id FROM page_versions`)
	if err != nil {
		return nil, fmt.Errorf("read page versions: %w", err)
	}
	defer rows.Close()
	var out map[int64]bool
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read page versions: %w", err)
		}
		if out == nil {
			out = map[int64]bool{}
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read page versions: %w", err)
	}
	return out, nil
}

// yieldVersions yields the earlier copies of page cur, oldest first, each with its own
// URL, fetch time, status, validators, encoding and bytes, and the page's thread,
// number and site. It reports false when yield asked to stop or an error was yielded.
func yieldVersions(ctx context.Context, q queryer, cur *StoredPage, yield func(*StoredPage, error) bool) bool {
	rows, err := q.QueryContext(ctx, `SELECT id, url, fetched_at, status, COALESCE(etag, ''),
		COALESCE(last_modified, ''), sha256, COALESCE(encoding, ''), html
		FROM page_versions WHERE page_id = ? ORDER BY fetched_at, id`, cur.RowID)
	if err != nil {
		yield(nil, fmt.Errorf("read versions of page %s: %w", cur.URL, err))
		return false
	}
	defer rows.Close()
	for rows.Next() {
		v := &StoredPage{RowID: cur.RowID, ThreadRowID: cur.ThreadRowID, Number: cur.Number, Site: cur.Site, Engine: cur.Engine}
		var fetched string
		var z []byte
		if err := rows.Scan(&v.VersionID, &v.URL, &fetched, &v.Status, &v.ETag, &v.LastModified, &v.SHA256, &v.Encoding, &z); err != nil {
			yield(nil, fmt.Errorf("read versions of page %s: %w", cur.URL, err))
			return false
		}
		v.FetchedAt = parseStamp(fetched)
		if v.Body, err = gunzip(z); err != nil {
			yield(nil, fmt.Errorf("page %s version %d: decompress: %w", v.URL, v.VersionID, err))
			return false
		}
		if !yield(v, nil) {
			return false
		}
	}
	if err := rows.Err(); err != nil {
		yield(nil, fmt.Errorf("read versions of page %s: %w", cur.URL, err))
		return false
	}
	return true
}

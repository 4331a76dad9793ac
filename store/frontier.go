package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

var _ scraper.Frontier = (*Frontier)(nil)

// Frontier is a crawl's to-do list in the frontier table, scoped by a crawl key.
type Frontier struct {
	db  *DB
	key string
}

// CrawlKey identifies a crawl by its seeds and filters, so the same command resumes
// its own frontier and a different crawl starts its own.
func CrawlKey(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:8])
}

// OpenFrontier returns the frontier of crawl key. Items leased by an earlier process
// are returned to the queue (only one crawl runs per database, so nobody else holds
// them). When the previous pass finished (nothing pending), its rows are cleared and
// resumed is false: the caller seeds a new pass.
func (db *DB) OpenFrontier(ctx context.Context, key string) (f *Frontier, resumed bool, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		resumed = false // inTx may run this twice (tx.go)
		if _, err := tx.ExecContext(ctx, `UPDATE frontier SET state = 'pending', lease_until = NULL
			WHERE crawl_key = ? AND state = 'leased'`, key); err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM frontier WHERE crawl_key = ? AND state = 'pending'`, key).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			resumed = true
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM frontier WHERE crawl_key = ?`, key)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("open frontier: %w", err)
	}
	return &Frontier{db: db, key: key}, resumed, nil
}

// Add queues items, ignoring URLs already in this crawl.
func (f *Frontier) Add(ctx context.Context, items []scraper.FrontierItem) (int, error) {
	added := 0
	err := f.db.inTx(ctx, func(tx *sql.Tx) error {
		added = 0 // inTx may run this twice (tx.go)
		now := f.db.stampNow()
		for _, it := range items {
			var entry any
			if it.Entry != nil {
				b, err := json.Marshal(it.Entry)
				if err != nil {
					return err
				}
				entry = string(b)
			}
			res, err := f.db.exec(ctx, tx, `INSERT INTO frontier (crawl_key, url, kind, depth, entry, added_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (crawl_key, url) DO NOTHING`,
				f.key, it.URL, string(it.Kind), it.Depth, entry, now)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("frontier add: %w", err)
	}
	return added, nil
}

// Lease takes up to n due items of the given kinds (all kinds when none given).
func (f *Frontier) Lease(ctx context.Context, n int, ttl time.Duration, kinds ...scraper.ItemKind) ([]scraper.FrontierItem, error) {
	var out []scraper.FrontierItem
	if len(kinds) == 0 {
		kinds = []scraper.ItemKind{scraper.KindListing, scraper.KindThread}
	}
	// Listings first: they discover work; then threads. One query per kind, oldest
	// first, so each reads the frontier_lease index in order instead of sorting
	// every pending row.
	order := make([]scraper.ItemKind, 0, len(kinds))
	for _, k := range kinds {
		if k != scraper.KindThread {
			order = append(order, k)
		}
	}
	for _, k := range kinds {
		if k == scraper.KindThread {
			order = append(order, k)
			break
		}
	}
	err := f.db.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		now := f.db.now()
		for _, k := range order {
			if len(out) >= n {
				break
			}
			rows, err := f.db.query(ctx, tx, `SELECT id, url, kind, depth, attempts, entry FROM frontier
				WHERE crawl_key = ? AND state = 'pending' AND kind = ? AND (not_before IS NULL OR not_before <= ?)
				ORDER BY id LIMIT ?`, f.key, string(k), stamp(now), n-len(out))
			if err != nil {
				return err
			}
			if err := scanItems(rows, &out); err != nil {
				return err
			}
		}
		until := stamp(now.Add(ttl))
		for i := range out {
			out[i].Attempts++
			if _, err := f.db.exec(ctx, tx, `UPDATE frontier SET state = 'leased', lease_until = ?, attempts = attempts + 1 WHERE id = ?`,
				until, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("frontier lease: %w", err)
	}
	return out, nil
}

// scanItems appends the frontier rows to out and closes rows.
func scanItems(rows *sql.Rows, out *[]scraper.FrontierItem) error {
	defer rows.Close()
	for rows.Next() {
		var it scraper.FrontierItem
		var kind string
		var entry sql.NullString
		if err := rows.Scan(&it.ID, &it.URL, &kind, &it.Depth, &it.Attempts, &entry); err != nil {
			return err
		}
		it.Kind = scraper.ItemKind(kind)
		if entry.Valid {
			var e scraper.ThreadEntry
			if err := json.Unmarshal([]byte(entry.String), &e); err == nil {
				it.Entry = &e
			}
		}
		*out = append(*out, it)
	}
	return rows.Err()
}

// Done marks an item finished.
func (f *Frontier) Done(ctx context.Context, id int64) error {
	return f.set(ctx, sqlFrontierDone, f.db.stampNow(), id)
}

const sqlFrontierDone = `UPDATE frontier SET state = 'done', done_at = ?, lease_until = NULL WHERE id = ?`

// DoneArchived is Done and DB.ThreadArchived in one transaction (see
// scraper.ArchivedDoner), when ls is this frontier's database.
func (f *Frontier) DoneArchived(ctx context.Context, ls scraper.ListingState, id int64, site string, e scraper.ThreadEntry) (bool, error) {
	if db, ok := ls.(*DB); !ok || db != f.db {
		return false, nil
	}
	return true, f.db.inTx(ctx, func(tx *sql.Tx) error {
		if err := f.db.threadArchived(ctx, tx, site, e); err != nil {
			return err
		}
		if _, err := f.db.exec(ctx, tx, sqlFrontierDone, f.db.stampNow(), id); err != nil {
			return fmt.Errorf("frontier update: %w", err)
		}
		return nil
	})
}

// Defer puts an item back, due at until.
func (f *Frontier) Defer(ctx context.Context, id int64, until time.Time, cause error) error {
	return f.set(ctx, `UPDATE frontier SET state = 'pending', lease_until = NULL, not_before = ?, last_error = ? WHERE id = ?`,
		stamp(until), errText(cause), id)
}

// Fail marks an item failed for this pass.
func (f *Frontier) Fail(ctx context.Context, id int64, cause error) error {
	return f.set(ctx, `UPDATE frontier SET state = 'failed', lease_until = NULL, done_at = ?, last_error = ? WHERE id = ?`,
		f.db.stampNow(), errText(cause), id)
}

// Release puts items that are still leased back to pending (one that got done,
// deferred or failed meanwhile is left alone).
func (f *Frontier) Release(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if err := f.db.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := f.db.exec(ctx, tx, `UPDATE frontier SET state = 'pending', lease_until = NULL
				WHERE id = ? AND state = 'leased'`, id); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("frontier release: %w", err)
	}
	return nil
}

// Deferred returns the first item deferred to a later time with its cause, for a
// crawl that deferred nothing itself but finds work left deferred by an earlier run;
// nil when none is.
func (f *Frontier) Deferred(ctx context.Context) (*scraper.Deferral, error) {
	var d scraper.Deferral
	var until string
	err := f.db.write.QueryRowContext(ctx, `SELECT url, last_error, not_before FROM frontier
		WHERE crawl_key = ? AND state = 'pending' AND not_before > ? AND last_error IS NOT NULL
		ORDER BY not_before, id LIMIT 1`, f.key, f.db.stampNow()).Scan(&d.URL, &d.Cause, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("frontier deferred: %w", err)
	}
	if u, err := url.Parse(d.URL); err == nil {
		d.Host = u.Host
	}
	d.Until = parseStampUTC(until)
	return &d, nil
}

func (f *Frontier) set(ctx context.Context, q string, args ...any) error {
	if err := f.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := f.db.exec(ctx, tx, q, args...)
		return err
	}); err != nil {
		return fmt.Errorf("frontier update: %w", err)
	}
	return nil
}

// Counts sizes this crawl's frontier.
func (f *Frontier) Counts(ctx context.Context) (scraper.FrontierCounts, error) {
	return f.db.frontierCounts(ctx, f.key)
}

// FrontierCounts sizes the frontier of every crawl (key "") or of one crawl.
func (db *DB) FrontierCounts(ctx context.Context) (scraper.FrontierCounts, error) {
	return db.frontierCounts(ctx, "")
}

func (db *DB) frontierCounts(ctx context.Context, key string) (scraper.FrontierCounts, error) {
	var c scraper.FrontierCounts
	conn := db.read
	if db.write != nil {
		conn = db.write // see our own uncommitted-free latest state without WAL lag
	}
	err := conn.QueryRowContext(ctx, `SELECT
			coalesce(sum(state = 'pending' AND (not_before IS NULL OR not_before <= ?2)), 0),
			coalesce(sum(state = 'pending' AND not_before > ?2), 0),
			coalesce(sum(state = 'leased'), 0),
			coalesce(sum(state = 'done'), 0),
			coalesce(sum(state = 'failed'), 0)
		FROM frontier WHERE ?1 = '' OR crawl_key = ?1`, key, db.stampNow()).
		Scan(&c.Pending, &c.Deferred, &c.Leased, &c.Done, &c.Failed)
	if err != nil {
		return c, fmt.Errorf("frontier counts: %w", err)
	}
	return c, nil
}

func errText(err error) any {
	if err == nil {
		return nil
	}
	return err.Error()
}

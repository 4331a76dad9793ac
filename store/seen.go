package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"maps"
	"strconv"
	"sync"
)

// seenCache spares a run the upserts of rows it already wrote with the same values.
// Most posts of a crawl are by authors seen earlier in the run with the same sidebar,
// and every page of a site upserts the same site row; each such upsert rewrites a row
// (and its b-tree page in the WAL) to change nothing but last_seen_at. That was about
// 4% of a crawl's CPU.
//
// An entry is added only after the transaction that wrote the row committed
// (afterCommit), so a skipped upsert always finds its row. What the skip leaves
// behind is last_seen_at: the times a skipped row was seen are kept in touched and
// written in one statement at the run's next heartbeat tick and at Finish
// (flushSeen), so last_seen_at lags by at most a heartbeat period (30 s), or by that
// much of a run killed with kill -9.
type seenCache struct {
	seed maphash.Seed

	mu      sync.Mutex
	sites   map[string]int64 // base URL + engine -> sites.id
	authors map[authorRef]seenRow
	// touched holds the rows whose upsert was skipped: row id -> the latest time
	// they were seen, not yet written to last_seen_at.
	touchedAuthors map[int64]string
	touchedSites   map[int64]string
}

type authorRef struct {
	site int64
	key  string
}

type seenRow struct {
	id  int64
	sum uint64 // maphash of the values the last committed upsert wrote
}

func newSeenCache() *seenCache {
	return &seenCache{seed: maphash.MakeSeed(), sites: map[string]int64{}, authors: map[authorRef]seenRow{},
		touchedAuthors: map[int64]string{}, touchedSites: map[int64]string{}}
}

// site returns the id of the site row an earlier committed upsert of this run wrote
// with the same base URL and engine.
func (c *seenCache) site(ref string) (int64, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id, ok := c.sites[ref]
	return id, ok
}

// author returns the row id when the last committed upsert of this run for the author
// wrote the same values (sum).
func (c *seenCache) author(ref authorRef, sum uint64) (int64, bool) {
	if c == nil {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.authors[ref]
	return r.id, ok && r.sum == sum
}

// maxSeenAuthors bounds the author cache (about 100 bytes an entry), so a run's memory
// stays flat however many people wrote on the forums it reads.
const maxSeenAuthors = 20_000

// remember records the values a committed upsert wrote for ref; when the cache is full
// an arbitrary entry makes room (map order is random), which costs that author one
// upsert more the next time. The caller holds c.mu.
func (c *seenCache) remember(ref authorRef, row seenRow) {
	if _, ok := c.authors[ref]; !ok && len(c.authors) >= maxSeenAuthors {
		for k := range c.authors {
			delete(c.authors, k)
			break
		}
	}
	c.authors[ref] = row
}

// touch notes that the rows were seen at now without being written.
func (c *seenCache) touch(touched map[int64]string, ids []int64, now string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if now > touched[id] {
			touched[id] = now
		}
	}
}

// authorSum hashes the values an author upsert writes (its key is in the ref).
func (c *seenCache) authorSum(name, url, title, joined, joinedText, location, country *string,
	messages, reactions *int64, extras any) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	for _, s := range []*string{name, url, title, joined, joinedText, location, country} {
		if s == nil {
			h.WriteByte(0)
			continue
		}
		h.WriteByte(1)
		h.WriteString(strconv.Itoa(len(*s)))
		h.WriteByte(':')
		h.WriteString(*s)
	}
	for _, n := range []*int64{messages, reactions} {
		if n == nil {
			h.WriteByte(0)
			continue
		}
		h.WriteByte(1)
		h.WriteString(strconv.FormatInt(*n, 10))
		h.WriteByte(';')
	}
	if t, ok := extras.(string); ok {
		h.WriteByte(1)
		h.WriteString(t)
	} else {
		h.WriteByte(0)
	}
	return h.Sum64()
}

// Statements of flushSeen: each sets last_seen_at from a JSON object {"id": "time"}.
const (
	sqlTouchAuthors = `UPDATE authors SET last_seen_at = max(last_seen_at, t.value)
		FROM json_each(?1) AS t WHERE authors.id = CAST(t.key AS INTEGER)`
	sqlTouchSites = `UPDATE sites SET last_seen_at = max(last_seen_at, t.value)
		FROM json_each(?1) AS t WHERE sites.id = CAST(t.key AS INTEGER)`
)

// flushSeen writes, in tx, the last_seen_at of the rows whose upserts were skipped,
// and forgets them once tx commits (unless seen again meanwhile).
func (c *seenCache) flushSeen(ctx context.Context, db *DB, tx *sql.Tx) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	authors, sites := maps.Clone(c.touchedAuthors), maps.Clone(c.touchedSites)
	c.mu.Unlock()
	for _, f := range []struct {
		query   string
		pending map[int64]string
		live    map[int64]string
	}{{sqlTouchAuthors, authors, c.touchedAuthors}, {sqlTouchSites, sites, c.touchedSites}} {
		if len(f.pending) == 0 {
			continue
		}
		obj := make(map[string]string, len(f.pending))
		for id, t := range f.pending {
			obj[strconv.FormatInt(id, 10)] = t
		}
		js, err := json.Marshal(obj)
		if err != nil {
			return fmt.Errorf("last seen: %w", err)
		}
		if _, err := db.exec(ctx, tx, f.query, string(js)); err != nil {
			return fmt.Errorf("last seen: %w", err)
		}
		pending, live := f.pending, f.live
		db.afterCommit(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			for id, t := range pending {
				if live[id] == t {
					delete(live, id)
				}
			}
		})
	}
	return nil
}

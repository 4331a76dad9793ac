// Package benchdb generates the archive of one million posts the store benchmarks run
// on. It is built once with direct SQL inserts in big transactions and cached in the
// system temp directory under a name holding the schema version and the generator
// version, so repeated benchmark runs reuse it and a schema change builds a new one.
package benchdb

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // driver

	"github.com/forumarc/forumarc/store"
)

// Shape of the generated archive.
const (
	Posts        = 1_000_000
	Threads      = 10_000 // 100 posts each
	Sites        = 3
	Authors      = 20_000
	PostsPerPage = 20
	generatorVer = 1
	batch        = 100_000
	// SelectiveTerm appears in exactly SelectiveHits posts.
	SelectiveTerm = "zyxwomblat"
	SelectiveHits = 50
)

var (
	once sync.Once
	path string
	err  error
)

// Path returns the cached benchmark archive, building it on first use (about a minute
// or two). Callers open it read-only.
func Path(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		path = filepath.Join(os.TempDir(), fmt.Sprintf("forumarc-bench-1m-schema%d-gen%d.db", store.SchemaVersion(), generatorVer))
		if _, statErr := os.Stat(path); statErr == nil {
			return
		}
		start := time.Now()
		tb.Logf("building benchmark archive %s (once)", path)
		err = build(path)
		tb.Logf("built in %v", time.Since(start).Round(time.Second))
	})
	if err != nil {
		tb.Fatalf("benchmark archive: %v", err)
	}
	return path
}

func build(final string) error {
	ctx := context.Background()
	tmp := final + ".building"
	for _, s := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + s)
	}
	db, err := store.Open(ctx, tmp) // schema, application_id, WAL
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	conn, err := sql.Open("sqlite", "file:"+tmp+"?_pragma=synchronous(OFF)&_pragma=cache_size(-200000)&_txlock=immediate")
	if err != nil {
		return err
	}
	conn.SetMaxOpenConns(1)
	defer conn.Close()
	if err := fill(ctx, conn); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
		return err
	}
	if err := conn.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, final)
}

// words is a vocabulary of pronounceable pseudo-words; frequencies follow Zipf's law
// like real text, so common terms match hundreds of thousands of posts.
func words(r *rand.Rand, n int) []string {
	syl := []string{"ka", "ro", "mi", "ten", "sa", "lo", "bri", "de", "gu", "na", "pe", "chi", "vor", "el", "um", "tra", "is", "fo", "zu", "an"}
	out := make([]string, n)
	seen := map[string]bool{}
	for i := range out {
		for {
			var b strings.Builder
			for range 1 + r.IntN(3) {
				b.WriteString(syl[r.IntN(len(syl))])
			}
			w := b.String()
			if !seen[w] && w != SelectiveTerm {
				seen[w] = true
				out[i] = w
				break
			}
		}
	}
	return out
}

func fill(ctx context.Context, conn *sql.DB) error {
	r := rand.New(rand.NewPCG(1, 2))
	vocab := words(r, 5000)
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	now := "2026-01-15T12:00:00Z"
	base := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	span := int64(11 * 365 * 24 * 3600)

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for s := 1; s <= Sites; s++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sites (id, base_url, engine, first_seen_at, last_seen_at) VALUES (?, ?, 'xenforo2', ?, ?)`,
			s, fmt.Sprintf("https://forum%d.example", s), now, now); err != nil {
			return err
		}
	}
	for a := 1; a <= Authors; a++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO authors (id, site_id, external_id, name, profile_url, title, joined_on,
			messages, reaction_score, location, extras, first_seen_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, 'Member', '2012-05-01', ?, ?, 'Leeds', '{"Bike":"Raleigh"}', ?, ?)`,
			a, 1+a%Sites, fmt.Sprint(a), fmt.Sprintf("user_%d", a), fmt.Sprintf("https://forum%d.example/members/%d/", 1+a%Sites, a),
			r.IntN(50000), r.IntN(5000), now, now); err != nil {
			return err
		}
	}
	forums := []string{"Workshop", "Wheels", "Frames", "Touring", "Classifieds"}
	for t := 1; t <= Threads; t++ {
		site := 1 + t%Sites
		if _, err := tx.ExecContext(ctx, `INSERT INTO threads (id, site_id, external_id, url, title, forum_path, page_count,
			first_seen_at, last_crawled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t, site, fmt.Sprint(t), fmt.Sprintf("https://forum%d.example/threads/t.%d/", site, t),
			fmt.Sprintf("Thread %d about %s and %s", t, vocab[zipf.Uint64()], vocab[zipf.Uint64()]),
			fmt.Sprintf(`["Forums","%s"]`, forums[t%len(forums)]), (Posts/Threads)/PostsPerPage, now, now); err != nil {
			return err
		}
	}
	pageBlob := []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x01\x00\x00\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00") // gzip of ""
	insPost, err := tx.PrepareContext(ctx, `INSERT INTO posts (id, thread_id, external_id, number, url, author_id, author_name,
		posted_at, posted_text, body_html, body_text, content_hash, first_seen_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	perThread := Posts / Threads
	var text strings.Builder
	for i := 1; i <= Posts; i++ {
		if i%batch == 1 && i > 1 {
			insPost.Close()
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = conn.BeginTx(ctx, nil); err != nil {
				return err
			}
			if insPost, err = tx.PrepareContext(ctx, `INSERT INTO posts (id, thread_id, external_id, number, url, author_id, author_name,
				posted_at, posted_text, body_html, body_text, content_hash, first_seen_at, last_seen_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
				return err
			}
		}
		thread := 1 + (i-1)/perThread
		number := 1 + (i-1)%perThread
		site := 1 + thread%Sites
		author := 1 + r.IntN(Authors)
		text.Reset()
		n := 20 + r.IntN(60)
		for k := range n {
			if k > 0 {
				text.WriteByte(' ')
			}
			text.WriteString(vocab[zipf.Uint64()])
		}
		if i%(Posts/SelectiveHits) == 0 {
			text.WriteString(" " + SelectiveTerm)
		}
		body := text.String()
		// Threads run in time order: each thread covers a stretch of the span.
		at := base.Add(time.Duration(span*int64(thread-1)/Threads+int64(number)*3600) * time.Second)
		url := fmt.Sprintf("https://forum%d.example/threads/t.%d/post-%d", site, thread, i)
		if _, err := insPost.ExecContext(ctx, i, thread, fmt.Sprint(i), number, url, author, fmt.Sprintf("user_%d", author),
			at.Format(time.RFC3339), at.Format("Jan 2, 2006"), "<p>"+body+"</p>", body, fmt.Sprintf("%064x", i), now, now); err != nil {
			return err
		}
		if i%10 == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO quotes (post_id, quoted_post_external_id, quoted_author, body_text) VALUES (?, ?, ?, ?)`,
				i, fmt.Sprint(i-1), "user_1", "quoted words"); err != nil {
				return err
			}
		}
		if number%PostsPerPage == 1 {
			page := 1 + (number-1)/PostsPerPage
			if _, err := tx.ExecContext(ctx, `INSERT INTO pages (url, thread_id, number, fetched_at, status, sha256, encoding, html)
				VALUES (?, ?, ?, ?, 200, ?, 'utf-8', ?)`,
				fmt.Sprintf("https://forum%d.example/threads/t.%d/page-%d", site, thread, page), thread, page, now,
				fmt.Sprintf("%064x", i), pageBlob); err != nil {
				return err
			}
		}
	}
	insPost.Close()
	return tx.Commit()
}

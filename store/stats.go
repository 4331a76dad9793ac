package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Stats summarises an archive for `forumarc stats`.
type Stats struct {
	Path          string        `json:"path"`
	SizeBytes     int64         `json:"size_bytes"` // the database file plus its WAL
	SchemaVersion int           `json:"schema_version"`
	Sites         int64         `json:"sites"`
	Threads       int64         `json:"threads"`
	Posts         int64         `json:"posts"`
	Authors       int64         `json:"authors"`
	Pages         int64         `json:"pages"`
	Revisions     int64         `json:"revisions"`
	FirstPostAt   *time.Time    `json:"first_post_at"`
	LastPostAt    *time.Time    `json:"last_post_at"`
	PerSite       []SiteCount   `json:"per_site"`
	PostsPerMonth []MonthCount  `json:"posts_per_month"`
	TopAuthors    []AuthorCount `json:"top_authors"`
	TopThreads    []ThreadCount `json:"top_threads"`
	LastRun       *RunSummary   `json:"last_run"`
	Elapsed       time.Duration `json:"-"`
}

// SiteCount is one site's share of the archive.
type SiteCount struct {
	URL     string  `json:"url"`
	Engine  *string `json:"engine"`
	Threads int64   `json:"threads"`
	Posts   int64   `json:"posts"`
}

// MonthCount is the number of posts dated in one month ("2025-12").
type MonthCount struct {
	Month string `json:"month"`
	Posts int64  `json:"posts"`
}

// AuthorCount is an author with their number of archived posts.
type AuthorCount struct {
	Name  *string `json:"name"`
	Site  string  `json:"site"`
	Posts int64   `json:"posts"`
}

// ThreadCount is a thread with its number of archived posts.
type ThreadCount struct {
	Title *string `json:"title"`
	URL   string  `json:"url"`
	Site  string  `json:"site"`
	Posts int64   `json:"posts"`
}

// RunSummary is the newest crawl_runs row.
type RunSummary struct {
	Command    string     `json:"command"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Stats computes the archive summary. The queries run in parallel on the read pool;
// each walks an index rather than the post table, so a million posts take well under
// two seconds. top bounds the author and thread lists (0 means 10).
func (db *DB) Stats(ctx context.Context, top int) (*Stats, error) {
	start := time.Now()
	if top <= 0 {
		top = 10
	}
	// The lists are empty, not nil, so JSON shows [] for an empty archive.
	st := &Stats{Path: db.path, SchemaVersion: SchemaVersion(), PerSite: []SiteCount{}, PostsPerMonth: []MonthCount{},
		TopAuthors: []AuthorCount{}, TopThreads: []ThreadCount{}}
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(db.path + suffix)
		switch {
		case err == nil:
			st.SizeBytes += fi.Size()
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("stats: %w", err)
		}
	}
	tasks := []func() error{
		func() error {
			var first, last sql.NullString
			err := db.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM sites), (SELECT count(*) FROM threads),
				(SELECT count(*) FROM posts), (SELECT count(*) FROM authors), (SELECT count(*) FROM pages),
				(SELECT count(*) FROM post_revisions), (SELECT min(posted_at) FROM posts), (SELECT max(posted_at) FROM posts)`).
				Scan(&st.Sites, &st.Threads, &st.Posts, &st.Authors, &st.Pages, &st.Revisions, &first, &last)
			st.FirstPostAt, st.LastPostAt = timePtr(first), timePtr(last)
			return err
		},
		func() error {
			rows, err := db.read.QueryContext(ctx, `SELECT s.base_url, s.engine,
				(SELECT count(*) FROM threads t WHERE t.site_id = s.id),
				(SELECT count(*) FROM threads t JOIN posts p ON p.thread_id = t.id WHERE t.site_id = s.id)
				FROM sites s ORDER BY s.base_url`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c SiteCount
				var engine sql.NullString
				if err := rows.Scan(&c.URL, &engine, &c.Threads, &c.Posts); err != nil {
					return err
				}
				c.Engine = strPtr(engine)
				st.PerSite = append(st.PerSite, c)
			}
			return rows.Err()
		},
		func() error {
			rows, err := db.read.QueryContext(ctx, `SELECT substr(posted_at, 1, 7) AS m, count(*) FROM posts
				WHERE posted_at IS NOT NULL GROUP BY m ORDER BY m`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c MonthCount
				if err := rows.Scan(&c.Month, &c.Posts); err != nil {
					return err
				}
				st.PostsPerMonth = append(st.PostsPerMonth, c)
			}
			return rows.Err()
		},
		func() error {
			rows, err := db.read.QueryContext(ctx, `SELECT a.name, s.base_url, x.n
				FROM (SELECT author_id, count(*) AS n FROM posts WHERE author_id IS NOT NULL
				      GROUP BY author_id ORDER BY n DESC, author_id LIMIT ?) x
				JOIN authors a ON a.id = x.author_id JOIN sites s ON s.id = a.site_id
				ORDER BY x.n DESC, a.id`, top)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c AuthorCount
				var name sql.NullString
				if err := rows.Scan(&name, &c.Site, &c.Posts); err != nil {
					return err
				}
				c.Name = strPtr(name)
				st.TopAuthors = append(st.TopAuthors, c)
			}
			return rows.Err()
		},
		func() error {
			rows, err := db.read.QueryContext(ctx, `SELECT t.title, t.url, s.base_url, x.n
				FROM (SELECT thread_id, count(*) AS n FROM posts GROUP BY thread_id ORDER BY n DESC, thread_id LIMIT ?) x
				JOIN threads t ON t.id = x.thread_id JOIN sites s ON s.id = t.site_id
				ORDER BY x.n DESC, t.id`, top)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c ThreadCount
				var title sql.NullString
				if err := rows.Scan(&title, &c.URL, &c.Site, &c.Posts); err != nil {
					return err
				}
				c.Title = strPtr(title)
				st.TopThreads = append(st.TopThreads, c)
			}
			return rows.Err()
		},
		func() error {
			var r RunSummary
			var started string
			var finished sql.NullString
			err := db.read.QueryRowContext(ctx, `SELECT command, status, started_at, finished_at FROM crawl_runs
				ORDER BY id DESC LIMIT 1`).Scan(&r.Command, &r.Status, &started, &finished)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			r.StartedAt, r.FinishedAt = parseStamp(started), timePtr(finished)
			st.LastRun = &r
			return err
		},
	}
	errs := make([]error, len(tasks))
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Go(func() { errs[i] = task() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

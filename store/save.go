package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"

	"github.com/forumarc/forumarc/scraper"
)

// Statements SavePage runs per post or per author; prepared once at Open.
const (
	sqlUpsertSite = `INSERT INTO sites (base_url, engine, first_seen_at, last_seen_at)
			VALUES (?1, ?2, ?3, ?3)
			ON CONFLICT (base_url) DO UPDATE SET engine = COALESCE(excluded.engine, engine), last_seen_at = excluded.last_seen_at
			RETURNING id`
	sqlUpsertThread = `INSERT INTO threads (site_id, external_id, url, title, prefix, forum_path,
			page_count, first_seen_at, last_crawled_at)
		VALUES (?1, ?2, COALESCE(?3, ?4), ?5, ?6, ?7, ?8, ?9, ?9)
		ON CONFLICT (site_id, external_id) DO UPDATE SET
			url = COALESCE(?3, url),
			title = COALESCE(excluded.title, title),
			prefix = COALESCE(excluded.prefix, prefix),
			forum_path = COALESCE(excluded.forum_path, forum_path),
			page_count = CASE WHEN ?10 THEN excluded.page_count ELSE max(COALESCE(page_count, 0), excluded.page_count) END,
			last_crawled_at = excluded.last_crawled_at
		RETURNING id`
	sqlUpsertPage = `INSERT INTO pages (url, thread_id, number, fetched_at, status, etag,
				last_modified, sha256, encoding, html, posts_sha256)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
			ON CONFLICT (url) DO UPDATE SET thread_id = excluded.thread_id, number = excluded.number,
				fetched_at = excluded.fetched_at, status = excluded.status, etag = excluded.etag,
				last_modified = excluded.last_modified, sha256 = excluded.sha256,
				encoding = excluded.encoding, html = excluded.html, posts_sha256 = excluded.posts_sha256`
	// A later page showed its first archived post renumbered: the thread needs a walk
	// from page 1 (the first time it was seen is kept).
	sqlFlagFullWalk = `UPDATE threads SET full_walk_needed_at = COALESCE(full_walk_needed_at, ?2) WHERE id = ?1`
	// The run's counters, and its heartbeat (see StartRun) in the same statement.
	sqlCountPage = `UPDATE crawl_runs SET pages_fetched = pages_fetched + 1,
			posts_new = posts_new + ?, posts_updated = posts_updated + ?, heartbeat_at = ? WHERE id = ?`
	sqlUpsertAuthor = `INSERT INTO authors (site_id, external_id, name, profile_url, title, joined_on, messages,
		reaction_score, location, country, extras, first_seen_at, last_seen_at, joined_text)
	VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)
	ON CONFLICT (site_id, external_id) DO UPDATE SET
		name = COALESCE(excluded.name, name),
		profile_url = COALESCE(excluded.profile_url, profile_url),
		title = COALESCE(excluded.title, title),
		joined_on = COALESCE(excluded.joined_on, joined_on),
		joined_text = COALESCE(excluded.joined_text, joined_text),
		messages = COALESCE(excluded.messages, messages),
		reaction_score = COALESCE(excluded.reaction_score, reaction_score),
		location = COALESCE(excluded.location, location),
		country = COALESCE(excluded.country, country),
		extras = COALESCE(excluded.extras, extras),
		last_seen_at = excluded.last_seen_at
	RETURNING id`
	// The page's posts that are already archived, in one lookup; their stored number
	// tells whether posts before them were deleted or inserted since.
	sqlFindPosts = `SELECT id, external_id, content_hash, body_html, body_text, edited_at, first_seen_at, number
	FROM posts WHERE thread_id = ?1 AND external_id IN (SELECT value FROM json_each(?2))`
	// A post seen again unchanged: only where it sits and who/when it shows change.
	sqlTouchPost = `UPDATE posts SET number = COALESCE(?2, number), url = COALESCE(?3, url),
		author_id = ?4, author_name = COALESCE(?5, author_name), posted_at = COALESCE(?6, posted_at),
		posted_text = COALESCE(?7, posted_text), edited_at = COALESCE(?8, edited_at),
		last_seen_at = ?9, deleted_at = NULL, last_seen_run = COALESCE(?10, last_seen_run)
	WHERE id = ?1`
	sqlUpdatePost = `UPDATE posts SET number = COALESCE(?2, number), url = COALESCE(?3, url),
		author_id = ?4, author_name = COALESCE(?5, author_name), posted_at = COALESCE(?6, posted_at),
		posted_text = COALESCE(?7, posted_text), edited_at = ?8,
		body_html = ?9, body_text = ?10, signature_text = ?11, content_hash = ?12,
		last_seen_at = ?13, deleted_at = NULL, last_seen_run = COALESCE(?14, last_seen_run)
	WHERE id = ?1`
	sqlInsertQuote = `INSERT INTO quotes (post_id, quoted_post_external_id, quoted_author, body_text) VALUES (?, ?, ?, ?)`
)

// SavePage stores one fetched thread page in one transaction: the site, the thread,
// the authors (latest non-null values win), the posts (new, unchanged or changed, the
// old version of a changed post kept in post_revisions), their quotes, the raw page
// (gzip) and the run's counters. A page after the first whose first archived post
// shows another number than stored also flags its thread for a walk from page 1
// (threads.full_walk_needed_at). Either all of it is committed or none.
func (r *Run) SavePage(ctx context.Context, f *scraper.Fetched, p *scraper.Page) (scraper.SaveStats, error) {
	if f == nil || p == nil {
		return scraper.SaveStats{}, errors.New("save page: fetched response and page are required")
	}
	pageURL := f.URL
	if pageURL == "" {
		pageURL = p.URL
	}
	site := scraper.SiteBase(pageURL)
	if site == "" {
		return scraper.SaveStats{}, fmt.Errorf("save page %s: no scheme and host in the URL", pageURL)
	}
	html, err := gzipBytes(f.Body)
	if err != nil {
		return scraper.SaveStats{}, fmt.Errorf("save page %s: compress: %w", pageURL, err)
	}
	sum := sha256.Sum256(f.Body)

	db := r.db
	now := db.stampNow()
	fetchedAt := now
	if !f.FetchedAt.IsZero() {
		fetchedAt = stamp(f.FetchedAt)
	}
	var st scraper.SaveStats
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		st = scraper.SaveStats{}
		siteID, err := db.saveSite(ctx, tx, r.seen, site, p.Engine, now)
		if err != nil {
			return err
		}
		threadID, err := db.saveThread(ctx, tx, siteID, pageURL, p, now)
		if err != nil {
			return fmt.Errorf("thread: %w", err)
		}
		authorIDs, err := db.saveAuthors(ctx, tx, r.seen, siteID, p.Posts, now)
		if err != nil {
			return fmt.Errorf("authors: %w", err)
		}
		if err := db.savePosts(ctx, tx, threadID, p.Posts, authorIDs, now, r.id, &st); err != nil {
			return err
		}
		number := p.Page.Number
		if number < 1 {
			number = 1
		}
		upsertPage, err := db.stmt(ctx, tx, sqlUpsertPage)
		if err != nil {
			return err
		}
		if _, err := upsertPage.ExecContext(ctx,
			pageURL, threadID, number, fetchedAt, f.Status, nullStr(f.ETag), nullStr(f.LastModified),
			hex.EncodeToString(sum[:]), nullStr(f.Encoding), html, postsHash(p.Posts)); err != nil {
			return fmt.Errorf("page row: %w", err)
		}
		if number > 1 && st.Shift != 0 {
			// Posts before this page were deleted or inserted, and the page now
			// stores the new numbers: keep the evidence until a walk from page 1 is
			// complete (see MarkMissing), so a re-read cut short is done next time.
			flag, err := db.stmt(ctx, tx, sqlFlagFullWalk)
			if err != nil {
				return err
			}
			if _, err := flag.ExecContext(ctx, threadID, now); err != nil {
				return fmt.Errorf("thread full walk flag: %w", err)
			}
		}
		countPage, err := db.stmt(ctx, tx, sqlCountPage)
		if err != nil {
			return err
		}
		if _, err := countPage.ExecContext(ctx,
			st.PostsNew, st.PostsUpdated, now, r.id); err != nil {
			return fmt.Errorf("run counters: %w", err)
		}
		return nil
	})
	if err != nil {
		return scraper.SaveStats{}, fmt.Errorf("save page %s: %w", pageURL, err)
	}
	r.beaten()
	r.mu.Lock()
	r.stats.PagesFetched++
	r.stats.PostsNew += st.PostsNew
	r.stats.PostsUpdated += st.PostsUpdated
	r.mu.Unlock()
	return st, nil
}

// saveSite upserts the site row, unless seen (nil for none) knows this run wrote it
// with the same engine already.
func (db *DB) saveSite(ctx context.Context, tx *sql.Tx, seen *seenCache, site, engine, now string) (int64, error) {
	ref := site + "\x00" + engine
	if id, ok := seen.site(ref); ok {
		db.afterCommit(func() { seen.touch(seen.touchedSites, []int64{id}, now) })
		return id, nil
	}
	upsertSite, err := db.stmt(ctx, tx, sqlUpsertSite)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := upsertSite.QueryRowContext(ctx, site, nullStr(engine), now).Scan(&id); err != nil {
		return 0, fmt.Errorf("site: %w", err)
	}
	if seen != nil {
		db.afterCommit(func() {
			seen.mu.Lock()
			seen.sites[ref] = id
			delete(seen.touchedSites, id) // written just now
			seen.mu.Unlock()
		})
	}
	return id, nil
}

// threadKey is the external id of the page's thread: the forum's id, else the thread
// URL, else the page URL (a single-page thread without ids).
func threadKey(pageURL string, p *scraper.Page) string {
	if p.Thread.ID != nil && *p.Thread.ID != "" {
		return *p.Thread.ID
	}
	if p.Thread.URL != nil && *p.Thread.URL != "" {
		return *p.Thread.URL
	}
	return pageURL
}

func (db *DB) saveThread(ctx context.Context, tx *sql.Tx, siteID int64, pageURL string, p *scraper.Page, now string) (int64, error) {
	var forumPath any
	if len(p.Thread.ForumPath) > 0 {
		t, err := jsonText(p.Thread.ForumPath)
		if err != nil {
			return 0, err
		}
		forumPath = t
	}
	// A page that shows the total is authoritative (threads can shrink); one that
	// does not only proves the thread has at least this many pages.
	count := max(p.Page.Number, 1)
	hasTotal := p.Page.Total != nil
	if hasTotal {
		count = max(count, *p.Page.Total)
	}
	var threadURL any
	if p.Thread.URL != nil && *p.Thread.URL != "" {
		threadURL = *p.Thread.URL
	}
	upsert, err := db.stmt(ctx, tx, sqlUpsertThread)
	if err != nil {
		return 0, err
	}
	var id int64
	err = upsert.QueryRowContext(ctx,
		siteID, threadKey(pageURL, p), threadURL, pageURL, p.Thread.Title, p.Thread.Prefix, forumPath,
		count, now, hasTotal).Scan(&id)
	return id, err
}

// authorKey is an author's external id: the forum's user id, else "name:"+name for
// names shown without a profile link, else "guest".
func authorKey(a *scraper.Author) string {
	switch {
	case a.ID != nil && *a.ID != "":
		return *a.ID
	case a.Name != nil && *a.Name != "":
		return "name:" + *a.Name
	}
	return "guest"
}

// saveAuthors upserts each distinct author of the page once and returns their row ids
// by key. Several posts by one author are merged first, later non-null values over
// earlier ones, so a sidebar field shown on only one of them is still kept.
func (db *DB) saveAuthors(ctx context.Context, tx *sql.Tx, seen *seenCache, siteID int64, posts []scraper.Post, now string) (map[string]int64, error) {
	ids := make(map[string]int64, len(posts))
	merged := make(map[string]*scraper.Author, len(posts))
	order := make([]string, 0, len(posts))
	for i := range posts {
		a := posts[i].Author
		k := authorKey(&a)
		m, ok := merged[k]
		if !ok {
			order = append(order, k)
			a.Extras = maps.Clone(a.Extras)
			merged[k] = &a
			continue
		}
		mergeAuthor(m, &a)
	}
	if len(order) == 0 {
		return ids, nil
	}
	var (
		skipped []int64
		written []authorRef
		sums    []seenRow
	)
	for _, k := range order {
		a := merged[k]
		var extras any
		if len(a.Extras) > 0 {
			t, err := jsonText(a.Extras) // map keys are sorted: stable text
			if err != nil {
				return nil, err
			}
			extras = t
		}
		ref := authorRef{siteID, k}
		var sum uint64
		if seen != nil {
			sum = seen.authorSum(a.Name, a.URL, a.Title, a.Joined, a.JoinedText, a.Location, a.Country,
				a.Messages, a.ReactionScore, extras)
			if id, ok := seen.author(ref, sum); ok {
				ids[k] = id
				skipped = append(skipped, id)
				continue
			}
		}
		s, err := db.stmt(ctx, tx, sqlUpsertAuthor)
		if err != nil {
			return nil, err
		}
		var id int64
		if err := s.QueryRowContext(ctx, siteID, k, a.Name, a.URL, a.Title, a.Joined, a.Messages,
			a.ReactionScore, a.Location, a.Country, extras, now, a.JoinedText).Scan(&id); err != nil {
			return nil, fmt.Errorf("author %s: %w", k, err)
		}
		ids[k] = id
		written = append(written, ref)
		sums = append(sums, seenRow{id, sum})
	}
	if seen != nil && (len(skipped) > 0 || len(written) > 0) {
		db.afterCommit(func() {
			seen.touch(seen.touchedAuthors, skipped, now)
			seen.mu.Lock()
			defer seen.mu.Unlock()
			for i, ref := range written {
				seen.remember(ref, sums[i])
				delete(seen.touchedAuthors, sums[i].id) // written just now
			}
		})
	}
	return ids, nil
}

// mergeAuthor overlays the non-null fields of b onto a.
func mergeAuthor(a, b *scraper.Author) {
	for _, f := range []struct{ dst, src **string }{
		{&a.Name, &b.Name}, {&a.URL, &b.URL}, {&a.Title, &b.Title}, {&a.Joined, &b.Joined},
		{&a.JoinedText, &b.JoinedText}, {&a.Location, &b.Location}, {&a.Country, &b.Country},
	} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	if b.Messages != nil {
		a.Messages = b.Messages
	}
	if b.ReactionScore != nil {
		a.ReactionScore = b.ReactionScore
	}
	if len(b.Extras) > 0 && a.Extras == nil {
		a.Extras = make(map[string]string, len(b.Extras))
	}
	maps.Copy(a.Extras, b.Extras)
}

// jsonText encodes v as compact JSON without HTML escaping, so people reading the
// column in SQL see "<", "&" as they are.
func jsonText(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// postsHash is pages.posts_sha256: the posts a page shows (ids and bodies, in order).
// Two fetches of a page with the same posts hash alike whatever else their markup
// changed, so the trigger of migration 0012 keeps no copy of a page whose posts did
// not change.
func postsHash(posts []scraper.Post) string {
	h := sha256.New()
	for i := range posts {
		h.Write([]byte(posts[i].ID))
		h.Write([]byte{0})
		h.Write([]byte(posts[i].BodyHTML))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ContentHash identifies a post version: hex SHA-256 of body HTML, body text and
// signature, NUL-separated. Metadata (post number, author sidebar) is not part of it,
// so a re-crawl only records a revision when the post itself changed.
func ContentHash(p *scraper.Post) string {
	h := sha256.New()
	h.Write([]byte(p.BodyHTML))
	h.Write([]byte{0})
	h.Write([]byte(p.BodyText))
	h.Write([]byte{0})
	if p.SignatureText != nil {
		h.Write([]byte(*p.SignatureText))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// archivedPost is the stored version of a post SavePage sees again.
type archivedPost struct {
	id                          int64
	hash, html, text, firstSeen string
	edited                      sql.NullString
	number                      sql.NullInt64
}

// newPost is a post row for the multi-row INSERT (see insertPostsArgs).
type newPost struct {
	ID         string
	Number     *int
	URL        *string
	AuthorID   any
	AuthorName *string
	PostedAt   any
	PostedText *string
	EditedAt   any
	BodyHTML   string
	BodyText   string
	Signature  *string
	Hash       string
}

// savePosts sorts the page's posts into new (one multi-row INSERT), unchanged (only
// position, sidebar and last_seen_at updated) and changed (old version kept in
// post_revisions, quotes replaced), counting each in st, and counts the archived ones
// seen with another number (st.Renumbered, st.Shift, st.StoredNumber). Every post written is marked
// seen by run seenRun, for MarkMissing; seenRun 0 (reparse, which fetches nothing)
// leaves the mark as it was.
func (db *DB) savePosts(ctx context.Context, tx *sql.Tx, threadID int64, posts []scraper.Post,
	authorIDs map[string]int64, now string, seenRun int64, st *scraper.SaveStats) error {
	if len(posts) == 0 {
		return nil
	}
	ids := make([]string, 0, len(posts))
	seen := make(map[string]bool, len(posts))
	for i := range posts {
		if posts[i].ID == "" {
			return fmt.Errorf("post %d of the page has no id", i+1)
		}
		if !seen[posts[i].ID] {
			seen[posts[i].ID] = true
			ids = append(ids, posts[i].ID)
		}
	}
	var run any
	if seenRun != 0 {
		run = seenRun
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	find, err := db.stmt(ctx, tx, sqlFindPosts)
	if err != nil {
		return err
	}
	rows, err := find.QueryContext(ctx, threadID, string(idsJSON))
	if err != nil {
		return fmt.Errorf("posts: %w", err)
	}
	archived := make(map[string]*archivedPost, len(posts))
	for rows.Next() {
		var a archivedPost
		var ext string
		if err := rows.Scan(&a.id, &ext, &a.hash, &a.html, &a.text, &a.edited, &a.firstSeen, &a.number); err != nil {
			rows.Close()
			return fmt.Errorf("posts: %w", err)
		}
		archived[ext] = &a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("posts: %w", err)
	}

	var (
		fresh      []newPost
		postIDs    = make(map[string]int64, len(posts)) // posts whose quotes are (re)written
		done       = make(map[string]bool, len(posts))
		touch, upd *sql.Stmt
		knownSeen  bool // an archived post came before on this page
	)
	for i := range posts {
		p := &posts[i]
		if done[p.ID] {
			continue // a duplicate on the same page: the first one counts
		}
		done[p.ID] = true
		hash := ContentHash(p)
		var authorID any
		if id, ok := authorIDs[authorKey(&p.Author)]; ok {
			authorID = id
		}
		old, ok := archived[p.ID]
		if ok {
			// posts.number is "as last seen": a post whose number changed had posts
			// before it deleted or inserted since then.
			shift := 0
			if p.Number != nil && old.number.Valid {
				shift = *p.Number - int(old.number.Int64)
			}
			if shift != 0 {
				st.Renumbered++
			}
			if !knownSeen {
				knownSeen = true
				st.Shift = shift
				if old.number.Valid {
					st.StoredNumber = int(old.number.Int64)
				}
			}
		}
		switch {
		case !ok:
			fresh = append(fresh, newPost{ID: p.ID, Number: p.Number, URL: p.URL, AuthorID: authorID,
				AuthorName: p.Author.Name, PostedAt: stampPtr(p.PostedAt), PostedText: p.PostedText,
				EditedAt: stampPtr(p.EditedAt), BodyHTML: p.BodyHTML, BodyText: p.BodyText,
				Signature: p.SignatureText, Hash: hash})
		case old.hash == hash:
			if touch == nil {
				if touch, err = db.stmt(ctx, tx, sqlTouchPost); err != nil {
					return err
				}
			}
			if _, err := touch.ExecContext(ctx, old.id, p.Number, p.URL, authorID, p.Author.Name,
				stampPtr(p.PostedAt), p.PostedText, stampPtr(p.EditedAt), now, run); err != nil {
				return fmt.Errorf("post %s: touch: %w", p.ID, err)
			}
			st.PostsUnchanged++
		default:
			// The replaced version was current since the previous revision replaced
			// its predecessor, or since the post was first seen.
			versionSince := old.firstSeen
			var prev sql.NullString
			if err := db.queryRow(ctx, tx, `SELECT max(replaced_at) FROM post_revisions WHERE post_id = ?`,
				old.id).Scan(&prev); err != nil {
				return fmt.Errorf("post %s: revisions: %w", p.ID, err)
			}
			if prev.Valid {
				versionSince = prev.String
			}
			if _, err := db.exec(ctx, tx, `INSERT INTO post_revisions (post_id, body_html, body_text,
					content_hash, edited_at, first_seen_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				old.id, old.html, old.text, old.hash, old.edited, versionSince, now); err != nil {
				return fmt.Errorf("post %s: keep revision: %w", p.ID, err)
			}
			if upd == nil {
				if upd, err = db.stmt(ctx, tx, sqlUpdatePost); err != nil {
					return err
				}
			}
			if _, err := upd.ExecContext(ctx, old.id, p.Number, p.URL, authorID, p.Author.Name,
				stampPtr(p.PostedAt), p.PostedText, stampPtr(p.EditedAt), p.BodyHTML, p.BodyText,
				p.SignatureText, hash, now, run); err != nil {
				return fmt.Errorf("post %s: update: %w", p.ID, err)
			}
			if _, err := db.exec(ctx, tx, `DELETE FROM quotes WHERE post_id = ?`, old.id); err != nil {
				return fmt.Errorf("post %s: replace quotes: %w", p.ID, err)
			}
			postIDs[p.ID] = old.id
			st.PostsUpdated++
		}
	}
	// New posts go in by multi-row INSERTs of at most insertChunk rows, which keeps
	// each statement under SQLite's bound-variable limit.
	for len(fresh) > 0 {
		chunk := fresh[:min(len(fresh), insertChunk)]
		fresh = fresh[len(chunk):]
		ins, err := db.stmt(ctx, tx, insertPostsQuery(len(chunk)))
		if err != nil {
			return err
		}
		rows, err := ins.QueryContext(ctx, insertPostsArgs(threadID, now, run, chunk)...)
		if err != nil {
			return fmt.Errorf("insert posts: %w", err)
		}
		n := 0
		for rows.Next() {
			var id int64
			var ext string
			if err := rows.Scan(&id, &ext); err != nil {
				rows.Close()
				return fmt.Errorf("insert posts: %w", err)
			}
			postIDs[ext] = id
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("insert posts: %w", err)
		}
		if n != len(chunk) {
			return fmt.Errorf("insert posts: %d rows inserted, want %d", n, len(chunk))
		}
		st.PostsNew += n
	}
	var quote *sql.Stmt
	for i := range posts {
		p := &posts[i]
		id, ok := postIDs[p.ID]
		if !ok || len(p.Quotes) == 0 {
			continue
		}
		delete(postIDs, p.ID) // a duplicate post id writes its quotes once
		if quote == nil {
			if quote, err = db.stmt(ctx, tx, sqlInsertQuote); err != nil {
				return err
			}
		}
		for _, q := range p.Quotes {
			if _, err := quote.ExecContext(ctx, id, q.PostID, q.Author, q.Text); err != nil {
				return fmt.Errorf("post %s: quote: %w", p.ID, err)
			}
		}
	}
	return nil
}

var insertPostsCache sync.Map // row count -> SQL text

// insertChunk caps rows per INSERT: 16 variables a row stays far below SQLite's
// 32,766-variable limit, and statements stay few enough to cache.
const insertChunk = 200

// insertColumns are the columns insertPostsQuery fills, in insertPostsArgs order.
const insertColumns = `thread_id, external_id, number, url, author_id, author_name, posted_at, posted_text,
	edited_at, body_html, body_text, signature_text, content_hash, first_seen_at, last_seen_at, last_seen_run`

// insertPostsQuery is one INSERT for n new posts: FTS5 flushes its pending index at
// the start of every statement that writes it, so one INSERT per post would write one
// index segment per post (measured: half the time of SavePage). The parameters are
// anonymous: for each numbered or named one the driver looks its name up in a list
// as long as the statement, which for 200 rows made binding quadratic.
func insertPostsQuery(n int) string {
	if q, ok := insertPostsCache.Load(n); ok {
		return q.(string)
	}
	row := "(" + strings.Repeat("?,", strings.Count(insertColumns, ",")) + "?)"
	var b strings.Builder
	b.WriteString("INSERT INTO posts (" + insertColumns + ") VALUES ")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(row)
	}
	b.WriteString(" RETURNING id, external_id")
	q, _ := insertPostsCache.LoadOrStore(n, b.String())
	return q.(string)
}

func insertPostsArgs(threadID int64, now string, run any, fresh []newPost) []any {
	args := make([]any, 0, len(fresh)*16)
	for i := range fresh {
		p := &fresh[i]
		args = append(args, threadID, p.ID, p.Number, p.URL, p.AuthorID, p.AuthorName, p.PostedAt, p.PostedText,
			p.EditedAt, p.BodyHTML, p.BodyText, p.Signature, p.Hash, now, now, run)
	}
	return args
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// gzipBytes compresses a raw page for the pages.html column. klauspost/compress
// writes the same gzip format as compress/gzip (any gzip reader opens it) 2.6 times
// faster at the default level, for about 7% more bytes: on a crawl the standard
// library's deflate was 8% of all CPU.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w := gzipPool.Get().(*gzip.Writer)
	defer gzipPool.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

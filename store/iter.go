package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"modernc.org/sqlite"

	"github.com/forumarc/forumarc/scraper"
)

// Selection picks the posts a search, export or reparse works on. The zero value
// selects everything; each set field narrows it (all conditions must hold).
type Selection struct {
	// Site is a site's base URL ("https://forum.example") or its host ("forum.example").
	Site string
	// Forum is one breadcrumb label of the thread's forum path ("Bikes"), matched
	// exactly: case-sensitive, as the forum shows it.
	Forum string
	// Thread is a thread URL (or the URL of any of its archived pages) or the forum's
	// thread id. A URL is matched as the archive stores it: without its fragment or
	// session parameters, with or without the trailing slash, and without its query
	// string when nothing matches with it (see threadURLWhere).
	Thread string
	// ThreadRowID is threads.id, for callers that already hold a row.
	ThreadRowID int64
	// Author is an author's name as shown, matched whole and case-insensitively in
	// every script (Unicode case folding: "JIŘÍ NOVÁK" finds "Jiří Novák").
	Author string
	// Since and Until bound posted_at: Since <= posted_at < Until. Posts without a
	// date are left out when either is set.
	Since, Until *time.Time

	// authorIDs is the JSON array of the author rows named Author (resolveAuthor),
	// for statements run many times; "" looks them up in the statement itself.
	authorIDs string
}

// postLevel reports whether the selection has conditions on posts (not only on threads).
func (s Selection) postLevel() bool { return s.Author != "" || s.Since != nil || s.Until != nil }

// where builds the SQL condition over the aliases p (posts), t (threads), s (sites)
// and a (authors), with its arguments. "1" when the selection is empty.
func (s Selection) where() (string, []any) {
	var conds []string
	var args []any
	if c, a := s.threadWhere(); c != "1" {
		conds = append(conds, c)
		args = append(args, a...)
	}
	if s.Author != "" {
		c, a := s.authorWhere()
		conds = append(conds, c)
		args = append(args, a...)
	}
	if s.Since != nil {
		conds = append(conds, "p.posted_at >= ?")
		args = append(args, stamp(*s.Since))
	}
	if s.Until != nil {
		conds = append(conds, "p.posted_at < ?")
		args = append(args, stamp(*s.Until))
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// threadWhere is the part of the selection about threads and sites (aliases t, s).
func (s Selection) threadWhere() (string, []any) {
	var conds []string
	var args []any
	if s.Site != "" {
		site := strings.TrimRight(strings.TrimSpace(s.Site), "/")
		if base := scraper.SiteBase(site); base != "" && strings.Contains(site, "://") {
			conds = append(conds, "s.base_url = ?")
			args = append(args, base)
		} else {
			conds = append(conds, "substr(s.base_url, instr(s.base_url, '://') + 3) = ? COLLATE NOCASE")
			args = append(args, site)
		}
	}
	if s.Forum != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM json_each(t.forum_path) WHERE json_each.value = ?)")
		args = append(args, s.Forum)
	}
	if s.Thread != "" {
		th := strings.TrimSpace(s.Thread)
		if strings.Contains(th, "://") {
			c, a := threadURLWhere(th)
			conds = append(conds, c)
			args = append(args, a...)
		} else {
			conds = append(conds, "t.external_id = ?")
			args = append(args, th)
		}
	}
	if s.ThreadRowID != 0 {
		conds = append(conds, "t.id = ?")
		args = append(args, s.ThreadRowID)
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// authorWhere is the --author condition (aliases p, a): the post's author name, as
// COALESCE(a.name, p.author_name) gives it, equals s.Author after Unicode case
// folding (foldName). The author rows are looked up once per statement (the subquery
// does not depend on the post), or not at all when resolveAuthor did it, so foldName
// runs once per author row, not once per post; only posts whose author row has no
// name compare their own author_name.
func (s Selection) authorWhere() (string, []any) {
	key := foldName(s.Author)
	ids, arg := authorsNamed, any(key)
	if s.authorIDs != "" {
		ids, arg = "SELECT value FROM json_each(?)", s.authorIDs
	}
	return "(p.author_id IN (" + ids + ") OR (a.name IS NULL AND " + foldFunc + "(p.author_name) = ?))", []any{arg, key}
}

// authorsNamed selects the author rows whose name folds to the argument.
const authorsNamed = "SELECT id FROM authors WHERE " + foldFunc + "(name) = ?"

// resolveAuthor looks up the author rows of s.Author once, for a statement run once
// per thread (Posts), which would otherwise fold every author's name each time.
func (s Selection) resolveAuthor(ctx context.Context, tx *sql.Tx) (Selection, error) {
	if s.Author == "" {
		return s, nil
	}
	err := tx.QueryRowContext(ctx, "SELECT json_group_array(id) FROM ("+authorsNamed+")", foldName(s.Author)).Scan(&s.authorIDs)
	return s, err
}

// foldFunc is the SQL function foldName is registered as on every connection of the
// sqlite driver. It is forumarc's own, not part of the schema: nothing stored refers
// to it, so other SQLite clients read the archive as before.
const foldFunc = "forumarc_casefold"

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(foldFunc, 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return foldName(v), nil
			case []byte:
				return foldName(string(v)), nil
			}
			return args[0], nil
		})
}

var folders = sync.Pool{New: func() any { return cases.Fold() }}

// foldName is s with Unicode full case folding ("JIŘÍ" and "jiří" fold alike, and so
// do "STRASSE" and "straße"): names that differ only in case fold to the same string.
// Accents are kept: "Jiri" is another name than "Jiří".
func foldName(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	c := folders.Get().(cases.Caser)
	out := c.String(s)
	folders.Put(c)
	return out
}

// threadURLWhere matches the thread a URL names (alias t), however the URL was
// copied: the archive stores thread and page URLs cleaned (scraper.CleanURL: no
// session parameters) and without a fragment, so the fragment is always dropped and
// session parameters are removed. The thread is the one whose thread URL or any of
// whose archived page URLs is, first choice, the URL as given (cleaned); else the URL
// with the trailing slash added or removed, or the scheme and host in lower case;
// else, for a URL with a query string that matched nothing, the URL without it
// ("threads/x.541/?order=desc"), so a query that identifies the thread
// ("viewtopic.php?t=7") is never dropped when it matches.
func threadURLWhere(raw string) (string, []any) {
	tiers := threadURLCandidates(raw)
	var values []string
	var args []any
	for pri, urls := range tiers {
		for _, u := range urls {
			values = append(values, "(?, ?)")
			args = append(args, u, pri)
		}
	}
	return `t.id IN (WITH c(url, pri) AS (VALUES ` + strings.Join(values, ", ") + `),
		m(id, pri) AS (SELECT th.id, c.pri FROM c JOIN threads th ON th.url = c.url
			UNION ALL SELECT pg.thread_id, c.pri FROM c JOIN pages pg ON pg.url = c.url WHERE pg.thread_id IS NOT NULL)
		SELECT id FROM m WHERE pri = (SELECT min(pri) FROM m))`, args
}

// threadURLCandidates are the stored forms a thread URL may have, by preference (see
// threadURLWhere), each tier without repeats.
func threadURLCandidates(raw string) [3][]string {
	var tiers [3][]string
	seen := map[string]bool{}
	add := func(tier int, u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			tiers[tier] = append(tiers[tier], u)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		add(0, raw)
		return tiers
	}
	u.Fragment, u.RawFragment = "", ""
	exact := scraper.CleanURL(u.String())
	add(0, exact)
	lower := *u
	lower.Scheme, lower.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	clean, err := url.Parse(scraper.CleanURL(lower.String()))
	if err != nil {
		return tiers
	}
	slashes := func(tier int, v *url.URL) {
		add(tier, v.String())
		w := *v
		switch p := v.EscapedPath(); {
		case p == "" || p == "/":
			return
		case strings.HasSuffix(p, "/"):
			w.Path, w.RawPath = strings.TrimSuffix(v.Path, "/"), strings.TrimSuffix(v.RawPath, "/")
		default:
			w.Path = v.Path + "/"
			if v.RawPath != "" {
				w.RawPath = v.RawPath + "/"
			}
		}
		add(tier, w.String())
	}
	slashes(1, clean)
	if clean.RawQuery != "" || clean.ForceQuery {
		bare := *clean
		bare.RawQuery, bare.ForceQuery = "", false
		slashes(2, &bare)
	}
	return tiers
}

// Site is the site a post was archived from.
type Site struct {
	URL    string  `json:"url"`
	Engine *string `json:"engine"`
}

// ArchiveInfo is what the archive knows of a post beyond what the page showed.
type ArchiveInfo struct {
	PostRowID   int64      `json:"post_rowid"`
	ThreadRowID int64      `json:"thread_rowid"`
	ContentHash string     `json:"content_hash"`
	FirstSeenAt time.Time  `json:"first_seen_at"`
	LastSeenAt  time.Time  `json:"last_seen_at"`
	DeletedAt   *time.Time `json:"deleted_at"`
	// Revisions are the post's earlier versions (post_revisions), oldest first; empty,
	// never nil, for a post that has not changed since it was first archived.
	Revisions []Revision `json:"revisions"`
}

// Revision is an earlier version of an edited post: a post_revisions row, the body
// the post had until a later crawl or reparse saw it changed.
type Revision struct {
	BodyHTML    string `json:"body_html"`
	BodyText    string `json:"body_text"`
	ContentHash string `json:"content_hash"`
	// EditedAt is the edit time the forum showed for this version, nil when none.
	EditedAt *time.Time `json:"edited_at"`
	// FirstSeenAt is when this version was first archived, ReplacedAt when a newer
	// one was seen (the next version's FirstSeenAt).
	FirstSeenAt time.Time `json:"first_seen_at"`
	ReplacedAt  time.Time `json:"replaced_at"`
}

// PostRecord is one archived post as exports write it: the post object of
// `forumarc extract` (embedded, so its JSON fields sit at the top level) plus its
// thread, site and archive bookkeeping.
type PostRecord struct {
	scraper.Post
	Thread  scraper.Thread `json:"thread"`
	Site    Site           `json:"site"`
	Archive ArchiveInfo    `json:"archive"`
}

// postWhere is the part of the selection about posts themselves (aliases p, a), for
// the per-thread post query; joinAuthor says whether it needs the authors join.
func (s Selection) postWhere() (where string, args []any, joinAuthor bool) {
	var conds []string
	if s.Author != "" {
		c, a := s.authorWhere()
		conds = append(conds, c)
		args = append(args, a...)
		joinAuthor = true
	}
	if s.Since != nil {
		conds = append(conds, "p.posted_at >= ?")
		args = append(args, stamp(*s.Since))
	}
	if s.Until != nil {
		conds = append(conds, "p.posted_at < ?")
		args = append(args, stamp(*s.Until))
	}
	if len(conds) == 0 {
		return "1", nil, false
	}
	return strings.Join(conds, " AND "), args, joinAuthor
}

// postColumns are read per post; thread, site and author come from their own
// (cached) lookups, which costs far less than joining them onto every row.
const postColumns = `SELECT p.id, p.external_id, p.number, p.url, p.author_name, p.posted_at,
	p.posted_text, p.edited_at, p.body_html, p.body_text, p.signature_text, p.content_hash, p.first_seen_at,
	p.last_seen_at, p.deleted_at, p.author_id,
	(SELECT json_group_array(json_array(q.quoted_author, q.quoted_post_external_id, q.body_text))
	 FROM quotes q WHERE q.post_id = p.id)
FROM posts p`

// revisionColumns are the earlier versions of a thread's posts, read beside the post
// rows and in their order (the posts query's ORDER BY, then oldest first), so
// revisionCursor merges them into the records without a query per post.
const revisionColumns = `SELECT r.post_id, r.body_html, r.body_text, r.content_hash, r.edited_at, r.first_seen_at,
	r.replaced_at
FROM post_revisions r JOIN posts p ON p.id = r.post_id`

// editedThreadsQuery lists the threads with a post that has earlier versions, so
// threads without (most of them) cost no revisions query. CROSS JOIN keeps
// post_revisions the outer loop: SQLite would otherwise walk every post's index entry
// to probe post_revisions, even when it is empty.
const editedThreadsQuery = `SELECT DISTINCT p.thread_id FROM post_revisions r CROSS JOIN posts p ON p.id = r.post_id`

const (
	threadInfoQuery = `SELECT t.external_id, t.title, t.prefix, t.url, t.forum_path, s.base_url, s.engine
		FROM threads t JOIN sites s ON s.id = t.site_id WHERE t.id = ?`
	authorQuery = `SELECT external_id, name, profile_url, title, joined_on, joined_text, messages, reaction_score,
		location, country, extras FROM authors WHERE id = ?`
)

// Posts streams the selected posts, thread by thread (in thread row order) and within
// a thread in post order, each with its earlier versions (ArchiveInfo.Revisions), all
// from one read snapshot. It asks for one thread at a time so nothing is sorted or
// buffered beyond a thread, whatever the archive's size; a thread with edited posts
// takes one more query, for its revisions, read in step with its posts. Each record
// is freshly allocated; records of the same thread share the thread's ForumPath slice
// and records of the same author its pointers and Extras map, which callers must not
// modify.
// Stop the loop early to release the snapshot.
func (db *DB) Posts(ctx context.Context, sel Selection) iter.Seq2[*PostRecord, error] {
	return func(yield func(*PostRecord, error) bool) {
		fail := func(err error) { yield(nil, fmt.Errorf("read posts: %w", err)) }
		tx, err := db.snap.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			fail(err)
			return
		}
		defer tx.Rollback()
		tw, targs := sel.threadWhere()
		trows, err := tx.QueryContext(ctx, `SELECT t.id FROM threads t JOIN sites s ON s.id = t.site_id WHERE `+tw+` ORDER BY t.id`, targs...)
		if err != nil {
			fail(err)
			return
		}
		var threads []int64
		for trows.Next() {
			var id int64
			if err := trows.Scan(&id); err != nil {
				trows.Close()
				fail(err)
				return
			}
			threads = append(threads, id)
		}
		trows.Close()
		if err := trows.Err(); err != nil {
			fail(err)
			return
		}
		if sel, err = sel.resolveAuthor(ctx, tx); err != nil {
			fail(err)
			return
		}
		edited, err := editedThreads(ctx, tx)
		if err != nil {
			fail(err)
			return
		}
		where, args, joinAuthor := sel.postWhere()
		join := ""
		if joinAuthor {
			join = "\nLEFT JOIN authors a ON a.id = p.author_id"
		}
		// Both statements select the same posts in the same order: revisionCursor
		// relies on it.
		cond := "\nWHERE p.thread_id = ? AND " + where + "\nORDER BY p.number, p.id"
		sc := &postScanner{authors: map[int64]scraper.Author{}}
		var revStmt *sql.Stmt
		for _, x := range []struct {
			s **sql.Stmt
			q string
		}{
			{&sc.posts, postColumns + join + cond},
			{&revStmt, revisionColumns + join + cond + ", r.id"},
			{&sc.threadStmt, threadInfoQuery},
			{&sc.authorStmt, authorQuery},
		} {
			if *x.s, err = tx.PrepareContext(ctx, x.q); err != nil {
				fail(err)
				return
			}
			defer (*x.s).Close()
		}
		all := append([]any{nil}, args...)
		for _, id := range threads {
			all[0] = id
			if !postsOfThread(ctx, sc, revStmt, edited[id], all, yield) {
				return
			}
		}
	}
}

// postsOfThread yields the posts of one thread (args: the thread row id, then the
// selection's arguments), with their revisions when the thread has edited posts.
// False when it stopped: the consumer stopped, or an error was yielded.
func postsOfThread(ctx context.Context, sc *postScanner, revStmt *sql.Stmt, edited bool, args []any,
	yield func(*PostRecord, error) bool) bool {
	fail := func(err error) bool { yield(nil, fmt.Errorf("read posts: %w", err)); return false }
	var revs revisionCursor
	if edited {
		rows, err := revStmt.QueryContext(ctx, args...)
		if err != nil {
			return fail(err)
		}
		defer rows.Close()
		revs.rows = rows
		if err := revs.advance(); err != nil {
			return fail(err)
		}
	}
	rows, err := sc.posts.QueryContext(ctx, args...)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	threadID := args[0].(int64)
	for rows.Next() {
		rec, err := sc.scan(ctx, rows, threadID)
		if err != nil {
			return fail(err)
		}
		if rec.Archive.Revisions, err = revs.take(rec.Archive.PostRowID); err != nil {
			return fail(err)
		}
		if !yield(rec, nil) {
			return false
		}
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	if revs.ok {
		return fail(fmt.Errorf("thread %d: revision of post %d out of order", threadID, revs.post))
	}
	return true
}

// editedThreads is the set of threads with a post that has earlier versions.
func editedThreads(ctx context.Context, tx *sql.Tx) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, editedThreadsQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// revisionCursor reads a thread's revision rows (revisionColumns) alongside its post
// rows. Both come in the same post order, so the pending row belongs to the current
// post or to a later one; the zero value (no rows) gives every post none.
type revisionCursor struct {
	rows *sql.Rows
	ok   bool     // next holds a row not taken yet
	post int64    // its post row id
	next Revision // the row
}

// advance reads the next revision row into the cursor.
func (c *revisionCursor) advance() error {
	c.ok = false
	if c.rows == nil || !c.rows.Next() {
		if c.rows != nil {
			return c.rows.Err()
		}
		return nil
	}
	var edited sql.NullString
	var firstSeen, replaced string
	c.next = Revision{}
	if err := c.rows.Scan(&c.post, &c.next.BodyHTML, &c.next.BodyText, &c.next.ContentHash, &edited,
		&firstSeen, &replaced); err != nil {
		return fmt.Errorf("revisions: %w", err)
	}
	c.next.EditedAt = timePtr(edited)
	c.next.FirstSeenAt = parseStamp(firstSeen)
	c.next.ReplacedAt = parseStamp(replaced)
	c.ok = true
	return nil
}

// take returns the revisions of post (the next post in order), oldest first: empty,
// not nil, when it has none.
func (c *revisionCursor) take(post int64) ([]Revision, error) {
	out := []Revision{}
	for c.ok && c.post == post {
		out = append(out, c.next)
		if err := c.advance(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// postScanner turns post rows into records, looking up each thread once and each
// author once (up to maxAuthorCache authors).
type postScanner struct {
	posts, threadStmt, authorStmt *sql.Stmt

	threadID int64
	thread   scraper.Thread
	site     Site
	authors  map[int64]scraper.Author
}

// maxAuthorCache bounds the decoded-author cache of one export.
const maxAuthorCache = 50000

func (sc *postScanner) scan(ctx context.Context, rows *sql.Rows, threadID int64) (*PostRecord, error) {
	var (
		r                                               PostRecord
		number, authorID                                sql.NullInt64
		url, authorName, postedAt, postedText, editedAt sql.NullString
		signature, deletedAt, quotes                    sql.NullString
		firstSeen, lastSeen                             string
	)
	if err := rows.Scan(&r.Archive.PostRowID, &r.ID, &number, &url, &authorName, &postedAt,
		&postedText, &editedAt, &r.BodyHTML, &r.BodyText, &signature, &r.Archive.ContentHash, &firstSeen,
		&lastSeen, &deletedAt, &authorID, &quotes); err != nil {
		return nil, err
	}
	r.Archive.ThreadRowID = threadID
	if number.Valid {
		r.Number = scraper.Int(int(number.Int64))
	}
	r.URL = strPtr(url)
	r.PostedAt = timePtr(postedAt)
	r.PostedText = strPtr(postedText)
	r.EditedAt = timePtr(editedAt)
	r.SignatureText = strPtr(signature)
	r.Archive.FirstSeenAt = parseStamp(firstSeen)
	r.Archive.LastSeenAt = parseStamp(lastSeen)
	r.Archive.DeletedAt = timePtr(deletedAt)

	if authorID.Valid {
		a, err := sc.author(ctx, authorID.Int64)
		if err != nil {
			return nil, err
		}
		r.Author = a
	}
	if r.Author.Name == nil {
		r.Author.Name = strPtr(authorName)
	}
	if threadID != sc.threadID || sc.threadID == 0 {
		if err := sc.loadThread(ctx, threadID); err != nil {
			return nil, err
		}
	}
	r.Thread = sc.thread
	r.Site = sc.site

	r.Quotes = []scraper.Quote{}
	if quotes.Valid && quotes.String != "[]" {
		var qs [][3]*string
		if err := json.Unmarshal([]byte(quotes.String), &qs); err != nil {
			return nil, fmt.Errorf("post %s quotes: %w", r.ID, err)
		}
		for _, q := range qs {
			quote := scraper.Quote{Author: q[0], PostID: q[1]}
			if q[2] != nil {
				quote.Text = *q[2]
			}
			r.Quotes = append(r.Quotes, quote)
		}
	}
	return &r, nil
}

// author returns the author row id as the extract contract shows it: the forum's id
// (never the "name:" or "guest" keys the archive uses for unlinked names).
func (sc *postScanner) author(ctx context.Context, id int64) (scraper.Author, error) {
	if a, ok := sc.authors[id]; ok {
		return a, nil
	}
	var (
		a                         scraper.Author
		ext                       string
		name, url, title, joined  sql.NullString
		joinedText                sql.NullString
		messages, reaction        sql.NullInt64
		location, country, extras sql.NullString
	)
	if err := sc.authorStmt.QueryRowContext(ctx, id).Scan(&ext, &name, &url, &title, &joined, &joinedText, &messages, &reaction,
		&location, &country, &extras); err != nil {
		return a, fmt.Errorf("author %d: %w", id, err)
	}
	a = scraper.Author{Name: strPtr(name), URL: strPtr(url), Title: strPtr(title), Joined: strPtr(joined),
		JoinedText: strPtr(joinedText), Location: strPtr(location), Country: strPtr(country)}
	if !strings.HasPrefix(ext, "name:") && ext != "guest" {
		a.ID = &ext
	}
	if messages.Valid {
		a.Messages = scraper.Int64(messages.Int64)
	}
	if reaction.Valid {
		a.ReactionScore = scraper.Int64(reaction.Int64)
	}
	if extras.Valid && extras.String != "" {
		if err := json.Unmarshal([]byte(extras.String), &a.Extras); err != nil {
			return a, fmt.Errorf("author %d extras: %w", id, err)
		}
	}
	if len(sc.authors) >= maxAuthorCache {
		clear(sc.authors)
	}
	sc.authors[id] = a
	return a, nil
}

func (sc *postScanner) loadThread(ctx context.Context, id int64) error {
	var (
		ext                      string
		title, prefix, url, path sql.NullString
		site                     string
		engine                   sql.NullString
	)
	if err := sc.threadStmt.QueryRowContext(ctx, id).Scan(&ext, &title, &prefix, &url, &path, &site, &engine); err != nil {
		return fmt.Errorf("thread %d: %w", id, err)
	}
	sc.threadID = id
	sc.thread = scraper.Thread{ID: &ext, Title: strPtr(title), Prefix: strPtr(prefix), URL: strPtr(url)}
	if path.Valid && path.String != "" {
		if err := json.Unmarshal([]byte(path.String), &sc.thread.ForumPath); err != nil {
			return fmt.Errorf("thread %d forum_path: %w", id, err)
		}
	}
	sc.site = Site{URL: site, Engine: strPtr(engine)}
	return nil
}

// StoredPage is one archived raw page.
type StoredPage struct {
	RowID        int64
	URL          string
	ThreadRowID  int64 // 0 when the page belongs to no thread
	Number       int
	FetchedAt    time.Time
	Status       int
	ETag         string
	LastModified string
	SHA256       string
	Encoding     string
	Site         string
	Engine       string
	// Body is the raw bytes as fetched; filled by PageBodies and Page, not by ListPages.
	Body []byte
	// VersionID is the page_versions row of an earlier copy of the page (RowID), which
	// PageBodies yields before the current copy; 0 for the copy in pages.
	VersionID int64
}

const pageSelect = `SELECT pg.id, pg.url, COALESCE(pg.thread_id, 0), COALESCE(pg.number, 1), pg.fetched_at, pg.status,
	COALESCE(pg.etag, ''), COALESCE(pg.last_modified, ''), pg.sha256, COALESCE(pg.encoding, ''),
	COALESCE(s.base_url, ''), COALESCE(s.engine, '')`

// pagesQuery selects the pages of the selected threads (with post conditions: the
// threads holding a selected post), in thread and page order.
func (s Selection) pagesQuery(columns string, threadPagesOnly bool) (string, []any) {
	from := `
FROM pages pg
LEFT JOIN threads t ON t.id = pg.thread_id
LEFT JOIN sites s ON s.id = t.site_id`
	var where string
	var args []any
	switch {
	case s.postLevel():
		w, a := s.where()
		where = `pg.thread_id IN (SELECT p.thread_id FROM posts p JOIN threads t ON t.id = p.thread_id
			JOIN sites s ON s.id = t.site_id LEFT JOIN authors a ON a.id = p.author_id WHERE ` + w + `)`
		args = a
	default:
		where, args = s.threadWhere()
		if where != "1" || threadPagesOnly {
			where = "pg.thread_id IS NOT NULL AND " + where
		}
	}
	return columns + from + "\nWHERE " + where + "\nORDER BY pg.thread_id, pg.number, pg.id", args
}

// ListPages lists the archived thread pages of the selection without their bodies, so
// a caller can work through them one by one (reparse writes while it goes). Pages
// stored without a thread (board indexes) are not listed.
func (db *DB) ListPages(ctx context.Context, sel Selection) ([]StoredPage, error) {
	q, args := sel.pagesQuery(pageSelect, true)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	defer rows.Close()
	var out []StoredPage
	for rows.Next() {
		var p StoredPage
		var fetched string
		if err := rows.Scan(&p.RowID, &p.URL, &p.ThreadRowID, &p.Number, &fetched, &p.Status, &p.ETag,
			&p.LastModified, &p.SHA256, &p.Encoding, &p.Site, &p.Engine); err != nil {
			return nil, fmt.Errorf("list pages: %w", err)
		}
		p.FetchedAt = parseStamp(fetched)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	return out, nil
}

// PageBodies streams the selected pages with their raw bytes (decompressed), for the
// WARC export. A page with earlier copies in page_versions comes with them, oldest
// first, just before its current copy (VersionID set, same RowID).
func (db *DB) PageBodies(ctx context.Context, sel Selection) iter.Seq2[*StoredPage, error] {
	return func(yield func(*StoredPage, error) bool) {
		q, args := sel.pagesQuery(pageSelect+", pg.html", false)
		// One snapshot for the pages and their earlier copies: a page a crawl
		// re-fetches meanwhile is neither missed nor exported twice.
		tx, err := db.snap.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			yield(nil, fmt.Errorf("read pages: %w", err))
			return
		}
		defer tx.Rollback()
		versioned, err := versionedPages(ctx, tx)
		if err != nil {
			yield(nil, err)
			return
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			yield(nil, fmt.Errorf("read pages: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			p := &StoredPage{}
			var fetched string
			var z []byte
			if err := rows.Scan(&p.RowID, &p.URL, &p.ThreadRowID, &p.Number, &fetched, &p.Status, &p.ETag,
				&p.LastModified, &p.SHA256, &p.Encoding, &p.Site, &p.Engine, &z); err != nil {
				yield(nil, fmt.Errorf("read pages: %w", err))
				return
			}
			p.FetchedAt = parseStamp(fetched)
			if z != nil {
				if p.Body, err = gunzip(z); err != nil {
					yield(nil, fmt.Errorf("page %s: decompress: %w", p.URL, err))
					return
				}
			}
			if versioned[p.RowID] && !yieldVersions(ctx, tx, p, yield) {
				return
			}
			if !yield(p, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, fmt.Errorf("read pages: %w", err))
		}
	}
}

// PageBody loads the raw bytes of one listed page. ErrNotFound when it has none.
func (db *DB) PageBody(ctx context.Context, rowID int64) ([]byte, error) {
	var z []byte
	err := db.read.QueryRowContext(ctx, `SELECT html FROM pages WHERE id = ?`, rowID).Scan(&z)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && z == nil) {
		return nil, fmt.Errorf("page %d: %w", rowID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("page %d: %w", rowID, err)
	}
	b, err := gunzip(z)
	if err != nil {
		return nil, fmt.Errorf("page %d: decompress: %w", rowID, err)
	}
	return b, nil
}

func strPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

func timePtr(s sql.NullString) *time.Time {
	if !s.Valid || s.String == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s.String)
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

func parseStamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// gunzip decompresses a pages.html value.
func gunzip(z []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/forumarc/forumarc/store"
)

// JSONL writes one JSON object per line: the post object of `forumarc extract` with
// its thread, site and archive fields (store.PostRecord), byte for byte what
// encoding/json would write for it (HTML characters unescaped). The ids of the extract
// contract (id, thread.id, author.id, quotes[].post_id) are the forum's, as strings;
// archive.post_rowid and archive.thread_rowid are the archive's row ids (the
// post_details view's post_id and thread_id). archive.revisions lists the post's
// earlier versions, oldest first, [] when it has none.
func JSONL(w io.Writer, posts iter.Seq2[*store.PostRecord, error]) (Counts, error) {
	var c Counts
	bw := bufio.NewWriterSize(w, 256<<10)
	buf := make([]byte, 0, 4096)
	var thread int64
	for p, err := range prefetch(posts) {
		if err != nil {
			return c, err
		}
		buf = append(appendRecord(buf[:0], p), '\n')
		if _, err := bw.Write(buf); err != nil {
			return c, fmt.Errorf("export jsonl: %w", err)
		}
		c.Posts++
		if p.Archive.ThreadRowID != thread {
			thread = p.Archive.ThreadRowID
			c.Threads++
		}
	}
	if err := bw.Flush(); err != nil {
		return c, fmt.Errorf("export jsonl: %w", err)
	}
	return c, nil
}

// CSVColumns are the CSV header, one row per post with the author flattened. Empty
// cells are absent (null) values; extras, quotes and forum_path are JSON.
//
// thread_external_id and post_external_id are the forum's ids, as the post_details
// view names them; post_rowid and thread_rowid are the archive's row ids (the view's
// post_id and thread_id). No column is named post_id or thread_id, so a join on the
// view's names cannot silently match the forum's ids; likewise author_external_id is the
// forum's author id (the extract contract's author.id), not the view's author_id (a row
// id). The quotes JSON's post_id is the forum's id of the quoted post. revision_count is the
// number of earlier versions the archive keeps of the post (0 when it never changed).
var CSVColumns = []string{
	"site_url", "engine", "thread_external_id", "thread_title", "thread_prefix", "thread_url", "forum_path",
	"post_external_id", "post_number", "post_url", "posted_at", "posted_text", "edited_at", "deleted_at",
	"author_external_id", "author_name", "author_url", "author_title", "author_joined", "author_messages",
	"author_reaction_score", "author_location", "author_country", "author_extras",
	"body_text", "body_html", "signature_text", "quotes",
	"post_rowid", "thread_rowid", "content_hash", "first_seen_at", "last_seen_at", "revision_count",
}

// CSV writes CSVColumns then one row per post.
func CSV(w io.Writer, posts iter.Seq2[*store.PostRecord, error]) (Counts, error) {
	var c Counts
	bw := bufio.NewWriterSize(w, 256<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVColumns); err != nil {
		return c, fmt.Errorf("export csv: %w", err)
	}
	row := make([]string, len(CSVColumns))
	var thread int64
	for p, err := range prefetch(posts) {
		if err != nil {
			return c, err
		}
		var fp, extras, quotes string
		if len(p.Thread.ForumPath) > 0 {
			fp = mustJSON(p.Thread.ForumPath)
		}
		if len(p.Author.Extras) > 0 {
			extras = mustJSON(p.Author.Extras)
		}
		if len(p.Quotes) > 0 {
			quotes = mustJSON(p.Quotes)
		}
		row = append(row[:0],
			p.Site.URL, deref(p.Site.Engine), deref(p.Thread.ID), deref(p.Thread.Title), deref(p.Thread.Prefix),
			deref(p.Thread.URL), fp,
			p.ID, intCell(p.Number), deref(p.URL), timeCell(p.PostedAt), deref(p.PostedText), timeCell(p.EditedAt),
			timeCell(p.Archive.DeletedAt),
			deref(p.Author.ID), deref(p.Author.Name), deref(p.Author.URL), deref(p.Author.Title), deref(p.Author.Joined),
			int64Cell(p.Author.Messages), int64Cell(p.Author.ReactionScore), deref(p.Author.Location),
			deref(p.Author.Country), extras,
			p.BodyText, p.BodyHTML, deref(p.SignatureText), quotes,
			strconv.FormatInt(p.Archive.PostRowID, 10), strconv.FormatInt(p.Archive.ThreadRowID, 10),
			p.Archive.ContentHash, p.Archive.FirstSeenAt.Format(time.RFC3339), p.Archive.LastSeenAt.Format(time.RFC3339),
			strconv.Itoa(len(p.Archive.Revisions)),
		)
		if err := cw.Write(row); err != nil {
			return c, fmt.Errorf("export csv: %w", err)
		}
		c.Posts++
		if p.Archive.ThreadRowID != thread {
			thread = p.Archive.ThreadRowID
			c.Threads++
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return c, fmt.Errorf("export csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return c, fmt.Errorf("export csv: %w", err)
	}
	return c, nil
}

// mustJSON is v as JSON for a CSV cell, "" when it cannot be encoded. <, > and & are
// kept as they are (json.Marshal would write \u003c…), as the JSONL export writes them.
func mustJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func intCell(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func int64Cell(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

package export

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// appendRecord appends rec as JSON exactly as encoding/json encodes it (with HTML
// escaping off), field for field, without reflection: the JSONL export spends most of
// its encoding time in reflection otherwise. TestAppendRecordMatchesEncodingJSON fills
// every field by reflection and compares, so a field added to the contract types fails
// that test until it is added here.
func appendRecord(b []byte, r *store.PostRecord) []byte {
	p := &r.Post
	b = append(b, `{"id":`...)
	b = appendString(b, p.ID)
	b = append(b, `,"number":`...)
	b = appendIntPtr(b, p.Number)
	b = append(b, `,"url":`...)
	b = appendStrPtr(b, p.URL)
	b = append(b, `,"author":`...)
	b = appendAuthor(b, &p.Author)
	b = append(b, `,"posted_at":`...)
	b = appendTimePtr(b, p.PostedAt)
	b = append(b, `,"posted_text":`...)
	b = appendStrPtr(b, p.PostedText)
	b = append(b, `,"edited_at":`...)
	b = appendTimePtr(b, p.EditedAt)
	b = append(b, `,"body_html":`...)
	b = appendString(b, p.BodyHTML)
	b = append(b, `,"body_text":`...)
	b = appendString(b, p.BodyText)
	b = append(b, `,"signature_text":`...)
	b = appendStrPtr(b, p.SignatureText)
	b = append(b, `,"quotes":`...)
	if p.Quotes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range p.Quotes {
			if i > 0 {
				b = append(b, ',')
			}
			q := &p.Quotes[i]
			b = append(b, `{"author":`...)
			b = appendStrPtr(b, q.Author)
			b = append(b, `,"post_id":`...)
			b = appendStrPtr(b, q.PostID)
			b = append(b, `,"text":`...)
			b = appendString(b, q.Text)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"thread":`...)
	b = appendThread(b, &r.Thread)
	b = append(b, `,"site":{"url":`...)
	b = appendString(b, r.Site.URL)
	b = append(b, `,"engine":`...)
	b = appendStrPtr(b, r.Site.Engine)
	a := &r.Archive
	b = append(b, `},"archive":{"post_rowid":`...)
	b = strconv.AppendInt(b, a.PostRowID, 10)
	b = append(b, `,"thread_rowid":`...)
	b = strconv.AppendInt(b, a.ThreadRowID, 10)
	b = append(b, `,"content_hash":`...)
	b = appendString(b, a.ContentHash)
	b = append(b, `,"first_seen_at":`...)
	b = appendTime(b, a.FirstSeenAt)
	b = append(b, `,"last_seen_at":`...)
	b = appendTime(b, a.LastSeenAt)
	b = append(b, `,"deleted_at":`...)
	b = appendTimePtr(b, a.DeletedAt)
	b = append(b, `,"revisions":`...)
	if a.Revisions == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range a.Revisions {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRevision(b, &a.Revisions[i])
		}
		b = append(b, ']')
	}
	return append(b, "}}"...)
}

func appendRevision(b []byte, r *store.Revision) []byte {
	b = append(b, `{"body_html":`...)
	b = appendString(b, r.BodyHTML)
	b = append(b, `,"body_text":`...)
	b = appendString(b, r.BodyText)
	b = append(b, `,"content_hash":`...)
	b = appendString(b, r.ContentHash)
	b = append(b, `,"edited_at":`...)
	b = appendTimePtr(b, r.EditedAt)
	b = append(b, `,"first_seen_at":`...)
	b = appendTime(b, r.FirstSeenAt)
	b = append(b, `,"replaced_at":`...)
	b = appendTime(b, r.ReplacedAt)
	return append(b, '}')
}

func appendAuthor(b []byte, a *scraper.Author) []byte {
	b = append(b, `{"name":`...)
	b = appendStrPtr(b, a.Name)
	b = append(b, `,"id":`...)
	b = appendStrPtr(b, a.ID)
	b = append(b, `,"url":`...)
	b = appendStrPtr(b, a.URL)
	b = append(b, `,"title":`...)
	b = appendStrPtr(b, a.Title)
	b = append(b, `,"joined":`...)
	b = appendStrPtr(b, a.Joined)
	b = append(b, `,"joined_text":`...)
	b = appendStrPtr(b, a.JoinedText)
	b = append(b, `,"messages":`...)
	b = appendInt64Ptr(b, a.Messages)
	b = append(b, `,"reaction_score":`...)
	b = appendInt64Ptr(b, a.ReactionScore)
	b = append(b, `,"location":`...)
	b = appendStrPtr(b, a.Location)
	b = append(b, `,"country":`...)
	b = appendStrPtr(b, a.Country)
	b = append(b, `,"extras":`...)
	if a.Extras == nil {
		b = append(b, "null"...)
	} else {
		keys := make([]string, 0, len(a.Extras))
		for k := range a.Extras {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, a.Extras[k])
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendThread(b []byte, t *scraper.Thread) []byte {
	b = append(b, `{"id":`...)
	b = appendStrPtr(b, t.ID)
	b = append(b, `,"title":`...)
	b = appendStrPtr(b, t.Title)
	b = append(b, `,"prefix":`...)
	b = appendStrPtr(b, t.Prefix)
	b = append(b, `,"url":`...)
	b = appendStrPtr(b, t.URL)
	b = append(b, `,"forum_path":`...)
	if t.ForumPath == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, s := range t.ForumPath {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendStrPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendString(b, *s)
}

func appendIntPtr(b []byte, n *int) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*n), 10)
}

func appendInt64Ptr(b []byte, n *int64) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *n, 10)
}

func appendTimePtr(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
}

// appendTime is time.Time's MarshalJSON: RFC 3339 with nanoseconds when present.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendString is encoding/json's string encoding with HTML escaping off: quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced by U+FFFD, and
// U+2028/U+2029 escaped for JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

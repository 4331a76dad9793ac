// Package scraper turns forum pages into plain values and drives polite crawls.
//
// Extraction is pure: HTML bytes and the page URL go in, a *Page comes out. Fetching,
// politeness and crawl order live in separate files so extractors stay testable on files.
package scraper

import "time"

// Page is everything forumarc reads from one thread page. Its JSON form is the
// output of `forumarc extract` and a public contract: nullable fields are pointers so
// that "not shown on the page" is null, never "".
type Page struct {
	Engine string   `json:"engine"`
	URL    string   `json:"url"`
	Thread Thread   `json:"thread"`
	Page   PageInfo `json:"page"`
	Posts  []Post   `json:"posts"`
}

// Thread identifies the thread a page belongs to.
type Thread struct {
	ID        *string  `json:"id"`
	Title     *string  `json:"title"`
	Prefix    *string  `json:"prefix"`
	URL       *string  `json:"url"`
	ForumPath []string `json:"forum_path"`
}

// PageInfo places the page within its thread so crawls know where to go next.
type PageInfo struct {
	Number  int     `json:"number"`
	Total   *int    `json:"total"`
	NextURL *string `json:"next_url"`
}

// Post is one message with the author's sidebar as shown next to it.
type Post struct {
	ID            string     `json:"id"`
	Number        *int       `json:"number"`
	URL           *string    `json:"url"`
	Author        Author     `json:"author"`
	PostedAt      *time.Time `json:"posted_at"`
	PostedText    *string    `json:"posted_text"`
	EditedAt      *time.Time `json:"edited_at"`
	BodyHTML      string     `json:"body_html"`
	BodyText      string     `json:"body_text"`
	SignatureText *string    `json:"signature_text"`
	Quotes        []Quote    `json:"quotes"`
}

// Author is the sidebar of a post. Values are the ones shown on that page, so the
// store keeps the latest seen per author.
type Author struct {
	Name          *string           `json:"name"`
	ID            *string           `json:"id"`
	URL           *string           `json:"url"`
	Title         *string           `json:"title"`
	Joined        *string           `json:"joined"`
	JoinedText    *string           `json:"joined_text"`
	Messages      *int64            `json:"messages"`
	ReactionScore *int64            `json:"reaction_score"`
	Location      *string           `json:"location"`
	Country       *string           `json:"country"`
	Extras        map[string]string `json:"extras"`
}

// Quote is a quoted passage, kept apart from the body text so full-text search and
// statistics count each post's own words once.
type Quote struct {
	Author *string `json:"author"`
	PostID *string `json:"post_id"`
	Text   string  `json:"text"`
}

// Str returns a pointer to s, or nil when s is empty, so absent values become null.
func Str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Int returns a pointer to n.
func Int(n int) *int { return &n }

// Int64 returns a pointer to n.
func Int64(n int64) *int64 { return &n }

// UTCTime returns a pointer to t truncated to seconds in UTC, the form the schema stores.
func UTCTime(t time.Time) *time.Time {
	u := t.UTC().Truncate(time.Second)
	return &u
}

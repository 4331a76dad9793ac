package scraper

import (
	"context"
	"net/http"
	"time"
)

// Fetched is one HTTP response as the archive keeps it: the raw bytes, so pages can be
// re-parsed when extractors improve, and the validators for conditional re-fetches.
type Fetched struct {
	URL          string // final URL after redirects, session parameters stripped
	Status       int
	ContentType  string
	ETag         string
	LastModified string
	FetchedAt    time.Time
	Body         []byte // raw bytes as served
	Encoding     string // charset the body was decoded from
	Header       http.Header
}

// SaveStats counts what one SavePage changed.
type SaveStats struct {
	PostsNew       int
	PostsUpdated   int
	PostsUnchanged int
	// Renumbered counts the archived posts of the page (updated or unchanged) shown
	// with another number than the stored one: posts before them were deleted or
	// inserted since they were last seen. Posts without a number never count.
	Renumbered int
	// Shift is how far the page's first archived post moved: its number now minus
	// its stored number. It is 0 when that post kept its number, when the page
	// holds no archived post, or when either number is unknown. Non-zero means posts
	// before it, possibly on earlier pages, were deleted (< 0) or inserted (> 0).
	Shift int
	// StoredNumber is the number the archive held for the page's first archived
	// post before this save (which stores the number shown): where the page starts
	// in the thread as last seen. 0 when the page holds no archived post or that
	// post had no stored number.
	StoredNumber int
}

// ThreadState is what the archive knows of a thread, so a crawl can resume it.
type ThreadState struct {
	Found bool
	// LastPage is the end of the archived pages from page 1 on: every page 1 to
	// LastPage is archived (0 and "" when page 1 is not), so a resume there skips
	// no page the archive lacks.
	LastPageURL string
	LastPage    int
	PageCount   int
	// Posts is how many posts of the thread are archived.
	Posts int
	// URL is the thread's address as archived (its canonical URL, usually page 1).
	URL string
	// FullWalkNeeded: a page after the first showed its first archived post
	// renumbered (SavePage set threads.full_walk_needed_at) and no complete walk from
	// page 1 has run since, so posts before the resumed page were deleted or inserted
	// and not yet accounted for. The thread is walked from page 1, not resumed.
	FullWalkNeeded bool
}

// MissingRange is the part of a thread a complete walk to its end covered, by
// position: the archived posts in it that the run did not see are gone from the
// forum. The zero value covers nothing.
type MissingRange struct {
	// Whole: the walk started at the thread's page 1, so every post of the thread
	// is in range. MarkMissing then also clears the thread's FullWalkNeeded flag.
	Whole bool
	// FromNumber, when Whole is not set, covers the posts whose stored number is at
	// least this: the number the walk's first archived post had before the walk
	// (SaveStats.StoredNumber). Posts without a number are not covered. 0: none.
	FromNumber int
	// After, for engines that show no post numbers (FromNumber 0, Whole not set),
	// covers the posts posted strictly after it: the posted time of the walk's first
	// post. Strictly, because posts of earlier pages may show the same (minute) time.
	// Zero: none.
	After time.Time
}

// Empty reports a range that covers no post.
func (r MissingRange) Empty() bool { return !r.Whole && r.FromNumber <= 0 && r.After.IsZero() }

// Sink receives a crawl's results. The scraper declares it and the store implements
// it, so the scraper never imports SQL. Every method commits before returning: what a
// run reported is durable even if the process dies a moment later. Errors name the
// page or thread they concern, so the scraper returns them as they are.
type Sink interface {
	// SavePage stores the raw page, its thread, authors and posts in one transaction.
	SavePage(ctx context.Context, f *Fetched, p *Page) (SaveStats, error)
	// ThreadByURL finds the thread that an archived page URL belongs to.
	ThreadByURL(ctx context.Context, pageURL string) (site, threadID string, ok bool, err error)
	// Thread reports what is archived for a thread of a site (base URL "https://host").
	Thread(ctx context.Context, site, threadID string) (ThreadState, error)
	// RecordError stores a page that failed after its retries; the run's exit code follows it.
	RecordError(ctx context.Context, url string, err error) error
	// PageValidators returns the ETag and Last-Modified stored with an archived page,
	// for a conditional re-fetch ("" when unknown).
	PageValidators(ctx context.Context, pageURL string) (etag, lastModified string, err error)
	// ArchivedPage returns the archived response of a page (raw bytes as fetched, its
	// validators and encoding), or nil when the archive holds no body for it. A 304
	// answer means the forum still serves exactly these bytes, so the walk reads the
	// page, and its link to the next one, from this copy.
	ArchivedPage(ctx context.Context, pageURL string) (*Fetched, error)
	// MarkMissing sets deleted_at on the thread's live archived posts in the range
	// that this run's complete walk to the thread's end did not see (the sink
	// remembers which run last saw each post, so the walk holds nothing in memory per
	// post, whatever the thread's length). Such posts were deleted on the forum; they
	// are marked, never removed. A Whole range also clears the thread's
	// FullWalkNeeded flag, in the same transaction.
	MarkMissing(ctx context.Context, site, threadID string, r MissingRange) (int, error)
}

// SiteBase is the site key a URL belongs to: scheme and host.
func SiteBase(raw string) string {
	u, err := parseURL(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

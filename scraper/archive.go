package scraper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// ArchiveConfig steers archiving one thread.
type ArchiveConfig struct {
	// MaxPages stops after this many pages in one run (0 = no limit).
	MaxPages int
	// Engine forces an engine id; empty detects it from the first page.
	Engine string
	// Profile is the engine to read every page with instead of Engine or detection
	// (see Options.Profile).
	Profile  Engine
	Location *time.Location
	Logger   *slog.Logger
	// OnPage is called after each stored page, for progress display.
	OnPage func(PageEvent)
	// FromStart walks the whole thread from the page given instead of resuming at the
	// last archived page, to catch edits and deletions on earlier pages.
	FromStart bool
	// FollowSiteRedirect follows the thread's first request when it redirects to
	// another host of the same site (example.com to www.example.com), with a warning:
	// the address was typed by the user. Later pages keep the refusal.
	FollowSiteRedirect bool
	// NoLater is for a caller that keeps no work for a later run (archive): a page
	// robots.txt refuses, or a host that asks to wait longer than a fetch waits, fails
	// the thread and is recorded like any failed page. A crawl defers or skips those.
	NoLater bool
}

// PageEvent reports one archived page.
type PageEvent struct {
	URL        string
	Thread     string
	Number     int
	Total      int
	PostsNew   int
	PostsTotal int
}

// ThreadResult summarises one thread's run.
type ThreadResult struct {
	Title string
	// Pages counts the pages read and stored (304 answers read from the archive
	// included); a page read by both walks of a re-read thread counts twice, as it
	// does in the run's pages_fetched and against MaxPages.
	Pages        int
	PostsNew     int
	PostsUpdated int
	LastURL      string
	Resumed      bool
	// Unchanged is set when the first page read answered 304 Not Modified and is the
	// thread's last page: nothing of the thread changed since it was archived.
	Unchanged bool
	// Deleted counts archived posts found missing from the forum (marked deleted_at).
	Deleted int
}

// Archiver walks a thread page by page and hands each page to the Sink as soon as it
// is read, so a 5,000-page thread never sits in memory and an interrupted run loses
// at most the page in flight.
type Archiver struct {
	f    *Fetcher
	sink Sink
	cfg  ArchiveConfig
	log  *slog.Logger
}

// NewArchiver wires a fetcher to a sink.
func NewArchiver(f *Fetcher, sink Sink, cfg ArchiveConfig) *Archiver {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Archiver{f: f, sink: sink, cfg: cfg, log: log}
}

// Thread archives the thread that startURL is a page of, from the last archived page
// when the archive already holds part of it, through the thread's last page. A
// resumed walk that finds posts renumbered reads the thread once more from page 1
// (see rereadFrom); so does the next run when that re-read did not finish (the
// archive keeps the evidence: ThreadState.FullWalkNeeded).
func (a *Archiver) Thread(ctx context.Context, startURL string) (ThreadResult, error) {
	var res ThreadResult
	start, err := ValidateURL(startURL)
	if err != nil {
		return res, err
	}
	// Engines with a thread API (Discourse) are read through it when the site allows;
	// apiTried stops a second attempt once the HTML walk runs.
	apiTried := false
	if r, apiURL, ok := a.apiReaderFor(start); ok {
		apiTried = true
		if ares, handled, err := a.apiThread(ctx, r, apiURL); handled {
			return ares, err
		}
	}
	next := start
	// known: the archive holds pages of this thread, so pages are asked for
	// conditionally (a 304 costs the forum nothing and is read from the archive).
	known := false
	// fullWalk: an earlier walk found posts renumbered and the walk from page 1 that
	// calls for did not finish; this one starts at page 1 instead of resuming.
	fullWalk := false
	if site, tid, ok, err := a.sink.ThreadByURL(ctx, start); err != nil {
		return res, err // names the URL
	} else if ok && a.cfg.FromStart {
		known = true
	} else if ok {
		known = true
		st, err := a.sink.Thread(ctx, site, tid)
		if err != nil {
			return res, err // names the thread
		}
		// A walk from page 1 that --max-pages would cut short every run never settles
		// the thread and never reaches its new pages: resume as usual instead, and
		// leave the flag for a run without the limit.
		pages := max(st.PageCount, st.LastPage)
		tooLong := a.cfg.MaxPages > 0 && pages > a.cfg.MaxPages
		if st.Found && st.FullWalkNeeded && tooLong {
			a.log.Warn("posts were found renumbered, but reading the thread from page 1 takes more pages than --max-pages allows; resuming at its last page (a run without --max-pages settles it)",
				"url", start, "pages", pages, "max_pages", a.cfg.MaxPages)
		}
		switch {
		case st.Found && st.FullWalkNeeded && !tooLong:
			fullWalk = true
			if st.URL != "" && sameHost(st.URL, start) && !isAPIURL(st.URL) {
				next = st.URL
			}
			a.log.Info("posts were found renumbered and the thread not re-read to its end since: reading it from page 1 to find deleted or inserted posts",
				"url", next)
		case st.Found && st.LastPageURL != "" && !isAPIURL(st.LastPageURL):
			next, res.Resumed = st.LastPageURL, true
			a.log.Info("resuming thread", "url", start, "from_page", st.LastPage)
		}
	}
	visited := map[string]bool{}
	checkedArchive := res.Resumed || a.cfg.FromStart || fullWalk
	walk := walkState{}
	complete := false
	// Every page of a thread comes from the same engine: detect it once, on the first
	// page read, instead of running every engine's Detect on every page.
	engine := a.cfg.Engine
	redirected := false // the first request was followed to another host of the site
	// reread: the thread is being walked a second time, from page 1, because the
	// resumed walk found posts renumbered. At most once per thread and run.
	reread := false
	for {
		if next == "" {
			// This walk is over: mark what it did not see, then walk once more from
			// page 1 if it found that earlier pages changed.
			if err := a.markMissing(ctx, complete, walk, &res); err != nil {
				return res, err
			}
			if reread {
				break
			}
			if next = a.rereadFrom(walk, res.Pages); next == "" {
				break
			}
			a.log.Info("posts renumbered since the last run: re-reading the thread from page 1 to find deleted or inserted posts",
				"from_page", walk.page, "renumbered", walk.renumbered, "shift", walk.shift, "url", next)
			reread, known = true, true
			visited, walk, complete = map[string]bool{}, walkState{}, false
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if a.cfg.MaxPages > 0 && res.Pages >= a.cfg.MaxPages {
			a.log.Info("page limit reached", "max_pages", a.cfg.MaxPages)
			break
		}
		visited[next] = true
		p, fetched, notModified, err := a.page(ctx, next, known, engine)
		if to, ok := siteRedirect(err); ok && a.cfg.FollowSiteRedirect && res.Pages == 0 && !redirected {
			a.log.Warn("thread URL redirects to another host of the same site; reading it there (give that URL next time)", "url", next, "to", to)
			next, redirected = to, true
			continue
		}
		if err == nil && notModified && res.Pages == 0 && p.Page.NextURL == nil && !fullWalk {
			res.Unchanged = true
			a.log.Info("thread unchanged (304)", "url", next)
			return res, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			if res.Pages == 0 && !res.Resumed && isNotForum(err) {
				// The start page is no thread we can read: no page was stored, but the
				// run's errors show it.
				return res, a.recordError(ctx, next, err)
			}
			if errors.Is(err, ErrRobots) && res.Pages > 0 {
				// robots.txt allows the thread's first pages but not this one.
				a.log.Warn("page disallowed by robots.txt; the rest of the thread is not read", "url", next)
				return res, nil
			}
			if _, later := retryLater(err, time.Now()); (later || errors.Is(err, ErrRobots)) && !a.cfg.NoLater {
				return res, err // not a failure of the page: the caller skips or defers it
			}
			return res, a.recordError(ctx, next, err)
		}
		if !apiTried {
			// The first page names its engine: one with an API may read the thread there.
			apiTried = true
			if r, apiURL, ok := a.apiReaderForPage(p); ok {
				if ares, handled, err := a.apiThread(ctx, r, apiURL); handled {
					return ares, err
				}
			}
		}
		stats, err := a.sink.SavePage(ctx, fetched, p)
		if err != nil {
			return res, err // "save page URL: ..."
		}
		res.Pages++
		if engine == "" {
			engine = p.Engine
		}
		walk.add(p)
		walk.saw(stats)
		res.PostsNew += stats.PostsNew
		res.PostsUpdated += stats.PostsUpdated
		res.LastURL = p.URL
		if p.Thread.Title != nil {
			res.Title = *p.Thread.Title
		}
		total := p.Page.Number
		if p.Page.Total != nil {
			total = *p.Page.Total
		}
		msg := "page archived"
		if notModified {
			// Saved again from the archived copy: its posts count as seen by this
			// walk, so marking the posts it did not see deleted stays exact.
			msg = "page unchanged (304); read from the archive"
		}
		a.log.Info(msg, "url", p.URL, "page", p.Page.Number, "of", total,
			"posts", len(p.Posts), "new", stats.PostsNew, "updated", stats.PostsUpdated)
		if a.cfg.OnPage != nil {
			a.cfg.OnPage(PageEvent{URL: p.URL, Thread: res.Title, Number: p.Page.Number, Total: total,
				PostsNew: stats.PostsNew, PostsTotal: len(p.Posts)})
		}
		next = ""
		if !checkedArchive {
			// The thread may be archived already under another URL form: jump to its
			// last archived page rather than walking every page again.
			checkedArchive = true
			if jump := a.resumePoint(ctx, p); jump != "" && !visited[jump] {
				next = jump
				res.Resumed, known = true, true
				// The walk starts again there: the posts of the pages skipped are
				// not missing, and page 1 tells nothing of renumbering.
				walk = walkState{}
				continue
			}
		}
		if p.Page.NextURL == nil {
			complete = true
		} else {
			n := *p.Page.NextURL
			if visited[n] {
				a.log.Warn("pagination loops back; stopping", "url", n)
			} else if !sameHost(n, p.URL) {
				a.log.Warn("next page is on another site; stopping", "url", n)
			} else {
				next = n
			}
		}
	}
	return res, nil
}

// recordError stores a page that failed in the run's errors and returns err, joined
// with the sink's own error if storing failed.
func (a *Archiver) recordError(ctx context.Context, pageURL string, err error) error {
	if rerr := a.sink.RecordError(ctx, pageURL, err); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

// markMissing marks deleted the posts in the walked range (walkState.missing) that a
// complete walk to the thread's end did not see, and counts them in res.
func (a *Archiver) markMissing(ctx context.Context, complete bool, walk walkState, res *ThreadResult) error {
	if !complete {
		return nil
	}
	rg := walk.missing()
	if rg.Empty() {
		return nil
	}
	n, err := a.sink.MarkMissing(ctx, walk.site, walk.threadID, rg)
	if err != nil {
		return fmt.Errorf("mark deleted posts: %w", err)
	}
	if n > 0 {
		// The logger names the thread's URL already (key "thread").
		a.log.Info("posts gone from the forum marked deleted", "thread_id", walk.threadID, "count", n)
	}
	res.Deleted += n
	return nil
}

// rereadFrom is the page to walk the thread again from once a walk is over, or "".
// A walk that began after page 1 (a resume) and found its first archived post under
// another number has proof that posts before its start were deleted or inserted: it
// can neither mark those deleted nor renumber the posts of the pages it skipped, so
// the thread is read again from page 1, conditionally (pages that did not change
// answer 304 and are read from the archive). pages is how many pages this run read.
// SavePage keeps the proof in the archive (ThreadState.FullWalkNeeded) until a walk
// from page 1 completes, so a re-read not done or cut short here is done next run.
func (a *Archiver) rereadFrom(w walkState, pages int) string {
	if a.cfg.FromStart || w.shift == 0 || w.firstPage {
		return ""
	}
	if w.threadURL == "" {
		a.log.Warn("posts renumbered since the last run, but the thread's first page is unknown; deleted or inserted posts on earlier pages are left to the next run or a full re-walk",
			"renumbered", w.renumbered)
		return ""
	}
	if a.cfg.MaxPages > 0 && pages >= a.cfg.MaxPages {
		a.log.Warn("posts renumbered since the last run, but the page limit is reached; the thread is read from page 1 next run",
			"max_pages", a.cfg.MaxPages, "renumbered", w.renumbered)
		return ""
	}
	return w.threadURL
}

// walkState is what one contiguous walk to the end of a thread needs to mark the
// posts that vanished inside the walked range (where it started, not what it saw),
// and to tell whether posts before its start moved.
type walkState struct {
	site, threadID string
	from           time.Time // posted time of the first post walked
	page           int       // number of the first page walked
	firstPage      bool      // the walk started at the thread's page 1 (startsThread)
	threadURL      string    // the thread's page 1, as the walked pages name it
	posts          int       // posts on the walked pages
	numbered       bool      // some post of the walked pages shows a number
	known          bool      // an archived post was seen
	shift          int       // how far the first archived post seen moved (SaveStats.Shift)
	storedNumber   int       // that post's number before the walk (SaveStats.StoredNumber)
	renumbered     int       // archived posts seen under another number
}

func (w *walkState) add(p *Page) {
	if p.Thread.ID != nil {
		w.site, w.threadID = SiteBase(p.URL), *p.Thread.ID
	}
	if w.threadURL == "" && p.Thread.URL != nil && sameHost(*p.Thread.URL, p.URL) {
		w.threadURL = *p.Thread.URL
	}
	if w.page == 0 {
		w.page = max(p.Page.Number, 1)
		w.firstPage = startsThread(p, w.threadURL)
	}
	if w.from.IsZero() && len(p.Posts) > 0 && p.Posts[0].PostedAt != nil {
		w.from = *p.Posts[0].PostedAt
	}
	w.posts += len(p.Posts)
	for i := range p.Posts {
		if p.Posts[i].Number != nil {
			w.numbered = true
			break
		}
	}
}

// startsThread reports a page that is the thread's page 1, so a walk from it covers
// every post of the thread. Page number 1 alone does not prove it: an engine that
// cannot read the pagination reports 1 for every page. It is trusted when the page
// read its pagination (a total), when its first post is numbered 1 (or 0), or, with
// no post number, when the page is the thread's own URL.
func startsThread(p *Page, threadURL string) bool {
	if p.Page.Number > 1 {
		return false
	}
	if p.Page.Total != nil {
		return true
	}
	if len(p.Posts) > 0 && p.Posts[0].Number != nil {
		return *p.Posts[0].Number <= 1
	}
	return threadURL != "" && CleanURL(threadURL) == CleanURL(p.URL)
}

// saw notes what SavePage found on a walked page. The first archived post the walk
// meets is the reference: had nothing before it changed, it would keep its number.
// Posts renumbered after it moved because of changes the walk itself sees.
func (w *walkState) saw(st SaveStats) {
	w.renumbered += st.Renumbered
	if !w.known && st.PostsUpdated+st.PostsUnchanged > 0 {
		w.known, w.shift, w.storedNumber = true, st.Shift, st.StoredNumber
	}
}

// missing is the part of the thread the walk covered, once it reached the thread's
// end: all of it from page 1. From a later page, the posts from the walk's first
// archived post on, by its number before the walk (posts before it, on pages not
// walked, are never in range, whatever their posted time). With no archived post
// seen, or one without a stored number, nothing. Only when no walked post shows a
// number (the engine gives none) are posted times used, strictly after the walk's
// first post: an earlier page may end with posts of the same minute.
func (w *walkState) missing() MissingRange {
	switch {
	case w.threadID == "" || w.posts == 0:
		return MissingRange{}
	case w.firstPage:
		return MissingRange{Whole: true}
	case !w.known:
		return MissingRange{}
	case w.storedNumber > 0:
		return MissingRange{FromNumber: w.storedNumber}
	case !w.numbered:
		return MissingRange{After: w.from}
	}
	return MissingRange{}
}

func (a *Archiver) resumePoint(ctx context.Context, p *Page) string {
	if p.Thread.ID == nil {
		return ""
	}
	st, err := a.sink.Thread(ctx, SiteBase(p.URL), *p.Thread.ID)
	if err != nil || !st.Found || st.FullWalkNeeded || st.LastPage <= p.Page.Number || isAPIURL(st.LastPageURL) {
		// A thread awaiting a walk from page 1 is walked on from here.
		return ""
	}
	return st.LastPageURL
}

// page fetches and extracts one thread page. conditional sends the validators stored
// with the page; on a 304 the page is read from the archived copy and notModified is
// set.
func (a *Archiver) page(ctx context.Context, pageURL string, conditional bool, engine string) (p *Page, fetched *Fetched, notModified bool, err error) {
	req := Request{URL: pageURL}
	if conditional {
		etag, lm, err := a.sink.PageValidators(ctx, pageURL)
		if err != nil {
			return nil, nil, false, err // names the page
		}
		req.ETag, req.LastModified = etag, lm
	}
	if fetched, err = a.f.Fetch(ctx, req); err != nil {
		return nil, nil, false, err
	}
	if fetched.Status == 304 && fetched.URL != CleanURL(pageURL) {
		// The page redirected (a thread that shrank sends its old last page to the
		// new one) and the validators, sent along, were another page's: the 304
		// confirms neither page's copy. Ask again without them.
		if fetched, err = a.f.Fetch(ctx, Request{URL: pageURL}); err != nil {
			return nil, nil, false, err
		}
	}
	if fetched.Status == 304 {
		if fetched, err = a.notModified(ctx, pageURL, fetched); err != nil {
			return nil, nil, false, err
		}
		notModified = fetched.Status != 304
	}
	if !notModified && Truncated(fetched.Body) {
		// A connection cut mid-body can still look like a complete response; ask again
		// once rather than store half a page.
		a.log.Warn("page looks truncated; fetching it again", "url", pageURL)
		if fetched, err = a.f.Fetch(ctx, Request{URL: pageURL}); err != nil {
			return nil, nil, false, err
		}
		if Truncated(fetched.Body) {
			return nil, nil, false, fmt.Errorf("%s: the page looks truncated (it ends before </body> and </html>)", pageURL)
		}
	}
	doc, enc, err := Parse(fetched.Body, fetched.ContentType)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s: %w", pageURL, err)
	}
	fetched.Encoding = enc
	p, err = ExtractDocument(doc, fetched.URL, Options{Engine: engine, Profile: a.cfg.Profile, FetchedAt: fetched.FetchedAt, Location: a.cfg.Location})
	if err != nil {
		return nil, nil, false, err
	}
	return p, fetched, notModified, nil
}

// notModified turns a 304 answer into the archived copy it confirms, stamped with the
// time of the answer and any validators it sent. Without a copy (validators stored
// with no body) it asks once more without validators.
func (a *Archiver) notModified(ctx context.Context, pageURL string, answer *Fetched) (*Fetched, error) {
	stored, err := a.sink.ArchivedPage(ctx, pageURL)
	if err != nil {
		return nil, err // names the page
	}
	if stored == nil || len(stored.Body) == 0 {
		return a.f.Fetch(ctx, Request{URL: pageURL})
	}
	stored.FetchedAt = answer.FetchedAt
	if answer.ETag != "" {
		stored.ETag = answer.ETag
	}
	if answer.LastModified != "" {
		stored.LastModified = answer.LastModified
	}
	return stored, nil
}

// Truncated reports an HTML page whose end is missing (a connection cut mid-page, a
// half-saved file): its last posts would be cut or lost. JSON and other bodies pass.
func Truncated(body []byte) bool {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '<' {
		return len(trimmed) == 0
	}
	tail := bytes.ToLower(trimmed[max(0, len(trimmed)-8192):])
	return !bytes.Contains(tail, []byte("</html>")) && !bytes.Contains(tail, []byte("</body>"))
}

func isNotForum(err error) bool {
	var ue *UnrecognizedError
	var fe *FetchError
	return errors.As(err, &ue) || errors.Is(err, ErrNotThread) || (errors.As(err, &fe) && fe.NotFound())
}

func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host == ub.Host
}

// ValidateURL accepts only absolute http(s) URLs and returns them cleaned.
func ValidateURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &URLError{URL: raw}
	}
	u.Fragment = ""
	return CleanURL(u.String()), nil
}

// URLError is a usage error: the argument is not an http(s) URL.
type URLError struct{ URL string }

func (e *URLError) Error() string { return fmt.Sprintf("%q is not an http(s) URL", e.URL) }

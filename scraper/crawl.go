package scraper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
)

// CrawlConfig steers a board or site crawl.
type CrawlConfig struct {
	// Include, when set, keeps only threads whose URL matches one of them; Exclude
	// drops any URL (board or thread) matching one.
	Include, Exclude []*regexp.Regexp
	// Since skips threads whose listing shows no activity since then.
	Since time.Time
	// MaxThreads stops taking new threads after this many (0 = no limit); the rest
	// stay queued for the next run.
	MaxThreads int
	// MaxPages caps pages per thread per run (0 = no limit).
	MaxPages int
	// Depth is how many board levels below a seed are followed (0 = unlimited).
	Depth int
	// Concurrency is the number of requests in flight across all hosts; per-host
	// concurrency and delay are the Fetcher's.
	Concurrency int
	// Full re-walks every changed thread from its first page, catching edits and
	// deletions on earlier pages, instead of resuming at the last archived page.
	Full   bool
	Engine string
	// Profile is the engine to read every page with (see Options.Profile).
	Profile  Engine
	Location *time.Location
	Logger   *slog.Logger
	// LeaseTTL is how long a taken item is reserved (default 10 minutes).
	LeaseTTL time.Duration
	// HostFailures consecutive failed requests pause a host for HostPause; its work
	// stays queued for a later run if the pause outlasts this one.
	HostFailures int
	HostPause    time.Duration
	// OnEvent reports progress.
	OnEvent func(CrawlEvent)
	// now is the clock (tests).
	now func() time.Time
}

// CrawlEvent is one step of a crawl, for progress bars.
type CrawlEvent struct {
	Kind   string // "listing", "thread", "skip", "error", "page"
	URL    string
	Title  string
	Pages  int
	New    int
	Queued int
}

// CrawlResult summarises a crawl run.
type CrawlResult struct {
	Listings       int
	Threads        int
	ThreadsSkipped int // unchanged since they were last archived
	ThreadsSince   int // no activity since CrawlConfig.Since
	Pages          int
	PostsNew       int
	PostsUpdated   int
	PostsDeleted   int
	Errors         int
	Left           FrontierCounts // what stays queued for the next run
	Resumed        bool
	// Deferred says, per host, why work was put back for a later run (the first
	// cause seen in this run), in the order the hosts were deferred.
	Deferred []Deferral
	// Disallowed counts threads and listings robots.txt disallows: skipped, not failed.
	Disallowed int
	// Failures lists the first maxFailuresListed items that failed in this run (Errors
	// counts them all), for the summary.
	Failures []Failure
	// Redirected lists the start URLs that redirected to another host of the same
	// site and were crawled there, as "from -> to", in the order they were met.
	Redirected []string
}

// Failure is an item of the crawl that failed after its retries.
type Failure struct {
	URL   string
	Cause string
}

// maxFailuresListed bounds CrawlResult.Failures: a summary names a few, crawl_errors
// holds them all.
const maxFailuresListed = 10

// Deferral is why a host's work was put back for a later run.
type Deferral struct {
	Host  string
	URL   string // the first item deferred
	Cause string
	Until time.Time
}

// Crawler discovers threads from listings and archives each through the Archiver,
// with all state in a durable Frontier so a killed crawl resumes where it stopped.
type Crawler struct {
	f        *Fetcher
	sink     Sink
	front    Frontier
	listings ListingState
	cfg      CrawlConfig
	log      *slog.Logger

	// hosts are the hosts the crawl may queue links on: its seeds', hosts that start
	// URLs redirected to (adopted), and the host of every item taken from the
	// frontier, which was allowed when it was queued (a resumed pass knows an
	// adopted host only from its items). allowed reads it from every worker.
	hostsMu sync.RWMutex
	hosts   map[string]bool

	mu sync.Mutex
	// seeds are the start URLs, and the targets adopted for them in this run; only
	// a depth-0 listing among them may be followed to another host of its site.
	seeds      map[string]bool
	redirected map[string]bool // seeds adopted for another URL in this run
	res        CrawlResult
	fails      map[string]int
	paused     map[string]time.Time
	pausedBy   map[string]error // the failure that paused a host
	deferred   map[string]bool  // hosts in res.Deferred
	held       []int64          // items leased but left unfinished by a stop
	// threads counts the thread items taken in this run, reserved before the lease so
	// that workers leasing at once cannot overshoot MaxThreads.
	threads  atomic.Int64
	inflight atomic.Int64
}

// NewCrawler wires a crawl. Seeds fix the sites: the crawl never leaves their hosts,
// but for a seed that redirects to another host of its site (see adoptRedirect).
func NewCrawler(f *Fetcher, sink Sink, front Frontier, ls ListingState, seeds []string, cfg CrawlConfig) *Crawler {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 10 * time.Minute
	}
	if cfg.HostFailures <= 0 {
		cfg.HostFailures = 5
	}
	if cfg.HostPause <= 0 {
		cfg.HostPause = 15 * time.Minute
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Crawler{f: f, sink: sink, front: front, listings: ls, cfg: cfg, log: log,
		hosts: map[string]bool{}, seeds: map[string]bool{}, redirected: map[string]bool{},
		fails: map[string]int{}, paused: map[string]time.Time{}, pausedBy: map[string]error{}, deferred: map[string]bool{}}
	for _, s := range seeds {
		if u, err := url.Parse(s); err == nil {
			c.hosts[u.Host] = true
		}
		if clean, err := ValidateURL(s); err == nil {
			c.seeds[clean] = true
		}
	}
	return c
}

// Seed queues the start URLs of a new crawl pass.
func (c *Crawler) Seed(ctx context.Context, seeds []string) error {
	items := make([]FrontierItem, 0, len(seeds))
	for _, s := range seeds {
		u, err := ValidateURL(s)
		if err != nil {
			return err
		}
		items = append(items, FrontierItem{URL: u, Kind: KindListing})
	}
	_, err := c.front.Add(ctx, items)
	return err
}

// Run works through the frontier until nothing due is left, then reports. Errors of
// single pages are counted (and stored by the sink), not returned; Run returns an
// error only when the crawl itself cannot go on (context cancelled, storage failing).
func (c *Crawler) Run(ctx context.Context) (CrawlResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for i := 0; i < c.cfg.Concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.worker(ctx); err != nil && ctx.Err() == nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	// A stop (or a storage failure) leaves the items in flight leased: give them back
	// now, with a context of their own, so nothing looks in progress once we exit.
	if len(c.held) > 0 {
		if err := c.front.Release(context.WithoutCancel(ctx), c.held); err != nil {
			c.log.Warn("cannot release leased items; they are taken again when their lease expires", "items", len(c.held), "err", err)
		}
	}
	left, lerr := c.front.Counts(context.WithoutCancel(ctx))
	c.mu.Lock()
	res := c.res
	c.mu.Unlock()
	res.Left = left
	if err := context.Cause(ctx); err != nil {
		return res, err // the caller's cancellation, or the first storage failure
	}
	return res, lerr
}

func (c *Crawler) worker(ctx context.Context) error {
	idle := time.Duration(0)
	for ctx.Err() == nil {
		c.inflight.Add(1)
		var kinds []ItemKind
		reserved := false
		if c.cfg.MaxThreads > 0 {
			if reserved = c.threads.Add(1) <= int64(c.cfg.MaxThreads); !reserved {
				c.threads.Add(-1)
				kinds = []ItemKind{KindListing}
			}
		}
		items, err := c.front.Lease(ctx, 1, c.cfg.LeaseTTL, kinds...)
		if reserved && (err != nil || len(items) == 0 || items[0].Kind != KindThread) {
			c.threads.Add(-1) // the slot was not used for a thread
		}
		if err != nil {
			c.inflight.Add(-1)
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(items) == 0 {
			if c.inflight.Add(-1) == 0 {
				return nil // nothing due and nobody working who could add more
			}
			idle = min(idle+10*time.Millisecond, 200*time.Millisecond)
			select {
			case <-time.After(idle):
			case <-ctx.Done():
			}
			continue
		}
		idle = 0
		err = c.process(ctx, items[0])
		c.inflight.Add(-1)
		if err != nil || ctx.Err() != nil {
			c.mu.Lock()
			c.held = append(c.held, items[0].ID) // Run releases it unless it got finished
			c.mu.Unlock()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// process handles one item; it returns an error only for failures of the crawl itself.
func (c *Crawler) process(ctx context.Context, it FrontierItem) error {
	u, _ := url.Parse(it.URL)
	c.addHost(u.Host)
	if until, ok := c.pausedUntil(u.Host); ok {
		c.mu.Lock()
		cause := fmt.Errorf("host paused after %d failed requests in a row, the last: %w", c.cfg.HostFailures, c.pausedBy[u.Host])
		c.mu.Unlock()
		return c.deferItem(ctx, it, until, cause)
	}
	switch it.Kind {
	case KindThread:
		return c.thread(ctx, it, nil)
	default:
		return c.listing(ctx, it)
	}
}

func (c *Crawler) listing(ctx context.Context, it FrontierItem) error {
	// JSON listing pages (queued as the next page of an API listing) skip the HTML.
	if r, ok := c.apiListingReaderFor(it.URL); ok {
		return c.apiListing(ctx, it, r, it.URL, false)
	}
	fetched, err := c.f.Fetch(ctx, Request{URL: it.URL})
	if err != nil {
		return c.failed(ctx, it, err)
	}
	c.hostOK(it.URL)
	doc, enc, err := Parse(fetched.Body, fetched.ContentType)
	if err != nil {
		return c.failed(ctx, it, err)
	}
	fetched.Encoding = enc
	opts := Options{Engine: c.cfg.Engine, Profile: c.cfg.Profile, FetchedAt: fetched.FetchedAt, Location: c.cfg.Location}
	if r, apiURL, ok := c.apiListingOfPage(doc, fetched.URL); ok {
		// Engines with a JSON listing API (Discourse) list topics there; when the
		// API refuses, the HTML listing is read as for any other engine.
		if err := c.apiListing(ctx, it, r, apiURL, true); !errors.Is(err, errAPIRefused) {
			return err
		}
	}
	l, lerr := ExtractListingDocument(doc, fetched.URL, opts)
	if lerr != nil || (len(l.Boards) == 0 && len(l.Threads) == 0) {
		// Not a listing: a seed may be a thread page itself.
		if _, terr := ExtractDocument(doc, fetched.URL, opts); terr == nil {
			return c.thread(ctx, FrontierItem{ID: it.ID, URL: it.URL, Kind: KindThread}, fetched)
		}
		if lerr == nil {
			lerr = fmt.Errorf("%s: no boards or threads found on this page", it.URL)
		}
		return c.failed(ctx, it, lerr)
	}
	return c.queueListing(ctx, it, l, SiteBase(fetched.URL))
}

// queueListing queues what a listing page links to: sub-boards (within --depth), its
// next page, and the threads that changed since they were last archived.
func (c *Crawler) queueListing(ctx context.Context, it FrontierItem, l *Listing, site string) error {
	var add []FrontierItem
	for _, b := range l.Boards {
		if c.allowed(b.URL) && (c.cfg.Depth == 0 || it.Depth < c.cfg.Depth) {
			add = append(add, FrontierItem{URL: b.URL, Kind: KindListing, Depth: it.Depth + 1})
		}
	}
	if l.Page.NextURL != nil && c.allowed(*l.Page.NextURL) {
		add = append(add, FrontierItem{URL: *l.Page.NextURL, Kind: KindListing, Depth: it.Depth})
	}
	skipped, old := 0, 0 // unchanged, and inactive since --since
	var entries []ThreadEntry
	for _, t := range l.Threads {
		if !c.allowed(t.URL) || !c.included(t.URL) {
			continue
		}
		if !c.cfg.Since.IsZero() && t.LastPostAt != nil && t.LastPostAt.Before(c.cfg.Since) {
			old++
			continue
		}
		entries = append(entries, t)
	}
	if len(entries) > 0 {
		changed, err := c.listings.ThreadsChanged(ctx, site, entries)
		if err != nil {
			return err
		}
		for i := range entries {
			if !changed[i] && !c.cfg.Full {
				skipped++
				continue
			}
			add = append(add, FrontierItem{URL: entries[i].URL, Kind: KindThread, Depth: it.Depth, Entry: &entries[i]})
		}
	}
	n, err := c.front.Add(ctx, add)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.res.Listings++
	c.res.ThreadsSkipped += skipped
	c.res.ThreadsSince += old
	c.mu.Unlock()
	c.log.Info("listing read", "url", it.URL, "boards", len(l.Boards), "threads", len(l.Threads), "queued", n, "unchanged", skipped, "before_since", old)
	c.emit(CrawlEvent{Kind: "listing", URL: it.URL, Queued: n, Title: deref(l.Title)})
	return c.front.Done(ctx, it.ID)
}

// thread archives a thread item. first, when set, is the item's page as just fetched:
// a seed that is a thread page was leased and read as a listing, and the Archiver is
// handed that answer instead of asking the site for the same page again.
func (c *Crawler) thread(ctx context.Context, it FrontierItem, first *Fetched) error {
	f := c.f
	if first != nil {
		if c.cfg.MaxThreads > 0 {
			c.threads.Add(1) // a seed that is a thread page was leased as a listing
		}
		f = c.f.primed(it.URL, first)
	}
	a := NewArchiver(f, c.sink, ArchiveConfig{
		MaxPages: c.cfg.MaxPages, Engine: c.cfg.Engine, Profile: c.cfg.Profile, Location: c.cfg.Location, FromStart: c.cfg.Full,
		Logger: c.log.With("thread", it.URL),
		OnPage: func(ev PageEvent) {
			c.mu.Lock()
			c.res.Pages++
			c.mu.Unlock()
			c.emit(CrawlEvent{Kind: "page", URL: ev.URL, Title: ev.Thread, New: ev.PostsNew})
		},
	})
	res, err := a.Thread(ctx, it.URL)
	c.mu.Lock()
	c.res.PostsNew += res.PostsNew
	c.res.PostsUpdated += res.PostsUpdated
	c.res.PostsDeleted += res.Deleted
	c.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return nil // the lease runs out and the next run takes the thread again
		}
		if done, err := c.notFailed(ctx, it, err); done {
			return err
		}
		c.countError(it.URL, err) // the Archiver recorded it in the run's errors
		return c.front.Fail(ctx, it.ID, err)
	}
	c.hostOK(it.URL)
	// A thread cut short by MaxPages is not complete: its entry stays unarchived, so
	// the next run comes back to it.
	if err := c.threadDone(ctx, it, c.cfg.MaxPages == 0 || res.Pages < c.cfg.MaxPages); err != nil {
		return err
	}
	c.mu.Lock()
	c.res.Threads++
	c.mu.Unlock()
	c.emit(CrawlEvent{Kind: "thread", URL: it.URL, Title: res.Title, Pages: res.Pages, New: res.PostsNew})
	return nil
}

// threadDone marks a thread item done and, when complete, records its listing entry
// as archived: in one transaction when the frontier can (ArchivedDoner).
func (c *Crawler) threadDone(ctx context.Context, it FrontierItem, complete bool) error {
	if it.Entry == nil || !complete {
		return c.front.Done(ctx, it.ID)
	}
	site := SiteBase(it.URL)
	if d, ok := c.front.(ArchivedDoner); ok {
		if done, err := d.DoneArchived(ctx, c.listings, it.ID, site, *it.Entry); done || err != nil {
			return err
		}
	}
	if err := c.listings.ThreadArchived(ctx, site, *it.Entry); err != nil {
		return err
	}
	return c.front.Done(ctx, it.ID)
}

// failed records a listing page that could not be read. Robots and server trouble
// defer the item; repeated failures pause the host.
func (c *Crawler) failed(ctx context.Context, it FrontierItem, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	if done, err := c.adoptRedirect(ctx, it, err); done {
		return err
	}
	if done, err := c.notFailed(ctx, it, err); done {
		return err
	}
	if rerr := c.sink.RecordError(ctx, it.URL, err); rerr != nil {
		return rerr
	}
	c.countError(it.URL, err)
	return c.front.Fail(ctx, it.ID, err)
}

// adoptRedirect settles a start URL that redirects to another host of the same site
// (example.com to www.example.com): the fetch refused it, since the target's
// robots.txt was never read, but the user meant that forum. The target is queued as a
// start URL of its own (its fetch reads its host's robots.txt first), its host joins
// the crawl, and the seed is done. Any other item, or redirect, fails as before.
// done reports that it settled the item.
func (c *Crawler) adoptRedirect(ctx context.Context, it FrontierItem, err error) (done bool, _ error) {
	if it.Kind != KindListing || it.Depth != 0 {
		return false, nil
	}
	to, ok := siteRedirect(err)
	if !ok || !c.notExcluded(to) {
		return false, nil
	}
	c.mu.Lock()
	// A target that redirected itself would loop (a -> b -> a): it fails as before.
	adopt := c.seeds[it.URL] && !c.redirected[to]
	if adopt {
		c.seeds[to], c.redirected[it.URL] = true, true
	}
	c.mu.Unlock()
	if !adopt {
		return false, nil
	}
	c.addHost(hostOf(to))
	if _, err := c.front.Add(ctx, []FrontierItem{{URL: to, Kind: KindListing}}); err != nil {
		return true, err
	}
	c.mu.Lock()
	c.res.Redirected = append(c.res.Redirected, it.URL+" -> "+to)
	c.mu.Unlock()
	c.log.Warn("start URL redirects to another host of the same site; crawling it there (give that URL next time)", "url", it.URL, "to", to)
	return true, c.front.Done(ctx, it.ID)
}

// notFailed settles the items whose error is no failure: a URL robots.txt disallows
// is skipped (done, counted apart, no pause for its host), and work a host cannot take
// now (its robots.txt unavailable, or a Retry-After beyond what a fetch waits) is
// deferred until then. done reports that it settled the item.
func (c *Crawler) notFailed(ctx context.Context, it FrontierItem, err error) (done bool, _ error) {
	if errors.Is(err, ErrRobots) {
		c.mu.Lock()
		c.res.Disallowed++
		c.mu.Unlock()
		c.log.Info("skipped: disallowed by robots.txt", "url", it.URL)
		return true, c.front.Done(ctx, it.ID)
	}
	if until, ok := retryLater(err, c.cfg.now()); ok {
		// The Fetcher keeps answering the host's other fetches at once, with no
		// request, until then: they are deferred the same way.
		return true, c.deferItem(ctx, it, until, err)
	}
	return false, nil
}

// deferItem puts an item back until a later time and notes the first cause per host,
// so the summary can say why work was left for the next run.
func (c *Crawler) deferItem(ctx context.Context, it FrontierItem, until time.Time, cause error) error {
	if err := c.front.Defer(ctx, it.ID, until, cause); err != nil {
		return err
	}
	host := hostOf(it.URL)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.deferred[host] {
		c.deferred[host] = true
		c.res.Deferred = append(c.res.Deferred, Deferral{Host: host, URL: it.URL, Cause: cause.Error(), Until: until})
	}
	return nil
}

func (c *Crawler) countError(u string, err error) {
	defer c.emit(CrawlEvent{Kind: "error", URL: u})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res.Errors++
	if len(c.res.Failures) < maxFailuresListed {
		c.res.Failures = append(c.res.Failures, Failure{URL: u, Cause: err.Error()})
	}
	var fe *FetchError
	if errors.As(err, &fe) && fe.Retryable() {
		host := hostOf(u)
		c.fails[host]++
		if c.fails[host] >= c.cfg.HostFailures {
			until := c.cfg.now().Add(c.cfg.HostPause)
			c.paused[host] = until
			c.pausedBy[host] = err
			c.log.Warn("pausing host after repeated failures", "host", host, "failures", c.fails[host], "until", until.Format(time.RFC3339))
		}
	}
	c.log.Warn("failed", "url", u, "err", err)
}

func (c *Crawler) hostOK(u string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.fails, hostOf(u))
}

func (c *Crawler) pausedUntil(host string) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.paused[host]
	if ok && c.cfg.now().After(until) {
		delete(c.paused, host)
		return time.Time{}, false
	}
	return until, ok
}

// allowed keeps the crawl on its hosts (see Crawler.hosts) and out of excluded URLs.
func (c *Crawler) allowed(raw string) bool {
	c.hostsMu.RLock()
	ok := c.hosts[hostOf(raw)]
	c.hostsMu.RUnlock()
	return ok && c.notExcluded(raw)
}

// notExcluded reports a URL no --exclude expression matches.
func (c *Crawler) notExcluded(raw string) bool {
	for _, re := range c.cfg.Exclude {
		if re.MatchString(raw) {
			return false
		}
	}
	return true
}

// addHost lets the crawl queue links on host.
func (c *Crawler) addHost(host string) {
	c.hostsMu.RLock()
	known := c.hosts[host]
	c.hostsMu.RUnlock()
	if known || host == "" {
		return
	}
	c.hostsMu.Lock()
	c.hosts[host] = true
	c.hostsMu.Unlock()
}

func (c *Crawler) included(raw string) bool {
	if len(c.cfg.Include) == 0 {
		return true
	}
	for _, re := range c.cfg.Include {
		if re.MatchString(raw) {
			return true
		}
	}
	return false
}

func (c *Crawler) emit(ev CrawlEvent) {
	if c.cfg.OnEvent != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.cfg.OnEvent(ev)
	}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

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
	ThreadsSkipped int
	Pages          int
	PostsNew       int
	PostsUpdated   int
	PostsDeleted   int
	Errors         int
	Left           FrontierCounts // what stays queued for the next run
	Resumed        bool
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
	hosts    map[string]bool

	mu       sync.Mutex
	res      CrawlResult
	fails    map[string]int
	paused   map[string]time.Time
	threads  atomic.Int64
	inflight atomic.Int64
}

// NewCrawler wires a crawl. Seeds fix the sites: the crawl never leaves their hosts.
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
		hosts: map[string]bool{}, fails: map[string]int{}, paused: map[string]time.Time{}}
	for _, s := range seeds {
		if u, err := url.Parse(s); err == nil {
			c.hosts[u.Host] = true
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
		if c.cfg.MaxThreads > 0 && c.threads.Load() >= int64(c.cfg.MaxThreads) {
			kinds = []ItemKind{KindListing}
		}
		items, err := c.front.Lease(ctx, 1, c.cfg.LeaseTTL, kinds...)
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
		if err != nil {
			return err
		}
	}
	return nil
}

// process handles one item; it returns an error only for failures of the crawl itself.
func (c *Crawler) process(ctx context.Context, it FrontierItem) error {
	u, _ := url.Parse(it.URL)
	if until, ok := c.pausedUntil(u.Host); ok {
		return c.front.Defer(ctx, it.ID, until, errors.New("host paused after repeated failures"))
	}
	switch it.Kind {
	case KindThread:
		return c.thread(ctx, it, false)
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
			return c.thread(ctx, FrontierItem{ID: it.ID, URL: it.URL, Kind: KindThread}, true)
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
	skipped := 0
	var entries []ThreadEntry
	for _, t := range l.Threads {
		if !c.allowed(t.URL) || !c.included(t.URL) {
			continue
		}
		if !c.cfg.Since.IsZero() && t.LastPostAt != nil && t.LastPostAt.Before(c.cfg.Since) {
			skipped++
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
	c.mu.Unlock()
	c.log.Info("listing read", "url", it.URL, "boards", len(l.Boards), "threads", len(l.Threads), "queued", n, "unchanged", skipped)
	c.emit(CrawlEvent{Kind: "listing", URL: it.URL, Queued: n, Title: deref(l.Title)})
	return c.front.Done(ctx, it.ID)
}

func (c *Crawler) thread(ctx context.Context, it FrontierItem, seed bool) error {
	c.threads.Add(1)
	a := NewArchiver(c.f, c.sink, ArchiveConfig{
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
		if res.Pages == 0 && isNotForum(err) {
			if rerr := c.sink.RecordError(ctx, it.URL, err); rerr != nil {
				return rerr
			}
		}
		c.countError(it.URL, err)
		return c.front.Fail(ctx, it.ID, err)
	}
	c.hostOK(it.URL)
	if it.Entry != nil && (c.cfg.MaxPages == 0 || res.Pages < c.cfg.MaxPages) {
		if err := c.listings.ThreadArchived(ctx, SiteBase(it.URL), *it.Entry); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.res.Threads++
	c.mu.Unlock()
	c.emit(CrawlEvent{Kind: "thread", URL: it.URL, Title: res.Title, Pages: res.Pages, New: res.PostsNew})
	return c.front.Done(ctx, it.ID)
}

// failed records a listing page that could not be read. Robots and server trouble
// defer the item; repeated failures pause the host.
func (c *Crawler) failed(ctx context.Context, it FrontierItem, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	if errors.Is(err, ErrRobotsUnavailable) {
		return c.front.Defer(ctx, it.ID, c.cfg.now().Add(robotsRetry), err)
	}
	if rerr := c.sink.RecordError(ctx, it.URL, err); rerr != nil {
		return rerr
	}
	c.countError(it.URL, err)
	return c.front.Fail(ctx, it.ID, err)
}

func (c *Crawler) countError(u string, err error) {
	defer c.emit(CrawlEvent{Kind: "error", URL: u})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res.Errors++
	var fe *FetchError
	if errors.As(err, &fe) && fe.Retryable() {
		host := hostOf(u)
		c.fails[host]++
		if c.fails[host] >= c.cfg.HostFailures {
			until := c.cfg.now().Add(c.cfg.HostPause)
			c.paused[host] = until
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

// allowed keeps the crawl on its seeds' hosts and out of excluded URLs.
func (c *Crawler) allowed(raw string) bool {
	if !c.hosts[hostOf(raw)] {
		return false
	}
	for _, re := range c.cfg.Exclude {
		if re.MatchString(raw) {
			return false
		}
	}
	return true
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

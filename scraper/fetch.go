package scraper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/net/publicsuffix"
)

// Version is the forumarc version reported in the User-Agent; cmd sets it at start-up.
var Version = "dev"

// DefaultUserAgent identifies forumarc to the sites it reads, with a contact URL, as
// polite crawlers do.
func DefaultUserAgent() string {
	return "forumarc/" + Version + " (+https://github.com/forumarc/forumarc)"
}

// FetchConfig holds every fetch setting on purpose: colly's own defaults (no robots,
// no retries, silent 10 MiB truncation, COLLY_* overrides) are all wrong for archiving.
type FetchConfig struct {
	UserAgent string
	Timeout   time.Duration // per attempt
	Delay     time.Duration // between requests to one host, randomised +/-50%
	Attempts  int           // total tries for 408, 429, 5xx and network errors
	// MaxRetryWait is the longest Retry-After waited out. A longer one ends the page's
	// tries, and the host gets no request until its time: fetches for it fail at once
	// with a FetchError whose RetryAt says when to come back.
	MaxRetryWait time.Duration
	IgnoreRobots bool
	MaxBodySize  int
	Jar          http.CookieJar
	// PerHost is how many requests may be in flight to one host (default 1).
	PerHost int
	// Transport replaces the network, for tests.
	Transport http.RoundTripper
	Logger    *slog.Logger
	// BackoffMin is the first retry wait when the server gives no Retry-After.
	BackoffMin time.Duration
}

func (c *FetchConfig) defaults() {
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent()
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Attempts <= 0 {
		c.Attempts = 3
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 2 * time.Minute
	}
	if c.MaxBodySize <= 0 {
		c.MaxBodySize = 64 << 20
	}
	if c.PerHost <= 0 {
		c.PerHost = 1
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// net/http keeps 2 idle connections per host by default: with more requests
		// in flight to one host, every burst closed the extra connections and the
		// next one dialled them again (2% of a local crawl's CPU, and a new TCP
		// handshake for the site each time). Keep one per request that may be in flight.
		t.MaxIdleConnsPerHost = max(c.PerHost, http.DefaultMaxIdleConnsPerHost)
		c.Transport = t
	}
}

// Request is one page to fetch, with validators from the archived copy so an
// unchanged page costs the site a 304 instead of a full render.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	// Accept overrides the Accept header (e.g. application/json for Discourse).
	Accept string
}

// FetchError describes a page that could not be fetched after its retries. The crawl
// stores it in crawl_errors and the run exits 1.
type FetchError struct {
	URL        string
	Status     int // 0 for network errors and requests not made
	RetryAfter time.Duration
	// RetryAt, when set, is when the host allows requests again (its Retry-After on a
	// 429 or 503). Until then the Fetcher sends the host nothing and fails its fetches
	// at once (Err is a *HostPausedError): work for the host is to be deferred to
	// RetryAt, not counted as failed.
	RetryAt time.Time
	Err     error
}

func (e *FetchError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	}
	if errors.Is(e.Err, io.EOF) {
		// net/http's bare "EOF": the connection closed before any answer came.
		return fmt.Sprintf("%s: the server closed the connection without answering (%v)", e.URL, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.URL, e.Err)
}

func (e *FetchError) Unwrap() error { return e.Err }

// NotFound reports a page that is gone for good (404, 410).
func (e *FetchError) NotFound() bool { return e.Status == 404 || e.Status == 410 }

// Retryable reports failures worth trying again in a later run. A redirect to another
// site is not: it will redirect again.
func (e *FetchError) Retryable() bool {
	var re *RedirectError
	if errors.As(e.Err, &re) {
		return false
	}
	return e.Status == 0 || retryableStatus(e.Status)
}

// RedirectError is a redirect to another site, which fetches do not follow: a crawl
// stays on the sites it was given, and the target's robots.txt and politeness limits
// were never consulted. Redirects within a host (http to https included) are followed.
// A start URL the user gave that redirects to another host of the same site
// (siteRedirect) is taken up by the crawl and the archiver, with a warning, and read
// there through a new Fetch: the target host's robots.txt first.
type RedirectError struct {
	From, To string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirected to another site, %s: not followed (forumarc stays on the sites it was given; give that URL instead if it is the same forum)", e.To)
}

// sameSite reports whether a redirect from a to b stays on the host: same host name
// and port, a scheme's default port being the same as none.
func sameSite(a, b *url.URL) bool {
	return strings.EqualFold(siteHost(a), siteHost(b))
}

// siteRedirect reports a refused redirect (a *RedirectError in err) that only changes
// host within one site: example.com to www.example.com, or forum.example.co.uk to
// www.example.co.uk. It returns the target, cleaned. Callers follow it only for an
// address the user typed; links found on pages keep the refusal.
func siteRedirect(err error) (to string, ok bool) {
	var re *RedirectError
	if !errors.As(err, &re) {
		return "", false
	}
	from, err1 := url.Parse(re.From)
	target, err2 := url.Parse(re.To)
	if err1 != nil || err2 != nil || (target.Scheme != "http" && target.Scheme != "https") || !sameRegistrableDomain(from, target) {
		return "", false
	}
	target.Fragment = ""
	return CleanURL(target.String()), true
}

// sameRegistrableDomain reports whether two URLs are on one site: the same
// registrable domain (public suffix plus one label, the private suffixes of the list
// included, so alice.github.io and bob.github.io differ). IP addresses, localhost
// and names the list cannot split are one site only when the host names are equal
// ignoring a leading "www.", whatever the ports.
func sameRegistrableDomain(a, b *url.URL) bool {
	ha := strings.TrimSuffix(strings.ToLower(a.Hostname()), ".")
	hb := strings.TrimSuffix(strings.ToLower(b.Hostname()), ".")
	if ha == "" || hb == "" {
		return false
	}
	if ha == hb {
		return true
	}
	bare := func(h string) string { return strings.TrimPrefix(h, "www.") }
	local := func(h string) bool { return net.ParseIP(h) != nil || bare(h) == "localhost" }
	if local(ha) || local(hb) {
		return bare(ha) == bare(hb)
	}
	da, err1 := publicsuffix.EffectiveTLDPlusOne(ha)
	db, err2 := publicsuffix.EffectiveTLDPlusOne(hb)
	if err1 != nil || err2 != nil {
		return bare(ha) == bare(hb)
	}
	return da == db
}

func siteHost(u *url.URL) string {
	p := u.Port()
	if (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		p = ""
	}
	if p == "" {
		return u.Hostname()
	}
	return net.JoinHostPort(u.Hostname(), p)
}

// retryLater reports the errors that mean "not now" rather than "failed": robots.txt
// unavailable (asked again after robotsRetry) and a host paused by a Retry-After
// longer than a fetch waits (until its RetryAt). Work meeting them is deferred and
// recorded nowhere as a failure.
func retryLater(err error, now time.Time) (time.Time, bool) {
	var fe *FetchError
	if errors.As(err, &fe) && !fe.RetryAt.IsZero() {
		return fe.RetryAt, true
	}
	if errors.Is(err, ErrRobotsUnavailable) {
		return now.Add(robotsRetry), true
	}
	return time.Time{}, false
}

// ErrRobots is returned for a URL robots.txt disallows.
var ErrRobots = errors.New("disallowed by robots.txt (use --ignore-robots to override)")

func retryableStatus(s int) bool {
	return s == 408 || s == 429 || (s >= 500 && s != 501 && s != 505)
}

// Fetcher downloads pages through colly, one host at a time, obeying robots.txt.
// It is safe for concurrent use; politeness is enforced per host.
type Fetcher struct {
	cfg    FetchConfig
	c      *colly.Collector
	gate   *hostGates
	robots *robotsCache
	log    *slog.Logger
	prime  *primedPage // set on views made by primed
}

// primed returns a view of f (same collector, host gates and robots cache) whose
// first Fetch of reqURL answers page, fetched from reqURL a moment ago, instead of
// requesting it again: a crawl seed read as a listing that turns out to be a thread
// page is handed to the Archiver without a second request.
func (f *Fetcher) primed(reqURL string, page *Fetched) *Fetcher {
	v := *f
	v.prime = &primedPage{url: reqURL, page: page}
	return &v
}

// take returns the primed page for a request of its URL, once.
func (p *primedPage) take(req Request) *Fetched {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.page == nil || req.URL != p.url || req.Accept != "" {
		return nil
	}
	page := p.page
	p.page = nil
	return page
}

// primedPage is a page already fetched that a Fetcher view answers once, instead of
// asking the site for it again (see primed).
type primedPage struct {
	mu   sync.Mutex
	url  string
	page *Fetched
}

type fetchSlot struct {
	resp *colly.Response
}

// NewFetcher builds a fetcher whose requests are cancelled with ctx.
func NewFetcher(ctx context.Context, cfg FetchConfig) *Fetcher {
	cfg.defaults()
	c := colly.NewCollector(colly.StdlibContext(ctx))
	// Set fields after construction so COLLY_* environment variables cannot override them.
	c.UserAgent = cfg.UserAgent
	c.IgnoreRobotsTxt = true // robots are handled by robotsCache (TTL, Crawl-delay, RFC 9309)
	c.AllowURLRevisit = true // resumes refetch pages; also keeps colly's visited map from growing
	c.ParseHTTPErrorResponse = true
	c.MaxBodySize = cfg.MaxBodySize + 1 // one extra byte tells truncation from an exact fit
	c.DetectCharset = false             // Decode handles BOM, headers and <meta>
	c.MaxDepth = 0
	c.Async = false

	gate := newHostGates(cfg.Delay, cfg.PerHost, cfg.MaxRetryWait)
	f := &Fetcher{cfg: cfg, c: c, gate: gate, log: cfg.Logger}
	rc := retryablehttp.NewClient()
	rc.RetryMax = cfg.Attempts - 1
	rc.RetryWaitMin = cfg.BackoffMin
	rc.RetryWaitMax = cfg.MaxRetryWait
	rc.Logger = nil
	// Each attempt passes its host's gate and is read to its end there, under the
	// per-attempt timeout (which starts after the gate's wait, so no client timeout).
	rc.HTTPClient.Timeout = 0
	rc.HTTPClient.Transport = &gateTransport{next: cfg.Transport, gates: gate, timeout: cfg.Timeout, maxBody: int64(cfg.MaxBodySize) + 1}
	// Redirects are followed by the outer client, which holds the cookie jar.
	rc.HTTPClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	rc.CheckRetry = retryPolicy(cfg.MaxRetryWait)
	rc.Backoff = retryablehttp.DefaultBackoff
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.RequestLogHook = func(_ retryablehttp.Logger, r *http.Request, attempt int) {
		if attempt > 0 {
			cfg.Logger.Info("retrying", "url", r.URL.String(), "attempt", attempt+1)
		}
	}
	client := rc.StandardClient()
	client.Jar = cfg.Jar
	c.SetClient(client)
	c.SetRedirectHandler(func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		// robots.txt may redirect anywhere (RFC 9309 2.3.1.2); pages stay on the host.
		if !sameSite(via[0].URL, req.URL) && via[0].URL.Path != "/robots.txt" {
			return &RedirectError{From: via[len(via)-1].URL.String(), To: req.URL.String()}
		}
		return nil
	})
	f.robots = newRobotsCache(f, cfg.UserAgent)
	// colly converts a body whose Content-Type names a charset other than UTF-8 to
	// UTF-8 before OnResponse: the archive would keep converted bytes, not the bytes
	// served, and Decode would then label them utf-8. Hide the charset from colly and
	// give the header back; Decode converts the raw bytes and names the charset used.
	c.OnResponseHeaders(func(r *colly.Response) {
		ct := r.Headers.Get("Content-Type")
		if !strings.Contains(strings.ToLower(ct), "charset") {
			return
		}
		r.Ctx.Put("content-type", ct)
		mt, _, _ := strings.Cut(ct, ";")
		if mt = strings.TrimSpace(mt); strings.Contains(mt, "=") {
			r.Headers.Del("Content-Type")
			return
		}
		r.Headers.Set("Content-Type", mt)
	})
	c.OnResponse(func(r *colly.Response) {
		if ct, ok := r.Ctx.GetAny("content-type").(string); ok {
			r.Headers.Set("Content-Type", ct)
		}
		if s, ok := r.Ctx.GetAny("slot").(*fetchSlot); ok {
			s.resp = r
		}
	})
	return f
}

func retryPolicy(maxWait time.Duration) retryablehttp.CheckRetry {
	return func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err != nil {
			var hp *HostPausedError
			if errors.As(err, &hp) {
				return false, nil // the host is paused for longer than a fetch waits
			}
			return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
		}
		if !retryableStatus(resp.StatusCode) {
			return false, nil
		}
		if ra := retryAfter(resp.Header, time.Now()); ra > maxWait {
			return false, nil // the site asks for a longer pause than a run should sit idle
		}
		return true, nil
	}
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now)
	}
	return 0
}

// Fetch downloads one page. Non-2xx answers other than 304 come back as *FetchError.
func (f *Fetcher) Fetch(ctx context.Context, req Request) (*Fetched, error) {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", req.URL)
	}
	if page := f.prime.take(req); page != nil {
		return page, nil // fetched through this Fetcher, robots.txt checked, just now
	}
	if !f.cfg.IgnoreRobots {
		ok, delay, err := f.robots.allowed(ctx, u)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &FetchError{URL: req.URL, Err: ErrRobots}
		}
		f.gate.setMinDelay(u.Host, delay)
	}
	return f.get(ctx, u, req)
}

func (f *Fetcher) get(ctx context.Context, u *url.URL, req Request) (*Fetched, error) {
	// The transport waits for the host's turn on the Fetcher's context; waiting here
	// first lets the caller's context end the wait too.
	if err := f.gate.ready(ctx, u.Host); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fetchError(u.String(), err)
	}
	hdr := http.Header{}
	hdr.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	if req.Accept != "" {
		hdr.Set("Accept", req.Accept)
	}
	if req.ETag != "" {
		hdr.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hdr.Set("If-Modified-Since", req.LastModified)
	}
	slot := &fetchSlot{}
	cctx := colly.NewContext()
	cctx.Put("slot", slot)
	start := time.Now()
	err := f.c.Request(http.MethodGet, u.String(), nil, cctx, hdr)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil && slot.resp == nil {
		return nil, fetchError(u.String(), err)
	}
	r := slot.resp
	f.log.Debug("fetched", "url", u.String(), "status", r.StatusCode, "bytes", len(r.Body), "ms", time.Since(start).Milliseconds())
	var h http.Header
	if r.Headers != nil {
		h = *r.Headers
	}
	out := &Fetched{
		URL:          CleanURL(r.Request.URL.String()),
		Status:       r.StatusCode,
		ContentType:  h.Get("Content-Type"),
		ETag:         h.Get("ETag"),
		LastModified: h.Get("Last-Modified"),
		FetchedAt:    time.Now().UTC(),
		Body:         r.Body,
		Header:       h,
	}
	switch {
	case r.StatusCode == http.StatusNotModified:
		return out, nil
	case r.StatusCode >= 300:
		fe := &FetchError{URL: u.String(), Status: r.StatusCode, RetryAfter: retryAfter(h, out.FetchedAt)}
		if fe.RetryAfter > 0 && (r.StatusCode == http.StatusTooManyRequests || r.StatusCode == http.StatusServiceUnavailable) {
			fe.RetryAt = out.FetchedAt.Add(fe.RetryAfter)
		}
		return out, fe
	case len(r.Body) > f.cfg.MaxBodySize:
		return nil, &FetchError{URL: u.String(), Status: 0, Err: fmt.Errorf("page larger than %d bytes", f.cfg.MaxBodySize)}
	}
	return out, nil
}

// fetchError describes a request that got no answer: a network error, a refused
// redirect, or a paused host (with RetryAt).
func fetchError(u string, err error) *FetchError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is in the FetchError already
	}
	fe := &FetchError{URL: u, Err: netErr(err)}
	var hp *HostPausedError
	if errors.As(err, &hp) {
		fe.RetryAt = hp.Until
	}
	return fe
}

func netErr(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

package scraper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// robotsTTL is how long a robots.txt answer is trusted (RFC 9309 allows at most 24 h).
const robotsTTL = 24 * time.Hour

// robotsRetry is how long a 5xx or unreachable robots.txt blocks a host before it is
// asked again: RFC 9309 says to assume complete disallow meanwhile.
const robotsRetry = 10 * time.Minute

// ErrRobotsUnavailable is returned while a host's robots.txt answers 5xx or not at all.
var ErrRobotsUnavailable = errors.New("robots.txt unavailable, so the site is treated as disallowed for now; try again later")

// robotsCache fetches and caches robots.txt per host with a TTL, unlike colly's own
// handling which caches forever and ignores Crawl-delay.
type robotsCache struct {
	f     *Fetcher
	agent string
	mu    sync.Mutex
	hosts map[string]*robotsEntry
	now   func() time.Time
}

type robotsEntry struct {
	mu      sync.Mutex
	group   *robotstxt.Group // nil = everything allowed
	err     error            // set while robots.txt is unavailable
	expires time.Time
}

func newRobotsCache(f *Fetcher, agent string) *robotsCache {
	return &robotsCache{f: f, agent: agent, hosts: map[string]*robotsEntry{}, now: time.Now}
}

// allowed reports whether u may be fetched and the host's Crawl-delay.
func (r *robotsCache) allowed(ctx context.Context, u *url.URL) (bool, time.Duration, error) {
	key := u.Scheme + "://" + u.Host
	r.mu.Lock()
	e := r.hosts[key]
	if e == nil {
		e = &robotsEntry{}
		r.hosts[key] = e
	}
	r.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if r.now().After(e.expires) {
		if err := r.load(ctx, e, key); err != nil {
			return false, 0, err
		}
	}
	if e.err != nil {
		return false, 0, fmt.Errorf("%s: %w", key, e.err)
	}
	if e.group == nil {
		return true, 0, nil
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if path == "" {
		path = "/"
	}
	return e.group.Test(path), e.group.CrawlDelay, nil
}

func (r *robotsCache) load(ctx context.Context, e *robotsEntry, base string) error {
	robotsURL, _ := url.Parse(base + "/robots.txt")
	res, err := r.f.get(ctx, robotsURL, Request{URL: robotsURL.String(), Accept: "text/plain,*/*"})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var fe *FetchError
	if errors.As(err, &fe) && !fe.RetryAt.IsZero() {
		// The host asked for a pause (Retry-After): nothing is cached, robots.txt is
		// asked for again after it, and the caller defers its work until then.
		return err
	}
	e.group, e.err = nil, nil
	e.expires = r.now().Add(robotsTTL)
	switch {
	case errors.As(err, &fe) && fe.Status >= 400 && fe.Status < 500 && fe.Status != 429:
		// RFC 9309: a 4xx robots.txt means no restrictions; a 429 is the server
		// asking for less, so it counts as unavailable, as a 5xx does.
	case errors.As(err, &fe) && fe.Status == 0:
		e.err = fmt.Errorf("cannot reach the site (%v): %w", fe.Err, ErrRobotsUnavailable)
		e.expires = r.now().Add(robotsRetry)
	case errors.As(err, &fe):
		// Not fe itself: its message starts with the robots.txt URL, and allowed names
		// the site already.
		e.err = fmt.Errorf("robots.txt answered HTTP %d %s: %w", fe.Status, http.StatusText(fe.Status), ErrRobotsUnavailable)
		e.expires = r.now().Add(robotsRetry)
	case err != nil:
		e.err = fmt.Errorf("robots.txt: %v: %w", err, ErrRobotsUnavailable)
		e.expires = r.now().Add(robotsRetry)
	default:
		data, perr := robotstxt.FromStatusAndBytes(res.Status, res.Body)
		if perr != nil {
			return nil // unparseable robots.txt: treat as no rules, as major crawlers do
		}
		e.group = data.FindGroup(r.agentToken())
	}
	return nil
}

// agentToken is the product token robots.txt groups are matched against.
func (r *robotsCache) agentToken() string {
	for i, c := range r.agent {
		if c == '/' || c == ' ' {
			return r.agent[:i]
		}
	}
	return r.agent
}

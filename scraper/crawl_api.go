package scraper

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/PuerkitoBio/goquery"
)

// APIListingReader is implemented by engines whose forums list topics as JSON
// (Discourse: /latest.json, /c/{slug}/{id}.json). Crawls read those lists instead of
// the HTML, which on Discourse is a JavaScript app without a crawlable listing.
type APIListingReader interface {
	// APIListingURL returns the JSON address of the listing at pageURL (a JSON
	// listing URL maps to itself); ok is false when pageURL is no listing.
	APIListingURL(pageURL string) (apiURL string, ok bool)
	// ExtractAPIListing reads one JSON listing page; NextURL is the JSON URL of the
	// next one.
	ExtractAPIListing(data []byte, apiURL string, in Input) (*Listing, error)
}

// apiListingReaderFor reports a URL that is itself a JSON listing page of an engine
// (forced, else any registered one), such as the next page of an API listing.
func (c *Crawler) apiListingReaderFor(raw string) (APIListingReader, bool) {
	if c.cfg.Profile != nil {
		return nil, false
	}
	engines := Engines()
	if c.cfg.Engine != "" {
		e, ok := Lookup(c.cfg.Engine)
		if !ok {
			return nil, false
		}
		engines = []Engine{e}
	}
	for _, e := range engines {
		if r, ok := e.(APIListingReader); ok {
			if u, ok := r.APIListingURL(raw); ok && u == raw {
				return r, true
			}
		}
	}
	return nil, false
}

// apiListingOfPage returns the JSON listing of an HTML page whose engine has one.
func (c *Crawler) apiListingOfPage(doc *goquery.Document, pageURL string) (APIListingReader, string, bool) {
	if c.cfg.Profile != nil {
		return nil, "", false
	}
	e, _, err := engineFor(doc, Options{Engine: c.cfg.Engine}, pageURL)
	if err != nil {
		return nil, "", false
	}
	r, ok := e.(APIListingReader)
	if !ok {
		return nil, "", false
	}
	u, ok := r.APIListingURL(pageURL)
	if !ok || !sameHost(u, pageURL) {
		return nil, "", false
	}
	return r, u, true
}

// apiListing reads a JSON listing page and queues what it lists. With fallback set
// (the HTML page was read first), an answer that is not a usable listing returns an
// error wrapping errAPIRefused and stores nothing, so the caller reads the HTML.
func (c *Crawler) apiListing(ctx context.Context, it FrontierItem, r APIListingReader, apiURL string, fallback bool) error {
	l, err := c.fetchAPIListing(ctx, r, apiURL)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		if fallback {
			c.log.Info("listing API not usable; reading the HTML", "url", apiURL, "reason", err)
			return fmt.Errorf("%w: %w", errAPIRefused, err)
		}
		return c.failed(ctx, it, err)
	}
	c.hostOK(apiURL)
	return c.queueListing(ctx, it, l, SiteBase(apiURL))
}

func (c *Crawler) fetchAPIListing(ctx context.Context, r APIListingReader, apiURL string) (*Listing, error) {
	f, err := c.f.Fetch(ctx, Request{URL: apiURL, Accept: "application/json"})
	if err != nil {
		return nil, err
	}
	if !isJSON(f) {
		return nil, fmt.Errorf("%s: %w: answered %q, not JSON", apiURL, errAPIRefused, f.ContentType)
	}
	u, err := url.Parse(f.URL)
	if err != nil {
		return nil, fmt.Errorf("listing url: %w", err)
	}
	l, err := r.ExtractAPIListing(f.Body, f.URL, Input{URL: u, FetchedAt: f.FetchedAt, Location: c.cfg.Location})
	if err != nil {
		return nil, err
	}
	if len(l.Threads) == 0 && len(l.Boards) == 0 && l.Page.Number <= 1 {
		return nil, errors.New(apiURL + ": the listing holds no topics")
	}
	normalizeListing(l, f.URL)
	return l, nil
}

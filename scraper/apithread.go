package scraper

import (
	"fmt"
	"net/url"
)

// APIThreadReader is implemented by engines whose forums also serve threads as JSON
// (Discourse: /t/{slug}/{id}.json and its post stream). The API gives what the HTML
// hides (user titles, edit times) in fewer requests, so the Archiver prefers it and
// falls back to the HTML pages when the site refuses it. Implementations are pure;
// the Archiver fetches, through the same Fetcher (robots, delay, retries).
type APIThreadReader interface {
	// APIThreadURL returns the API address of the thread that pageURL is a page or
	// post link of; ok is false when pageURL is not such a link.
	APIThreadURL(pageURL string) (apiURL string, ok bool)
	// IsAPIURL reports whether u is one of the API addresses this reader reads, so an
	// HTML walk never resumes at one.
	IsAPIURL(u string) bool
	// ExtractAPIPage reads one API answer fetched from apiURL. For the thread's
	// first answer it returns page 1 (Page.Total set) and the URLs of the remaining
	// chunks in thread order; for a chunk it returns its posts, the caller numbering
	// the page (chunk index + 2: page 1 is the first answer).
	ExtractAPIPage(data []byte, apiURL string, in Input) (p *Page, more []string, err error)
}

// ExtractAny reads a page as archived or saved: an API answer (Discourse JSON, told
// by its URL) through its engine's APIThreadReader, anything else through Extract.
// Reparsing stored pages and `forumarc extract` use it, so JSON pages archived from
// an API read back exactly as when they were fetched. A chunk's page number is not
// in the JSON: callers reparsing set it from the stored page row.
func ExtractAny(raw []byte, pageURL string, opts Options) (*Page, error) {
	if opts.Profile == nil {
		for _, e := range apiEngines(opts.Engine) {
			r := e.(APIThreadReader)
			if !r.IsAPIURL(pageURL) {
				continue
			}
			u, err := url.Parse(pageURL)
			if err != nil {
				return nil, fmt.Errorf("page url: %w", err)
			}
			in, err := input(pageURL, opts)
			if err != nil {
				return nil, err
			}
			in.URL = u
			p, _, err := r.ExtractAPIPage(raw, pageURL, in)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", e.Info().Name, err)
			}
			p.Engine = e.Info().Name
			normalizePage(p, pageURL)
			if len(p.Posts) == 0 {
				return p, fmt.Errorf("%s: %w", pageURL, ErrNotThread)
			}
			return p, nil
		}
	}
	return Extract(raw, pageURL, opts)
}

// apiEngines lists the engines with a thread API: the forced one only, when forced.
func apiEngines(forced string) []Engine {
	all := Engines()
	if forced != "" {
		e, ok := Lookup(forced)
		if !ok {
			return nil
		}
		all = []Engine{e}
	}
	var out []Engine
	for _, e := range all {
		if _, ok := e.(APIThreadReader); ok {
			out = append(out, e)
		}
	}
	return out
}

package scraper

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

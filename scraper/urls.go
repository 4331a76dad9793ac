package scraper

import (
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// sessionParams are query parameters that carry a visitor's session, not content.
// Keeping them would store the same page under many URLs.
var sessionParams = map[string]bool{"s": true, "sid": true, "phpsessid": true, "sessionid": true, "session": true}

// trackingParams are query parameters that newsletters, ads and social sites add to
// links to count clicks (Google Analytics and Ads, Facebook, Microsoft, Yandex,
// Mailchimp, Instagram); utm_* of any name is one too (trackingParam). No forum
// engine reads them, and kept they would store the same page under many URLs.
var trackingParams = map[string]bool{"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "mc_cid": true, "mc_eid": true, "igshid": true, "_ga": true, "_gl": true}

// droppedParam reports a query parameter (its name, any case) CleanURL removes.
func droppedParam(name string) bool {
	k := strings.ToLower(name)
	return sessionParams[k] || trackingParams[k] || strings.HasPrefix(k, "utm_")
}

// CleanURL removes session and tracking parameters (including SMF's ";PHPSESSID="
// path form) and leaves the URL untouched otherwise. It is the one normalisation of
// the URLs forumarc stores, queues and looks threads up by.
func CleanURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if i := strings.Index(strings.ToLower(u.Path), ";phpsessid="); i >= 0 {
		u.Path = u.Path[:i]
		u.RawPath = ""
	}
	if u.RawQuery != "" {
		u.RawQuery = stripQueryParams(u.RawQuery)
	}
	return u.String()
}

// stripQueryParams drops session and tracking pairs from a raw query, keeping the
// order and encoding of the rest. It splits by hand because url.ParseQuery drops pairs
// holding ';', and SMF joins parameters with ';' ("action=profile;u=3061;PHPSESSID=x").
func stripQueryParams(raw string) string {
	changed := false
	var kept []string
	for _, pair := range strings.Split(raw, "&") {
		var segs []string
		for _, s := range strings.Split(pair, ";") {
			k, _, _ := strings.Cut(s, "=")
			if droppedParam(k) {
				changed = true
				continue
			}
			segs = append(segs, s)
		}
		if j := strings.Join(segs, ";"); j != "" {
			kept = append(kept, j)
		}
	}
	if !changed {
		return raw
	}
	return strings.Join(kept, "&")
}

// Resolve makes href absolute against base and cleans it; "" stays "".
func Resolve(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "javascript:") {
		return ""
	}
	if base == nil {
		return href
	}
	u, err := base.Parse(href)
	if err != nil {
		return ""
	}
	return CleanURL(u.String())
}

// ResolvePtr is Resolve returning nil for nothing.
func ResolvePtr(base *url.URL, href string) *string { return Str(Resolve(base, href)) }

func parseURL(raw string) (*url.URL, error) { return url.Parse(raw) }

// baseSel finds <base href>; browsers honour the first one wherever it stands.
var baseSel = MustCompile(`base[href]`)

// BaseURL returns the URL relative links of doc resolve against: the first
// <base href>, itself resolved against page, else page. vBulletin and XenForo 1 print
// one and write links relative to the board root, which friendly thread URLs
// (threads/123-title/page2) would otherwise resolve under the thread path. With page
// nil only an absolute <base href> counts.
func BaseURL(doc *goquery.Document, page *url.URL) *url.URL {
	n := FirstNode(doc, baseSel)
	if n == nil {
		return page
	}
	href := NodeAttr(n, "href")
	if page == nil {
		if u, err := url.Parse(href); err == nil && u.IsAbs() {
			return u
		}
		return nil
	}
	if u, err := page.Parse(href); err == nil {
		return u
	}
	return page
}

// WithBase returns in with URL set to the document's base URL (see BaseURL), for
// resolving the page's links; in.URL itself stays the address the page came from.
func (in Input) WithBase(doc *goquery.Document) Input {
	in.URL = BaseURL(doc, in.URL)
	return in
}

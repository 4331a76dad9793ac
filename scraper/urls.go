package scraper

import (
	"net/url"
	"strings"
)

// sessionParams are query parameters that carry a visitor's session, not content.
// Keeping them would store the same page under many URLs.
var sessionParams = map[string]bool{"s": true, "sid": true, "phpsessid": true, "sessionid": true, "session": true}

// CleanURL removes session parameters (including SMF's ";PHPSESSID=" path form) and
// the fragment-free form is left untouched otherwise.
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
		// Drop session pairs in place rather than re-encoding: Encode would sort the
		// pairs and turn vBulletin's valueless "?118-Name" key into "?118-Name=".
		parts := strings.Split(u.RawQuery, "&")
		kept := parts[:0]
		for _, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			if uk, err := url.QueryUnescape(k); err == nil && sessionParams[strings.ToLower(uk)] {
				continue
			}
			kept = append(kept, p)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	return u.String()
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

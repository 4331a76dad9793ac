package engines

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html/atom"

	"github.com/forumarc/forumarc/scraper"
)

// This file holds what vBulletin 3, 4 and 5 really share: the generator meta, the
// date and join-date formats, the bbcode quote markup of 4 and 5, user and post ids
// in links, and the thread URL forms (plain, vBSEO, friendly, vB5 routes).

var (
	vbSelGenerator = scraper.Guarded(scraper.MustCompile(`meta[name="generator" i]`), atom.Meta)
	vbSelCanonical = scraper.MustCompile(`link[rel="canonical"]`)
	vbSelLinkNext  = scraper.MustCompile(`link[rel="next"]`)
	vbSelTitle     = scraper.MustCompile(`title`)

	vbSelA          = scraper.MustCompile(`a`)
	vbSelAHref      = scraper.MustCompile(`a[href]`)
	vbSelStrong     = scraper.MustCompile(`strong`)
	vbSelImg        = scraper.MustCompile(`img`)
	vbSelRelNext    = scraper.MustCompile(`a[rel="next"]`)
	vbSelRepDisplay = scraper.MustCompile(`[id^="repdisplay_"]`)
	vbSelPostedBy   = scraper.MustCompile(`div.bbcode_postedby`)
)

var vbGeneratorRe = regexp.MustCompile(`(?i)vbulletin\s*(?:suite\s*|connect\s*|publishing suite\s*)?v?(\d)`)

// vbDetect decides by the generator meta when the page has one naming vBulletin,
// else by markup that only the given major version prints.
func vbDetect(doc *goquery.Document, major int, markup cascadia.Matcher) bool {
	switch vbGeneratorMajor(doc) {
	case major:
		return true
	case 0:
		return scraper.Has(doc, markup)
	}
	return false
}

// vbExtract is the thread page reader the three versions share: links resolve
// against <base href>, and the page info comes first because the thread URL needs
// the page number. Each version passes its post selector and readers.
func vbExtract(doc *goquery.Document, in scraper.Input, posts goquery.Matcher,
	pageInfo func(doc *goquery.Document, in, links scraper.Input) scraper.PageInfo,
	thread func(doc *goquery.Document, in, links scraper.Input, page int) scraper.Thread,
	readPost func(s *goquery.Selection, links scraper.Input) (scraper.Post, bool)) *scraper.Page {
	p := &scraper.Page{}
	links := in.WithBase(doc)
	p.Page = pageInfo(doc, in, links)
	p.Thread = thread(doc, in, links, p.Page.Number)
	doc.FindMatcher(posts).Each(func(_ int, s *goquery.Selection) {
		if post, ok := readPost(s, links); ok {
			p.Posts = append(p.Posts, post)
		}
	})
	return p
}

// vbGeneratorMajor reads the major version from <meta name="generator"
// content="vBulletin 4.2.2">. It returns 0 when the page names no vBulletin version,
// so callers fall back to markup.
func vbGeneratorMajor(doc *goquery.Document) int {
	n := scraper.FirstNode(doc, vbSelGenerator)
	if n == nil {
		return 0
	}
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, "content") {
			if m := vbGeneratorRe.FindStringSubmatch(a.Val); m != nil {
				v, _ := strconv.Atoi(m[1])
				return v
			}
		}
	}
	return 0
}

var (
	vbOrdinalRe = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)\b`)
	vbAtRe      = regexp.MustCompile(`(?i)\s+(?:at|um|à|a las|alle|om)\s+`)
	vbWordRe    = regexp.MustCompile(`\p{L}+\.?`)
)

// vbMonths maps localised month names (as vBulletin language packs print them) to
// the English abbreviations time.Parse knows.
var vbMonths = map[string]string{
	"januar": "Jan", "jänner": "Jan", "februar": "Feb", "märz": "Mar", "mär": "Mar", "mrz": "Mar", "mai": "May",
	"juni": "Jun", "juli": "Jul", "oktober": "Oct", "okt": "Oct", "dezember": "Dec", "dez": "Dec",
	"janvier": "Jan", "février": "Feb", "mars": "Mar", "avril": "Apr", "juin": "Jun", "juillet": "Jul",
	"août": "Aug", "septembre": "Sep", "octobre": "Oct", "novembre": "Nov", "décembre": "Dec",
	"ene": "Jan", "enero": "Jan", "febrero": "Feb", "marzo": "Mar", "abr": "Apr", "abril": "Apr", "mayo": "May",
	"junio": "Jun", "julio": "Jul", "ago": "Aug", "agosto": "Aug", "sept": "Sep", "septiembre": "Sep",
	"octubre": "Oct", "noviembre": "Nov", "dic": "Dec", "diciembre": "Dec",
}

var vbRelativeDays = map[string]int{
	"today": 0, "yesterday": -1, "heute": 0, "gestern": -1, "aujourd'hui": 0, "hier": -1, "hoy": 0, "ayer": -1, "oggi": 0, "ieri": -1,
}

var vbDateLayouts = []string{
	"Jan 2 2006, 3:04 PM", "Jan 2, 2006, 3:04 PM", "Jan 2 2006 3:04 PM", "Jan 2, 2006 3:04 PM",
	"January 2 2006, 3:04 PM", "January 2, 2006, 3:04 PM", "2 Jan 2006, 15:04", "2. Jan 2006, 15:04", "2 Jan 2006 15:04",
	"Jan 2 2006, 15:04", "Jan 2, 2006, 15:04",
	"1-2-2006, 3:04 PM", "1-2-2006 3:04 PM", "1-2-2006, 15:04", "1/2/2006, 3:04 PM", "1/2/2006, 15:04",
	"2 January 2006, 15:04", "2 January 2006, 3:04 PM", "2 Jan 2006, 3:04 PM", "2. January 2006, 15:04",
	"2.1.2006, 15:04", "2.1.2006 15:04", "2006-01-02, 15:04", "2006-01-02 15:04", "2006-01-02, 3:04 PM",
	"2-Jan-2006, 15:04", "2-Jan-2006 15:04", "2-Jan-2006, 3:04 PM",
	"1-2-2006", "2.1.2006", "2006-01-02", "2-Jan-2006", "Jan 2 2006", "Jan 2, 2006", "2 Jan 2006", "2. Jan 2006",
}

var vbTimeLayouts = []string{"3:04 PM", "15:04", "3:04PM", "3:04 pm"}

// vbNormalizeDate rewrites what vBulletin prints ("Jan 23rd 2011, 08:29 AM",
// "14. Mai 2010 um 10:59") into a form the layouts above read.
func vbNormalizeDate(s string) string {
	s = scraper.Clean(s)
	s = vbOrdinalRe.ReplaceAllString(s, "$1")
	s = vbAtRe.ReplaceAllString(s, ", ")
	s = strings.TrimSuffix(s, " Uhr")
	s = vbWordRe.ReplaceAllStringFunc(s, func(w string) string {
		if en, ok := vbMonths[strings.ToLower(strings.TrimSuffix(w, "."))]; ok {
			return en
		}
		return w
	})
	return s
}

// vbParseDate reads a displayed vBulletin date. The shared parser goes first so
// improvements there apply; the vBulletin forms it may not know come after.
func vbParseDate(text string, in scraper.Input) (*time.Time, bool) {
	text = scraper.Clean(text)
	if text == "" {
		return nil, false
	}
	if t, ok := scraper.ParseDate(text, in); ok {
		return scraper.UTCTime(t), true
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	s := vbNormalizeDate(text)
	head, rest, ok := strings.Cut(s, ",")
	if !ok {
		head, rest, ok = strings.Cut(s, " ")
	}
	if ok {
		if shift, rel := vbRelativeDays[strings.ToLower(strings.TrimSpace(head))]; rel {
			rest = strings.TrimSpace(rest)
			for _, l := range vbTimeLayouts {
				if clock, err := time.Parse(l, rest); err == nil {
					now := in.FetchedAt.In(loc)
					day := time.Date(now.Year(), now.Month(), now.Day()+shift, clock.Hour(), clock.Minute(), 0, 0, loc)
					return scraper.UTCTime(day), true
				}
			}
			return nil, false
		}
	}
	for _, l := range vbDateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return scraper.UTCTime(t), true
		}
	}
	return nil, false
}

// vbFixJoined fills Author.Joined when the shared parser could not read a join date
// that vBulletin language packs print ("Mai 2006", "14.05.2006").
func vbFixJoined(a *scraper.Author, in scraper.Input) {
	if a.JoinedText == nil || a.Joined != nil {
		return
	}
	s := vbNormalizeDate(*a.JoinedText)
	for _, l := range []string{"Jan 2006", "January 2006", "Jan. 2006", "01-2006", "1.2006"} {
		if t, err := time.Parse(l, s); err == nil {
			a.Joined = scraper.Str(t.Format("2006-01"))
			return
		}
	}
	if t, ok := vbParseDate(s, in); ok {
		loc := in.Location
		if loc == nil {
			loc = time.UTC
		}
		a.Joined = scraper.Str(t.In(loc).Format("2006-01-02"))
	}
}

// vbSidebar applies one sidebar pair and then the join-date fallback.
func vbSidebar(a *scraper.Author, label, value string, in scraper.Input) {
	scraper.ApplySidebar(a, label, value, in)
	vbFixJoined(a, in)
}

var (
	vbUserIDRes = []*regexp.Regexp{
		regexp.MustCompile(`[?&;]u=(\d+)`),
		regexp.MustCompile(`[?&;]userid=(\d+)`),
		regexp.MustCompile(`(?:^|/)members?/(\d+)(?:[-/.]|$)`),
		regexp.MustCompile(`member\.php/(\d+)`),
		regexp.MustCompile(`member\.php\?(\d+)(?:-|&|$)`),
	}
	vbPostIDRes = []*regexp.Regexp{
		regexp.MustCompile(`[?&;]p=(\d+)`),
		regexp.MustCompile(`[?&;]postid=(\d+)`),
		regexp.MustCompile(`#post(\d+)`),
		regexp.MustCompile(`/post(\d+)`),
	}
	vbRepDisplayRe = regexp.MustCompile(`^repdisplay_\d+_(\d+)$`)
)

// vbUserID finds the numeric user id in a profile link ("member.php?u=45",
// "members/45-name.html", vB5 "member/45-name"); "" when the link has none.
func vbUserID(href string) string {
	return scraper.Submatch(href, vbUserIDRes...)
}

// vbUserIDFromRep reads the user id vBulletin puts in the reputation element id
// (repdisplay_POSTID_USERID), for forums whose profile links carry only a name.
func vbUserIDFromRep(scope *goquery.Selection) string {
	return scraper.Submatch(scraper.Attr(scraper.First(scope, vbSelRepDisplay), "id"), vbRepDisplayRe)
}

// vbPostIDFromHref reads a post id from a "view post" link.
func vbPostIDFromHref(href string) string {
	return scraper.Submatch(href, vbPostIDRes...)
}

// vbBBQuoteRules describe the bbcode quote markup vBulletin 4 and 5 share:
// div.bbcode_quote with a div.bbcode_postedby header naming the author and linking
// to the quoted post.
var vbBBQuoteRules = scraper.QuoteRules{
	Quote:  scraper.MustCompile(`div.bbcode_quote`),
	Chrome: scraper.MustCompile(`div.bbcode_postedby, div.bbcode_quote_container`),
	Noise:  scraper.MustCompile(`div.bbcode_description`),
	Info: func(q *goquery.Selection) (string, string) {
		by := scraper.First(q, vbSelPostedBy)
		if by.Length() == 0 {
			return "", ""
		}
		author := scraper.TextLine(scraper.First(by, vbSelStrong))
		var id string
		by.FindMatcher(vbSelAHref).EachWithBreak(func(_ int, a *goquery.Selection) bool {
			id = vbPostIDFromHref(scraper.Attr(a, "href"))
			return id == ""
		})
		return author, id
	},
}

var vbEditedRe = regexp.MustCompile(`(?is)^.*?;\s*(.+?)\.?\s*(?:(?:reason|grund|raison|motivo):.*)?$`)

// vbEdited reads the date from "Last edited by Name; 05-14-2010 at 11:02 AM.".
func vbEdited(text string, in scraper.Input) *time.Time {
	text = scraper.Clean(text)
	if text == "" {
		return nil
	}
	m := vbEditedRe.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	t, _ := vbParseDate(strings.TrimSuffix(m[1], "."), in)
	return t
}

var (
	vbPageOfRe     = regexp.MustCompile(`(\d+)\D+?(\d+)\s*$`)
	vbSEOPathRe    = regexp.MustCompile(`^(.*/\d+-[^/]*?)(?:-(\d+))?\.html$`)
	vbFriendlyRe   = regexp.MustCompile(`^(.*/\d+-[^/.]+)(?:/page(\d+))?/?$`)
	vbThreadSegRe  = regexp.MustCompile(`/(\d+)-[^/]*$`)
	vbFriendlySegs = regexp.MustCompile(`/(\d+)-[^/]*(?:/page\d+)?/?$`)
	// vBulletin 4's default "standard" friendly URLs put the route in the query:
	// showthread.php?4512-Tomato-blight/page2&s=...
	vbQueryRouteRe = regexp.MustCompile(`^(\d+)(-[^&/]*)?(?:/page(\d+))?(&.*)?$`)
)

// vbPageOf reads "Page 2 of 5" (or "Seite 2 von 5") into its two numbers.
func vbPageOf(s string) (int, int, bool) {
	m := vbPageOfRe.FindStringSubmatch(scraper.Clean(s))
	if m == nil {
		return 0, 0, false
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	if a < 1 || b < a {
		return 0, 0, false
	}
	return a, b, true
}

// vbPageURL builds page n of a thread for the URL forms vBulletin uses:
// showthread.php?t=123&page=2, vBSEO 123-title-2.html, vB4 friendly
// threads/123-title/page2 and vB5 /forum/section/123-title/page2.
func vbPageURL(threadURL string, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	u, err := url.Parse(threadURL)
	if err != nil {
		return "", false
	}
	u.Fragment = ""
	q := u.Query()
	if q.Get("t") != "" || q.Get("threadid") != "" {
		page := ""
		if n > 1 {
			page = "page=" + strconv.Itoa(n)
		}
		u.RawQuery = vbReplaceParams(u.RawQuery, page, "page", "p")
		return scraper.CleanURL(u.String()), true
	}
	if m := vbQueryRouteRe.FindStringSubmatch(u.RawQuery); m != nil {
		u.RawQuery = m[1] + m[2]
		if n > 1 {
			u.RawQuery += "/page" + strconv.Itoa(n)
		}
		if rest := vbReplaceParams(strings.TrimPrefix(m[4], "&"), "", "p"); rest != "" {
			u.RawQuery += "&" + rest
		}
		return scraper.CleanURL(u.String()), true
	}
	if m := vbSEOPathRe.FindStringSubmatch(u.Path); m != nil {
		u.Path = m[1] + ".html"
		if n > 1 {
			u.Path = m[1] + "-" + strconv.Itoa(n) + ".html"
		}
		u.RawPath = ""
		return scraper.CleanURL(u.String()), true
	}
	if m := vbFriendlyRe.FindStringSubmatch(u.Path); m != nil {
		u.Path = m[1]
		if n > 1 {
			u.Path += "/page" + strconv.Itoa(n)
		}
		u.RawPath = ""
		u.RawQuery = vbReplaceParams(u.RawQuery, "", "p")
		return scraper.CleanURL(u.String()), true
	}
	return "", false
}

// vbThreadID reads the thread id from a thread URL in any of the forms above.
func vbThreadID(u *url.URL) string {
	if u == nil {
		return ""
	}
	q := u.Query()
	for _, k := range []string{"t", "threadid"} {
		if v := q.Get(k); v != "" && scraper.Digits(v) == v {
			return v
		}
	}
	if m := vbQueryRouteRe.FindStringSubmatch(u.RawQuery); m != nil {
		return m[1]
	}
	if m := vbFriendlySegs.FindStringSubmatch(u.Path); m != nil {
		return m[1]
	}
	if m := vbThreadSegRe.FindStringSubmatch(strings.TrimSuffix(u.Path, ".html")); m != nil {
		return m[1]
	}
	return ""
}

// vbThreadURL is page 1 of the thread a page belongs to: the canonical link or the
// page URL with its page part removed.
func vbThreadURL(doc *goquery.Document, in, links scraper.Input, page int) *string {
	raw := ""
	if n := scraper.FirstNode(doc, vbSelCanonical); n != nil {
		raw = scraper.Resolve(links.URL, scraper.NodeAttr(n, "href"))
	}
	if raw == "" && in.URL != nil {
		raw = in.URL.String()
	}
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return scraper.Str(raw)
	}
	// A vBSEO "-2.html" suffix is only a page number when this is page 2; titles
	// can end in digits too.
	if m := vbSEOPathRe.FindStringSubmatch(u.Path); m != nil && m[2] != "" && m[2] != strconv.Itoa(page) {
		u.Fragment = ""
		return scraper.Str(scraper.CleanURL(u.String()))
	}
	if p, ok := vbPageURL(u.String(), 1); ok {
		return scraper.Str(p)
	}
	u.Fragment = ""
	return scraper.Str(scraper.CleanURL(u.String()))
}

// vbPageFromURL reads the page number a URL asks for, 0 when it does not say.
func vbPageFromURL(u *url.URL) int {
	if u == nil {
		return 0
	}
	if v := u.Query().Get("page"); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	if m := vbFriendlyRe.FindStringSubmatch(u.Path); m != nil && m[2] != "" {
		n, _ := strconv.Atoi(m[2])
		return n
	}
	if m := vbQueryRouteRe.FindStringSubmatch(u.RawQuery); m != nil && m[3] != "" {
		n, _ := strconv.Atoi(m[3])
		return n
	}
	return 0
}

// vbNextFromHead reads <link rel="next"> as a fallback for themes without a
// pagination block.
func vbNextFromHead(doc *goquery.Document, in scraper.Input) *string {
	if n := scraper.FirstNode(doc, vbSelLinkNext); n != nil {
		return scraper.ResolvePtr(in.URL, scraper.NodeAttr(n, "href"))
	}
	return nil
}

// vbDocTitle is the <title> text, the last resort for the thread title.
func vbDocTitle(doc *goquery.Document) string {
	if n := scraper.FirstNode(doc, vbSelTitle); n != nil {
		return scraper.Clean(scraper.TextOf(n, nil))
	}
	return ""
}

// vbIDDigits returns the digits of an element id with the given prefix
// ("post_123" -> "123"), "" when the id has another shape (ads, likes rows).
func vbIDDigits(id, prefix string) string {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || rest == "" || scraper.Digits(rest) != rest {
		return ""
	}
	return rest
}

// vbCutLabel drops a short "Thread:" style label in front of a heading.
func vbCutLabel(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 && i < 20 {
		if rest := scraper.Clean(s[i+1:]); rest != "" {
			return rest
		}
	}
	return s
}

// vbParseURL parses a URL the engine built itself; nil when it does not parse.
func vbParseURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		return nil
	}
	return u
}

// vbReplaceParams drops the named parameters from a raw query and appends add,
// keeping the order and spelling of everything else.
func vbReplaceParams(raw, add string, drop ...string) string {
	var kept []string
	for _, p := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(p, "=")
		if p == "" || slices.Contains(drop, k) {
			continue
		}
		kept = append(kept, p)
	}
	if add != "" {
		kept = append(kept, add)
	}
	return strings.Join(kept, "&")
}

// vbThreadFromLink fills a thread's id and URL from the "reload this page" link of
// the title when the page URL (a post permalink such as showthread.php?p=123) names
// neither.
func vbThreadFromLink(t *scraper.Thread, link *goquery.Selection, links scraper.Input) {
	if t.ID != nil {
		return
	}
	href := scraper.Resolve(links.URL, scraper.Attr(link, "href"))
	u := vbParseURL(href)
	id := vbThreadID(u)
	if id == "" {
		return
	}
	t.ID = scraper.Str(id)
	if p, ok := vbPageURL(href, 1); ok {
		t.URL = scraper.Str(p)
	}
}

package engines

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/forumarc/forumarc/scraper"
)

// xf1Engine reads XenForo 1.x thread pages (2010-2017 and still common): posts are
// li.message elements whose sidebar is a .messageUserInfo block of dt/dd pairs.
type xf1Engine struct{}

func init() { scraper.Register(xf1Engine{}) }

var (
	xf1SelPost        = xf1Sel("li.message[id^=post-]")
	xf1SelUserInfo    = xf1Sel(".messageUserInfo")
	xf1SelUserName    = xf1Sel(".userText .username, a.username")
	xf1SelUserTitle   = xf1Sel("em.userTitle")
	xf1SelPair        = xf1Sel(".extraUserInfo dl")
	xf1SelDt          = xf1Sel("dt")
	xf1SelDd          = xf1Sel("dd")
	xf1SelBody        = xf1Sel(".messageContent blockquote.messageText, .messageContent .messageText, blockquote.messageText")
	xf1SelDate        = xf1Sel(".messageMeta .DateTime, .messageDetails .DateTime")
	xf1SelPermalink   = xf1Sel(".messageMeta a.datePermalink, .messageMeta a.postNumber")
	xf1SelPostNumber  = xf1Sel(".messageMeta .postNumber")
	xf1SelEditDate    = xf1Sel(".editDate .DateTime")
	xf1SelSignature   = xf1Sel(".signature")
	xf1SelTitle       = xf1Sel(".titleBar h1")
	xf1SelPrefix      = xf1Sel(".prefix")
	xf1SelCrumb       = xf1Sel(".crust:not(.homeCrumb) a.crumb")
	xf1SelBreadcrumb  = xf1Sel("fieldset.breadcrumb")
	xf1SelPageNav     = xf1Sel(".PageNav[data-page]")
	xf1SelPageNavLink = xf1Sel("nav a[href]")
	xf1SelLinkNext    = xf1Sel("head link[rel=next]")
	xf1SelCanonical   = xf1Sel("head link[rel=canonical]")
	xf1SelBase        = xf1Sel("head base[href]")
	xf1SelQuote       = xf1Sel("div.bbCodeQuote")
	xf1SelAttribution = xf1Sel(".attribution")
	xf1SelAttrLink    = xf1Sel("a.AttributionLink")

	xf1Quotes = scraper.QuoteRules{
		Quote:  xf1SelQuote,
		Chrome: xf1Sel(".attribution, .quoteExpand, a.AttributionLink"),
		Noise:  xf1Sel(".messageTextEndMarker, .quoteExpand, .bbCodeBlock .type, script, .adsense"),
		Info:   xf1QuoteInfo,
	}

	xf1PostIDRe   = regexp.MustCompile(`^post-(\d+)$`)
	xf1GotoPostRe = regexp.MustCompile(`(?:goto/post\?id=|posts/)(\d+)`)
	xf1PageRe     = regexp.MustCompile(`/page-\d+/?$`)
	// xf1SaidRe strips the "said:" that follows the author in a quote attribution,
	// in any language ("alice said:", "alice schrieb:", "alice сказал(а):").
	xf1SaidRe = regexp.MustCompile(`\s+\S+:$`)
)

func (xf1Engine) Info() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "xenforo1",
		Description: "XenForo 1.x (html#XenForo, li.message posts)",
		Fields: []string{"post id", "post number", "author name/id/url", "user title", "joined", "messages",
			"likes received", "location", "other sidebar pairs", "posted at", "edited at", "body", "quotes",
			"signature", "thread title/prefix/id", "forum path", "page number/total/next"},
	}
}

// Detect looks only at the root element: XenForo 1 renders <html id="XenForo">, while
// XenForo 2 renders <html id="XF">, so the two can never be confused and no tree walk
// is needed.
func (xf1Engine) Detect(doc *goquery.Document) bool {
	root := xf1HTMLNode(doc)
	if root == nil {
		return false
	}
	for _, a := range root.Attr {
		if a.Key == "id" {
			return a.Val == "XenForo"
		}
	}
	return false
}

// xf1HTMLNode returns the <html> element without searching the tree.
func xf1HTMLNode(doc *goquery.Document) *html.Node {
	if len(doc.Nodes) == 0 {
		return nil
	}
	n := doc.Nodes[0]
	if n.Type == html.ElementNode && n.Data == "html" {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "html" {
			return c
		}
	}
	return nil
}

func (xf1Engine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	base := in.URL // the page's own URL, for the thread URL and id
	// XenForo 1 links are relative to <base href>, not to the page URL.
	if b := scraper.Attr(xf1First(doc.Selection, xf1SelBase), "href"); b != "" {
		if u, err := url.Parse(scraper.Resolve(in.URL, b)); err == nil {
			in.URL = u
		}
	}
	if c := scraper.Attr(xf1First(doc.Selection, xf1SelCanonical), "href"); c != "" {
		if u, err := url.Parse(scraper.Resolve(in.URL, c)); err == nil && u.Host != "" {
			base = u
		}
	}
	p := &scraper.Page{}
	xf1Thread(doc, in, base, p)
	xf1Pages(doc, in, p)
	doc.FindMatcher(xf1SelPost).Each(func(_ int, s *goquery.Selection) {
		if post, ok := xf1Post(s, in); ok {
			p.Posts = append(p.Posts, post)
		}
	})
	return p, nil
}

func xf1Thread(doc *goquery.Document, in scraper.Input, base *url.URL, p *scraper.Page) {
	h1 := xf1First(doc.Selection, xf1SelTitle)
	if h1.Length() > 0 {
		p.Thread.Prefix = scraper.Str(scraper.TextLine(h1.FindMatcher(xf1SelPrefix)))
		p.Thread.Title = scraper.Str(scraper.Clean(scraper.TextSkipping(h1, xf1SelPrefix)))
	}
	if base != nil {
		threadURL := *base
		threadURL.Path = xf1PageRe.ReplaceAllString(threadURL.Path, "/")
		threadURL.RawQuery = xf1PageRe.ReplaceAllString(threadURL.RawQuery, "/")
		threadURL.Fragment = ""
		p.Thread.URL = scraper.Str(threadURL.String())
		p.Thread.ID = scraper.Str(xf1ThreadID(&threadURL))
	}
	p.Thread.ForumPath = scraper.Texts(xf1First(doc.Selection, xf1SelBreadcrumb).FindMatcher(xf1SelCrumb))
}

// xf1ThreadID reads the id from "threads/some-title.123/" (friendly URLs) or
// "index.php?threads/some-title.123/" (plain ones).
func xf1ThreadID(u *url.URL) string {
	for _, part := range []string{u.Path, u.RawQuery} {
		i := strings.Index(part, "threads/")
		if i < 0 {
			continue
		}
		rest := strings.SplitN(part[i+len("threads/"):], "/", 2)[0]
		if j := strings.LastIndexByte(rest, '.'); j >= 0 {
			rest = rest[j+1:]
		}
		if _, err := strconv.Atoi(rest); err == nil {
			return rest
		}
	}
	return ""
}

func xf1Pages(doc *goquery.Document, in scraper.Input, p *scraper.Page) {
	nav := xf1First(doc.Selection, xf1SelPageNav)
	if nav.Length() == 0 {
		// Threads of one page have no page navigation at all.
		p.Page.Number, p.Page.Total = 1, scraper.Int(1)
	} else {
		p.Page.Number, _ = strconv.Atoi(scraper.Attr(nav, "data-page"))
		if last, err := strconv.Atoi(scraper.Attr(nav, "data-last")); err == nil {
			p.Page.Total = scraper.Int(last)
		}
	}
	if next := scraper.Attr(xf1First(doc.Selection, xf1SelLinkNext), "href"); next != "" {
		p.Page.NextURL = scraper.ResolvePtr(in.URL, next)
		return
	}
	if nav.Length() == 0 || p.Page.Total == nil || p.Page.Number >= *p.Page.Total {
		return
	}
	// No <link rel=next>: the numbered link for the following page is language
	// independent, unlike the "Next >" label.
	want := strconv.Itoa(p.Page.Number + 1)
	links := nav.FindMatcher(xf1SelPageNavLink)
	links.EachWithBreak(func(_ int, a *goquery.Selection) bool {
		if scraper.TextLine(a) == want {
			p.Page.NextURL = scraper.ResolvePtr(in.URL, scraper.Attr(a, "href"))
			return false
		}
		return true
	})
	if p.Page.NextURL == nil {
		// Styles that hide the numbers still end the nav with the "Next >" a.text.
		if last := links.Last(); last.HasClass("text") {
			p.Page.NextURL = scraper.ResolvePtr(in.URL, scraper.Attr(last, "href"))
		}
	}
}

var _ scraper.PageLinker = xf1Engine{}

func xf1Post(s *goquery.Selection, in scraper.Input) (scraper.Post, bool) {
	m := xf1PostIDRe.FindStringSubmatch(scraper.Attr(s, "id"))
	if m == nil {
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: m[1]}
	xf1Author(s, in, &post.Author)

	if pl := xf1First(s, xf1SelPermalink); pl.Length() > 0 {
		post.URL = scraper.ResolvePtr(in.URL, scraper.Attr(pl, "href"))
	}
	if n, ok := scraper.Atoi(scraper.TextLine(xf1First(s, xf1SelPostNumber))); ok {
		post.Number = scraper.Int(n)
	}
	if d := xf1First(s, xf1SelDate); d.Length() > 0 {
		post.PostedText = scraper.Str(scraper.TextLine(d))
		post.PostedAt = xf1Time(d, in)
	}
	if e := xf1First(s, xf1SelEditDate); e.Length() > 0 {
		post.EditedAt = xf1Time(e, in)
	}

	body := xf1First(s, xf1SelBody)
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(body, xf1Quotes)
	if sig := xf1First(s, xf1SelSignature); sig.Length() > 0 {
		post.SignatureText = scraper.Str(scraper.Text(sig))
	}
	return post, true
}

// xf1Time prefers the unix data-time of recent dates (abbr.DateTime), then the full
// date in the title of older ones (span.DateTime shows only the day), then the text.
func xf1Time(d *goquery.Selection, in scraper.Input) *time.Time {
	if t, ok := scraper.ParseUnix(scraper.Attr(d, "data-time")); ok {
		return scraper.UTCTime(t)
	}
	for _, text := range []string{scraper.Attr(d, "title"), scraper.TextLine(d)} {
		if text == "" {
			continue
		}
		if t, ok := scraper.ParseDate(text, in); ok {
			return scraper.UTCTime(t)
		}
	}
	return nil
}

func xf1Author(s *goquery.Selection, in scraper.Input, a *scraper.Author) {
	info := xf1First(s, xf1SelUserInfo)
	name := xf1First(info, xf1SelUserName)
	a.Name = scraper.Str(scraper.TextLine(name))
	if a.Name == nil {
		a.Name = scraper.Str(scraper.Clean(scraper.Attr(s, "data-author")))
	}
	if href := scraper.Attr(name, "href"); href != "" {
		a.URL = scraper.ResolvePtr(in.URL, href)
		// "members/alice.12/" -> 12; guests have no link.
		if i := strings.Index(href, "members/"); i >= 0 {
			seg := strings.SplitN(href[i+len("members/"):], "/", 2)[0]
			if j := strings.LastIndexByte(seg, '.'); j >= 0 {
				seg = seg[j+1:]
			}
			if _, err := strconv.Atoi(seg); err == nil {
				a.ID = scraper.Str(seg)
			}
		}
	}
	a.Title = scraper.Str(scraper.TextLine(xf1First(info, xf1SelUserTitle)))
	info.FindMatcher(xf1SelPair).Each(func(_ int, dl *goquery.Selection) {
		scraper.ApplySidebar(a, scraper.TextLine(xf1First(dl, xf1SelDt)),
			scraper.TextLine(xf1First(dl, xf1SelDd)), in)
	})
}

// xf1QuoteInfo reads data-author (the quoted member) and the post id from the
// attribution's "goto/post?id=123" link.
func xf1QuoteInfo(q *goquery.Selection) (author, postID string) {
	author = scraper.Attr(q, "data-author")
	attr := xf1First(q, xf1SelAttribution)
	if author == "" {
		author = xf1SaidRe.ReplaceAllString(scraper.Clean(scraper.TextSkipping(attr, xf1SelAttrLink)), "")
	}
	href := scraper.Attr(xf1First(q, xf1SelAttrLink), "href")
	if m := xf1GotoPostRe.FindStringSubmatch(href); m != nil {
		postID = m[1]
	}
	return author, postID
}

// PageURL builds page n of a thread: XenForo 1 appends "page-N" to the thread path
// (or to the query of sites without friendly URLs).
func (xf1Engine) PageURL(threadURL string, n int) (string, bool) {
	u, err := url.Parse(threadURL)
	if err != nil || n < 1 {
		return "", false
	}
	page := ""
	if n > 1 {
		page = "page-" + strconv.Itoa(n)
	}
	fix := func(s string) string {
		s = xf1PageRe.ReplaceAllString(s, "/")
		if !strings.HasSuffix(s, "/") {
			s += "/"
		}
		return s + page
	}
	switch {
	case strings.Contains(u.Path, "threads/"):
		u.Path = fix(u.Path)
	case strings.HasPrefix(u.RawQuery, "threads/"):
		u.RawQuery = fix(u.RawQuery)
	default:
		return "", false
	}
	u.Fragment = ""
	return u.String(), true
}

// xf1Sel compiles a selector group at init for goquery's FindMatcher.
func xf1Sel(sel string) xf1Matcher { return xf1Matcher{scraper.MustCompile(sel)} }

// xf1Matcher adapts a cascadia matcher to goquery.Matcher (cascadia's selector groups
// lack Filter).
type xf1Matcher struct{ cascadia.Matcher }

// MatchAll includes n itself, as goquery expects (cascadia.QueryAll only looks below n).
func (m xf1Matcher) MatchAll(n *html.Node) []*html.Node {
	var out []*html.Node
	if m.Match(n) {
		out = append(out, n)
	}
	return append(out, cascadia.QueryAll(n, m.Matcher)...)
}

func (m xf1Matcher) Filter(nodes []*html.Node) []*html.Node {
	var out []*html.Node
	for _, n := range nodes {
		if m.Match(n) {
			out = append(out, n)
		}
	}
	return out
}

var (
	xf1SelThreadItem  = xf1Sel("li.discussionListItem[id^=thread-]")
	xf1SelThreadLink  = xf1Sel("h3.title a.PreviewTooltip, h3.title a[href*='threads/']:not(.prefixLink)")
	xf1SelReplies     = xf1Sel(".stats dl.major dd")
	xf1SelLastPost    = xf1Sel(".lastPost .DateTime, .lastPostInfo .DateTime")
	xf1SelNodeLink    = xf1Sel("ol.nodeList .nodeTitle a[href]")
	xf1SelListingHead = xf1Sel(".titleBar h1")
)

var (
	_               scraper.ListingReader = xf1Engine{}
	xf1ThreadItemRe                       = regexp.MustCompile(`^thread-(\d+)$`)
)

// ExtractListing reads a forum page: its sub-forums and the threads on this page
// with reply counts and last-post times, so whole-board crawls can skip threads
// that have not changed.
func (xf1Engine) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	l := &scraper.Listing{Engine: "xenforo1", Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	if in.URL != nil {
		l.URL = scraper.CleanURL(in.URL.String())
	}
	if b := scraper.Attr(xf1First(doc.Selection, xf1SelBase), "href"); b != "" {
		if u, err := url.Parse(scraper.Resolve(in.URL, b)); err == nil {
			in.URL = u
		}
	}
	l.Title = scraper.Str(scraper.TextLine(xf1First(doc.Selection, xf1SelListingHead)))
	var p scraper.Page
	xf1Pages(doc, in, &p)
	l.Page = p.Page
	doc.FindMatcher(xf1SelNodeLink).Each(func(_ int, a *goquery.Selection) {
		if u := scraper.Resolve(in.URL, scraper.Attr(a, "href")); u != "" {
			l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.TextLine(a))})
		}
	})
	doc.FindMatcher(xf1SelThreadItem).Each(func(_ int, li *goquery.Selection) {
		a := xf1First(li, xf1SelThreadLink)
		u := scraper.Resolve(in.URL, scraper.Attr(a, "href"))
		if u == "" {
			return
		}
		t := scraper.ThreadEntry{URL: u, Title: scraper.Str(scraper.TextLine(a))}
		if m := xf1ThreadItemRe.FindStringSubmatch(scraper.Attr(li, "id")); m != nil {
			t.ID = scraper.Str(m[1])
		}
		if n, ok := scraper.ParseCount(scraper.TextLine(xf1First(li, xf1SelReplies))); ok {
			t.Replies = scraper.Int64(n)
		}
		if d := li.FindMatcher(xf1SelLastPost).Last(); d.Length() > 0 {
			t.LastPostText = scraper.Str(scraper.TextLine(d))
			t.LastPostAt = xf1Time(d, in)
		}
		l.Threads = append(l.Threads, t)
	})
	return l, nil
}

// xf1First returns the first element below s matching m. It stops at the first hit,
// where goquery's FindMatcher would collect every match.
func xf1First(s *goquery.Selection, m xf1Matcher) *goquery.Selection {
	for _, n := range s.Nodes {
		if f := cascadia.Query(n, m.Matcher); f != nil {
			return s.FindNodes(f)
		}
	}
	return s.FindNodes()
}

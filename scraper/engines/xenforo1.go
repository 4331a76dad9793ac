package engines

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

// xf1Engine reads XenForo 1.x thread pages (2010-2017 and still common): posts are
// li.message elements whose sidebar is a .messageUserInfo block of dt/dd pairs.
type xf1Engine struct{}

func init() { scraper.Register(xf1Engine{}) }

var (
	xf1SelPost        = scraper.MustCompile("li.message[id^=post-]")
	xf1SelUserInfo    = scraper.MustCompile(".messageUserInfo")
	xf1SelUserName    = scraper.MustCompile(".userText .username, a.username")
	xf1SelUserTitle   = scraper.MustCompile("em.userTitle")
	xf1SelPair        = scraper.MustCompile(".extraUserInfo dl")
	xf1SelBody        = scraper.MustCompile(".messageContent blockquote.messageText, .messageContent .messageText, blockquote.messageText")
	xf1SelDate        = scraper.MustCompile(".messageMeta .DateTime, .messageDetails .DateTime")
	xf1SelPermalink   = scraper.MustCompile(".messageMeta a.datePermalink, .messageMeta a.postNumber")
	xf1SelPostNumber  = scraper.MustCompile(".messageMeta .postNumber")
	xf1SelEditDate    = scraper.MustCompile(".editDate .DateTime")
	xf1SelSignature   = scraper.MustCompile(".signature")
	xf1SelTitle       = scraper.MustCompile(".titleBar h1")
	xf1SelPrefix      = scraper.MustCompile(".prefix")
	xf1SelCrumb       = scraper.MustCompile(".crust:not(.homeCrumb) a.crumb")
	xf1SelBreadcrumb  = scraper.MustCompile("fieldset.breadcrumb")
	xf1SelPageNav     = scraper.MustCompile(".PageNav[data-page]")
	xf1SelPageNavLink = scraper.MustCompile("nav a[href]")
	xf1SelLinkNext    = scraper.MustCompile("head link[rel=next]")
	xf1SelCanonical   = scraper.MustCompile("head link[rel=canonical]")
	xf1SelQuote       = scraper.MustCompile("div.bbCodeQuote")
	xf1SelAttribution = scraper.MustCompile(".attribution")
	xf1SelAttrLink    = scraper.MustCompile("a.AttributionLink")

	xf1Quotes = scraper.QuoteRules{
		Quote:  xf1SelQuote,
		Chrome: scraper.MustCompile(".attribution, .quoteExpand, a.AttributionLink"),
		Noise:  scraper.MustCompile(".messageTextEndMarker, .quoteExpand, .bbCodeBlock .type, script, .adsense"),
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
		Fields: []string{"thread.id", "thread.title", "thread.prefix", "thread.url", "thread.forum_path", "page.number", "page.total", "page.next_url",
			"post.id", "post.number", "post.url", "author.name", "author.id", "author.url", "author.title", "author.joined",
			"author.messages", "author.reaction_score", "author.location", "author.extras",
			"post.posted_at", "post.edited_at", "post.body", "post.quotes", "post.signature"},
	}
}

// Detect looks only at the root element: XenForo 1 renders <html id="XenForo">, while
// XenForo 2 renders <html id="XF">, so the two can never be confused and no tree walk
// is needed.
func (xf1Engine) Detect(doc *goquery.Document) bool {
	root := scraper.HTMLNode(doc)
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

func (xf1Engine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	base := in.URL        // the page's own URL, for the thread URL and id
	in = in.WithBase(doc) // XenForo 1 links are relative to <base href>, not to the page URL
	if c := scraper.Attr(scraper.First(doc.Selection, xf1SelCanonical), "href"); c != "" {
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
	h1 := scraper.First(doc.Selection, xf1SelTitle)
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
	p.Thread.ForumPath = scraper.Texts(scraper.First(doc.Selection, xf1SelBreadcrumb).FindMatcher(xf1SelCrumb))
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
	nav := scraper.First(doc.Selection, xf1SelPageNav)
	if nav.Length() == 0 {
		// Threads of one page have no page navigation at all.
		p.Page.Number, p.Page.Total = 1, scraper.Int(1)
	} else {
		p.Page.Number, _ = strconv.Atoi(scraper.Attr(nav, "data-page"))
		if last, err := strconv.Atoi(scraper.Attr(nav, "data-last")); err == nil {
			p.Page.Total = scraper.Int(last)
		}
	}
	if next := scraper.Attr(scraper.First(doc.Selection, xf1SelLinkNext), "href"); next != "" {
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

	if pl := scraper.First(s, xf1SelPermalink); pl.Length() > 0 {
		post.URL = scraper.ResolvePtr(in.URL, scraper.Attr(pl, "href"))
	}
	if n, ok := scraper.PostNumber(scraper.TextLine(scraper.First(s, xf1SelPostNumber))); ok {
		post.Number = scraper.Int(n)
	}
	if d := scraper.First(s, xf1SelDate); d.Length() > 0 {
		post.PostedText = scraper.Str(scraper.TextLine(d))
		post.PostedAt = scraper.ElementDate(d, in)
	}
	if e := scraper.First(s, xf1SelEditDate); e.Length() > 0 {
		post.EditedAt = scraper.ElementDate(e, in)
	}

	body := scraper.First(s, xf1SelBody)
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(body, xf1Quotes)
	if sig := scraper.First(s, xf1SelSignature); sig.Length() > 0 {
		post.SignatureText = scraper.Str(scraper.Text(sig))
	}
	return post, true
}

func xf1Author(s *goquery.Selection, in scraper.Input, a *scraper.Author) {
	info := scraper.First(s, xf1SelUserInfo)
	name := scraper.First(info, xf1SelUserName)
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
	a.Title = scraper.Str(scraper.TextLine(scraper.First(info, xf1SelUserTitle)))
	scraper.DLPairs(info.FindMatcher(xf1SelPair), func(dt, dd *goquery.Selection) {
		scraper.ApplySidebar(a, scraper.TextLine(dt), scraper.TextLine(dd), in)
	})
}

// xf1QuoteInfo reads data-author (the quoted member) and the post id from the
// attribution's "goto/post?id=123" link.
func xf1QuoteInfo(q *goquery.Selection) (author, postID string) {
	author = scraper.Attr(q, "data-author")
	attr := scraper.First(q, xf1SelAttribution)
	if author == "" {
		author = xf1SaidRe.ReplaceAllString(scraper.Clean(scraper.TextSkipping(attr, xf1SelAttrLink)), "")
	}
	href := scraper.Attr(scraper.First(q, xf1SelAttrLink), "href")
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

var (
	xf1SelThreadItem  = scraper.MustCompile("li.discussionListItem[id^=thread-]")
	xf1SelThreadLink  = scraper.MustCompile("h3.title a.PreviewTooltip, h3.title a[href*='threads/']:not(.prefixLink)")
	xf1SelReplies     = scraper.MustCompile(".stats dl.major dd")
	xf1SelLastPost    = scraper.MustCompile(".lastPost .DateTime, .lastPostInfo .DateTime")
	xf1SelNodeLink    = scraper.MustCompile("ol.nodeList .nodeTitle a[href]")
	xf1SelListingHead = scraper.MustCompile(".titleBar h1")
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
	in = in.WithBase(doc)
	l.Title = scraper.Str(scraper.TextLine(scraper.First(doc.Selection, xf1SelListingHead)))
	var p scraper.Page
	xf1Pages(doc, in, &p)
	l.Page = p.Page
	doc.FindMatcher(xf1SelNodeLink).Each(func(_ int, a *goquery.Selection) {
		if u := scraper.Resolve(in.URL, scraper.Attr(a, "href")); u != "" {
			l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.TextLine(a))})
		}
	})
	doc.FindMatcher(xf1SelThreadItem).Each(func(_ int, li *goquery.Selection) {
		a := scraper.First(li, xf1SelThreadLink)
		u := scraper.Resolve(in.URL, scraper.Attr(a, "href"))
		if u == "" {
			return
		}
		t := scraper.ThreadEntry{URL: u, Title: scraper.Str(scraper.TextLine(a))}
		if m := xf1ThreadItemRe.FindStringSubmatch(scraper.Attr(li, "id")); m != nil {
			t.ID = scraper.Str(m[1])
		}
		if n, ok := scraper.ParseCount(scraper.TextLine(scraper.First(li, xf1SelReplies))); ok {
			t.Replies = scraper.Int64(n)
		}
		if d := li.FindMatcher(xf1SelLastPost).Last(); d.Length() > 0 {
			t.LastPostText = scraper.Str(scraper.TextLine(d))
			t.LastPostAt = scraper.ElementDate(d, in)
		}
		l.Threads = append(l.Threads, t)
	})
	return l, nil
}

// DetectCost: one look at <html id>.
func (xf1Engine) DetectCost() int { return 1 }

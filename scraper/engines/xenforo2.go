package engines

import (
	"fmt"
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

func init() { scraper.Register(xf2Engine{}) }

// xf2Engine reads XenForo 2.0 to 2.3 thread pages, including themed ones. XenForo 2
// keeps its class names (message--post, message-userExtras, p-title-value) across
// versions and most themes, so the engine keys on those rather than on layout.
type xf2Engine struct{}

// Selectors are compiled once: a typo fails every test instead of matching nothing.
var (
	xf2SelPostsLoose  = scraper.MustCompile(`[id^="js-post-"], [data-content^="post-"].message`)
	xf2SelFallbackXF  = scraper.MustCompile(`.p-pageWrapper, .p-body-inner, .message--post[data-content], .structItem--thread, .p-title-value`)
	xf2SelCanonical   = scraper.MustCompile(`link[rel="canonical"]`)
	xf2SelOGURL       = scraper.MustCompile(`meta[property="og:url"]`)
	xf2SelOGTitle     = scraper.MustCompile(`meta[property="og:title"]`)
	xf2SelDocTitle    = scraper.MustCompile(`head title`)
	xf2SelLinkNext    = scraper.MustCompile(`link[rel="next"]`)
	xf2SelTitle       = scraper.MustCompile(`.p-title-value`)
	xf2SelTitleLabel  = scraper.MustCompile(`.label`)
	xf2SelTitleSkip   = scraper.MustCompile(`.label, .label-append, .labelLink`)
	xf2SelCrumbs      = scraper.MustCompile(`.p-breadcrumbs`)
	xf2SelCrumbItem   = scraper.MustCompile(`li`)
	xf2SelCrumbName   = scraper.MustCompile(`[itemprop="name"]`)
	xf2SelCrumbLink   = scraper.MustCompile(`a`)
	xf2SelPageNav     = scraper.MustCompile(`.pageNav`)
	xf2SelPageCurrent = scraper.MustCompile(`.pageNav-page--current`)
	xf2SelPageLinks   = scraper.MustCompile(`.pageNav-main .pageNav-page > a`)
	xf2SelPageJumpMax = scraper.MustCompile(`input.js-pageJumpPage[max]`)
	xf2SelPageNext    = scraper.MustCompile(`a.pageNav-jump--next`)
	xf2SelName        = scraper.MustCompile(`.message-name`)
	xf2SelNameLink    = scraper.MustCompile(`a.username[href], a[href]`)
	xf2SelAvatarLink  = scraper.MustCompile(`a.avatar[href]`)
	xf2SelUserID      = scraper.MustCompile(`[data-user-id]`)
	xf2SelUserTitle   = scraper.MustCompile(`.message-userTitle, .userTitle`)
	xf2SelBanner      = scraper.MustCompile(`.userBanner`)
	xf2SelExtrasPair  = scraper.MustCompile(`.message-userExtras dl`)
	xf2SelDDItem      = scraper.MustCompile(`li`)
	xf2SelTitled      = scraper.MustCompile(`[title], [aria-label], [data-original-title]`)
	xf2SelAttrMain    = scraper.MustCompile(`.message-attribution-main time.u-dt, .message-attribution-main time`)
	xf2SelAttrAny     = scraper.MustCompile(`.message-attribution time.u-dt, .message-attribution time`)
	xf2SelAttrMainA   = scraper.MustCompile(`.message-attribution-main a[href], a.message-attribution-main[href]`)
	xf2SelAttrOppA    = scraper.MustCompile(`.message-attribution-opposite a`)
	xf2SelTime        = scraper.MustCompile(`time`)
	xf2SelWrapper     = scraper.MustCompile(`.bbWrapper`)
	xf2SelSignature   = scraper.MustCompile(`.message-signature`)
	xf2SelAds         = scraper.MustCompile(`.samCodeUnit, .samBannerUnit, .samTextUnit, .samItem, script, style, .js-selectToQuoteEnd`)
	xf2SelQuote       = scraper.MustCompile(`.bbCodeBlock--quote`)
	xf2SelQuoteChrome = scraper.MustCompile(`.bbCodeBlock-title, .bbCodeBlock-expandLink, .bbCodeBlock-shrinkLink`)
	xf2SelBodyNoise   = scraper.MustCompile(`.message-signature, .bbCodeBlock-expandLink, .bbCodeBlock-shrinkLink, .bbCodeBlock--code > .bbCodeBlock-title, .samCodeUnit, .samBannerUnit, .samTextUnit, .js-selectToQuoteEnd`)
	xf2SelQuoteTitle  = scraper.MustCompile(`.bbCodeBlock-title`)
	xf2SelQuoteJump   = scraper.MustCompile(`a.bbCodeBlock-sourceJump[href]`)
)

var (
	xf2ThreadIDRe  = regexp.MustCompile(`threads/(?:[^/?#]*\.)?(\d+)(?:/|$)`)
	xf2MemberIDRe  = regexp.MustCompile(`members/(?:[^/?#]*\.)?(\d+)(?:/|$)`)
	xf2PageRe      = regexp.MustCompile(`/page-(\d+)/?$`)
	xf2PostNumRe   = regexp.MustCompile(`^#\s*([\d][\d,.\s\x{00a0}\x{202f}]*)$`)
	xf2QuotePostRe = regexp.MustCompile(`(?i)^\s*post\s*:\s*(\d+)`)
	xf2GotoPostRe  = regexp.MustCompile(`(?:goto/post\?id=|posts/)(\d+)`)
	xf2DigitsOnly  = regexp.MustCompile(`^\d+$`)
	xf2ShortNumRe  = regexp.MustCompile(`(?i)\d\s*[km]$`)
)

// xf2SaidSuffixes end a quote title ("Anna said:") in the languages XenForo ships.
// They are only used when the quote carries no data-quote attribute.
var xf2SaidSuffixes = []string{" said", " сказал(а)", " сказал", " сказала", " написал(а)", " schrieb", " hat geschrieben",
	" sagte", " a dit", " dijo", " ha detto", " disse", " napisał", " zei", " dedi"}

var xf2QuoteRules = scraper.QuoteRules{
	Quote:  xf2SelQuote,
	Chrome: xf2SelQuoteChrome,
	Noise:  xf2SelBodyNoise,
	Info:   xf2QuoteInfo,
}

func (xf2Engine) Info() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "xenforo2",
		Description: "XenForo 2.0-2.3 (html#XF / data-xf), including themed and localised boards",
		Fields: []string{"thread.id", "thread.title", "thread.prefix", "thread.url", "thread.forum_path",
			"page.number", "page.total", "page.next_url", "post.id", "post.number", "post.url",
			"author.name", "author.id", "author.url", "author.title", "author.joined", "author.messages",
			"author.reaction_score", "author.location", "author.country", "author.extras",
			"post.posted_at", "post.edited_at", "post.body", "post.signature", "post.quotes"},
	}
}

// Detect looks at the root element first, which costs nothing: XenForo 2 renders
// <html id="XF" data-xf="2.x" data-app="public">. XenForo 1 uses html#XenForo and is
// left to its own engine. Themes that rename the root are caught by XF2-only classes.
func (e xf2Engine) Detect(doc *goquery.Document) bool {
	if e.QuickDetect(doc) {
		return true
	}
	if root := scraper.HTMLNode(doc); root != nil && scraper.NodeAttr(root, "id") == "XenForo" {
		return false
	}
	return scraper.Has(doc, xf2SelFallbackXF)
}

// QuickDetect is the root-element check alone: certain when it says yes.
func (xf2Engine) QuickDetect(doc *goquery.Document) bool {
	root := scraper.HTMLNode(doc)
	if root == nil {
		return false
	}
	id := scraper.NodeAttr(root, "id")
	if id == "XenForo" {
		return false
	}
	return scraper.NodeAttr(root, "data-xf") != "" ||
		(id == "XF" && (scraper.NodeAttr(root, "data-app") != "" || scraper.NodeAttr(root, "data-template") != ""))
}

// xf2Parts are the regions of one post. Finding them in one walk (without entering
// the body) lets every later query search a small subtree instead of the whole post.
type xf2Parts struct {
	user, attribution, body, signature, lastEdit *html.Node
}

// xf2FindParts walks a post once, stopping at each region it records.
func xf2FindParts(post *html.Node) xf2Parts {
	var p xf2Parts
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch {
			case p.user == nil && (scraper.HasClass(c, "message-cell--user") || scraper.HasClass(c, "message-user")):
				p.user = c
				continue
			case p.attribution == nil && scraper.HasClass(c, "message-attribution"):
				p.attribution = c
				continue
			case p.body == nil && scraper.HasClass(c, "message-body"):
				p.body = c
				continue
			case p.signature == nil && scraper.HasClass(c, "message-signature"):
				p.signature = c
				continue
			case p.lastEdit == nil && scraper.HasClass(c, "message-lastEdit"):
				p.lastEdit = c
				continue
			case scraper.HasClass(c, "message-footer"):
				continue
			}
			walk(c)
		}
	}
	walk(post)
	return p
}

// Extract reads a thread page; posts are read in page order, skipping posts embedded in
// other posts.
func (e xf2Engine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	p := &scraper.Page{}
	base := in.URL
	p.Thread = xf2Thread(doc, base)
	p.Page = xf2PageInfo(doc, base, p.Thread.URL)

	nodes := xf2FindPosts(doc.Nodes[0])
	if len(nodes) == 0 {
		nodes = doc.FindMatcher(xf2SelPostsLoose).Nodes
	}
	for _, n := range nodes {
		s := doc.FindNodes(n)
		if xf2NestedInPost(s) {
			continue
		}
		if post, ok := xf2Post(s, base, in); ok {
			p.Posts = append(p.Posts, post)
		}
	}
	return p, nil
}

// xf2FindPosts collects .message--post / .message--article elements whose
// data-content is "post-N", without descending into them. It replaces a selector
// scan of the whole page, the single most expensive query on a thread page.
func xf2FindPosts(root *html.Node) []*html.Node {
	var out []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if strings.HasPrefix(scraper.NodeAttr(c, "data-content"), "post-") &&
				(scraper.HasClass(c, "message--post") || scraper.HasClass(c, "message--article")) {
				out = append(out, c)
				continue
			}
			walk(c)
		}
	}
	walk(root)
	return out
}

// xf2NestedInPost reports posts embedded inside another post (unfurled or embedded
// content), which belong to the outer post's body rather than the page.
func xf2NestedInPost(s *goquery.Selection) bool {
	for n := s.Nodes[0].Parent; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && strings.HasPrefix(scraper.NodeAttr(n, "data-content"), "post-") {
			return true
		}
	}
	return false
}

func xf2Thread(doc *goquery.Document, base *url.URL) scraper.Thread {
	var t scraper.Thread
	canon := scraper.Attr(scraper.First(doc.Selection, xf2SelCanonical), "href")
	if canon == "" {
		canon = scraper.Attr(scraper.First(doc.Selection, xf2SelOGURL), "content")
	}
	if canon == "" && base != nil {
		canon = base.String()
	}
	if canon != "" {
		t.URL = scraper.Str(xf2StripPage(scraper.Resolve(base, canon)))
	}

	if root := scraper.HTMLNode(doc); root != nil {
		if key := scraper.NodeAttr(root, "data-content-key"); strings.HasPrefix(key, "thread-") {
			t.ID = scraper.Str(scraper.Digits(key))
		}
	}
	if t.ID == nil && t.URL != nil {
		t.ID = scraper.Str(xf2ThreadID(*t.URL))
	}
	if t.ID == nil && base != nil {
		t.ID = scraper.Str(xf2ThreadID(base.String()))
	}

	t.Title, t.Prefix = xf2TitlePrefix(doc)
	t.ForumPath = xf2Breadcrumbs(doc)
	return t
}

// xf2TitlePrefix splits .p-title-value into the prefix label(s) and the title proper.
func xf2TitlePrefix(doc *goquery.Document) (title, prefix *string) {
	h := scraper.First(doc.Selection, xf2SelTitle)
	if h.Length() > 0 {
		prefix = scraper.Str(strings.Join(scraper.Texts(h.FindMatcher(xf2SelTitleLabel)), ", "))
		title = scraper.Str(scraper.Clean(scraper.TextSkipping(h, xf2SelTitleSkip)))
	}
	if title == nil {
		title = scraper.Str(scraper.Clean(scraper.Attr(scraper.First(doc.Selection, xf2SelOGTitle), "content")))
	}
	if title == nil {
		t := scraper.TextLine(scraper.First(doc.Selection, xf2SelDocTitle))
		if i := strings.LastIndex(t, " | "); i > 0 {
			t = t[:i]
		}
		title = scraper.Str(t)
	}
	return title, prefix
}

// xf2Breadcrumbs reads the top breadcrumb trail; XenForo repeats it at the bottom.
func xf2Breadcrumbs(doc *goquery.Document) []string {
	crumbs := scraper.First(doc.Selection, xf2SelCrumbs)
	if crumbs.Length() == 0 {
		return nil
	}
	var out []string
	crumbs.FindMatcher(xf2SelCrumbItem).Each(func(_ int, li *goquery.Selection) {
		label := scraper.TextLine(scraper.First(li, xf2SelCrumbName))
		if label == "" {
			label = scraper.TextLine(scraper.First(li, xf2SelCrumbLink))
		}
		if label != "" {
			out = append(out, label)
		}
	})
	return out
}

func xf2ThreadID(u string) string {
	if m := xf2ThreadIDRe.FindStringSubmatch(u); m != nil {
		return m[1]
	}
	return ""
}

// xf2StripPage turns ".../threads/x.1/page-3" into ".../threads/x.1/".
func xf2StripPage(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	if strings.HasPrefix(pu.RawQuery, "threads/") { // index.php?threads/x.1/page-3
		pu.RawQuery = xf2PageRe.ReplaceAllString("/"+pu.RawQuery, "/")[1:]
		return pu.String()
	}
	if loc := xf2PageRe.FindStringIndex(pu.Path); loc != nil {
		pu.Path = pu.Path[:loc[0]+1]
		pu.RawPath = ""
	}
	return pu.String()
}

func xf2PageInfo(doc *goquery.Document, base *url.URL, threadURL *string) scraper.PageInfo {
	var pi scraper.PageInfo
	nav := scraper.First(doc.Selection, xf2SelPageNav)
	if nav.Length() > 0 {
		if n, ok := scraper.Atoi(scraper.TextLine(scraper.First(nav, xf2SelPageCurrent))); ok {
			pi.Number = n
		}
		total := 0
		nav.FindMatcher(xf2SelPageLinks).Each(func(_ int, a *goquery.Selection) {
			if n, ok := xf2PlainInt(scraper.TextLine(a)); ok && n > total {
				total = n
			}
		})
		if n, err := strconv.Atoi(scraper.Attr(scraper.First(nav, xf2SelPageJumpMax), "max")); err == nil && n > total {
			total = n
		}
		if total > 0 {
			pi.Total = scraper.Int(total)
		}
		pi.NextURL = scraper.ResolvePtr(base, scraper.Attr(scraper.First(nav, xf2SelPageNext), "href"))
	}
	if pi.Number == 0 && base != nil {
		for _, part := range []string{base.Path, base.RawQuery} {
			if m := xf2PageRe.FindStringSubmatch(part); m != nil {
				pi.Number, _ = strconv.Atoi(m[1])
				break
			}
		}
	}
	if pi.Number == 0 {
		pi.Number = 1
	}
	if pi.NextURL == nil {
		pi.NextURL = scraper.ResolvePtr(base, scraper.Attr(scraper.First(doc.Selection, xf2SelLinkNext), "href"))
	}
	if nav.Length() == 0 && pi.NextURL == nil {
		// XenForo always renders a pageNav when a thread has more than one page.
		pi.Total = scraper.Int(pi.Number)
	}
	if pi.Total != nil && *pi.Total < pi.Number {
		pi.Total = scraper.Int(pi.Number)
	}
	if pi.NextURL == nil && pi.Total != nil && pi.Number < *pi.Total && threadURL != nil {
		if u, ok := (xf2Engine{}).PageURL(*threadURL, pi.Number+1); ok {
			pi.NextURL = scraper.Str(u)
		}
	}
	return pi
}

func xf2PlainInt(s string) (int, bool) {
	if !xf2DigitsOnly.MatchString(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func xf2Post(s *goquery.Selection, base *url.URL, in scraper.Input) (scraper.Post, bool) {
	var post scraper.Post
	post.ID = scraper.Digits(scraper.Attr(s, "data-content"))
	if post.ID == "" {
		post.ID = scraper.LastDigits(scraper.Attr(s, "id"))
	}
	if post.ID == "" {
		return post, false
	}
	parts := xf2FindParts(s.Nodes[0])
	scope := func(n *html.Node) *goquery.Selection {
		if n == nil {
			return s.FindNodes()
		}
		return s.FindNodes(n)
	}
	post.Author = xf2Author(s, scope(parts.user), base, in)

	// Number and permalink from the attribution header.
	attr := scope(parts.attribution)
	if parts.attribution == nil {
		attr = s
	}
	attr.FindMatcher(xf2SelAttrOppA).EachWithBreak(func(_ int, a *goquery.Selection) bool {
		m := xf2PostNumRe.FindStringSubmatch(scraper.TextLine(a))
		if m == nil {
			return true
		}
		if n, ok := scraper.PostNumber(m[1]); ok {
			post.Number = scraper.Int(n)
		}
		post.URL = scraper.ResolvePtr(base, scraper.Attr(a, "href"))
		return false
	})
	if post.URL == nil {
		post.URL = scraper.ResolvePtr(base, scraper.Attr(scraper.First(attr, xf2SelAttrMainA), "href"))
		if post.URL == nil && xf2SelAttrMainA.Match(attr.Nodes[0]) { // XF 2.0: the header link itself
			post.URL = scraper.ResolvePtr(base, scraper.Attr(attr, "href"))
		}
	}

	tm := scraper.First(attr, xf2SelAttrMain)
	if tm.Length() == 0 {
		tm = scraper.First(attr, xf2SelAttrAny)
	}
	if tm.Length() > 0 {
		post.PostedAt, post.PostedText = xf2Time(tm, in)
	}
	if ed := scraper.First(scope(parts.lastEdit), xf2SelTime); ed.Length() > 0 {
		post.EditedAt, _ = xf2Time(ed, in)
	}

	// A collapsed deleted post (post_deleted macro, or themes that show "This message
	// has been deleted") is kept with its id, author and date but no body: whatever
	// text it shows is the notice, not the member's words.
	body := scope(parts.body)
	if scraper.HasClass(s.Nodes[0], "message--deleted") {
		body = s.FindNodes()
	}
	content := scraper.First(body, xf2SelWrapper)
	if content.Length() == 0 {
		content = body
	}
	if content.Length() > 0 {
		content.FindMatcher(xf2SelAds).Remove()
		post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(content, xf2QuoteRules)
	}
	if parts.signature == nil && parts.body != nil { // themes that put it inside the body
		parts.signature = cascadia.Query(parts.body, xf2SelSignature)
	}
	if sig := scope(parts.signature); sig.Length() > 0 {
		sc := scraper.First(sig, xf2SelWrapper)
		if sc.Length() == 0 {
			sc = sig
		}
		post.SignatureText = scraper.Str(scraper.Text(sc))
	}
	return post, true
}

// xf2Author reads the user cell. Themes may render the name/title block twice (a
// mobile and a desktop copy), so single-valued fields take the first occurrence and
// banners are de-duplicated.
func xf2Author(s, cell *goquery.Selection, base *url.URL, in scraper.Input) scraper.Author {
	var a scraper.Author
	name := scraper.First(cell, xf2SelName)
	a.Name = scraper.Str(scraper.TextLine(name))
	if a.Name == nil {
		a.Name = scraper.Str(scraper.Clean(scraper.Attr(s, "data-author")))
	}
	link := scraper.First(name, xf2SelNameLink)
	if link.Length() == 0 {
		link = scraper.First(cell, xf2SelAvatarLink)
	}
	href := scraper.Attr(link, "href")
	a.URL = scraper.ResolvePtr(base, href)
	uid := scraper.Attr(link, "data-user-id")
	if uid == "" || uid == "0" {
		uid = scraper.Attr(scraper.First(name, xf2SelUserID), "data-user-id")
	}
	if uid == "" || uid == "0" {
		if m := xf2MemberIDRe.FindStringSubmatch(href); m != nil {
			uid = m[1]
		}
	}
	if uid != "0" {
		a.ID = scraper.Str(uid)
	}
	a.Title = scraper.Str(scraper.TextLine(scraper.First(cell, xf2SelUserTitle)))

	var banners []string
	cell.FindMatcher(xf2SelBanner).Each(func(_ int, b *goquery.Selection) {
		t := scraper.TextLine(b)
		for _, seen := range banners {
			if seen == t {
				return
			}
		}
		if t != "" {
			banners = append(banners, t)
		}
	})
	if len(banners) > 0 {
		a.Extras = map[string]string{"Banner": strings.Join(banners, ", ")}
	}

	scraper.DLPairs(cell.FindMatcher(xf2SelExtrasPair), func(dt, dd *goquery.Selection) {
		label := scraper.TextLine(dt)
		if label == "" { // icon-only labels in some themes
			t := scraper.First(dt, xf2SelTitled)
			for _, k := range []string{"title", "aria-label", "data-original-title"} {
				if label = scraper.Attr(t, k); label != "" {
					break
				}
			}
		}
		value := scraper.TextLine(dd)
		if cascadia.Query(dd.Nodes[0], xf2SelDDItem) != nil { // multi-choice custom field
			if items := scraper.Texts(dd.FindMatcher(xf2SelDDItem)); len(items) > 1 {
				value = strings.Join(items, ", ")
			}
		}
		if xf2ShortNumRe.MatchString(value) { // "3.5K" shown, exact figure in a title
			for _, t := range []string{scraper.Attr(dd, "title"), scraper.Attr(scraper.First(dd, xf2SelTitled), "title")} {
				if _, ok := scraper.ParseCount(t); ok && !xf2ShortNumRe.MatchString(t) {
					value = t
					break
				}
			}
		}
		scraper.ApplySidebar(&a, label, value, in)
	})
	return a
}

// xf2Time reads a <time class="u-dt">: its date (scraper.ElementDate knows that 2.3
// moved the unix time from data-time to data-timestamp) and its text as shown.
func xf2Time(t *goquery.Selection, in scraper.Input) (*time.Time, *string) {
	return scraper.ElementDate(t, in), scraper.Str(scraper.TextLine(t))
}

// xf2QuoteInfo reads data-quote (author) and data-source ("post: 123"), falling back
// to the quote title and its jump link on themes that drop the attributes.
func xf2QuoteInfo(q *goquery.Selection) (author, postID string) {
	author = scraper.Attr(q, "data-quote")
	if m := xf2QuotePostRe.FindStringSubmatch(scraper.Attr(q, "data-source")); m != nil {
		postID = m[1]
	}
	title := q.ChildrenMatcher(xf2SelQuoteTitle).First()
	if postID == "" {
		if m := xf2GotoPostRe.FindStringSubmatch(scraper.Attr(scraper.First(title, xf2SelQuoteJump), "href")); m != nil {
			postID = m[1]
		}
	}
	if author == "" && title.Length() > 0 {
		t := strings.TrimRight(scraper.TextLine(title), ":： ")
		for _, suf := range xf2SaidSuffixes {
			if strings.HasSuffix(strings.ToLower(t), suf) {
				author = strings.TrimSpace(t[:len(t)-len(suf)])
				break
			}
		}
	}
	return author, postID
}

// PageURL builds page n of a thread: XenForo 2 appends "page-N" to the thread URL and
// redirects a number past the end to the last page, so resumed crawls can jump ahead.
func (xf2Engine) PageURL(threadURL string, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	u, err := url.Parse(xf2StripPage(threadURL))
	if err != nil {
		return "", false
	}
	if strings.HasPrefix(u.RawQuery, "threads/") {
		q := u.RawQuery
		if !strings.HasSuffix(q, "/") {
			q += "/"
		}
		if n > 1 {
			q += fmt.Sprintf("page-%d", n)
		}
		u.RawQuery = q
		return u.String(), true
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	if n > 1 {
		u.Path += fmt.Sprintf("page-%d", n)
		u.RawPath = ""
	}
	return u.String(), true
}

// DetectCost: the root-attribute check is nearly free, but pages that are not XenForo 2
// also pay a fallback walk for themes that rename the root, so cheaper detectors go first.
func (xf2Engine) DetectCost() int { return 50 }

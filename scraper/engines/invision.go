package engines

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/forumarc/forumarc/scraper"
)

// invision reads Invision Community topic pages: IPS 4 (aside.cAuthorPane, ipsComment)
// and IPS 5 (ipsEntry__author-column, ipsEntry__post). Both wrap each post in
// article#elComment_N and keep data-role="commentContent" for the body.
type invision struct{}

func init() { scraper.Register(invision{}) }

var (
	// ipsDetect: the body attributes and classes every Invision Community front end
	// renders (data-pageapp, ipsApp, the core.front.core.app controller).
	ipsDetect = scraper.MustCompile(`body[data-pageapp], body.ipsApp, body[data-controller^="core.front.core"]`)

	ipsPost        = scraper.MustCompile(`article[id^="elComment_"]`)
	ipsRecommended = scraper.MustCompile(`[data-role="recommendedComments"], .cRecommendedComments, .ipsEntries--featured`)
	ipsCommentID   = scraper.MustCompile(`[data-commentid]`)
	ipsQuoteData   = scraper.MustCompile(`[data-quotedata]`)
	ipsPane4       = scraper.MustCompile(`aside.cAuthorPane`)
	ipsPane5       = scraper.MustCompile(`aside.ipsEntry__author-column`)
	ipsPaneName    = scraper.MustCompile(`.cAuthorPane_author, .ipsEntry__username`)
	ipsPaneNameA   = scraper.MustCompile(`a[href]`)
	ipsInfoItems4  = scraper.MustCompile(`ul.cAuthorPane_info > li`)
	ipsImgTitled   = scraper.MustCompile(`img[title], img[alt]`)
	ipsRankImg     = scraper.MustCompile(`img.ipsAvatarStack__rank, .ipsAvatarStack__rank img, img[class*="RankImage"]`)
	ipsGroup5      = scraper.MustCompile(`.ipsEntry__group`)
	ipsRepBadge    = scraper.MustCompile(`.ipsRepBadge`)
	ipsStats4      = scraper.MustCompile(`.cAuthorPane_stats > li`)
	ipsStats5      = scraper.MustCompile(`.ipsEntry__authorStats > li`)
	ipsFields5     = scraper.MustCompile(`.ipsEntry__authorFields > li`)
	ipsTitledLink  = scraper.MustCompile(`a[title], span[title]`)
	ipsNumber5     = scraper.MustCompile(`[data-i-el="number"]`)
	ipsLabel5      = scraper.MustCompile(`[data-i-el="label"]`)
	ipsTime        = scraper.MustCompile(`time[datetime]`)
	ipsContent     = scraper.MustCompile(`[data-role="commentContent"]`)
	ipsExclude     = scraper.MustCompile(`[data-excludequote]`)
	ipsSignature   = scraper.MustCompile(`[data-role="memberSignature"]`)
	ipsSigChrome   = scraper.MustCompile(`[data-role="memberSignature"] ul, [data-action], button`)
	ipsFindLink    = scraper.MustCompile(`a[href*="do=findComment"][href*="comment="]`)
	ipsQuote       = scraper.MustCompile(`blockquote.ipsQuote`)
	ipsQuoteChr    = scraper.MustCompile(`.ipsQuote_citation, .ipsQuote__citation, [data-action="toggleQuote"], .ipsTruncate_more, [data-action="expandTruncate"]`)
	ipsNoise       = scraper.MustCompile(`[data-excludequote], .ipsReact, .ipsAd, .ipsSpoiler_header, .ipsSpoiler__header, .ipsTruncate_more, [data-action="expandTruncate"]`)

	ipsH1         = scraper.MustCompile(`h1.ipsType_pageTitle, h1.ipsPageHeader__title, h1[data-ips-hook="title"], .ipsPageHeader h1`)
	ipsPrefix     = scraper.MustCompile(`.ipsTag_prefix, .ipsBadge--prefix, [data-ips-prefix]`)
	ipsTitleSkip  = scraper.MustCompile(`.ipsTag_prefix, .ipsBadge--prefix, [data-ips-prefix], .ipsBadge, .ipsBadges, [data-role="editableTitle"] + *, button`)
	ipsOGTitle    = scraper.MustCompile(`meta[property="og:title"]`)
	ipsCanonical  = scraper.MustCompile(`link[rel="canonical"]`)
	ipsCrumbs     = scraper.MustCompile(`[data-role="breadcrumbList"]`)
	ipsCrumbLinks = scraper.MustCompile(`li a[href]`)
	ipsBody       = scraper.MustCompile(`body`)
	ipsPagination = scraper.MustCompile(`ul.ipsPagination`)
	ipsPageActive = scraper.MustCompile(`li.ipsPagination_active, li.ipsPagination__active, li.ipsPagination_page.ipsPagination_active, [aria-current="page"]`)
	ipsPageNext   = scraper.MustCompile(`li.ipsPagination_next, li.ipsPagination__next`)
	ipsPageLast   = scraper.MustCompile(`li.ipsPagination_last a, li.ipsPagination__last a, li.ipsPagination_page a, li.ipsPagination__page a`)
	ipsRelNext    = scraper.MustCompile(`link[rel="next"]`)
)

var (
	ipsPageSeg    = regexp.MustCompile(`/page/(\d+)/?$`)
	ipsProfileID  = regexp.MustCompile(`/profile/(\d+)-`)
	ipsTopicID    = regexp.MustCompile(`/topic/(\d+)-`)
	ipsNumberText = regexp.MustCompile(`\d[\d.,\s\x{00a0}\x{202f}']*`)
)

func (invision) Info() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "invision",
		Description: "Invision Community 4 and 5 (IPS) topics",
		Fields: []string{"thread.id", "thread.title", "thread.prefix", "thread.url", "thread.forum_path",
			"page.number", "page.total", "page.next_url", "post.id", "post.url",
			"author.name", "author.id", "author.url", "author.title", "author.messages", "author.reaction_score",
			"author.extras", "post.posted_at", "post.edited_at", "post.body", "post.quotes", "post.signature"},
	}
}

// Detect looks at the <body> element only, so non-Invision pages cost a few node
// hops instead of a walk over the whole tree.
func (invision) Detect(doc *goquery.Document) bool {
	body := scraper.ChildElement(scraper.HTMLNode(doc), "body")
	return body != nil && ipsDetect.Match(body)
}

func (invision) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	p := &scraper.Page{}
	ipsThread(doc, in, p)
	ipsPages(doc, in, p)
	rules := scraper.QuoteRules{Quote: ipsQuote, Chrome: ipsQuoteChr, Noise: ipsNoise, Info: ipsQuoteInfo}
	doc.FindMatcher(ipsPost).Each(func(_ int, s *goquery.Selection) {
		if s.ParentsMatcher(ipsRecommended).Length() > 0 {
			return // "Recommended posts" repeats posts of other pages out of order
		}
		if post, ok := ipsReadPost(s, in, rules); ok {
			p.Posts = append(p.Posts, post)
		}
	})
	return p, nil
}

// ipsQuoteDataJSON is the data-quotedata attribute on each comment wrapper.
type ipsQuoteDataJSON struct {
	UserID    json.Number `json:"userid"`
	Username  string      `json:"username"`
	Timestamp json.Number `json:"timestamp"`
}

func ipsReadPost(s *goquery.Selection, in scraper.Input, rules scraper.QuoteRules) (scraper.Post, bool) {
	id := strings.TrimPrefix(scraper.Attr(s, "id"), "elComment_")
	if id == "" || strings.Trim(id, "0123456789") != "" {
		id = scraper.Attr(scraper.First(s, ipsCommentID), "data-commentid")
	}
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: id}

	var qd ipsQuoteDataJSON
	if raw := scraper.Attr(scraper.First(s, ipsQuoteData), "data-quotedata"); raw != "" {
		_ = json.Unmarshal([]byte(raw), &qd) // a broken attribute only loses the fallbacks
	}

	if link := scraper.First(s, ipsFindLink); link.Length() > 0 {
		post.URL = scraper.ResolvePtr(in.URL, scraper.Attr(link, "href"))
	}
	post.Author = ipsReadAuthor(s, in, qd)

	content := scraper.First(s, ipsContent)
	// The post date is the first machine time outside the body (the mobile and the
	// desktop header both carry the same one).
	for _, n := range s.FindMatcher(ipsTime).Nodes {
		if ipsInside(n, content) {
			continue
		}
		t := goquery.NewDocumentFromNode(n).Selection
		post.PostedText = scraper.Str(scraper.TextLine(t))
		post.PostedAt = scraper.MachineTime(t)
		break
	}
	if post.PostedAt == nil {
		if ts, ok := scraper.ParseUnix(qd.Timestamp.String()); ok {
			post.PostedAt = scraper.UTCTime(ts)
		}
	}
	if content.Length() > 0 {
		for _, n := range content.FindMatcher(ipsExclude).FindMatcher(ipsTime).Nodes {
			if at := scraper.MachineTime(content.FindNodes(n)); at != nil {
				post.EditedAt = at
				break
			}
		}
	}
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(content, rules)

	if sig := scraper.First(s, ipsSignature); sig.Length() > 0 {
		post.SignatureText = scraper.Str(scraper.TextSkipping(sig, ipsSigChrome))
	}
	return post, true
}

func ipsInside(n *html.Node, sel *goquery.Selection) bool {
	if sel.Length() == 0 {
		return false
	}
	root := sel.Nodes[0]
	for p := n.Parent; p != nil; p = p.Parent {
		if p == root {
			return true
		}
	}
	return false
}

func ipsReadAuthor(s *goquery.Selection, in scraper.Input, qd ipsQuoteDataJSON) scraper.Author {
	var a scraper.Author
	pane := scraper.First(s, ipsPane4)
	v5 := false
	if pane.Length() == 0 {
		pane = scraper.First(s, ipsPane5)
		v5 = pane.Length() > 0
	}
	scope := pane
	if scope.Length() == 0 {
		scope = s // no sidebar (minimal layouts): read the name from the post header
	}
	if name := scraper.First(scope, ipsPaneName); name.Length() > 0 {
		if link := scraper.First(name, ipsPaneNameA); link.Length() > 0 {
			a.Name = scraper.Str(scraper.TextLine(link))
			href := scraper.Attr(link, "href")
			a.URL = scraper.ResolvePtr(in.URL, href)
			if m := ipsProfileID.FindStringSubmatch(href); m != nil {
				a.ID = scraper.Str(m[1])
			} else if u, err := url.Parse(href); err == nil && u.Query().Get("id") != "" {
				a.ID = scraper.Str(scraper.Digits(u.Query().Get("id")))
			}
		} else {
			a.Name = scraper.Str(scraper.TextLine(name))
		}
	}
	if a.Name == nil {
		a.Name = scraper.Str(scraper.Clean(qd.Username))
	}
	if a.ID == nil {
		if uid := qd.UserID.String(); uid != "" && uid != "0" {
			a.ID = scraper.Str(uid)
		}
	}
	if pane.Length() == 0 {
		return a
	}
	if v5 {
		ipsAuthor5(pane, in, &a)
	} else {
		ipsAuthor4(pane, in, &a)
	}
	if a.Title == nil {
		if img := scraper.First(pane, ipsRankImg); img.Length() > 0 {
			t := scraper.Attr(img, "title")
			if t == "" {
				t = scraper.Attr(img, "alt")
			}
			a.Title = scraper.Str(scraper.Clean(t))
		}
	}
	return a
}

// ipsAuthor4 reads the IPS 4 cAuthorPane_info list: member title, group, reputation
// badge, post count and custom profile fields.
func ipsAuthor4(pane *goquery.Selection, in scraper.Input, a *scraper.Author) {
	pane.FindMatcher(ipsInfoItems4).Each(func(_ int, li *goquery.Selection) {
		role := scraper.Attr(li, "data-role")
		switch role {
		case "photo", "stats", "reputation-badge":
			return
		case "group":
			a.SetExtra("Group", scraper.TextLine(li))
			return
		case "group-icon":
			return
		case "posts":
			ipsMessages(a, li)
			return
		}
		if li.HasClass("cAuthorPane_photo") || li.FindMatcher(ipsRepBadge).Length() > 0 {
			return
		}
		text := scraper.TextLine(li)
		if role == "custom-field" || strings.Contains(text, ":") {
			if label, value, ok := strings.Cut(text, ":"); ok {
				scraper.ApplySidebar(a, label, value, in)
				return
			}
		}
		if a.Title != nil || role != "" {
			return
		}
		if text != "" {
			a.Title = scraper.Str(text)
		} else if img := scraper.First(li, ipsImgTitled); img.Length() > 0 {
			// Rank shown as an image only: its title names the rank.
			t := scraper.Attr(img, "title")
			if t == "" {
				t = scraper.Attr(img, "alt")
			}
			a.Title = scraper.Str(scraper.Clean(t))
		}
	})
	if rep := scraper.First(pane, ipsRepBadge); rep.Length() > 0 {
		if n, ok := scraper.ParseCount(scraper.TextLine(rep)); ok {
			if rep.HasClass("ipsRepBadge_negative") && n > 0 {
				n = -n
			}
			a.ReactionScore = scraper.Int64(n)
		}
	}
	pane.FindMatcher(ipsStats4).Each(func(_ int, li *goquery.Selection) {
		if scraper.Attr(li, "data-role") == "reputation-badge" || li.FindMatcher(ipsRepBadge).Length() > 0 {
			return
		}
		if a.Messages == nil {
			ipsMessages(a, li)
		}
	})
}

// ipsMessages prefers the exact count in a title ("3495 posts") over the shown
// abbreviation ("3.5k").
func ipsMessages(a *scraper.Author, li *goquery.Selection) {
	if num := scraper.First(li, ipsNumber5); num.Length() > 0 {
		// IPS 5 shows formatNumberShort ("3.5k", "3,5k") and no exact figure.
		if t := scraper.First(li, ipsTitledLink); t.Length() > 0 {
			if m := ipsNumberText.FindString(scraper.Attr(t, "title")); m != "" {
				if n, ok := scraper.ParseCount(strings.TrimSpace(m)); ok {
					a.Messages = scraper.Int64(n)
					return
				}
			}
		}
		if n, ok := scraper.ParseCount(scraper.TextLine(num)); ok {
			a.Messages = scraper.Int64(n)
		}
		return
	}
	if t := scraper.First(li, ipsTitledLink); t.Length() > 0 {
		if m := ipsNumberText.FindString(scraper.Attr(t, "title")); m != "" {
			if n, ok := scraper.ParseCount(strings.TrimSpace(m)); ok {
				a.Messages = scraper.Int64(n)
				return
			}
		}
	}
	text := scraper.TextLine(li)
	if n, ok := scraper.ParseCount(text); ok {
		a.Messages = scraper.Int64(n)
		return
	}
	if m := ipsNumberText.FindString(text); m != "" {
		if n, ok := scraper.ParseCount(strings.TrimSpace(m)); ok {
			a.Messages = scraper.Int64(n)
		}
	}
}

// ipsAuthor5 reads the IPS 5 author column: group, the stats list (posts,
// solutions, badges, reputation as data-i-el items) and custom fields.
func ipsAuthor5(pane *goquery.Selection, in scraper.Input, a *scraper.Author) {
	if g := scraper.First(pane, ipsGroup5); g.Length() > 0 {
		a.SetExtra("Group", scraper.TextLine(g))
	}
	pane.FindMatcher(ipsStats5).Each(func(_ int, li *goquery.Selection) {
		kind := scraper.Attr(li, "data-i-el")
		num := scraper.TextLine(scraper.First(li, ipsNumber5))
		switch kind {
		case "posts":
			ipsMessages(a, li)
		case "reputation":
			if n, ok := scraper.ParseCount(num); ok {
				a.ReactionScore = scraper.Int64(n)
			}
		default:
			label := scraper.TextLine(scraper.First(li, ipsLabel5))
			if label == "" {
				label = kind
			}
			if label != "" && num != "" {
				a.SetExtra(label, num)
			}
		}
	})
	pane.FindMatcher(ipsFields5).Each(func(_ int, li *goquery.Selection) {
		if label, value, ok := strings.Cut(scraper.Clean(scraper.Text(li)), ":"); ok {
			scraper.ApplySidebar(a, label, value, in)
		}
	})
}

// ipsQuoteInfo reads the quoted member and comment from the data-ipsquote-* attributes.
func ipsQuoteInfo(q *goquery.Selection) (author, postID string) {
	return scraper.Attr(q, "data-ipsquote-username"), scraper.Digits(scraper.Attr(q, "data-ipsquote-contentcommentid"))
}

func ipsThread(doc *goquery.Document, in scraper.Input, p *scraper.Page) {
	if h1 := scraper.First(doc.Selection, ipsH1); h1.Length() > 0 {
		p.Thread.Title = scraper.Str(scraper.Clean(scraper.TextSkipping(h1, ipsTitleSkip)))
		if pre := scraper.First(h1, ipsPrefix); pre.Length() > 0 {
			p.Thread.Prefix = scraper.Str(scraper.TextLine(pre))
		}
	}
	if p.Thread.Title == nil {
		p.Thread.Title = scraper.Str(scraper.Clean(scraper.Attr(scraper.First(doc.Selection, ipsOGTitle), "content")))
	}
	if crumbs := scraper.First(doc.Selection, ipsCrumbs); crumbs.Length() > 0 {
		crumbs.FindMatcher(ipsCrumbLinks).Each(func(_ int, a *goquery.Selection) {
			if t := scraper.TextLine(a); t != "" {
				p.Thread.ForumPath = append(p.Thread.ForumPath, t)
			}
		})
	}
	canonical := scraper.Attr(scraper.First(doc.Selection, ipsCanonical), "href")
	if canonical != "" {
		if u, ok := (invision{}).PageURL(scraper.Resolve(in.URL, canonical), 1); ok {
			p.Thread.URL = scraper.Str(u)
		}
	} else if in.URL != nil {
		if u, ok := (invision{}).PageURL(in.URL.String(), 1); ok {
			p.Thread.URL = scraper.Str(u)
		}
	}
	body := scraper.First(doc.Selection, ipsBody)
	if scraper.Attr(body, "data-pagecontroller") == "topic" {
		p.Thread.ID = scraper.Str(scraper.Digits(scraper.Attr(body, "data-pageid")))
	}
	if p.Thread.ID == nil {
		for _, s := range []string{canonical, ipsURLString(in.URL)} {
			if m := ipsTopicID.FindStringSubmatch(s); m != nil {
				p.Thread.ID = scraper.Str(m[1])
				break
			}
		}
	}
}

func ipsURLString(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.String()
}

func ipsPages(doc *goquery.Document, in scraper.Input, p *scraper.Page) {
	if pg := scraper.First(doc.Selection, ipsPagination); pg.Length() > 0 {
		for _, attr := range []string{"data-pages", "data-ipspagination-pages"} {
			if n, ok := scraper.Atoi(scraper.Attr(pg, attr)); ok && n > 0 {
				p.Page.Total = scraper.Int(n)
				break
			}
		}
		if act := scraper.First(pg, ipsPageActive); act.Length() > 0 {
			if n, ok := scraper.Atoi(scraper.TextLine(act)); ok {
				p.Page.Number = n
			}
		}
		if p.Page.Total == nil {
			total := p.Page.Number
			pg.FindMatcher(ipsPageLast).Each(func(_ int, a *goquery.Selection) {
				n, ok := scraper.Atoi(scraper.Attr(a, "data-page"))
				if !ok {
					n, ok = scraper.Atoi(scraper.TextLine(a))
				}
				if ok && n > total {
					total = n
				}
			})
			if total > 0 {
				p.Page.Total = scraper.Int(total)
			}
		}
		if next := scraper.First(pg, ipsPageNext); next.Length() > 0 &&
			!next.HasClass("ipsPagination_inactive") && !next.HasClass("ipsPagination__inactive") {
			if a := scraper.First(next, ipsPaneNameA); a.Length() > 0 && scraper.Attr(a, "data-disabled") == "" {
				p.Page.NextURL = scraper.ResolvePtr(in.URL, scraper.Attr(a, "href"))
			}
		}
	}
	if p.Page.Number == 0 && in.URL != nil {
		if m := ipsPageSeg.FindStringSubmatch(in.URL.Path); m != nil {
			p.Page.Number, _ = strconv.Atoi(m[1])
		} else if n, err := strconv.Atoi(in.URL.Query().Get("page")); err == nil {
			p.Page.Number = n
		} else if m := ipsPageSeg.FindStringSubmatch(in.URL.RawQuery); m != nil {
			p.Page.Number, _ = strconv.Atoi(m[1])
		}
	}
	if p.Page.Number == 0 {
		p.Page.Number = 1
	}
	if p.Page.NextURL == nil && (p.Page.Total == nil || p.Page.Number < *p.Page.Total) {
		if href := scraper.Attr(scraper.First(doc.Selection, ipsRelNext), "href"); href != "" {
			p.Page.NextURL = scraper.ResolvePtr(in.URL, href)
		}
	}
	if p.Page.Total == nil && p.Page.NextURL == nil {
		p.Page.Total = scraper.Int(p.Page.Number)
	}
}

// PageURL builds page n of a topic: ".../topic/1-slug/page/N/", also inside the
// "index.php?/topic/1-slug/" query form used without URL rewriting.
func (invision) PageURL(threadURL string, n int) (string, bool) {
	u, err := url.Parse(threadURL)
	if err != nil || n < 1 {
		return "", false
	}
	u.Fragment = ""
	seg := ""
	if n > 1 {
		seg = "page/" + strconv.Itoa(n) + "/"
	}
	if strings.HasPrefix(u.RawQuery, "/") {
		q, rest, _ := strings.Cut(u.RawQuery, "&")
		q = ipsPageSeg.ReplaceAllString(q, "/")
		if !strings.HasSuffix(q, "/") {
			q += "/"
		}
		q += seg
		if rest != "" {
			q += "&" + rest
		}
		u.RawQuery = q
		return u.String(), true
	}
	path := ipsPageSeg.ReplaceAllString(u.Path, "/")
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	u.Path = path + seg
	u.RawPath = ""
	q := u.Query()
	if q.Has("page") || q.Has("do") || q.Has("comment") {
		q.Del("page")
		q.Del("do")
		q.Del("comment")
		u.RawQuery = q.Encode()
	}
	return u.String(), true
}

// DetectCost: only <body>'s attributes are read.
func (invision) DetectCost() int { return 3 }

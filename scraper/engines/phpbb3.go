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
	"golang.org/x/net/html/atom"

	"github.com/forumarc/forumarc/scraper"
)

// phpbbDefaultPerPage is phpBB 3's shipped posts_per_page (and topics_per_page is 25):
// PageURL falls back to it when a page gave no numbered link to measure.
const phpbbDefaultPerPage = 10

// phpbbEngine reads phpBB 3.0 (prosilver and subsilver2) and 3.1-3.3 (prosilver) pages.
type phpbbEngine struct{}

func init() { scraper.Register(phpbbEngine{}) }

var (
	phpbbProsilverPostSel = scraper.MustCompile(`div.post[id^="p"]`)
	phpbbSubsilverPostSel = scraper.MustCompile(`table.tablebg`)
	phpbbPostAuthorSel    = scraper.MustCompile(`b.postauthor`)
	phpbbAnchorNameSel    = scraper.MustCompile(`a[name^="p"]`)

	phpbbProfileSel     = scraper.MustCompile(`dl.postprofile`)
	phpbbProfileNameSel = scraper.MustCompile(`a.username, a.username-coloured, a[href*="mode=viewprofile"]`)
	phpbbGuestNameSel   = scraper.MustCompile(`span.username, span.username-coloured, strong`)
	phpbbAuthorLineSel  = scraper.MustCompile(`p.author, div.author, .author`)
	phpbbTimeSel        = scraper.MustCompile(`time[datetime]`)
	phpbbContentSel     = scraper.MustCompile(`div.content`)
	phpbbSignatureSel   = scraper.MustCompile(`div.signature`)
	phpbbNoticeSel      = scraper.MustCompile(`div.notice`)
	phpbbDdSel          = scraper.MustCompile(`dd`)
	phpbbDtSel          = scraper.MustCompile(`dt`)
	phpbbLabelSel       = scraper.MustCompile(`strong, b`)
	phpbbPostLinkSel    = scraper.MustCompile(`a[href*="p="][href*="#p"]`)

	phpbbSubBodySel      = scraper.MustCompile(`div.postbody`)
	phpbbSubSigSel       = scraper.MustCompile(`span.postbody`)
	phpbbSubDetailsSel   = scraper.MustCompile(`span.postdetails`)
	phpbbSubRankSel      = scraper.MustCompile(`td.profile td.postdetails`)
	phpbbSubHeaderSel    = scraper.MustCompile(`td.gensmall div`)
	phpbbSubEditSel      = scraper.MustCompile(`span.gensmall`)
	phpbbSubProfileLink  = scraper.MustCompile(`a[href*="mode=viewprofile"]`)
	phpbbSubQuoteOutside = scraper.MustCompile(`div.quotetitle`)

	phpbbQuoteRules = scraper.QuoteRules{
		Quote:   scraper.MustCompile(`blockquote, div.quotecontent`),
		Chrome:  scraper.MustCompile(`cite`),
		Noise:   scraper.MustCompile(`dl.codebox > dt, div.codetitle`),
		Outside: phpbbSubQuoteOutside,
		Info:    phpbbQuoteInfo,
	}
	phpbbCiteSel         = scraper.MustCompile(`cite`)
	phpbbCiteProfileSel  = scraper.MustCompile(`a[href*="mode=viewprofile"]`)
	phpbbCitePostLinkSel = scraper.MustCompile(`a[data-post-id], a[href*="p="]`)

	phpbbTitleSels     = []cascadia.Selector{scraper.MustCompile(`h2.topic-title`), scraper.MustCompile(`#pageheader h2`), scraper.MustCompile(`h2`)}
	phpbbCrumbSels     = []cascadia.Selector{scraper.MustCompile(`.navlinks .crumb a, #nav-breadcrumbs .crumb a`), scraper.MustCompile(`ul.navlinks li.icon-home a`), scraper.MustCompile(`p.breadcrumbs a`)}
	phpbbTopicLinkSel  = scraper.MustCompile(`h2 a[href*="viewtopic.php"], a[href*="mode=reply"][href*="t="], a[href*="viewtopic.php"][href*="t="]`)
	phpbbTopicInputSel = scraper.MustCompile(`input[name="t"]`)
	phpbbCanonicalSel  = scraper.MustCompile(`link[rel="canonical"]`)
	phpbbHTMLTitleSel  = scraper.MustCompile(`title`)

	phpbbPagerSel      = scraper.MustCompile(`.pagination, .paging`)
	phpbbSubPagerSel   = scraper.MustCompile(`td.gensmall > b`)
	phpbbPagerNumSel   = scraper.MustCompile(`a, strong, span, b`)
	phpbbPagerCurSel   = scraper.MustCompile(`li.active > span, li.active > a, span > strong, strong`)
	phpbbPagerNextSel  = scraper.MustCompile(`a[rel="next"], li.next > a, li.arrow.next > a`)
	phpbbPagerLinksSel = scraper.MustCompile(`a[href]`)

	phpbbEditedRe  = regexp.MustCompile(`(?i)\s(?:on|am|le|el|il|op|em|в)\s+(.+?),\s*(?:edited|insgesamt|modifié|édité|editado|modificato|bewerkt|изменял|отредактировано)`)
	phpbbUserIDRe  = regexp.MustCompile(`[?&;]u=(\d+)`)
	phpbbPostIDRe  = regexp.MustCompile(`[?&;]p=(\d+)`)
	phpbbTopicIDRe = regexp.MustCompile(`[?&;]t=(\d+)`)
	phpbbStartRe   = regexp.MustCompile(`[?&;]start=(\d+)`)
	phpbbNumRe     = regexp.MustCompile(`^\d+$`)
	phpbbWroteRe   = regexp.MustCompile(`(?i)\s*(?:wrote|hat geschrieben|a écrit|escribió|ha scritto|schreef|escreveu|napisał|написал|yazdı)\s*:?.*$`)
)

// Info names the engine for `forumarc engines` and --engine phpbb3.
func (phpbbEngine) Info() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "phpbb3",
		Description: "phpBB 3.0-3.3 (prosilver, subsilver2 and styles derived from them)",
		Fields: []string{"thread.id", "thread.title", "thread.forum_path", "page.number", "page.total", "page.next_url",
			"post.id", "post.url", "post.posted_at", "post.edited_at", "post.body", "post.quotes", "post.signature",
			"author.name", "author.id", "author.url", "author.title", "author.joined", "author.messages",
			"author.location", "author.extras"},
	}
}

// Detect looks for the first element any phpBB 3 style emits: the prosilver body id
// and post profile list, subsilver2's bold author cell, the topic list, member links.
// A hand-written matcher (element type first) keeps this a few percent of extraction.
func (phpbbEngine) Detect(doc *goquery.Document) bool {
	return scraper.Has(doc, cascadia.Selector(phpbbIsMarker))
}

func phpbbIsMarker(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Body:
		return scraper.NodeAttr(n, "id") == "phpbb"
	case atom.Dl:
		return scraper.HasClass(n, "postprofile")
	case atom.B:
		return scraper.HasClass(n, "postauthor")
	case atom.Ul:
		return scraper.HasClass(n, "topiclist")
	case atom.A:
		return strings.Contains(scraper.NodeAttr(n, "href"), "memberlist.php?mode=viewprofile")
	}
	return false
}

// Extract reads a viewtopic page.
func (e phpbbEngine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	p := &scraper.Page{}
	p.Thread = phpbbThread(doc, in)
	num, total, next, _ := phpbbPaging(doc, in)
	p.Page = scraper.PageInfo{Number: num, Total: total, NextURL: next}

	doc.FindMatcher(phpbbProsilverPostSel).Each(func(_ int, s *goquery.Selection) {
		id := strings.TrimPrefix(scraper.Attr(s, "id"), "p")
		if !phpbbNumRe.MatchString(id) {
			return
		}
		p.Posts = append(p.Posts, phpbbProsilverPost(s, id, in))
	})
	if len(p.Posts) == 0 {
		doc.FindMatcher(phpbbSubsilverPostSel).Each(func(_ int, s *goquery.Selection) {
			if s.FindMatcher(phpbbPostAuthorSel).Length() != 1 {
				return // not a post table, or an outer table wrapping post tables
			}
			id := strings.TrimPrefix(scraper.Attr(scraper.First(s, phpbbAnchorNameSel), "name"), "p")
			if !phpbbNumRe.MatchString(id) {
				return
			}
			p.Posts = append(p.Posts, phpbbSubsilverPost(s, id, in))
		})
	}
	return p, nil
}

// PerPage reports how many posts a page of this thread holds, measured from its
// numbered page links (start=S on the link to page N gives S/(N-1)). Crawlers pass it
// to PageURLPerPage when a board changed the default.
func (phpbbEngine) PerPage(doc *goquery.Document, in scraper.Input) (int, bool) {
	_, _, _, per := phpbbPaging(doc, in)
	return per, per > 0
}

// PageURL builds page n of a thread with phpBB's default of 10 posts per page.
func (e phpbbEngine) PageURL(threadURL string, n int) (string, bool) {
	return e.PageURLPerPage(threadURL, n, phpbbDefaultPerPage)
}

// PageURLPerPage builds page n of a thread as viewtopic.php?...&start=(n-1)*perPage.
func (phpbbEngine) PageURLPerPage(threadURL string, n, perPage int) (string, bool) {
	u, err := url.Parse(threadURL)
	if err != nil || n < 1 || perPage < 1 || !strings.Contains(u.Path, "viewtopic") {
		return "", false
	}
	var kept []string
	for _, pair := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if pair == "" || k == "start" || k == "p" || k == "sid" {
			continue
		}
		kept = append(kept, pair)
	}
	if n > 1 {
		kept = append(kept, "start="+strconv.Itoa((n-1)*perPage))
	}
	u.RawQuery = strings.Join(kept, "&")
	u.Fragment = ""
	return u.String(), true
}

func phpbbThread(doc *goquery.Document, in scraper.Input) scraper.Thread {
	var t scraper.Thread
	for _, m := range phpbbTitleSels {
		if h := phpbbFirstText(doc.FindMatcher(m)); h.Length() > 0 {
			t.Title = scraper.Str(scraper.TextLine(h))
			break
		}
	}
	if t.Title == nil {
		title := scraper.TextLine(scraper.First(doc.Selection, phpbbHTMLTitleSel))
		if i := strings.LastIndex(title, " - "); i >= 0 && strings.Contains(title, "•") {
			title = title[i+3:] // 3.0: "Site • View topic - Title"
		}
		t.Title = scraper.Str(title)
	}
	for _, m := range phpbbCrumbSels {
		crumbs := scraper.Texts(doc.FindMatcher(m))
		if len(crumbs) > 0 {
			t.ForumPath = crumbs
			break
		}
	}
	id := ""
	if in.URL != nil {
		id = scraper.Submatch("?"+in.URL.RawQuery, phpbbTopicIDRe)
	}
	if id == "" {
		doc.FindMatcher(phpbbTopicLinkSel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			id = scraper.Submatch(html.UnescapeString(scraper.Attr(s, "href")), phpbbTopicIDRe)
			return id == ""
		})
	}
	if id == "" {
		id = scraper.Digits(scraper.Attr(scraper.First(doc.Selection, phpbbTopicInputSel), "value"))
	}
	t.ID = scraper.Str(id)
	if c := scraper.Attr(scraper.First(doc.Selection, phpbbCanonicalSel), "href"); c != "" {
		t.URL = scraper.ResolvePtr(in.URL, c)
		if u, ok := (phpbbEngine{}).PageURLPerPage(*t.URL, 1, 1); ok {
			t.URL = scraper.Str(u)
		}
	} else if id != "" && in.URL != nil && strings.HasSuffix(in.URL.Path, "viewtopic.php") {
		t.URL = scraper.ResolvePtr(in.URL, "viewtopic.php?t="+id)
	}
	return t
}

// phpbbPaging reads the pagination block: current page, total pages, next page and
// the posts per page measured from numbered links (0 when no link shows it).
func phpbbPaging(doc *goquery.Document, in scraper.Input) (num int, total *int, next *string, perPage int) {
	pager := scraper.First(doc.Selection, phpbbPagerSel)
	if pager.Length() == 0 {
		doc.FindMatcher(phpbbSubPagerSel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if s.FindMatcher(phpbbPagerLinksSel).FilterFunction(func(_ int, a *goquery.Selection) bool {
				return phpbbStartRe.MatchString(scraper.Attr(a, "href"))
			}).Length() > 0 {
				pager = s
				return false
			}
			return true
		})
	}
	links := map[int]string{}
	maxN := 0
	pager.FindMatcher(phpbbPagerNumSel).Each(func(_ int, s *goquery.Selection) {
		t := scraper.TextLine(s)
		if !phpbbNumRe.MatchString(t) {
			return
		}
		n, _ := strconv.Atoi(t)
		if n > maxN {
			maxN = n
		}
		if goquery.NodeName(s) == "a" {
			href := html.UnescapeString(scraper.Attr(s, "href"))
			if href != "" && href != "#" {
				links[n] = href
				if start, err := strconv.Atoi(scraper.Submatch(href, phpbbStartRe)); err == nil && n > 1 && start > 0 && start%(n-1) == 0 {
					perPage = start / (n - 1)
				}
			}
		}
	})
	pager.FindMatcher(phpbbPagerCurSel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if t := scraper.TextLine(s); phpbbNumRe.MatchString(t) {
			num, _ = strconv.Atoi(t)
			return false
		}
		return true
	})
	if num == 0 && in.URL != nil && perPage > 0 {
		if start, err := strconv.Atoi(scraper.Submatch("?"+in.URL.RawQuery, phpbbStartRe)); err == nil {
			num = start/perPage + 1
		}
	}
	if num == 0 {
		num = 1
	}
	if maxN < num {
		maxN = num
	}
	total = scraper.Int(maxN)
	if href := scraper.Attr(scraper.First(pager, phpbbPagerNextSel), "href"); href != "" {
		next = scraper.ResolvePtr(in.URL, href)
	} else if href, ok := links[num+1]; ok {
		next = scraper.ResolvePtr(in.URL, href)
	}
	return num, total, next, perPage
}

func phpbbProsilverPost(s *goquery.Selection, id string, in scraper.Input) scraper.Post {
	post := scraper.Post{ID: id}
	line := scraper.First(s, phpbbAuthorLineSel)
	profile := scraper.First(s, phpbbProfileSel)

	// Author: the profile column names registered users; guests and custom styles
	// with an empty <dt> only name them on the "by X » date" line.
	a := &post.Author
	name := phpbbFirstText(profile.FindMatcher(phpbbProfileNameSel))
	if name.Length() == 0 {
		name = phpbbFirstText(line.FindMatcher(phpbbProfileNameSel))
	}
	if name.Length() > 0 {
		a.Name = scraper.Str(scraper.TextLine(name))
		href := html.UnescapeString(scraper.Attr(name, "href"))
		a.ID = scraper.Str(scraper.Submatch(href, phpbbUserIDRe))
		a.URL = scraper.ResolvePtr(in.URL, href)
	} else if g := phpbbFirstText(line.FindMatcher(phpbbGuestNameSel)); g.Length() > 0 {
		a.Name = scraper.Str(scraper.TextLine(g))
	} else if dt := profile.ChildrenMatcher(phpbbDtSel); dt.Length() > 0 {
		a.Name = scraper.Str(scraper.TextLine(dt))
	}
	profile.ChildrenMatcher(phpbbDdSel).Each(func(_ int, dd *goquery.Selection) {
		phpbbProfileDD(a, dd, in)
	})

	// Date: 3.2+ prints <time datetime>; older versions only "by X » date".
	if tm := scraper.First(line, phpbbTimeSel); tm.Length() > 0 {
		post.PostedText = scraper.Str(scraper.TextLine(tm))
		post.PostedAt = scraper.MachineTime(tm)
	} else {
		txt := scraper.TextLine(line)
		if i := strings.LastIndex(txt, "»"); i >= 0 {
			txt = strings.TrimSpace(txt[i+len("»"):])
			post.PostedText = scraper.Str(txt)
		}
	}
	if post.PostedAt == nil && post.PostedText != nil {
		if t, ok := scraper.ParseDate(*post.PostedText, in); ok {
			post.PostedAt = scraper.UTCTime(t)
		}
	}

	post.URL = phpbbPostURL(s.FindMatcher(phpbbPostLinkSel), id, in)
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(scraper.First(s, phpbbContentSel), phpbbQuoteRules)
	if sig := scraper.First(s, phpbbSignatureSel); sig.Length() > 0 {
		post.SignatureText = scraper.Str(scraper.Text(sig))
	}
	post.EditedAt = phpbbEdited(s.FindMatcher(phpbbNoticeSel), in)
	return post
}

// phpbbProfileDD applies one <dd> of the profile column: "<strong>Posts:</strong> 17"
// pairs go through the sidebar table; an unlabelled dd holding text is the rank.
func phpbbProfileDD(a *scraper.Author, dd *goquery.Selection, in scraper.Input) {
	if dd.HasClass("profile-contact") {
		return
	}
	label := dd.ChildrenMatcher(phpbbLabelSel).First()
	if label.Length() == 0 || dd.HasClass("profile-rank") {
		if t := scraper.TextLine(dd); t != "" && a.Title == nil {
			a.Title = scraper.Str(t)
		}
		return
	}
	l := scraper.TextLine(label)
	v := strings.TrimSpace(strings.TrimPrefix(scraper.TextLine(dd), l))
	scraper.ApplySidebar(a, l, v, in)
}

func phpbbSubsilverPost(s *goquery.Selection, id string, in scraper.Input) scraper.Post {
	post := scraper.Post{ID: id}
	a := &post.Author
	a.Name = scraper.Str(scraper.TextLine(scraper.First(s, phpbbPostAuthorSel)))
	if link := scraper.First(s, phpbbSubProfileLink); link.Length() > 0 {
		href := html.UnescapeString(scraper.Attr(link, "href"))
		a.ID = scraper.Str(scraper.Submatch(href, phpbbUserIDRe))
		a.URL = scraper.ResolvePtr(in.URL, href)
	}
	a.Title = scraper.Str(scraper.TextLine(scraper.First(s, phpbbSubRankSel)))
	phpbbLabelled(scraper.First(s, phpbbSubDetailsSel), func(l, v string) { scraper.ApplySidebar(a, l, v, in) })

	// Header: "<b>Post subject:</b> ..." then "<a><img></a><b>Posted:</b> date".
	divs := s.FindMatcher(phpbbSubHeaderSel)
	head := divs.FilterFunction(func(_ int, d *goquery.Selection) bool {
		return d.FindMatcher(phpbbPostLinkSel).Length() > 0
	}).First()
	if head.Length() == 0 {
		head = divs.Last()
	}
	phpbbLabelled(head, func(_, v string) { post.PostedText = scraper.Str(v) })
	if post.PostedText != nil {
		if t, ok := scraper.ParseDate(*post.PostedText, in); ok {
			post.PostedAt = scraper.UTCTime(t)
		}
	}
	post.URL = phpbbPostURL(s.FindMatcher(phpbbPostLinkSel), id, in)
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(scraper.First(s, phpbbSubBodySel), phpbbQuoteRules)
	if sig := scraper.First(s, phpbbSubSigSel); sig.Length() > 0 {
		t := strings.TrimSpace(strings.TrimLeft(scraper.Text(sig), "_"))
		post.SignatureText = scraper.Str(t)
	}
	post.EditedAt = phpbbEdited(s.FindMatcher(phpbbSubEditSel), in)
	return post
}

// phpbbLabelled walks "<b>Label:</b> value<br/>" runs, calling f for each pair.
func phpbbLabelled(s *goquery.Selection, f func(label, value string)) {
	if s.Length() == 0 {
		return
	}
	var label string
	var value strings.Builder
	flush := func() {
		if label != "" {
			f(strings.TrimRight(scraper.Clean(label), ": "), scraper.Clean(value.String()))
		}
		label = ""
		value.Reset()
	}
	for c := s.Nodes[0].FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.ElementNode && (c.DataAtom == atom.B || c.DataAtom == atom.Strong):
			flush()
			label = scraper.TextOf(c, nil)
		case c.Type == html.ElementNode && c.DataAtom == atom.Br:
			flush()
		case label != "":
			value.WriteString(" " + scraper.TextOf(c, nil))
		}
	}
	flush()
}

// phpbbQuoteInfo reads "<cite>X wrote:</cite>" (prosilver; 3.2+ links the author
// and the quoted post) or subsilver2's preceding "X wrote:" title.
func phpbbQuoteInfo(q *goquery.Selection) (author, postID string) {
	cite := q.ChildrenMatcher(phpbbCiteSel).First()
	if cite.Length() == 0 {
		cite = q.Children().First().ChildrenMatcher(phpbbCiteSel).First()
	}
	if cite.Length() == 0 {
		cite = q.Prev().FilterMatcher(phpbbSubQuoteOutside) // subsilver2

	}
	if p := q.AttrOr("cite", ""); p != "" {
		postID = scraper.Submatch(html.UnescapeString(p), phpbbPostIDRe)
	}
	if cite.Length() == 0 {
		return "", postID
	}
	if link := scraper.First(cite, phpbbCiteProfileSel); link.Length() > 0 {
		author = scraper.TextLine(link)
	} else if txt := scraper.TextLine(cite); phpbbWroteRe.MatchString(txt) || scraper.TextLine(cite.ChildrenMatcher(phpbbLabelSel)) != txt {
		author = phpbbWroteRe.ReplaceAllString(txt, "")
	} // else a bare bold "Quote:" title: no author shown

	if postID == "" {
		cite.FindMatcher(phpbbCitePostLinkSel).EachWithBreak(func(_ int, l *goquery.Selection) bool {
			postID = scraper.Attr(l, "data-post-id")
			if postID == "" {
				postID = scraper.Submatch(html.UnescapeString(scraper.Attr(l, "href")), phpbbPostIDRe)
			}
			return postID == ""
		})
	}
	return author, postID
}

// phpbbEdited finds "Last edited by X on DATE, edited N times in total." and parses DATE.
func phpbbEdited(notices *goquery.Selection, in scraper.Input) (at *time.Time) {
	notices.EachWithBreak(func(_ int, s *goquery.Selection) bool {
		m := phpbbEditedRe.FindStringSubmatch(scraper.TextLine(s))
		if m == nil {
			return true
		}
		if t, ok := scraper.ParseDate(m[1], in); ok {
			at = scraper.UTCTime(t)
		}
		return false
	})
	return at
}

// phpbbPostURL prefers the post's own permalink, else builds viewtopic.php?p=ID#pID.
func phpbbPostURL(links *goquery.Selection, id string, in scraper.Input) *string {
	var out *string
	links.EachWithBreak(func(_ int, l *goquery.Selection) bool {
		href := html.UnescapeString(scraper.Attr(l, "href"))
		if scraper.Submatch(href, phpbbPostIDRe) == id {
			out = scraper.ResolvePtr(in.URL, href)
			return false
		}
		return true
	})
	if out == nil && in.URL != nil && strings.HasSuffix(in.URL.Path, "viewtopic.php") {
		out = scraper.ResolvePtr(in.URL, "viewtopic.php?p="+id+"#p"+id)
	}
	return out
}

// phpbbFirstText returns the first element of sel with visible text.
func phpbbFirstText(sel *goquery.Selection) *goquery.Selection {
	return sel.FilterFunction(func(_ int, s *goquery.Selection) bool { return scraper.TextLine(s) != "" }).First()
}

// DetectCost: a hand-written node matcher that stops at <body id="phpbb"> on prosilver.
func (phpbbEngine) DetectCost() int { return 21 }

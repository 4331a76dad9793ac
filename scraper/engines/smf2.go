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

// smfDefaultPerPage is SMF's shipped defaultMaxMessages.
const smfDefaultPerPage = 15

// smfEngine reads Simple Machines Forum 2.0 (Curve and core themes) and 2.1 pages.
type smfEngine struct{}

func init() { scraper.Register(smfEngine{}) }

var (
	smfInnerSel     = scraper.MustCompile(`div.inner[id^="msg_"]`)
	smfPosterSel    = scraper.MustCompile(`.poster`)
	smfNameSel      = scraper.MustCompile(`h4 a[href*="action=profile"]`)
	smfH4Sel        = scraper.MustCompile(`h4`)
	smfInfoSel      = scraper.MustCompile(`ul[id$="_extra_info"], ul.user_info`)
	smfKeyinfoSel   = scraper.MustCompile(`.keyinfo`)
	smfDate21Sel    = scraper.MustCompile(`a.smalltext, .postinfo a.smalltext`)
	smfDate20Sel    = scraper.MustCompile(`div.smalltext`)
	smfPageNumSel   = scraper.MustCompile(`.page_number`)
	smfPermalinkSel = scraper.MustCompile(`a.smalltext[href]`)
	smfSubjectLink  = scraper.MustCompile(`h5 a[href], [id^="subject_"] a[href]`)
	smfImgAltSel    = scraper.MustCompile(`img[alt], [title]`)
	smfModifiedSel  = scraper.MustCompile(`[id^="modified_"]`)
	smfSignatureSel = scraper.MustCompile(`div.signature`)
	smfLabelSel     = scraper.MustCompile(`strong, b`)
	smfTitleLiSel   = scraper.MustCompile(`li.title`)
	smfListSel      = scraper.MustCompile(`ul, ol`)
	smfOnlineSel    = scraper.MustCompile(`img[src*="useron"], img[src*="useroff"], span.on, span.off`)
	smfQuoteHeadSel = scraper.MustCompile(`div.quoteheader`)
	smfQuoteLinkSel = scraper.MustCompile(`a[href*="msg"]`)

	smfQuoteRules = scraper.QuoteRules{
		Quote:   scraper.MustCompile(`blockquote.bbc_standard_quote, blockquote.bbc_alternate_quote`),
		Chrome:  scraper.MustCompile(`cite`),
		Noise:   scraper.MustCompile(`div.codeheader, .quotefooter`),
		Outside: scraper.MustCompile(`div.quoteheader, div.quotefooter, div.codeheader`),
		Info:    smfQuoteInfo,
	}
	smfCiteSel = scraper.MustCompile(`cite`)

	smfCrumbSel    = scraper.MustCompile(`.linktree, .navigate_section ul`)
	smfCrumbLiSel  = scraper.MustCompile(`li`)
	smfCrumbASel   = scraper.MustCompile(`a`)
	smfTopSubject  = scraper.MustCompile(`#top_subject`)
	smfHTMLTitle   = scraper.MustCompile(`title`)
	smfNavLinkSel  = scraper.MustCompile(`a.navPages, a.nav_page`)
	smfPagerSel    = scraper.MustCompile(`.pagelinks, .pagesection`)
	smfCurPageSel  = scraper.MustCompile(`span.current_page, strong`)
	smfPagerAllSel = scraper.MustCompile(`a, strong, span`)

	smfTopicRe   = regexp.MustCompile(`topic[=,](\d+)(?:\.(\d+|msg\d+|new))?`)
	smfMsgRe     = regexp.MustCompile(`msg[_=]?(\d+)`)
	smfUserRe    = regexp.MustCompile(`[;?&]u=(\d+)`)
	smfNumRe     = regexp.MustCompile(`^\d+$`)
	smfReadRe    = regexp.MustCompile(`\s*\([^()]*\d[^()]*\)\s*$`)
	smfQuoteByRe = regexp.MustCompile(`(?i)^(.*?)\s+(?:on|en|le|am|il|op|em|dnia|в|tarihinde)\s+.*\d.*$`)
)

// Info names the engine for `forumarc engines` and --engine smf2.
func (smfEngine) Info() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "smf2",
		Description: "Simple Machines Forum 2.0 and 2.1 (Curve, core and default themes)",
		Fields: []string{"thread.id", "thread.title", "thread.forum_path", "page.number", "page.total", "page.next_url",
			"post.id", "post.number", "post.url", "post.posted_at", "post.edited_at", "post.body", "post.quotes", "post.signature",
			"author.name", "author.id", "author.url", "author.title", "author.messages", "author.location", "author.extras"},
	}
}

// Detect looks for SMF's own ids and classes: message bodies (div.inner#msg_N), poster
// lists (ul#msg_N_extra_info), the board index (#messageindex) and its page links
// (a.navPages in 2.0, a.nav_page in 2.1).
func (smfEngine) Detect(doc *goquery.Document) bool {
	return scraper.Has(doc, cascadia.Selector(smfIsMarker))
}

func smfIsMarker(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Div:
		return strings.HasPrefix(scraper.NodeAttr(n, "id"), "msg_") && scraper.HasClass(n, "inner")
	case atom.Ul:
		return strings.HasSuffix(scraper.NodeAttr(n, "id"), "_extra_info")
	case atom.A:
		return scraper.HasClass(n, "navPages") || scraper.HasClass(n, "nav_page")
	}
	return scraper.NodeAttr(n, "id") == "messageindex"
}

// Extract reads a topic page (index.php?topic=ID.OFFSET or topic,ID.OFFSET.html).
func (smfEngine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	p := &scraper.Page{}
	p.Thread = smfThread(doc, in)
	num, total, next, _ := smfPaging(doc, in)
	p.Page = scraper.PageInfo{Number: num, Total: total, NextURL: next}
	doc.FindMatcher(smfInnerSel).Each(func(_ int, inner *goquery.Selection) {
		id := strings.TrimPrefix(scraper.Attr(inner, "id"), "msg_")
		if !smfNumRe.MatchString(id) {
			return
		}
		p.Posts = append(p.Posts, smfPost(inner, id, in))
	})
	return p, nil
}

// PerPage reports how many posts a page of this topic holds, measured from its page
// links (topic=ID.OFFSET on the link to page N gives OFFSET/(N-1)).
func (smfEngine) PerPage(doc *goquery.Document, in scraper.Input) (int, bool) {
	_, _, _, per := smfPaging(doc, in)
	return per, per > 0
}

// PageURL builds page n of a topic with SMF's default of 15 posts per page.
func (e smfEngine) PageURL(threadURL string, n int) (string, bool) {
	return e.PageURLPerPage(threadURL, n, smfDefaultPerPage)
}

// PageURLPerPage rewrites the topic's offset: topic=ID.OFFSET (query form) or
// topic,ID.OFFSET.html (search-engine-friendly form).
func (smfEngine) PageURLPerPage(threadURL string, n, perPage int) (string, bool) {
	u, err := url.Parse(threadURL)
	if err != nil || n < 1 || perPage < 1 {
		return "", false
	}
	off := strconv.Itoa((n - 1) * perPage)
	replace := func(s string) (string, bool) {
		loc := smfTopicRe.FindStringSubmatchIndex(s)
		if loc == nil {
			return s, false
		}
		return s[:loc[0]] + s[loc[0]:loc[3]] + "." + off + s[loc[1]:], true
	}
	if q, ok := replace(u.RawQuery); ok {
		u.RawQuery = q
	} else if pth, ok := replace(u.Path); ok {
		u.Path, u.RawPath = pth, ""
	} else {
		return "", false
	}
	u.Fragment = ""
	return scraper.CleanURL(u.String()), true
}

func smfThread(doc *goquery.Document, in scraper.Input) scraper.Thread {
	var t scraper.Thread
	var topicHref string
	crumbs := scraper.First(doc.Selection, smfCrumbSel)
	crumbs.ChildrenMatcher(smfCrumbLiSel).Each(func(_ int, li *goquery.Selection) {
		a := scraper.First(li, smfCrumbASel)
		href := scraper.Attr(a, "href")
		name := scraper.TextLine(a)
		if name == "" {
			return
		}
		if smfTopicRe.MatchString(href) {
			t.Title, topicHref = scraper.Str(name), href
			return
		}
		t.ForumPath = append(t.ForumPath, name)
	})
	if t.Title == nil {
		// 2.0: "Topic: Subject (Read 11186 times)"; 2.1: just the subject.
		title := scraper.TextLine(scraper.First(doc.Selection, smfTopSubject))
		if smfReadRe.MatchString(title) {
			title = smfReadRe.ReplaceAllString(title, "")
			if label, after, ok := strings.Cut(title, ": "); ok && !strings.Contains(label, " ") {
				title = after
			}
		}
		if title == "" {
			title = scraper.TextLine(scraper.First(doc.Selection, smfHTMLTitle))
		}
		t.Title = scraper.Str(title)
	}
	id := ""
	if in.URL != nil {
		id = scraper.Submatch(in.URL.Path+"?"+in.URL.RawQuery, smfTopicRe)
	}
	if id == "" {
		id = scraper.Submatch(topicHref, smfTopicRe)
	}
	t.ID = scraper.Str(id)
	if topicHref != "" {
		t.URL = scraper.ResolvePtr(in.URL, topicHref)
	} else if in.URL != nil && id != "" {
		if u, ok := (smfEngine{}).PageURLPerPage(in.URL.String(), 1, 1); ok {
			t.URL = scraper.Str(u)
		}
	}
	if t.URL != nil {
		if u, ok := (smfEngine{}).PageURLPerPage(*t.URL, 1, 1); ok {
			t.URL = scraper.Str(u)
		}
	}
	return t
}

// smfPaging reads "Pages: [1] 2 3" (2.0: strong + a.navPages) or 2.1's
// span.current_page + a.nav_page. It never uses <link rel="next">, which SMF points
// at the next topic.
func smfPaging(doc *goquery.Document, in scraper.Input) (num int, total *int, next *string, perPage int) {
	// The first page link outside a topic row's own mini pager (board pages list
	// "« 1 2 »" per topic in small#pagesN / span.topic_pages).
	pager := doc.FindMatcher(smfNavLinkSel).FilterFunction(func(_ int, a *goquery.Selection) bool {
		return !strings.HasPrefix(scraper.Attr(a.Parent(), "id"), "pages")
	}).First().Parent()
	if pager.Length() == 0 {
		pager = scraper.First(doc.Selection, smfPagerSel)
	}
	links := map[int]string{}
	maxN := 0
	pager.FindMatcher(smfPagerAllSel).Each(func(_ int, s *goquery.Selection) {
		t := scraper.TextLine(s)
		if !smfNumRe.MatchString(t) {
			return
		}
		n, _ := strconv.Atoi(t)
		if n > maxN {
			maxN = n
		}
		if goquery.NodeName(s) != "a" {
			return
		}
		href := scraper.Attr(s, "href")
		links[n] = href
		if m := smfTopicRe.FindStringSubmatch(href); m != nil && n > 1 {
			if off, err := strconv.Atoi(m[2]); err == nil && off > 0 && off%(n-1) == 0 {
				perPage = off / (n - 1)
			}
		}
	})
	pager.FindMatcher(smfCurPageSel).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if t := scraper.TextLine(s); smfNumRe.MatchString(t) {
			num, _ = strconv.Atoi(t)
			return false
		}
		return true
	})
	if num == 0 && in.URL != nil && perPage > 0 {
		if m := smfTopicRe.FindStringSubmatch(in.URL.Path + "?" + in.URL.RawQuery); m != nil {
			if off, err := strconv.Atoi(m[2]); err == nil {
				num = off/perPage + 1
			}
		}
	}
	if num == 0 {
		num = 1
	}
	if maxN < num {
		maxN = num
	}
	total = scraper.Int(maxN)
	if href, ok := links[num+1]; ok {
		next = scraper.ResolvePtr(in.URL, href)
	}
	return num, total, next, perPage
}

// smfContainer climbs from a message body to the element holding its poster column.
func smfContainer(inner *goquery.Selection) *goquery.Selection {
	for c := inner.Parent(); c.Length() > 0; c = c.Parent() {
		if c.FindMatcher(smfPosterSel).Length() > 0 {
			return c
		}
	}
	return inner
}

func smfPost(inner *goquery.Selection, id string, in scraper.Input) scraper.Post {
	post := scraper.Post{ID: id}
	box := smfContainer(inner)
	poster := scraper.First(box, smfPosterSel)
	a := &post.Author
	if link := scraper.First(poster, smfNameSel); link.Length() > 0 {
		href := html.UnescapeString(scraper.Attr(link, "href"))
		a.Name = scraper.Str(scraper.TextLine(link))
		a.ID = scraper.Str(scraper.Submatch(href, smfUserRe))
		a.URL = scraper.ResolvePtr(in.URL, href)
	} else {
		a.Name = scraper.Str(scraper.TextLine(scraper.First(poster, smfH4Sel))) // guest
	}
	smfSidebar(a, scraper.First(poster, smfInfoSel), in)

	key := scraper.First(box, smfKeyinfoSel)
	if d := scraper.First(key, smfDate21Sel); d.Length() > 0 {
		// 2.1: <a class="smalltext" title="Reply #3 - Subject">date</a> <span class="page_number">#3</span>
		post.PostedText = scraper.Str(strings.Trim(scraper.TextLine(d), "«» "))
		n := 0
		if pn := scraper.TextLine(scraper.First(key, smfPageNumSel)); pn != "" {
			n, _ = scraper.PostNumber(pn)
		} else if t := scraper.Attr(d, "title"); strings.Contains(t, "#") {
			n, _ = scraper.PostNumber(t[strings.Index(t, "#"):])
		}
		post.Number = scraper.Int(n + 1)
	} else if d := scraper.First(key, smfDate20Sel); d.Length() > 0 {
		// 2.0: <div class="smalltext">« <strong>Reply #14 on:</strong> date »</div>
		label := scraper.TextLine(scraper.First(d, smfLabelSel))
		txt := strings.TrimSpace(strings.TrimPrefix(scraper.TextLine(d), "«"))
		txt = strings.TrimSpace(strings.TrimPrefix(txt, label))
		post.PostedText = scraper.Str(strings.TrimSpace(strings.TrimSuffix(txt, "»")))
		n, _ := scraper.PostNumber(label)
		post.Number = scraper.Int(n + 1)
	}
	if post.PostedText != nil {
		if t, ok := scraper.ParseDate(*post.PostedText, in); ok {
			post.PostedAt = scraper.UTCTime(t)
		}
	}
	// Permalink: 2.1's date link, else the subject link (2.1's hidden subject uses
	// the redirecting index.php?msg=N form, so it comes last).
	for _, m := range []cascadia.Selector{smfPermalinkSel, smfSubjectLink} {
		key.FindMatcher(m).EachWithBreak(func(_ int, l *goquery.Selection) bool {
			if href := scraper.Attr(l, "href"); scraper.Submatch(href, smfMsgRe) == id {
				post.URL = scraper.ResolvePtr(in.URL, href)
				return false
			}
			return true
		})
		if post.URL != nil {
			break
		}
	}
	if mod := scraper.First(box, smfModifiedSel); mod.Length() > 0 {
		post.EditedAt = smfEdited(scraper.TextLine(mod), in)
	}
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(inner, smfQuoteRules)
	if sig := scraper.First(box, smfSignatureSel); sig.Length() > 0 {
		post.SignatureText = scraper.Str(scraper.Text(sig))
	}
	return post
}

// smfSidebar reads the poster list. Labelled items ("Posts: 616", "Karma: +2/-0",
// custom fields) go through the sidebar table; the first unlabelled text item is the
// user title (custom title, else membergroup, else post group, as SMF orders them) and
// later ones are kept under Extras by their class.
func smfSidebar(a *scraper.Author, ul *goquery.Selection, in scraper.Input) {
	hasTitle := ul.ChildrenMatcher(smfTitleLiSel).Length() > 0
	groups := 0
	ul.Children().Each(func(_ int, li *goquery.Selection) {
		if li.ChildrenMatcher(smfListSel).Length() > 0 || li.FindMatcher(smfOnlineSel).Length() > 0 {
			return
		}
		for _, skip := range []string{"avatar", "stars", "icons", "profile", "im_icons", "poster_ip", "karma_allow", "email", "warning"} {
			if li.HasClass(skip) {
				return
			}
		}
		txt := scraper.TextLine(li)
		if txt == "" {
			return
		}
		group := li.HasClass("title") || li.HasClass("membergroup") || li.HasClass("postgroup")
		if li.HasClass("blurb") {
			scraper.ApplySidebar(a, "blurb", txt, in)
			return
		}
		if label, value, ok := strings.Cut(txt, ":"); ok && !group && len([]rune(label)) <= 40 {
			if strings.TrimSpace(value) == "" {
				// "Gender: <img alt=Male>" (2.0) or "<span title=Male>" (2.1)
				if img := scraper.First(li, smfImgAltSel); img.Length() > 0 {
					value = scraper.Attr(img, "alt")
					if value == "" {
						value = scraper.Attr(img, "title")
					}
				}
			}
			scraper.ApplySidebar(a, label, value, in)
			return
		}
		if a.Title == nil && (li.HasClass("title") || !hasTitle && (group || scraper.Attr(li, "class") == "")) {
			a.Title = scraper.Str(txt)
			return
		}
		groups++
		key := "group"
		for _, c := range []string{"membergroup", "postgroup", "title"} {
			if li.HasClass(c) {
				key = c
			}
		}
		if key == "group" && groups > 1 {
			key = "group " + strconv.Itoa(groups)
		}
		scraper.ApplySidebar(a, key, txt, in)
	})
}

// smfQuoteInfo reads "Quote from: X on DATE" from 2.1's <cite> or 2.0's quoteheader,
// and the quoted message id from its link (…#msg176173).
func smfQuoteInfo(q *goquery.Selection) (author, postID string) {
	head := q.ChildrenMatcher(smfCiteSel).First()
	if head.Length() == 0 {
		head = q.Prev().FilterMatcher(smfQuoteHeadSel)
	}
	if head.Length() == 0 {
		return "", ""
	}
	if l := scraper.First(head, smfQuoteLinkSel); l.Length() > 0 {
		postID = scraper.Submatch(scraper.Attr(l, "href"), smfMsgRe)
	}
	txt := scraper.TextLine(head)
	_, who, ok := strings.Cut(txt, ":")
	if !ok {
		return "", postID // plain "Quote"
	}
	who = strings.TrimSpace(who)
	if m := smfQuoteByRe.FindStringSubmatch(who); m != nil {
		who = m[1]
	}
	return who, postID
}

// smfEdited reads "« Last Edit: September 24, 2007, 12:57:14 PM by gregswallow »":
// the longest run of words after the colon that parses as a date, so the localised
// "by NAME" tail (par, von, por...) needs no word list.
func smfEdited(txt string, in scraper.Input) *time.Time {
	_, rest, ok := strings.Cut(strings.Trim(txt, "«» "), ":")
	if !ok {
		return nil
	}
	words := strings.Fields(strings.Trim(rest, "«» "))
	for k := len(words); k > 0; k-- {
		if t, ok := scraper.ParseDate(strings.Join(words[:k], " "), in); ok {
			return scraper.UTCTime(t)
		}
	}
	return nil
}

// DetectCost: a hand-written node matcher.
func (smfEngine) DetectCost() int { return 22 }

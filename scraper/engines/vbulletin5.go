package engines

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/forumarc/forumarc/scraper"
)

// vbulletin5 reads vBulletin 5 (vBulletin Connect) topic pages: li.b-post nodes
// in a conversation list, with the author card in .b-userinfo.
type vbulletin5Engine struct{}

func init() { scraper.Register(vbulletin5Engine{}) }

var (
	vb5SelDetectPost = scraper.Guarded(scraper.MustCompile(`li.b-post[data-node-id]`), atom.Li)
	// vb5SelDetect is li.b-post[data-node-id], .js-post__content-text with the
	// element name checked first where the selector names one.
	vb5SelDetect = cascadia.Selector(func(n *html.Node) bool {
		return vb5SelDetectPost.Match(n) || n.Type == html.ElementNode && scraper.HasClass(n, "js-post__content-text")
	})
	vb5SelPosts      = scraper.MustCompile(`li.b-post[data-node-id]`)
	vb5SelNested     = scraper.MustCompile(`li.b-post`)
	vb5SelContent    = scraper.MustCompile(`.js-post__content-text`)
	vb5SelCount      = scraper.MustCompile(`a.b-post__count`)
	vb5SelTimestamp  = scraper.MustCompile(`.b-post__timestamp`)
	vb5SelTime       = scraper.MustCompile(`time`)
	vb5SelAuthor     = scraper.MustCompile(`.b-userinfo__details .author a, .b-userinfo .author a`)
	vb5SelAuthorName = scraper.MustCompile(`[itemprop="name"]`)
	vb5SelAuthorText = scraper.MustCompile(`.b-userinfo__details .author, .b-userinfo .author`)
	vb5SelUserTitle  = scraper.MustCompile(`.b-userinfo .usertitle`)
	vb5SelInfo       = scraper.MustCompile(`li.b-userinfo__additional-info`)
	vb5SelInfoLabel  = scraper.MustCompile(`label`)
	vb5SelInfoValue  = scraper.MustCompile(`span`)
	vb5SelSignature  = scraper.MustCompile(`.post-signature, .b-post__signature`)
	vb5SelEdited     = scraper.MustCompile(`.b-post__edit, .edit-info`)
	vb5SelTitles     = []cascadia.Selector{scraper.MustCompile(`.page-title-widget h1.main-title`), scraper.MustCompile(`h1.main-title`), scraper.MustCompile(`#pagetitle h1`)}
	vb5SelCrumbs     = scraper.MustCompile(`#breadcrumbs li.crumb a`)
	vb5SelPageNum    = scraper.MustCompile(`.pagenav-controls input.js-pagenum`)
	vb5SelPageTotal  = scraper.MustCompile(`.pagenav-controls .pagetotal`)
	vb5SelNext       = scraper.MustCompile(`.js-pagenav a.js-pagenav-next-button`)
)

// vb5Info is built once: Detect runs for every engine on every page and asks
// each engine its name, so Info must not allocate.
var vb5Info = scraper.EngineInfo{
	Name:        "vbulletin5",
	Description: "vBulletin 5.x / vBulletin Connect (b-post conversation pages)",
	Fields: []string{"thread.id", "thread.title", "thread.url", "thread.forum_path", "page.number", "page.total", "page.next_url",
		"post.id", "post.number", "post.url", "post.posted_at", "post.posted_text", "post.body", "post.signature", "post.quotes",
		"author.name", "author.id", "author.url", "author.title", "author.joined", "author.messages", "author.extras"},
}

func (vbulletin5Engine) Info() scraper.EngineInfo { return vb5Info }

// Detect trusts the generator meta first, then the b-post markup no other
// vBulletin version uses.
func (vbulletin5Engine) Detect(doc *goquery.Document) bool {
	return vbDetect(doc, 5, vb5SelDetect)
}

func (vbulletin5Engine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	return vbExtract(doc, in, vb5SelPosts, vb5PageInfo, vb5Thread, vb5Post), nil
}

// PageURL implements scraper.PageLinker.
func (vbulletin5Engine) PageURL(threadURL string, n int) (string, bool) {
	return vbPageURL(threadURL, n)
}

func vb5Thread(doc *goquery.Document, in, links scraper.Input, page int) scraper.Thread {
	t := scraper.Thread{ForumPath: []string{}}
	var title string
	for _, m := range vb5SelTitles {
		// In order: the topic's title widget, then any page title (other widgets,
		// such as announcements, print h1.main-title too).
		if title = scraper.TextLine(scraper.First(doc.Selection, m)); title != "" {
			break
		}
	}
	if title == "" {
		title = vbDocTitle(doc)
	}
	t.Title = scraper.Str(title)
	crumbs := scraper.Texts(doc.FindMatcher(vb5SelCrumbs))
	if len(crumbs) > 0 {
		// The first crumb is the site home, not a forum.
		crumbs = crumbs[1:]
	}
	t.ForumPath = append(t.ForumPath, crumbs...)
	t.URL = vbThreadURL(doc, in, links, page)
	if t.URL != nil {
		t.ID = scraper.Str(vbThreadID(vbParseURL(*t.URL)))
	}
	if t.ID == nil {
		t.ID = scraper.Str(vbThreadID(in.URL))
	}
	return t
}

func vb5PageInfo(doc *goquery.Document, in, links scraper.Input) scraper.PageInfo {
	var pi scraper.PageInfo
	if n, ok := scraper.Atoi(scraper.Attr(scraper.First(doc.Selection, vb5SelPageNum), "value")); ok && n > 0 {
		pi.Number = n
	}
	if n, ok := scraper.Atoi(scraper.TextLine(scraper.First(doc.Selection, vb5SelPageTotal))); ok && n > 0 {
		pi.Total = scraper.Int(n)
	}
	if pi.Number == 0 {
		pi.Number = vbPageFromURL(in.URL)
	}
	if pi.Total != nil && pi.Number >= *pi.Total {
		return pi
	}
	doc.FindMatcher(vb5SelNext).EachWithBreak(func(_ int, a *goquery.Selection) bool {
		href := scraper.Attr(a, "href")
		if href == "" || strings.HasPrefix(href, "#") || a.HasClass("h-hide-imp") {
			return true
		}
		pi.NextURL = scraper.ResolvePtr(links.URL, href)
		return false
	})
	if pi.NextURL == nil {
		pi.NextURL = vbNextFromHead(doc, links)
	}
	return pi
}

func vb5Post(li *goquery.Selection, in scraper.Input) (scraper.Post, bool) {
	id := scraper.Attr(li, "data-node-id")
	if id == "" || scraper.Digits(id) != id || li.ParentsMatcher(vb5SelNested).Length() > 0 {
		return scraper.Post{}, false
	}
	content := scraper.First(li, vb5SelContent)
	if content.Length() == 0 {
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: id}

	count := scraper.First(li, vb5SelCount)
	if n, ok := scraper.PostNumber(scraper.TextLine(count)); ok {
		post.Number = scraper.Int(n)
	}
	if href := scraper.Attr(count, "href"); href != "" && !strings.HasPrefix(href, "#") {
		post.URL = scraper.ResolvePtr(in.URL, href)
	}

	stamp := scraper.First(li, vb5SelTimestamp)
	tm := scraper.First(stamp, vb5SelTime)
	if tm.Length() > 0 {
		post.PostedText = scraper.Str(scraper.TextLine(tm))
	} else {
		post.PostedText = scraper.Str(scraper.TextLine(stamp))
	}
	if ts, ok := scraper.ParseUnix(scraper.Attr(li, "data-node-publishdate")); ok {
		post.PostedAt = scraper.UTCTime(ts)
	} else if post.PostedText != nil {
		post.PostedAt, _ = vbParseDate(*post.PostedText, in)
	}
	if ed := scraper.First(li, vb5SelEdited); ed.Length() > 0 {
		post.EditedAt = vbEdited(scraper.TextLine(ed), in)
	}

	post.Author = vb5Author(li, in)
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(content, vbBBQuoteRules)
	if sig := scraper.First(li, vb5SelSignature); sig.Length() > 0 {
		post.SignatureText = scraper.Str(scraper.Text(sig))
	}
	return post, true
}

func vb5Author(li *goquery.Selection, in scraper.Input) scraper.Author {
	var a scraper.Author
	user := scraper.First(li, vb5SelAuthor)
	name := scraper.TextLine(scraper.First(user, vb5SelAuthorName))
	if name == "" {
		name = scraper.TextLine(user)
	}
	if name == "" {
		name = scraper.TextLine(scraper.First(li, vb5SelAuthorText))
	}
	a.Name = scraper.Str(name)
	if href := scraper.Attr(user, "href"); href != "" {
		a.URL = scraper.ResolvePtr(in.URL, href)
		a.ID = scraper.Str(vbUserID(href))
	}
	a.Title = scraper.Str(scraper.TextLine(scraper.First(li, vb5SelUserTitle)))
	li.FindMatcher(vb5SelInfo).Each(func(_ int, item *goquery.Selection) {
		label := scraper.TextLine(scraper.First(item, vb5SelInfoLabel))
		value := scraper.TextLine(scraper.First(item, vb5SelInfoValue))
		if label == "" {
			l, v, ok := strings.Cut(scraper.TextLine(item), ":")
			if !ok {
				return
			}
			label, value = l, v
		}
		vbSidebar(&a, label, value, in)
	})
	return a
}

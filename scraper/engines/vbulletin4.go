package engines

import (
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html/atom"

	"github.com/forumarc/forumarc/scraper"
)

// vbulletin4 reads vBulletin 4.x thread pages in both the postbit (horizontal) and
// postbit_legacy (sidebar) layouts, with or without vBSEO.
type vbulletin4Engine struct{}

func init() { scraper.Register(vbulletin4Engine{}) }

var (
	vb4SelPostContainer = scraper.MustCompile(`li.postcontainer[id^="post_"], li.postbit[id^="post_"], li.postbitlegacy[id^="post_"]`)
	vb4DetectPost       = scraper.Guarded(vb4SelPostContainer, atom.Li)
	vb4SelPosts         = scraper.MustCompile(`li[id^="post_"]`)
	vb4SelMessage       = scraper.MustCompile(`div[id^="post_message_"]`)
	vb4SelContent       = scraper.MustCompile(`blockquote.postcontent:not(.lastedited)`)
	vb4SelDate          = scraper.MustCompile(`.posthead span.date, span.postdate span.date`)
	vb4SelCounter       = scraper.MustCompile(`a.postcounter`)
	vb4SelCountAnchor   = scraper.MustCompile(`a[id^="postcount"]`)
	vb4SelUser          = scraper.MustCompile(`.userinfo .username, .username_container .username`)
	vb4SelUserTitle     = scraper.MustCompile(`.userinfo span.usertitle, .username_container span.usertitle`)
	vb4SelExtra         = scraper.MustCompile(`dl.userinfo_extra, .userinfo_extra dl`)
	vb4SelSignature     = scraper.MustCompile(`blockquote.signature`)
	vb4SelSigInner      = scraper.MustCompile(`.signaturecontainer`)
	vb4SelEdited        = scraper.MustCompile(`blockquote.lastedited`)
	vb4SelThreadTitle   = scraper.MustCompile(`#pagetitle .threadtitle, span.threadtitle`)
	vb4SelPageTitle     = scraper.MustCompile(`#pagetitle h1`)
	vb4SelTitleLink     = scraper.MustCompile(`#pagetitle .threadtitle a[href], span.threadtitle a[href]`)
	vb4SelCrumbs        = scraper.MustCompile(`#breadcrumb li.navbit:not(.lastnavbit) a, .breadcrumb li.navbit:not(.lastnavbit) a`)
	vb4SelPagination    = scraper.MustCompile(`div.pagination, form.pagination`)
	vb4SelPageOf        = scraper.MustCompile(`a.popupctrl, span:first-child > a`)
	vb4SelSelected      = scraper.MustCompile(`span.selected`)
	vb4SelPrefix        = scraper.MustCompile(`#pagetitle h1 > span.prefix, #pagetitle h1 > a.prefix`)
)

// vb4Info is built once: Detect runs for every engine on every page and asks
// each engine its name, so Info must not allocate.
var vb4Info = scraper.EngineInfo{
	Name:        "vbulletin4",
	Description: "vBulletin 4.x (postbit and postbit_legacy layouts, vBSEO URLs)",
	Fields: []string{"thread.id", "thread.title", "thread.prefix", "thread.url", "thread.forum_path", "page.number", "page.total", "page.next_url",
		"post.id", "post.number", "post.url", "post.posted_at", "post.posted_text", "post.edited_at", "post.body", "post.signature", "post.quotes",
		"author.name", "author.id", "author.url", "author.title", "author.joined", "author.messages", "author.location", "author.extras"},
}

func (vbulletin4Engine) Info() scraper.EngineInfo { return vb4Info }

// Detect trusts the generator meta first: vBulletin 3 and 5 pages both carry
// div#post_message_N too, so markup alone only decides when the meta is missing.
func (vbulletin4Engine) Detect(doc *goquery.Document) bool {
	return vbDetect(doc, 4, vb4DetectPost)
}

func (vbulletin4Engine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	return vbExtract(doc, in, vb4SelPosts, vb4PageInfo, vb4Thread, vb4Post), nil
}

// PageURL implements scraper.PageLinker.
func (vbulletin4Engine) PageURL(threadURL string, n int) (string, bool) {
	return vbPageURL(threadURL, n)
}

func vb4Thread(doc *goquery.Document, in, links scraper.Input, page int) scraper.Thread {
	t := scraper.Thread{ForumPath: []string{}}
	title := scraper.TextLine(scraper.First(doc.Selection, vb4SelThreadTitle))
	if title == "" {
		h := scraper.First(doc.Selection, vb4SelPageTitle)
		title = vbCutLabel(scraper.TextLine(h))
	}
	if title == "" {
		title = vbDocTitle(doc)
	}
	t.Title = scraper.Str(title)
	t.Prefix = scraper.Str(scraper.TextLine(scraper.First(doc.Selection, vb4SelPrefix)))
	t.ForumPath = append(t.ForumPath, scraper.Texts(doc.FindMatcher(vb4SelCrumbs))...)
	t.URL = vbThreadURL(doc, in, links, page)
	if t.URL != nil {
		t.ID = scraper.Str(vbThreadID(vbParseURL(*t.URL)))
	}
	if t.ID == nil {
		t.ID = scraper.Str(vbThreadID(in.URL))
	}
	vbThreadFromLink(&t, scraper.First(doc.Selection, vb4SelTitleLink), links)
	return t
}

func vb4PageInfo(doc *goquery.Document, in, links scraper.Input) scraper.PageInfo {
	var pi scraper.PageInfo
	pag := scraper.First(doc.Selection, vb4SelPagination)
	if pag.Length() > 0 {
		if n, total, ok := vbPageOf(scraper.TextLine(scraper.First(pag, vb4SelPageOf))); ok {
			pi.Number, pi.Total = n, scraper.Int(total)
		}
		if pi.Number == 0 {
			if n, ok := scraper.Atoi(scraper.TextLine(scraper.First(pag, vb4SelSelected))); ok {
				pi.Number = n
			}
		}
		if pi.Total == nil {
			max := pi.Number
			pag.FindMatcher(vbSelA).Each(func(_ int, a *goquery.Selection) {
				if n, ok := scraper.Atoi(scraper.TextLine(a)); ok && scraper.TextLine(a) == scraper.Digits(scraper.TextLine(a)) && n > max {
					max = n
				}
			})
			if max > 0 {
				pi.Total = scraper.Int(max)
			}
		}
		pi.NextURL = scraper.ResolvePtr(links.URL, scraper.Attr(scraper.First(pag, vbSelRelNext), "href"))
	}
	if pi.Number == 0 {
		pi.Number = vbPageFromURL(in.URL)
	}
	if pi.NextURL == nil && (pi.Total == nil || pi.Number < *pi.Total) {
		pi.NextURL = vbNextFromHead(doc, links)
	}
	return pi
}

func vb4Post(li *goquery.Selection, in scraper.Input) (scraper.Post, bool) {
	id := vbIDDigits(scraper.Attr(li, "id"), "post_")
	if id == "" {
		return scraper.Post{}, false
	}
	msg := scraper.First(li, vb4SelMessage)
	if msg.Length() == 0 {
		// vBSEO likes rows and ads copy the post markup but carry no message.
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: id}
	counter := scraper.First(li, vb4SelCounter)
	if n, ok := scraper.PostNumber(scraper.TextLine(counter)); ok {
		post.Number = scraper.Int(n)
	} else if n, ok := scraper.PostNumber(scraper.Attr(scraper.First(li, vb4SelCountAnchor), "name")); ok {
		post.Number = scraper.Int(n)
	}
	post.URL = scraper.ResolvePtr(in.URL, scraper.Attr(counter, "href"))

	date := scraper.First(li, vb4SelDate)
	post.PostedText = scraper.Str(scraper.TextLine(date))
	if post.PostedText != nil {
		post.PostedAt, _ = vbParseDate(*post.PostedText, in)
	}
	if ed := scraper.First(li, vb4SelEdited); ed.Length() > 0 {
		post.EditedAt = vbEdited(scraper.TextLine(ed), in)
	}

	post.Author = vb4Author(li, in)

	content := scraper.First(msg, vb4SelContent)
	if content.Length() == 0 {
		content = msg
	}
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(content, vbBBQuoteRules)

	if sig := scraper.First(li, vb4SelSignature); sig.Length() > 0 {
		inner := scraper.First(sig, vb4SelSigInner)
		if inner.Length() == 0 {
			inner = sig
		}
		post.SignatureText = scraper.Str(scraper.Text(inner))
	}
	return post, true
}

func vb4Author(li *goquery.Selection, in scraper.Input) scraper.Author {
	var a scraper.Author
	user := scraper.First(li, vb4SelUser)
	name := scraper.TextLine(scraper.First(user, vbSelStrong))
	if name == "" {
		name = scraper.TextLine(user)
	}
	a.Name = scraper.Str(name)
	if href := scraper.Attr(user, "href"); href != "" {
		a.URL = scraper.ResolvePtr(in.URL, href)
		a.ID = scraper.Str(vbUserID(href))
	}
	if a.ID == nil {
		a.ID = scraper.Str(vbUserIDFromRep(li))
	}
	a.Title = scraper.Str(scraper.TextLine(scraper.First(li, vb4SelUserTitle)))
	scraper.DLPairs(li.FindMatcher(vb4SelExtra), func(dt, dd *goquery.Selection) {
		vbSidebar(&a, scraper.TextLine(dt), scraper.TextLine(dd), in)
	})
	return a
}

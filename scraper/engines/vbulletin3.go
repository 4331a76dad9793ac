package engines

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/forumarc/forumarc/scraper"
)

// vbulletin3 reads vBulletin 3.x thread pages: table-based posts in both the
// postbit (horizontal) and postbit_legacy (sidebar) templates.
type vbulletin3Engine struct{}

func init() { scraper.Register(vbulletin3Engine{}) }

var (
	vb3SelDetect     = scraper.Guarded(scraper.MustCompile(`a.bigusername, table[id^="post"] div[id^="post_message_"], td[id^="td_post_"] div[id^="post_message_"]`), atom.A, atom.Div)
	vb3SelPosts      = scraper.MustCompile(`table[id^="post"]`)
	vb3SelMessage    = scraper.MustCompile(`div[id^="post_message_"]`)
	vb3SelDateAnchor = scraper.MustCompile(`a[name^="post"]`)
	vb3SelCount      = scraper.MustCompile(`a[id^="postcount"]`)
	vb3SelUser       = scraper.MustCompile(`a.bigusername`)
	vb3SelPostMenu   = scraper.MustCompile(`div[id^="postmenu_"]`)
	vb3SelSmall      = scraper.MustCompile(`div.smallfont`)
	vb3SelStat       = scraper.MustCompile(`div.smallfont > div`)
	vb3SelPostCell   = scraper.MustCompile(`td[id^="td_post_"]`)
	vb3SelEdited     = scraper.MustCompile(`div.smallfont > em`)
	vb3SelDiv        = scraper.MustCompile(`div`)
	vb3SelNavTitle   = scraper.MustCompile(`td.navbar strong`)
	vb3SelReload     = scraper.MustCompile(`td.navbar a[href*="showthread.php"]`)
	vb3SelCrumbs     = scraper.MustCompile(`span.navbar a`)
	vb3SelPageNav    = scraper.MustCompile(`div.pagenav`)
	vb3SelPageOf     = scraper.MustCompile(`td.vbmenu_control`)
	vb3SelCurrent    = scraper.MustCompile(`td.alt2 strong, span[title^="Showing results"] strong`)
)

// vb3QuoteRules match the vBulletin 3 bbcode_quote template: a div holding a
// "Quote:" label and a one-cell table, with an "Originally Posted by" line when the
// quote names its author.
var vb3QuoteRules = scraper.QuoteRules{
	Quote:  vb3QuoteBlock{},
	Chrome: scraper.MustCompile(`div.smallfont, td.alt2 > div:first-child:not(:last-child)`),
	// The "Code:" / "PHP:" labels above code boxes; members cannot write classes.
	Noise: scraper.MustCompile(`div.smallfont`),
	Info: func(q *goquery.Selection) (string, string) {
		by := scraper.First(q, vb3SelQuoteBy)
		if by.Length() == 0 {
			return "", ""
		}
		id := ""
		by.FindMatcher(vbSelAHref).EachWithBreak(func(_ int, a *goquery.Selection) bool {
			id = vbPostIDFromHref(scraper.Attr(a, "href"))
			return id == ""
		})
		return scraper.TextLine(scraper.First(by, vbSelStrong)), id
	},
}

var (
	vb3SelQuoteBy = scraper.MustCompile(`td.alt2 > div:first-child:not(:last-child)`)
	vb3SelAlt2    = scraper.MustCompile(`td.alt2`)
)

// vb3QuoteBlock matches the outer div of a vBulletin 3 quote: a div.smallfont label
// child and a table child holding td.alt2 (code blocks use pre.alt2 instead).
type vb3QuoteBlock struct{}

func (vb3QuoteBlock) Match(n *html.Node) bool {
	if n.Type != html.ElementNode || n.DataAtom != atom.Div {
		return false
	}
	label, table := false, false
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		switch c.DataAtom {
		case atom.Div:
			label = label || scraper.HasClass(c, "smallfont")
		case atom.Table:
			table = table || cascadia.Query(c, vb3SelAlt2) != nil
		}
	}
	return label && table
}

// vb3Info is built once: Detect runs for every engine on every page and asks
// each engine its name, so Info must not allocate.
var vb3Info = scraper.EngineInfo{
	Name:        "vbulletin3",
	Description: "vBulletin 3.x (table postbit and postbit_legacy layouts)",
	Fields: []string{"thread.id", "thread.title", "thread.url", "thread.forum_path", "page.number", "page.total", "page.next_url",
		"post.id", "post.number", "post.url", "post.posted_at", "post.posted_text", "post.edited_at", "post.body", "post.signature", "post.quotes",
		"author.name", "author.id", "author.url", "author.title", "author.joined", "author.messages", "author.location", "author.extras"},
}

func (vbulletin3Engine) Info() scraper.EngineInfo { return vb3Info }

// Detect trusts the generator meta first; without one, vBulletin 3's table posts
// and a.bigusername set it apart from 4 (li.postcontainer) and 5 (li.b-post).
func (vbulletin3Engine) Detect(doc *goquery.Document) bool {
	return vbDetect(doc, 3, vb3SelDetect)
}

func (vbulletin3Engine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	return vbExtract(doc, in, vb3SelPosts, vb3PageInfo, vb3Thread, vb3Post), nil
}

// PageURL implements scraper.PageLinker.
func (vbulletin3Engine) PageURL(threadURL string, n int) (string, bool) {
	return vbPageURL(threadURL, n)
}

func vb3Thread(doc *goquery.Document, in, links scraper.Input, page int) scraper.Thread {
	t := scraper.Thread{ForumPath: []string{}}
	title := scraper.TextLine(doc.FindMatcher(vb3SelNavTitle).Last())
	if title == "" {
		title = vbDocTitle(doc)
	}
	t.Title = scraper.Str(title)
	t.ForumPath = append(t.ForumPath, scraper.Texts(doc.FindMatcher(vb3SelCrumbs))...)
	t.URL = vbThreadURL(doc, in, links, page)
	if t.URL != nil {
		t.ID = scraper.Str(vbThreadID(vbParseURL(*t.URL)))
	}
	if t.ID == nil {
		t.ID = scraper.Str(vbThreadID(in.URL))
	}
	vbThreadFromLink(&t, doc.FindMatcher(vb3SelReload).Last(), links)
	return t
}

func vb3PageInfo(doc *goquery.Document, in, links scraper.Input) scraper.PageInfo {
	var pi scraper.PageInfo
	nav := scraper.First(doc.Selection, vb3SelPageNav)
	if nav.Length() > 0 {
		if n, total, ok := vbPageOf(scraper.TextLine(scraper.First(nav, vb3SelPageOf))); ok {
			pi.Number, pi.Total = n, scraper.Int(total)
		}
		if pi.Number == 0 {
			if n, ok := scraper.Atoi(scraper.TextLine(scraper.First(nav, vb3SelCurrent))); ok {
				pi.Number = n
			}
		}
		pi.NextURL = scraper.ResolvePtr(links.URL, scraper.Attr(scraper.First(nav, vbSelRelNext), "href"))
	}
	if pi.Number == 0 {
		pi.Number = vbPageFromURL(in.URL)
	}
	if pi.NextURL == nil && (pi.Total == nil || pi.Number < *pi.Total) {
		pi.NextURL = vbNextFromHead(doc, links)
	}
	return pi
}

func vb3Post(t *goquery.Selection, in scraper.Input) (scraper.Post, bool) {
	id := vbIDDigits(scraper.Attr(t, "id"), "post")
	if id == "" {
		return scraper.Post{}, false
	}
	msg := scraper.First(t, vb3SelMessage)
	if msg.Length() == 0 || vbIDDigits(scraper.Attr(msg, "id"), "post_message_") != id {
		// Ads and "thanks" rows reuse the table look without a message of their own.
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: id}

	count := scraper.First(t, vb3SelCount)
	if n, ok := scraper.PostNumber(scraper.TextLine(count)); ok {
		post.Number = scraper.Int(n)
	} else if n, ok := scraper.PostNumber(scraper.Attr(count, "name")); ok {
		post.Number = scraper.Int(n)
	}
	post.URL = scraper.ResolvePtr(in.URL, scraper.Attr(count, "href"))

	if anchor := scraper.First(t, vb3SelDateAnchor); anchor.Length() > 0 {
		post.PostedText = scraper.Str(scraper.TextLine(anchor.Parent()))
		if post.PostedText != nil {
			post.PostedAt, _ = vbParseDate(*post.PostedText, in)
		}
	}

	post.Author = vb3Author(t, in)

	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(msg, vb3QuoteRules)

	cell := msg.ParentsMatcher(vb3SelPostCell).First()
	if cell.Length() == 0 {
		cell = msg.Parent()
	}
	msg.NextAllMatcher(vb3SelDiv).EachWithBreak(func(_ int, d *goquery.Selection) bool {
		text := scraper.Text(d)
		if strings.HasPrefix(text, "____") {
			post.SignatureText = scraper.Str(strings.TrimSpace(strings.TrimLeft(text, "_")))
			return false
		}
		return true
	})
	if ed := scraper.First(cell, vb3SelEdited); ed.Length() > 0 {
		post.EditedAt = vbEdited(scraper.TextLine(ed), in)
	}
	return post, true
}

func vb3Author(t *goquery.Selection, in scraper.Input) scraper.Author {
	var a scraper.Author
	menu := scraper.First(t, vb3SelPostMenu)
	user := scraper.First(t, vb3SelUser)
	if user.Length() > 0 {
		a.Name = scraper.Str(scraper.TextLine(user))
		if href := scraper.Attr(user, "href"); href != "" {
			a.URL = scraper.ResolvePtr(in.URL, href)
			a.ID = scraper.Str(vbUserID(href))
		}
	} else {
		// Guests have no profile link; their name is the menu's text.
		a.Name = scraper.Str(scraper.Clean(scraper.Text(menu)))
	}
	if a.ID == nil {
		a.ID = scraper.Str(vbUserIDFromRep(t))
	}
	if title := menu.NextMatcher(vb3SelSmall); title.Length() > 0 &&
		title.ChildrenMatcher(vb3SelDiv).Length() == 0 && title.FindMatcher(vbSelImg).Length() == 0 {
		a.Title = scraper.Str(scraper.TextLine(title))
	}
	t.FindMatcher(vb3SelStat).Each(func(_ int, d *goquery.Selection) {
		if d.ParentsMatcher(vb3SelPostCell).Length() > 0 {
			return
		}
		label, value, ok := strings.Cut(scraper.TextLine(d), ":")
		if !ok {
			return
		}
		vbSidebar(&a, label, value, in)
	})
	return a
}

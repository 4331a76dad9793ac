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

// discEngine reads the server-rendered "crawler view" of a Discourse topic: the page
// Discourse sends to clients without JavaScript (search engines, forumarc). The
// JavaScript app's own data comes from the JSON API, read by discourse_api.go.
//
// Post ids: the crawler view does not print Discourse's global post ids, only each
// post's number within the topic (div#post_3, span[itemprop=position]). The post
// number is unique within a thread and is what post links (/t/slug/123/3) and quotes
// (aside.quote[data-post]) use, so this reader uses it as the post id.
type discEngine struct{}

func init() { scraper.Register(discEngine{}) }

var _ scraper.PageLinker = discEngine{}

var (
	// Post containers are found through their body: both the current layout
	// (div.topic-body.crawler-post > div.post[itemprop=text]) and the pre-2019 one
	// (div[itemtype=DiscussionForumPosting] > div.post[itemprop=articleBody]).
	discSelBody      = discSel("#main-outlet div.post[itemprop=text], #main-outlet div.post[itemprop=articleBody]")
	discSelNumber    = discSel("[itemprop=position]")
	discSelCreator   = discSel(".creator")
	discSelName      = discSel("[itemprop=author] [itemprop=name], b[itemprop=author], [itemprop=name]")
	discSelLink      = discSel("a[href]")
	discSelTime      = discSel("time.post-time[datetime], time[itemprop=datePublished][datetime]")
	discSelPublished = discSel("meta[itemprop=datePublished]")
	discSelModified  = discSel("meta[itemprop=dateModified]")
	discSelTitle     = discSel("#topic-title h1, #main-outlet h1")
	discSelCategory  = discSel(".topic-category .category-name, #breadcrumbs [itemprop=title]")
	discSelCanon     = discSel("head link[rel=canonical]")
	discSelNext      = discSel("head link[rel=next], #main-outlet a[rel=next]")
	discSelQuote     = discSel("aside.quote")

	discQuotes = scraper.QuoteRules{
		Quote:  discSelQuote,
		Chrome: scraper.MustCompile("aside.quote > .title, .quote-controls"),
		Noise:  scraper.MustCompile(".lightbox-wrapper .meta, .cooked-date, script"),
		Info: func(q *goquery.Selection) (string, string) {
			return scraper.Attr(q, "data-username"), scraper.Attr(q, "data-post")
		},
	}

	discParenRe = regexp.MustCompile(`\(([^()]+)\)`)
	discTopicRe = regexp.MustCompile(`^(.*?)/t/(?:([^/]+)/)?(\d+)(?:/(\d+))?/?$`)
)

func (discEngine) Info() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "discourse",
		Description: "Discourse (JSON API when the site serves it, else the crawler view)",
		Fields: []string{"thread.id", "thread.title", "thread.url", "thread.forum_path", "page.number", "page.total", "page.next_url",
			"post.id", "post.number", "post.url", "author.name", "author.id", "author.url", "author.title", "author.extras",
			"post.posted_at", "post.edited_at", "post.body", "post.quotes"},
	}
}

// Detect reads only <head>: every Discourse page carries
// <meta name="generator" content="Discourse 3.x ...">.
func (discEngine) Detect(doc *goquery.Document) bool {
	head := scraper.ChildElement(scraper.HTMLNode(doc), "head")
	if head == nil {
		return false
	}
	for c := head.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.Data != "meta" {
			continue
		}
		var name, content string
		for _, a := range c.Attr {
			switch a.Key {
			case "name":
				name = a.Val
			case "content":
				content = a.Val
			}
		}
		if strings.EqualFold(name, "generator") && strings.HasPrefix(content, "Discourse") {
			return true
		}
	}
	return false
}

func (discEngine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	p := &scraper.Page{}
	p.Thread.Title = scraper.Str(scraper.TextLine(doc.FindMatcher(discSelTitle).First()))
	p.Thread.ForumPath = scraper.Texts(doc.FindMatcher(discSelCategory))

	pageURL := in.URL
	if c := scraper.Attr(doc.FindMatcher(discSelCanon).First(), "href"); c != "" {
		if u, err := url.Parse(scraper.Resolve(in.URL, c)); err == nil && u.Host != "" {
			pageURL = u
		}
	}
	threadURL := ""
	if pageURL != nil {
		if base, slug, id, ok := discSplitTopic(pageURL); ok {
			threadURL = discThreadURL(base, slug, id)
			p.Thread.ID = scraper.Str(id)
			p.Thread.URL = scraper.Str(threadURL)
		}
		p.Page.Number = 1
		if n, err := strconv.Atoi(pageURL.Query().Get("page")); err == nil && n > 0 {
			p.Page.Number = n
		}
		if in.URL != nil {
			if n, err := strconv.Atoi(in.URL.Query().Get("page")); err == nil && n > 0 {
				p.Page.Number = n
			}
		}
	}
	if next := scraper.Attr(doc.FindMatcher(discSelNext).First(), "href"); next != "" {
		p.Page.NextURL = scraper.ResolvePtr(in.URL, next)
	} else {
		// No next link: this is the last page, so its number is the total.
		p.Page.Total = scraper.Int(p.Page.Number)
	}

	doc.FindMatcher(discSelBody).Each(func(_ int, body *goquery.Selection) {
		if post, ok := discPost(body.Parent(), body, threadURL, in); ok {
			p.Posts = append(p.Posts, post)
		}
	})
	return p, nil
}

func discPost(s, body *goquery.Selection, threadURL string, in scraper.Input) (scraper.Post, bool) {
	var post scraper.Post
	n, ok := scraper.Atoi(scraper.TextLine(s.FindMatcher(discSelNumber).First()))
	if !ok {
		// div#post_3 in current versions.
		if n, ok = scraper.Atoi(strings.TrimPrefix(scraper.Attr(s, "id"), "post_")); !ok {
			return post, false
		}
	}
	post.ID = strconv.Itoa(n)
	post.Number = scraper.Int(n)
	if threadURL != "" {
		post.URL = scraper.Str(threadURL + "/" + post.ID)
	}

	creator := s.FindMatcher(discSelCreator).First()
	name := scraper.TextLine(creator.FindMatcher(discSelName).First())
	post.Author.Name = scraper.Str(name)
	post.Author.URL = scraper.ResolvePtr(in.URL, scraper.Attr(creator.FindMatcher(discSelLink).First(), "href"))
	// "alice (Alice Example)": the full name when the site shows it.
	rest := strings.Replace(scraper.TextSkipping(creator, discSelTime), name, "", 1)
	if m := discParenRe.FindStringSubmatch(rest); m != nil {
		post.Author.Extras = map[string]string{"Full name": scraper.Clean(m[1])}
	}

	if t := s.FindMatcher(discSelTime).First(); t.Length() > 0 {
		post.PostedText = scraper.Str(scraper.TextLine(t))
		if ts, ok := scraper.ParseMachineTime(scraper.Attr(t, "datetime")); ok {
			post.PostedAt = scraper.UTCTime(ts)
		}
	}
	if post.PostedAt == nil {
		if ts, ok := scraper.ParseMachineTime(scraper.Attr(s.FindMatcher(discSelPublished).First(), "content")); ok {
			post.PostedAt = scraper.UTCTime(ts)
		}
	}
	if ts, ok := scraper.ParseMachineTime(scraper.Attr(s.FindMatcher(discSelModified).First(), "content")); ok &&
		post.PostedAt != nil && ts.After(post.PostedAt.Add(time.Minute)) {
		post.EditedAt = scraper.UTCTime(ts)
	}
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(body, discQuotes)
	return post, true
}

// discSplitTopic splits a topic URL "https://host/forum/t/some-slug/1234/5?page=2"
// into its base ("https://host/forum"), slug and topic id.
func discSplitTopic(u *url.URL) (base, slug, id string, ok bool) {
	m := discTopicRe.FindStringSubmatch(strings.TrimSuffix(u.Path, ".json"))
	if m == nil {
		return "", "", "", false
	}
	b := url.URL{Scheme: u.Scheme, Host: u.Host, Path: m[1]}
	return strings.TrimSuffix(b.String(), "/"), m[2], m[3], true
}

func discThreadURL(base, slug, id string) string {
	if slug == "" {
		return base + "/t/" + id
	}
	return base + "/t/" + slug + "/" + id
}

// PageURL builds page n of a topic's crawler view: "/t/slug/123?page=n".
func (discEngine) PageURL(threadURL string, n int) (string, bool) {
	u, err := url.Parse(threadURL)
	if err != nil || n < 1 {
		return "", false
	}
	base, slug, id, ok := discSplitTopic(u)
	if !ok {
		return "", false
	}
	out := discThreadURL(base, slug, id)
	if n > 1 {
		out += "?page=" + strconv.Itoa(n)
	}
	return out, true
}

// discSel compiles a selector group at init for goquery's FindMatcher.
func discSel(sel string) discMatcher { return discMatcher{scraper.MustCompile(sel)} }

// discMatcher adapts a cascadia matcher to goquery.Matcher.
type discMatcher struct{ cascadia.Matcher }

// MatchAll includes n itself, as goquery expects (cascadia.QueryAll only looks below n).
func (m discMatcher) MatchAll(n *html.Node) []*html.Node {
	var out []*html.Node
	if m.Match(n) {
		out = append(out, n)
	}
	return append(out, cascadia.QueryAll(n, m.Matcher)...)
}

func (m discMatcher) Filter(nodes []*html.Node) []*html.Node {
	var out []*html.Node
	for _, n := range nodes {
		if m.Match(n) {
			out = append(out, n)
		}
	}
	return out
}

// DetectCost: only <head>'s meta elements are read.
func (discEngine) DetectCost() int { return 2 }

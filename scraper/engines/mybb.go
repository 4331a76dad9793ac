package engines

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/forumarc/forumarc/scraper"
)

// mybb reads MyBB 1.8 showthread pages (classic and horizontal postbit). MyBB themes
// keep the postbit class names of the default templates, so the selectors below follow
// postbit_classic / postbit and the mycode_quote template.
type mybb struct{}

func init() { scraper.Register(mybb{}) }

var (
	// mybbDetect matches markup only MyBB emits: its general.js, the post body ids of
	// the postbit templates and the quick-reply form.
	mybbDetect = scraper.Guarded(scraper.MustCompile(`script[src*="jscripts/general.js"], div.post_body[id^="pid_"], form#quick_reply_form input[name="my_post_key"]`),
		atom.Script, atom.Div, atom.Input)

	mybbPost        = scraper.MustCompile(`div.post[id^="post_"]`)
	mybbAuthor      = scraper.MustCompile(`.post_author`)
	mybbName        = scraper.MustCompile(`.largetext, .postbit_username`)
	mybbNameLink    = scraper.MustCompile(`a[href]`)
	mybbUserTitle   = scraper.MustCompile(`.postbit_usertitle`)
	mybbAuthorInfo  = scraper.MustCompile(`.author_information .smalltext`)
	mybbStats       = scraper.MustCompile(`.author_statistics`)
	mybbUIDLink     = scraper.MustCompile(`a[href*="uid="]`)
	mybbButtonUID   = scraper.MustCompile(`.post_controls a[href*="uid="]`)
	mybbDate        = scraper.MustCompile(`.post_date`)
	mybbEdit        = scraper.MustCompile(`.post_edit, .edited_post, [id^="edited_by_"]`)
	mybbBody        = scraper.MustCompile(`.post_body`)
	mybbSignature   = scraper.MustCompile(`.signature`)
	mybbHeadLink    = scraper.MustCompile(`.post_head a[href]`)
	mybbQuote       = scraper.MustCompile(`blockquote.mycode_quote, blockquote`)
	mybbQuoteChrome = scraper.MustCompile(`cite`)
	mybbQuoteNoise  = scraper.MustCompile(`.quick_jump, .codeblock > .title, .phpcodeblock > .title`)
	mybbQuoteLink   = scraper.MustCompile(`a[href*="pid"]`)

	mybbNavActive   = scraper.MustCompile(`.navigation .active, .breadcrumb .active`)
	mybbNavLinks    = scraper.MustCompile(`.navigation a[href], .breadcrumb li:not(.first_crumb) a[href]`)
	mybbThead       = scraper.MustCompile(`td.thead strong, div.thead strong`)
	mybbTitleTag    = scraper.MustCompile(`title`)
	mybbCanonical   = scraper.MustCompile(`link[rel="canonical"]`)
	mybbTIDInput    = scraper.MustCompile(`input[name="tid"]`)
	mybbTIDLink     = scraper.MustCompile(`a[href*="newreply.php?tid="], a[href*="printthread.php?tid="], a[href*="sendthread.php?tid="]`)
	mybbPagination  = scraper.MustCompile(`.pagination`)
	mybbPageCurrent = scraper.MustCompile(`.pagination_current`)
	mybbPageNext    = scraper.MustCompile(`a.pagination_next`)
	mybbPageNums    = scraper.MustCompile(`a.pagination_page, a.pagination_last, a.pagination_first, .pagination_current`)
	mybbPagesLabel  = scraper.MustCompile(`.pages`)
	mybbRelNext     = scraper.MustCompile(`link[rel="next"]`)
)

// mybbReputationLabels are MyBB's "Reputation" in the languages its packs ship. MyBB
// reputation is a per-user score given with comments, not a reaction count, so it is
// kept under Extras rather than mapped onto ReactionScore.
var mybbReputationLabels = map[string]bool{
	"reputation": true, "réputation": true, "reputación": true, "reputação": true, "reputazione": true,
	"reputacja": true, "reputatie": true, "ansehen": true, "bewertung": true, "bewertungen": true,
	"репутация": true, "itibar": true, "rep": true,
}

// mybbWrote are the "wrote" words MyBB language packs put after a quoted name.
var mybbWrote = []string{
	"wrote:", "schrieb:", "a écrit :", "a écrit:", "escribió:", "escreveu:", "ha scritto:", "scrisse:",
	"napisał(a):", "napisał:", "schreef:", "yazdı:", "написал:", "написал(а):", "skrev:", "kirjoitti:",
}

var (
	mybbDateRe     = regexp.MustCompile(`\d{1,4}[-./]\d{1,2}[-./]\d{1,4}(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?`)
	mybbOrdinal    = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)\b`)
	mybbTrailBrack = regexp.MustCompile(`\s*\[[^\]]*\]\s*$`)
	mybbSEOPage    = regexp.MustCompile(`^(.*thread-\d+)(?:-page-\d+)?(\.html?)$`)
	mybbNumberRe   = regexp.MustCompile(`^#\s*\d[\d,.\s\x{00a0}\x{202f}]*$`)
	mybbRelDay     = regexp.MustCompile(`(?i)^(today|yesterday|heute|gestern|aujourd'hui|hier|hoy|ayer|oggi|ieri|hoje|ontem|сегодня|вчера|dzisiaj|wczoraj|vandaag|gisteren|bugün|dün)\s*,?\s*(?:at\s+|um\s+|à\s+)?(.*)$`)
)

func (mybb) Info() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "mybb",
		Description: "MyBB 1.8 (classic and horizontal postbit, SEO and plain URLs)",
		Fields: []string{"thread.id", "thread.title", "thread.prefix", "thread.url", "thread.forum_path",
			"page.number", "page.total", "page.next_url", "post.id", "post.number", "post.url",
			"author.name", "author.id", "author.url", "author.title", "author.joined", "author.messages",
			"author.extras", "post.posted_at", "post.edited_at", "post.body", "post.quotes", "post.signature"},
	}
}

func (mybb) Detect(doc *goquery.Document) bool {
	return scraper.Has(doc, mybbDetect)
}

func (e mybb) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	p := &scraper.Page{}
	mybbThread(doc, in, p)
	mybbPages(doc, in, p)
	quoteRules := scraper.QuoteRules{
		Quote:  mybbQuote,
		Chrome: mybbQuoteChrome,
		Noise:  mybbQuoteNoise,
		Info:   mybbQuoteInfo,
	}
	doc.FindMatcher(mybbPost).Each(func(_ int, s *goquery.Selection) {
		if post, ok := mybbReadPost(s, in, quoteRules); ok {
			p.Posts = append(p.Posts, post)
		}
	})
	return p, nil
}

func mybbReadPost(s *goquery.Selection, in scraper.Input, rules scraper.QuoteRules) (scraper.Post, bool) {
	id := strings.TrimPrefix(scraper.Attr(s, "id"), "post_")
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: id}
	for _, a := range s.FindMatcher(mybbHeadLink).Nodes {
		sel := goquery.NewDocumentFromNode(a).Selection
		if txt := scraper.TextLine(sel); mybbNumberRe.MatchString(txt) {
			n, _ := scraper.PostNumber(txt)
			post.Number = scraper.Int(n)
			post.URL = scraper.ResolvePtr(in.URL, scraper.Attr(sel, "href"))
			break
		}
	}
	if post.URL == nil && in.URL != nil {
		post.URL = scraper.ResolvePtr(in.URL, "#pid"+id)
	}
	post.Author = mybbReadAuthor(s, in)

	if d := scraper.First(s, mybbDate); d.Length() > 0 {
		shown := scraper.Clean(scraper.TextSkipping(d, mybbEdit))
		post.PostedText = scraper.Str(shown)
		if t, ok := mybbParseDate(mybbResolvedText(d.Nodes[0], true, false), in); ok {
			post.PostedAt = scraper.UTCTime(t)
		}
	}
	if ed := scraper.First(s, mybbEdit); ed.Length() > 0 {
		if m := mybbDateRe.FindString(mybbResolvedText(ed.Nodes[0], false, false)); m != "" {
			if t, ok := mybbParseDate(m, in); ok {
				post.EditedAt = scraper.UTCTime(t)
			}
		}
	}

	body := scraper.First(s, mybbBody)
	post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(body, rules)

	if sig := scraper.First(s, mybbSignature); sig.Length() > 0 {
		text := scraper.Text(sig)
		if text == "" {
			// Some themes close the signature divider and put the signature in the
			// element right after it.
			if next := sig.Next(); next.Length() > 0 && goquery.NodeName(next) == "div" {
				text = scraper.Text(next)
			}
		}
		post.SignatureText = scraper.Str(text)
	}
	return post, true
}

func mybbReadAuthor(s *goquery.Selection, in scraper.Input) scraper.Author {
	var a scraper.Author
	pa := scraper.First(s, mybbAuthor)
	if pa.Length() == 0 {
		pa = s
	}
	if name := scraper.First(pa, mybbName); name.Length() > 0 {
		a.Name = scraper.Str(scraper.TextLine(name))
		if link := scraper.First(name, mybbNameLink); link.Length() > 0 {
			href := scraper.Attr(link, "href")
			a.URL = scraper.ResolvePtr(in.URL, href)
			a.ID = scraper.Str(mybbQueryParam(href, "uid"))
		}
	}
	if a.ID == nil && a.URL != nil {
		// SEO profile links ("User-Name") carry no uid; the reputation link in the
		// sidebar and the email/PM/find buttons of the same post do (never the body,
		// which may link to other members).
		links := append(pa.FindMatcher(mybbUIDLink).Nodes, s.FindMatcher(mybbButtonUID).Nodes...)
		for _, n := range links {
			if uid := mybbQueryParam(scraper.NodeAttr(n, "href"), "uid"); uid != "" {
				a.ID = scraper.Str(uid)
				break
			}
		}
	}
	if t := scraper.First(pa, mybbUserTitle); t.Length() > 0 {
		a.Title = scraper.Str(scraper.TextLine(t))
	} else if info := scraper.First(pa, mybbAuthorInfo); info.Length() > 0 {
		for _, line := range strings.Split(scraper.Text(info), "\n") {
			if line = scraper.Clean(line); line != "" {
				a.Title = scraper.Str(line)
				break
			}
		}
	}
	if st := scraper.First(pa, mybbStats); st.Length() > 0 {
		unlabelled := 0
		for _, line := range strings.Split(scraper.Text(st), "\n") {
			line = scraper.Clean(line)
			if line == "" {
				continue
			}
			label, value, ok := strings.Cut(line, ":")
			label, value = strings.TrimSpace(label), strings.TrimSpace(value)
			if !ok || label == "" || value == "" {
				// A line without a label (a service badge, an award) is still shown.
				unlabelled++
				key := "Note"
				if unlabelled > 1 {
					key += " " + strconv.Itoa(unlabelled)
				}
				a.SetExtra(key, line)
				continue
			}
			value = mybbTrailBrack.ReplaceAllString(value, "")
			if mybbReputationLabels[strings.ToLower(label)] {
				a.SetExtra(label, value)
				continue
			}
			scraper.ApplySidebar(&a, label, value, in)
		}
	}
	return a
}

// mybbQuoteInfo reads the quoted author from the <cite> ("(date) Name Wrote:") and the
// quoted post id from its jump link.
func mybbQuoteInfo(q *goquery.Selection) (author, postID string) {
	cite := q.ChildrenMatcher(mybbQuoteChrome).First()
	if cite.Length() == 0 {
		return "", ""
	}
	if link := scraper.First(cite, mybbQuoteLink); link.Length() > 0 {
		href := scraper.Attr(link, "href")
		postID = mybbQueryParam(href, "pid")
		if postID == "" {
			if i := strings.LastIndex(href, "#pid"); i >= 0 {
				postID = scraper.Digits(href[i:])
			}
		}
	}
	// The cite's own text nodes hold "Name Wrote:"; the date sits in a child span.
	var b strings.Builder
	for c := cite.Nodes[0].FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	text := scraper.Clean(b.String())
	lower := strings.ToLower(text)
	for _, w := range mybbWrote {
		if strings.HasSuffix(lower, w) {
			return strings.TrimSpace(text[:len(text)-len(w)]), postID
		}
	}
	if strings.HasSuffix(text, ":") {
		if i := strings.LastIndexByte(text, ' '); i > 0 {
			return strings.TrimSpace(text[:i]), postID
		}
		return "", postID // a bare "Quote:" heading names nobody
	}
	return text, postID
}

func mybbThread(doc *goquery.Document, in scraper.Input, p *scraper.Page) {
	title := ""
	if act := scraper.First(doc.Selection, mybbNavActive); act.Length() > 0 {
		title = scraper.TextLine(act)
	}
	if title == "" {
		title = scraper.TextLine(scraper.First(doc.Selection, mybbTitleTag))
	}
	for _, n := range doc.FindMatcher(mybbThead).Nodes {
		t := scraper.Clean(scraper.TextOf(n, nil))
		if title == "" {
			break
		}
		if t != title && strings.HasSuffix(t, " "+title) {
			// The thread header shows "{prefix} {subject}"; the breadcrumb only the subject.
			p.Thread.Prefix = scraper.Str(strings.TrimSpace(strings.TrimSuffix(t, title)))
			break
		}
		if t == title {
			break
		}
	}
	p.Thread.Title = scraper.Str(title)

	for _, n := range doc.FindMatcher(mybbNavLinks).Nodes {
		sel := goquery.NewDocumentFromNode(n).Selection
		if t := scraper.TextLine(sel); t != "" && !sel.HasClass("active") {
			p.Thread.ForumPath = append(p.Thread.ForumPath, t)
		}
	}

	tid := ""
	if v := scraper.Attr(scraper.First(doc.Selection, mybbTIDInput), "value"); scraper.Digits(v) == v {
		tid = v
	}
	if tid == "" {
		for _, n := range doc.FindMatcher(mybbTIDLink).Nodes {
			if tid = mybbQueryParam(scraper.NodeAttr(n, "href"), "tid"); tid != "" {
				break
			}
		}
	}
	if tid == "" && in.URL != nil {
		tid = in.URL.Query().Get("tid")
		if m := mybbSEOPage.FindStringSubmatch(in.URL.Path); tid == "" && m != nil {
			tid = scraper.LastDigits(m[1])
		}
	}
	p.Thread.ID = scraper.Str(tid)

	if c := scraper.Attr(scraper.First(doc.Selection, mybbCanonical), "href"); c != "" {
		p.Thread.URL = scraper.ResolvePtr(in.URL, c)
	} else if in.URL != nil {
		if u, ok := (mybb{}).PageURL(in.URL.String(), 1); ok {
			p.Thread.URL = scraper.Str(u)
		}
	}
}

func mybbPages(doc *goquery.Document, in scraper.Input, p *scraper.Page) {
	pg := scraper.First(doc.Selection, mybbPagination)
	if pg.Length() > 0 {
		if n, ok := scraper.Atoi(scraper.TextLine(scraper.First(pg, mybbPageCurrent))); ok {
			p.Page.Number = n
		}
		total := p.Page.Number
		pg.FindMatcher(mybbPageNums).Each(func(_ int, s *goquery.Selection) {
			if n, ok := scraper.Atoi(scraper.TextLine(s)); ok && n > total {
				total = n
			}
		})
		// "Pages (5):" states the total even when the links skip pages.
		if n, ok := scraper.Atoi(scraper.TextLine(scraper.First(pg, mybbPagesLabel))); ok && n > total {
			total = n
		}
		if total > 0 {
			p.Page.Total = scraper.Int(total)
		}
		if next := scraper.First(pg, mybbPageNext); next.Length() > 0 {
			p.Page.NextURL = scraper.ResolvePtr(in.URL, scraper.Attr(next, "href"))
		}
	}
	if p.Page.NextURL == nil {
		if href := scraper.Attr(scraper.First(doc.Selection, mybbRelNext), "href"); href != "" {
			p.Page.NextURL = scraper.ResolvePtr(in.URL, href)
		}
	}
	if p.Page.Number == 0 && in.URL != nil {
		if n, err := strconv.Atoi(in.URL.Query().Get("page")); err == nil && n > 0 {
			p.Page.Number = n
		}
	}
	if p.Page.Number == 0 {
		p.Page.Number = 1
	}
	if p.Page.Total == nil && p.Page.NextURL == nil {
		p.Page.Total = scraper.Int(p.Page.Number)
	}
}

// PageURL builds page n of a thread: "?page=N" on showthread.php and on Google SEO
// style URLs, "thread-T-page-N.html" on MyBB's own SEO URLs.
func (mybb) PageURL(threadURL string, n int) (string, bool) {
	u, err := url.Parse(threadURL)
	if err != nil || n < 1 {
		return "", false
	}
	u.Fragment = ""
	if m := mybbSEOPage.FindStringSubmatch(u.Path); m != nil {
		u.Path = m[1] + m[2]
		if n > 1 {
			u.Path = m[1] + "-page-" + strconv.Itoa(n) + m[2]
		}
		u.RawPath = ""
		return u.String(), true
	}
	q := u.Query()
	q.Del("pid")
	q.Del("action")
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	} else {
		q.Del("page")
	}
	u.RawQuery = q.Encode()
	return u.String(), true
}

// mybbResolvedText is the text of a date element with every titled element replaced
// by its title: MyBB prints "Yesterday"/"5 minutes ago" with the real date in the
// title. skipEdit leaves out the "edited" note; lines keeps <br> as line breaks (the
// result is then trimmed, not collapsed onto one line).
func mybbResolvedText(n *html.Node, skipEdit, lines bool) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.TextNode:
				b.WriteString(strings.ReplaceAll(c.Data, "\n", " "))
			case c.Type != html.ElementNode:
			case lines && c.DataAtom == atom.Br:
				b.WriteString("\n")
			case skipEdit && mybbEdit.Match(c):
			default:
				if t := scraper.NodeAttr(c, "title"); t != "" && strings.ContainsAny(t, "0123456789") {
					b.WriteString(t)
					continue
				}
				walk(c)
			}
		}
	}
	walk(n)
	if lines {
		return strings.TrimSpace(b.String())
	}
	return scraper.Clean(b.String())
}

// mybbLayouts are MyBB's date settings (m-d-Y default, d.m.Y, Y-m-d, ...) joined with
// its time settings (h:i A default, H:i).
var mybbLayouts = func() []string {
	var out []string
	for _, d := range []string{"01-02-2006", "02.01.2006", "2006-01-02", "02/01/2006", "01/02/2006", "02-01-2006", "January 2, 2006", "2 January 2006", "Jan 2, 2006"} {
		for _, t := range []string{", 03:04 PM", ", 3:04 PM", ", 15:04", " 15:04", " 03:04 PM", ""} {
			out = append(out, d+t)
		}
	}
	return out
}()

func mybbParseDate(text string, in scraper.Input) (time.Time, bool) {
	text = scraper.Clean(text)
	if text == "" {
		return time.Time{}, false
	}
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	if m := mybbRelDay.FindStringSubmatch(text); m != nil {
		day := in.FetchedAt.In(loc)
		switch strings.ToLower(m[1]) {
		case "yesterday", "gestern", "hier", "ayer", "ieri", "ontem", "вчера", "wczoraj", "gisteren", "dün":
			day = day.AddDate(0, 0, -1)
		}
		for _, l := range []string{"03:04 PM", "3:04 PM", "15:04", "03:04PM"} {
			if t, err := time.ParseInLocation(l, strings.ToUpper(strings.TrimSpace(m[2])), loc); err == nil {
				return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, loc).UTC(), true
			}
		}
	}
	if t, ok := scraper.ParseDate(text, in); ok {
		return t, true
	}
	// "jS F Y" prints "29th December 2015".
	text = mybbOrdinal.ReplaceAllString(text, "$1")
	for _, l := range mybbLayouts {
		if t, err := time.ParseInLocation(l, text, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func mybbQueryParam(href, key string) string {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	v := u.Query().Get(key)
	if v != "" && scraper.Digits(v) == v {
		return v
	}
	return ""
}

// DetectCost: MyBB's marker script sits in <head>, so its own pages are found at once.
func (mybb) DetectCost() int { return 20 }

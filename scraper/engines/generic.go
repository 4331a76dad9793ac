package engines

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"

	"github.com/forumarc/forumarc/scraper"
)

// The generic engine reads forums no built-in engine knows, from a site profile: a
// YAML file naming the CSS selectors of each part of a thread page. Users describe
// their forum once instead of waiting for an engine. testdata/generic/PROFILE.md
// documents every key.

// genPlaceholder is the registered "generic" engine. It exists so `forumarc engines`
// lists generic and --engine generic gives a helpful error; the real engine is built
// from a profile by LoadProfile.
type genPlaceholder struct{}

func init() { scraper.Register(genPlaceholder{}) }

func (genPlaceholder) Info() scraper.EngineInfo { return genInfo() }

// Detect is false: without a profile the generic engine recognises nothing.
func (genPlaceholder) Detect(*goquery.Document) bool { return false }

func (genPlaceholder) Extract(*goquery.Document, scraper.Input) (*scraper.Page, error) {
	return nil, errors.New("the generic engine needs a site profile: describe the forum in a YAML file and pass --profile FILE")
}

func genInfo() scraper.EngineInfo {
	return scraper.EngineInfo{
		Name:        "generic",
		Description: "any forum described by a site profile (--profile FILE: CSS selectors, YAML or JSON)",
		Fields:      []string{"every field the profile names a selector for (see README, Site profiles)"},
	}
}

// genProfile is the YAML form of a site profile.
type genProfile struct {
	Name   string        `yaml:"name"`
	Detect string        `yaml:"detect"`
	Posts  string        `yaml:"posts"`
	Thread genThreadSpec `yaml:"thread"`
	Post   genPostSpec   `yaml:"post"`
	Pages  genPagesSpec  `yaml:"pages"`
	// Listing is optional: board pages, for crawls.
	Listing *genListingSpec `yaml:"listing"`
}

// genListingSpec describes the forum's board pages (thread lists), so `crawl` can
// discover threads on a profile site. Row keys are read inside each `threads` match.
type genListingSpec struct {
	Boards   *genField `yaml:"boards"`
	Threads  string    `yaml:"threads"`
	Link     *genField `yaml:"link"`
	Replies  *genField `yaml:"replies"`
	LastPost *genField `yaml:"last_post"`
	Next     *genField `yaml:"next"`

	threads cascadia.Matcher
}

type genThreadSpec struct {
	Title     *genField `yaml:"title"`
	Prefix    *genField `yaml:"prefix"`
	ID        *genField `yaml:"id"`
	URL       *genField `yaml:"url"`
	ForumPath *genField `yaml:"forum_path"`
}

type genPostSpec struct {
	ID          *genField     `yaml:"id"`
	Number      *genField     `yaml:"number"`
	URL         *genField     `yaml:"url"`
	Author      genAuthorSpec `yaml:"author"`
	Date        *genField     `yaml:"date"`
	Edited      *genField     `yaml:"edited"`
	Body        *genField     `yaml:"body"`
	Quote       *genField     `yaml:"quote"`
	QuoteAuthor *genField     `yaml:"quote_author"`
	QuotePostID *genField     `yaml:"quote_post_id"`
	QuoteChrome *genField     `yaml:"quote_chrome"`
	Signature   *genField     `yaml:"signature"`
	Ignore      *genField     `yaml:"ignore"`
}

type genAuthorSpec struct {
	Name     *genField `yaml:"name"`
	Link     *genField `yaml:"link"`
	ID       *genField `yaml:"id"`
	Title    *genField `yaml:"title"`
	Joined   *genField `yaml:"joined"`
	Messages *genField `yaml:"messages"`
	Location *genField `yaml:"location"`
	Pairs    *genPairs `yaml:"pairs"`
}

type genPairs struct {
	Item  string `yaml:"item"`
	Label string `yaml:"label"`
	Value string `yaml:"value"`

	item, label, value cascadia.Matcher
}

type genPagesSpec struct {
	Next    *genField `yaml:"next"`
	Current *genField `yaml:"current"`
	Total   *genField `yaml:"total"`
}

// genField locates one value: the element Selector matches (the enclosing element,
// such as the post, when empty), its text or attribute Attr, optionally narrowed by
// Regexp (its first group, or the whole match). Layout is the Go time layout of dates.
// In YAML a plain string is the selector alone.
type genField struct {
	Selector string `yaml:"selector"`
	Attr     string `yaml:"attr"`
	Regexp   string `yaml:"regexp"`
	Layout   string `yaml:"layout"`

	m  cascadia.Matcher
	re *regexp.Regexp
}

var genFieldKeys = map[string]bool{"selector": true, "attr": true, "regexp": true, "layout": true}

// UnmarshalYAML accepts "selector" or a mapping, rejecting unknown keys: yaml's
// KnownFields check does not reach into custom unmarshalers.
func (f *genField) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		f.Selector = n.Value
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if !genFieldKeys[k] {
				return fmt.Errorf("line %d: unknown key %q (want selector, attr, regexp or layout)", n.Content[i].Line, k)
			}
		}
		type plain genField
		return n.Decode((*plain)(f))
	default:
		return fmt.Errorf("line %d: want a selector string or a mapping", n.Line)
	}
}

// genEngine is an engine built from a profile. All selectors are compiled up front.
type genEngine struct {
	p             genProfile
	detect, posts cascadia.Matcher
	quotes        scraper.QuoteRules
}

// LoadProfile reads a site profile file and builds its engine, failing on the first
// bad selector or regexp so a typo is reported before any page is fetched.
func LoadProfile(path string) (scraper.Engine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	e, err := ParseProfile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}

// ParseProfile builds an engine from profile YAML. Unknown keys, missing required
// keys (posts, post.id, post.body) and bad selectors are errors naming the key.
func ParseProfile(data []byte) (scraper.Engine, error) {
	var p genProfile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("profile: empty")
		}
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// One line per problem would be cut to the first by the CLI: join them.
			msgs := make([]string, len(te.Errors))
			for i, m := range te.Errors {
				msgs[i] = genKeyError(m)
			}
			return nil, fmt.Errorf("profile: %s", strings.Join(msgs, "; "))
		}
		return nil, fmt.Errorf("profile: %w", err)
	}
	e := &genEngine{p: p}
	var err error
	if strings.TrimSpace(p.Posts) == "" {
		return nil, errors.New("profile: posts: required (selector of each post's container)")
	}
	if e.posts, err = genCompile("posts", p.Posts); err != nil {
		return nil, err
	}
	if strings.TrimSpace(p.Detect) != "" {
		if e.detect, err = genCompile("detect", p.Detect); err != nil {
			return nil, err
		}
	}
	if p.Post.ID == nil {
		return nil, errors.New("profile: post.id: required (e.g. {attr: id, regexp: 'post-(\\d+)'})")
	}
	if p.Post.Body == nil || p.Post.Body.Selector == "" {
		return nil, errors.New("profile: post.body: required (selector of the message text)")
	}
	fields := []struct {
		name string
		f    *genField
	}{
		{"thread.title", p.Thread.Title}, {"thread.prefix", p.Thread.Prefix}, {"thread.id", p.Thread.ID},
		{"thread.url", p.Thread.URL}, {"thread.forum_path", p.Thread.ForumPath},
		{"post.id", p.Post.ID}, {"post.number", p.Post.Number}, {"post.url", p.Post.URL},
		{"post.author.name", p.Post.Author.Name}, {"post.author.link", p.Post.Author.Link},
		{"post.author.id", p.Post.Author.ID}, {"post.author.title", p.Post.Author.Title},
		{"post.author.joined", p.Post.Author.Joined}, {"post.author.messages", p.Post.Author.Messages},
		{"post.author.location", p.Post.Author.Location},
		{"post.date", p.Post.Date}, {"post.edited", p.Post.Edited}, {"post.body", p.Post.Body},
		{"post.quote", p.Post.Quote}, {"post.quote_author", p.Post.QuoteAuthor},
		{"post.quote_post_id", p.Post.QuotePostID}, {"post.quote_chrome", p.Post.QuoteChrome},
		{"post.signature", p.Post.Signature}, {"post.ignore", p.Post.Ignore},
		{"pages.next", p.Pages.Next}, {"pages.current", p.Pages.Current}, {"pages.total", p.Pages.Total},
	}
	for _, fl := range fields {
		if err := fl.f.compile(fl.name); err != nil {
			return nil, err
		}
	}
	if pr := p.Post.Author.Pairs; pr != nil {
		if pr.Item == "" || pr.Label == "" || pr.Value == "" {
			return nil, errors.New("profile: post.author.pairs: item, label and value are all required")
		}
		if pr.item, err = genCompile("post.author.pairs.item", pr.Item); err != nil {
			return nil, err
		}
		if pr.label, err = genCompile("post.author.pairs.label", pr.Label); err != nil {
			return nil, err
		}
		if pr.value, err = genCompile("post.author.pairs.value", pr.Value); err != nil {
			return nil, err
		}
	}
	if l := p.Listing; l != nil {
		if err := genCompileListing(l); err != nil {
			return nil, err
		}
	}
	e.quotes = scraper.QuoteRules{
		Quote:  p.Post.Quote.matcher(),
		Chrome: p.Post.QuoteChrome.matcher(),
		// A signature inside the body element is not the post's own text either.
		Noise: scraper.AnyOf(p.Post.Ignore.matcher(), p.Post.Signature.matcher()),
	}
	if e.quotes.Quote != nil {
		qa, qid := p.Post.QuoteAuthor, p.Post.QuotePostID
		e.quotes.Info = func(q *goquery.Selection) (string, string) {
			return qa.value(q.Nodes[0]), qid.value(q.Nodes[0])
		}
	}
	return e, nil
}

// genSections names the profile sections by the Go types yaml reports.
var genSections = map[string]string{
	"engines.genProfile": "the top level", "engines.genThreadSpec": "thread", "engines.genPostSpec": "post",
	"engines.genAuthorSpec": "post.author", "engines.genPairs": "post.author.pairs",
	"engines.genPagesSpec": "pages", "engines.genListingSpec": "listing",
}

var genUnknownRe = regexp.MustCompile(`^(line \d+): field (\S+) not found in type (\S+)$`)

// genKeyError rewrites yaml's "field x not found in type engines.genPostSpec" as
// `unknown key "x" in post`, which is what the user needs to fix.
func genKeyError(msg string) string {
	m := genUnknownRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	sec, ok := genSections[m[3]]
	if !ok {
		return msg
	}
	return fmt.Sprintf("%s: unknown key %q in %s", m[1], m[2], sec)
}

func genCompile(name, sel string) (cascadia.Matcher, error) {
	g, err := cascadia.ParseGroup(sel)
	if err != nil {
		return nil, fmt.Errorf("profile: %s: bad selector %q: %w", name, sel, err)
	}
	return g, nil
}

func (f *genField) compile(name string) error {
	if f == nil {
		return nil
	}
	if strings.TrimSpace(f.Selector) != "" {
		m, err := genCompile(name, f.Selector)
		if err != nil {
			return err
		}
		f.m = m
	}
	if f.Regexp != "" {
		re, err := regexp.Compile(f.Regexp)
		if err != nil {
			return fmt.Errorf("profile: %s: bad regexp %q: %w", name, f.Regexp, err)
		}
		f.re = re
	}
	if f.m == nil && f.Attr == "" && f.re == nil {
		return fmt.Errorf("profile: %s: needs a selector, attr or regexp", name)
	}
	return nil
}

func (f *genField) matcher() cascadia.Matcher {
	if f == nil {
		return nil
	}
	return f.m
}

// node returns the element the field reads inside ctx: the first match of its
// selector below ctx, or ctx itself when it has none.
func (f *genField) node(ctx *html.Node) *html.Node {
	if f == nil || ctx == nil {
		return nil
	}
	if f.m == nil {
		return ctx
	}
	return cascadia.Query(ctx, f.m)
}

// raw is the field's text or attribute before Regexp.
func (f *genField) raw(n *html.Node) string {
	if n == nil {
		return ""
	}
	if f.Attr != "" {
		for _, a := range n.Attr {
			if a.Key == f.Attr {
				return strings.TrimSpace(a.Val)
			}
		}
		return ""
	}
	return scraper.Clean(scraper.TextOf(n, nil))
}

func (f *genField) narrow(s string) string {
	if f.re == nil || s == "" {
		return s
	}
	m := f.re.FindStringSubmatch(s)
	switch {
	case m == nil:
		return ""
	case len(m) > 1:
		return strings.TrimSpace(m[1])
	default:
		return strings.TrimSpace(m[0])
	}
}

// value reads the field inside ctx, "" when absent.
func (f *genField) value(ctx *html.Node) string {
	if f == nil {
		return ""
	}
	return f.narrow(f.raw(f.node(ctx)))
}

// values reads every match of the field's selector inside ctx.
func (f *genField) values(ctx *html.Node) []string {
	if f == nil || ctx == nil {
		return nil
	}
	if f.m == nil {
		if v := f.value(ctx); v != "" {
			return []string{v}
		}
		return nil
	}
	var out []string
	for _, n := range cascadia.QueryAll(ctx, f.m) {
		if v := f.narrow(f.raw(n)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// link reads an URL-valued field: Attr defaults to href.
func (f *genField) link(ctx *html.Node, in scraper.Input) *string {
	if f == nil {
		return nil
	}
	g := *f
	if g.Attr == "" {
		g.Attr = "href"
	}
	return scraper.ResolvePtr(in.URL, g.value(ctx))
}

// date reads a date field: shown text as PostedText; time from a unix or ISO
// attribute, the profile's layout, or the shared localised date parser.
func (f *genField) date(ctx *html.Node, in scraper.Input) (at *time.Time, shown string) {
	n := f.node(ctx)
	if n == nil {
		return nil, ""
	}
	shown = scraper.Clean(scraper.TextOf(n, nil))
	v := f.narrow(f.raw(n))
	if v == "" && f.Attr != "" {
		// Some posts lack the attribute (e.g. only recent ones carry a timestamp).
		v = f.narrow(shown)
	}
	if v == "" {
		return nil, shown
	}
	if shown == "" {
		shown = v
	}
	if f.Attr != "" {
		if t, ok := scraper.ParseUnix(v); ok {
			return scraper.UTCTime(t), shown
		}
		if t, ok := scraper.ParseMachineTime(v); ok {
			return scraper.UTCTime(t), shown
		}
	}
	if f.Layout != "" {
		loc := in.Location
		if loc == nil {
			loc = time.UTC
		}
		if t, err := time.ParseInLocation(f.Layout, v, loc); err == nil {
			return scraper.UTCTime(t), shown
		}
	}
	if t, ok := scraper.ParseDate(v, in); ok {
		return scraper.UTCTime(t), shown
	}
	return nil, shown
}

func (e *genEngine) Info() scraper.EngineInfo { return genInfo() }

// Detect reports whether the profile's post selector (and its detect selector, when
// it has one) matches, so a profile can be checked against a page before a crawl.
func (e *genEngine) Detect(doc *goquery.Document) bool {
	return genMatches(doc, e.posts) && (e.detect == nil || genMatches(doc, e.detect))
}

func genMatches(doc *goquery.Document, m cascadia.Matcher) bool {
	for _, n := range doc.Nodes {
		if m.Match(n) || cascadia.Query(n, m) != nil {
			return true
		}
	}
	return false
}

func (e *genEngine) Extract(doc *goquery.Document, in scraper.Input) (*scraper.Page, error) {
	if len(doc.Nodes) == 0 {
		return nil, errors.New("empty document")
	}
	root := doc.Nodes[0]
	p := &scraper.Page{}
	t := e.p.Thread
	p.Thread.Title = scraper.Str(t.Title.value(root))
	if pre := t.Prefix.value(root); pre != "" {
		p.Thread.Prefix = scraper.Str(pre)
		if p.Thread.Title != nil {
			p.Thread.Title = scraper.Str(scraper.Clean(strings.Replace(*p.Thread.Title, pre, "", 1)))
		}
	}
	p.Thread.ID = scraper.Str(t.ID.value(root))
	p.Thread.URL = t.URL.link(root, in)
	p.Thread.ForumPath = t.ForumPath.values(root)

	pg := e.p.Pages
	if n, ok := scraper.Atoi(pg.Current.value(root)); ok {
		p.Page.Number = n
	}
	if n, ok := scraper.Atoi(pg.Total.value(root)); ok {
		p.Page.Total = scraper.Int(n)
	}
	p.Page.NextURL = pg.Next.link(root, in)

	// The output is normalised here as scraper.Extract would, because profile
	// engines are not in the registry and may be called directly.
	p.Engine = "generic"
	if in.URL != nil {
		p.URL = scraper.CleanURL(in.URL.String())
	}
	if p.Page.Number == 0 {
		p.Page.Number = 1
	}
	seen := map[string]bool{}
	p.Posts = []scraper.Post{}
	for _, n := range cascadia.QueryAll(root, e.posts) {
		post, ok := e.post(n, in)
		if !ok || seen[post.ID] {
			continue
		}
		seen[post.ID] = true
		if post.Quotes == nil {
			post.Quotes = []scraper.Quote{}
		}
		if len(post.Author.Extras) == 0 {
			post.Author.Extras = nil
		}
		p.Posts = append(p.Posts, post)
	}
	return p, nil
}

func (e *genEngine) post(n *html.Node, in scraper.Input) (scraper.Post, bool) {
	sp := e.p.Post
	id := sp.ID.value(n)
	if id == "" {
		// Ads and templates share the post markup but carry no id.
		return scraper.Post{}, false
	}
	post := scraper.Post{ID: id}
	if num, ok := scraper.Atoi(sp.Number.value(n)); ok {
		post.Number = scraper.Int(num)
	}
	post.URL = sp.URL.link(n, in)

	sa := sp.Author
	a := &post.Author
	a.Name = scraper.Str(sa.Name.value(n))
	a.URL = sa.Link.link(n, in)
	a.ID = scraper.Str(sa.ID.value(n))
	a.Title = scraper.Str(sa.Title.value(n))
	if v := sa.Joined.value(n); v != "" {
		a.JoinedText = scraper.Str(v)
		if d, ok := scraper.ParseJoined(v, in); ok {
			a.Joined = scraper.Str(d)
		}
	}
	if c, ok := scraper.ParseCount(sa.Messages.value(n)); ok {
		a.Messages = scraper.Int64(c)
	}
	a.Location = scraper.Str(sa.Location.value(n))
	if pr := sa.Pairs; pr != nil {
		for _, item := range cascadia.QueryAll(n, pr.item) {
			l, v := cascadia.Query(item, pr.label), cascadia.Query(item, pr.value)
			if l == nil || v == nil {
				continue
			}
			scraper.ApplySidebar(a, scraper.TextOf(l, nil), scraper.TextOf(v, nil), in)
		}
	}

	if sp.Date != nil {
		at, shown := sp.Date.date(n, in)
		post.PostedAt, post.PostedText = at, scraper.Str(shown)
	}
	if sp.Edited != nil {
		post.EditedAt, _ = sp.Edited.date(n, in)
	}
	if body := sp.Body.node(n); body != nil {
		post.BodyHTML, post.BodyText, post.Quotes = scraper.PostBody(goquery.NewDocumentFromNode(body).Selection, e.quotes)
	}
	if sig := sp.Signature.node(n); sig != nil && sp.Signature.m != nil {
		post.SignatureText = scraper.Str(scraper.TextOf(sig, sp.Ignore.matcher()))
	}
	return post, true
}

var _ scraper.ListingReader = (*genEngine)(nil)

func genCompileListing(l *genListingSpec) error {
	if strings.TrimSpace(l.Threads) == "" && l.Boards == nil {
		return errors.New("profile: listing: needs threads or boards")
	}
	if strings.TrimSpace(l.Threads) != "" {
		m, err := genCompile("listing.threads", l.Threads)
		if err != nil {
			return err
		}
		l.threads = m
	} else if l.Link != nil || l.Replies != nil || l.LastPost != nil {
		return errors.New("profile: listing: link, replies and last_post are read inside threads, which is missing")
	}
	for _, fl := range []struct {
		name string
		f    *genField
	}{
		{"listing.boards", l.Boards}, {"listing.link", l.Link}, {"listing.replies", l.Replies},
		{"listing.last_post", l.LastPost}, {"listing.next", l.Next},
	} {
		if err := fl.f.compile(fl.name); err != nil {
			return err
		}
	}
	if l.Boards != nil && l.Boards.m == nil {
		return errors.New("profile: listing.boards: needs a selector")
	}
	return nil
}

// ExtractListing reads a board page with the profile's listing section: sub-board
// links, one entry per thread row (link, title, replies and last post time when the
// profile names them, so re-crawls skip unchanged threads) and the next page.
func (e *genEngine) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	ls := e.p.Listing
	if ls == nil {
		return nil, errors.New("the profile has no listing section: crawl thread URLs, or describe board pages under the listing key")
	}
	if len(doc.Nodes) == 0 {
		return nil, errors.New("empty document")
	}
	root := doc.Nodes[0]
	l := &scraper.Listing{Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	if ls.Boards != nil {
		href := genField{Attr: "href", re: ls.Boards.re}
		if ls.Boards.Attr != "" {
			href.Attr = ls.Boards.Attr
		}
		for _, n := range cascadia.QueryAll(root, ls.Boards.m) {
			if u := scraper.Resolve(in.URL, href.narrow(href.raw(n))); u != "" {
				l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.Clean(scraper.TextOf(n, nil)))})
			}
		}
	}
	if ls.threads != nil {
		link := ls.Link
		if link == nil {
			link = &genField{} // the row itself is the link
		}
		for _, row := range cascadia.QueryAll(root, ls.threads) {
			u := link.link(row, in)
			if u == nil {
				continue
			}
			t := scraper.ThreadEntry{URL: *u}
			if a := link.node(row); a != nil {
				t.Title = scraper.Str(scraper.Clean(scraper.TextOf(a, nil)))
			}
			if c, ok := scraper.ParseCount(ls.Replies.value(row)); ok {
				t.Replies = scraper.Int64(c)
			}
			if ls.LastPost != nil {
				at, shown := ls.LastPost.date(row, in)
				t.LastPostAt, t.LastPostText = at, scraper.Str(shown)
			}
			l.Threads = append(l.Threads, t)
		}
	}
	l.Page.NextURL = ls.Next.link(root, in)
	return l, nil
}

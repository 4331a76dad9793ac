package scraper

import (
	"strings"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockAtoms start and end a line of text. Paragraph-like blocks get a blank line.
var blockAtoms = map[atom.Atom]int{
	atom.P: 2, atom.Blockquote: 2, atom.Pre: 2, atom.Ul: 1, atom.Ol: 1, atom.Li: 1, atom.Div: 1,
	atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2, atom.Table: 1, atom.Tr: 1,
	atom.Hr: 1, atom.Section: 1, atom.Article: 1, atom.Header: 1, atom.Footer: 1, atom.Aside: 1,
	atom.Dl: 1, atom.Dt: 1, atom.Dd: 1, atom.Figure: 1, atom.Figcaption: 1, atom.Form: 1,
	atom.Details: 1, atom.Summary: 1, atom.Center: 1, atom.Fieldset: 1, atom.Legend: 1, atom.Main: 1, atom.Nav: 1,
}

// silentAtoms never contribute text.
var silentAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Button: true,
	atom.Select: true, atom.Input: true, atom.Textarea: true, atom.Head: true,
}

// Text returns readable plain text for a selection: line breaks for <br> and block
// elements, whitespace collapsed elsewhere, <pre> kept verbatim, scripts dropped.
// goquery's Text() loses all line structure, which matters for archived prose.
func Text(sel *goquery.Selection) string { return TextSkipping(sel, nil) }

// TextSkipping is Text leaving out every element skip matches (quotes, signatures, ads).
func TextSkipping(sel *goquery.Selection, skip cascadia.Matcher) string {
	var t textBuilder
	for _, n := range sel.Nodes {
		t.walk(n, skip, true)
	}
	return t.String()
}

// TextOf is TextSkipping for a single node.
func TextOf(n *html.Node, skip cascadia.Matcher) string {
	var t textBuilder
	t.walk(n, skip, true)
	return t.String()
}

// Clean collapses all whitespace (including no-break spaces) in s to single spaces
// and trims it: the form used for labels, names and one-line values.
func Clean(s string) string {
	return strings.Join(strings.FieldsFunc(s, isSpace), " ")
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff'
}

type textBuilder struct {
	b       strings.Builder
	nl      int
	space   bool
	pre     int
	started bool
}

func (t *textBuilder) walk(n *html.Node, skip cascadia.Matcher, root bool) {
	switch n.Type {
	case html.TextNode:
		t.text(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
	default:
		return
	}
	if n.Type == html.ElementNode {
		if silentAtoms[n.DataAtom] {
			return
		}
		if !root && skip != nil && skip.Match(n) {
			return
		}
		if hidden(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			// Consecutive <br>s are a paragraph break: count them, unlike blocks.
			t.nl = min(t.nl+1, 2)
			t.space = false
			return
		case atom.Img:
			return
		case atom.Td, atom.Th:
			t.space = true
		}
	}
	lines := blockAtoms[n.DataAtom]
	if lines > 0 {
		t.newline(lines)
	}
	if n.DataAtom == atom.Pre {
		t.pre++
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.walk(c, skip, false)
	}
	if n.DataAtom == atom.Pre {
		t.pre--
	}
	if lines > 0 {
		t.newline(lines)
	}
}

func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "hidden" || (a.Key == "style" && strings.Contains(strings.ReplaceAll(a.Val, " ", ""), "display:none")) {
			return true
		}
	}
	return false
}

func (t *textBuilder) newline(n int) {
	if n > t.nl {
		t.nl = n
	}
	t.space = false
}

func (t *textBuilder) flush() {
	if t.started {
		switch {
		case t.nl > 0:
			t.b.WriteString(strings.Repeat("\n", t.nl))
		case t.space:
			t.b.WriteByte(' ')
		}
	}
	t.nl, t.space = 0, false
}

func (t *textBuilder) text(s string) {
	if t.pre > 0 {
		if s == "" {
			return
		}
		t.flush()
		t.b.WriteString(strings.ReplaceAll(s, "\r\n", "\n"))
		t.started = true
		return
	}
	for _, r := range s {
		if isSpace(r) {
			if t.nl == 0 {
				t.space = true
			}
			continue
		}
		t.flush()
		t.b.WriteRune(r)
		t.started = true
	}
}

func (t *textBuilder) String() string {
	lines := strings.Split(t.b.String(), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, isSpace)
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// QuoteRules tell PostBody how an engine marks up quotes inside a post.
type QuoteRules struct {
	// Quote matches a quote block; nested quotes are listed separately.
	Quote cascadia.Matcher
	// Chrome matches parts of a quote that are not quoted text ("X said:", expanders).
	Chrome cascadia.Matcher
	// Noise matches anything in the body that is never text (ads, "click to expand").
	Noise cascadia.Matcher
	// Info returns the quoted author and post id of a quote block, "" when absent.
	Info func(q *goquery.Selection) (author, postID string)
	// Outside matches elements next to a quote block (e.g. an SMF "quoteheader" div
	// before a blockquote) that body text leaves out too.
	Outside cascadia.Matcher
}

// PostBody splits a post's own content element into its HTML, its text without quotes,
// and the quotes, so each post's words are counted once in search and statistics.
func PostBody(content *goquery.Selection, r QuoteRules) (bodyHTML, bodyText string, quotes []Quote) {
	if content.Length() == 0 {
		return "", "", []Quote{}
	}
	h, _ := content.First().Html()
	bodyHTML = strings.TrimSpace(h)
	skip := AnyOf(r.Quote, r.Noise, r.Outside)
	bodyText = TextSkipping(content.First(), skip)
	quotes = []Quote{}
	if r.Quote == nil {
		return bodyHTML, bodyText, quotes
	}
	inner := AnyOf(r.Quote, r.Chrome, r.Noise)
	for _, n := range cascadia.QueryAll(content.Nodes[0], r.Quote) {
		q := Quote{Text: TextOf(n, inner)}
		if r.Info != nil {
			a, id := r.Info(goquery.NewDocumentFromNode(n).Selection)
			q.Author, q.PostID = Str(Clean(a)), Str(id)
		}
		quotes = append(quotes, q)
	}
	return bodyHTML, bodyText, quotes
}

type matchers []cascadia.Matcher

func (m matchers) Match(n *html.Node) bool {
	for _, x := range m {
		if x.Match(n) {
			return true
		}
	}
	return false
}

// AnyOf matches a node that any of the non-nil matchers matches; nil when none given.
func AnyOf(ms ...cascadia.Matcher) cascadia.Matcher {
	var out matchers
	for _, m := range ms {
		if m != nil {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// MustCompile compiles a selector group at package init, so a typo fails every test
// instead of silently matching nothing in production. The result is both a
// cascadia.Matcher and a goquery.Matcher (FindMatcher, FilterMatcher, IsMatcher).
func MustCompile(sel string) cascadia.Selector {
	m, err := cascadia.Compile(sel)
	if err != nil {
		panic("scraper: bad selector " + sel + ": " + err.Error())
	}
	return m
}

package scraper

import (
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// First returns the first element below sel matching m, as FindMatcher(m).First()
// would, but stops at the first hit instead of collecting every match in the
// subtree: engines use it for single elements (title, pager, breadcrumbs) on large
// pages, where the full walk is most of the cost.
func First(sel *goquery.Selection, m cascadia.Matcher) *goquery.Selection {
	for _, n := range sel.Nodes {
		if f := cascadia.Query(n, m); f != nil {
			return sel.FindNodes(f)
		}
	}
	return sel.FindNodes()
}

// FirstNode returns the first node below the document root matching m, or nil. Detect
// methods use it because they run for every engine on every page and must stop early.
func FirstNode(doc *goquery.Document, m cascadia.Matcher) *html.Node {
	if doc == nil || doc.Selection == nil || len(doc.Nodes) == 0 {
		return nil
	}
	return cascadia.Query(doc.Nodes[0], m)
}

// Has reports whether any element of the document matches m, stopping at the first.
func Has(doc *goquery.Document, m cascadia.Matcher) bool { return FirstNode(doc, m) != nil }

// NodeAttr returns the trimmed value of attribute key on n, "" when absent. It is
// Attr for code that walks *html.Node directly to avoid building selections.
func NodeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// HasClass reports whether n's class list holds cls. It scans the attribute in place
// instead of splitting it, because node walkers call it for every element of a page.
func HasClass(n *html.Node, cls string) bool {
	if cls == "" {
		return false
	}
	for _, a := range n.Attr {
		if a.Key != "class" {
			continue
		}
		v := a.Val
		for from := 0; ; {
			i := strings.Index(v[from:], cls)
			if i < 0 {
				break
			}
			i += from
			end := i + len(cls)
			if (i == 0 || isClassSpace(v[i-1])) && (end == len(v) || isClassSpace(v[end])) {
				return true
			}
			from = i + 1
		}
	}
	return false
}

// isClassSpace is HTML's ASCII whitespace, which separates class names.
func isClassSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }

// HTMLNode returns the document's <html> element, nil when there is none: engines
// read generator and lang attributes from it without a selector walk.
func HTMLNode(doc *goquery.Document) *html.Node {
	if doc == nil || doc.Selection == nil || len(doc.Nodes) == 0 {
		return nil
	}
	n := doc.Nodes[0]
	if n.Type == html.ElementNode && n.DataAtom == atom.Html {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Html {
			return c
		}
	}
	return nil
}

// ChildElement returns n's first child element named tag, nil when none or n is nil.
// Node walkers use it to step html > body > ... without a selector.
func ChildElement(n *html.Node, tag string) *html.Node {
	if n == nil {
		return nil
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == tag {
			return c
		}
	}
	return nil
}

// Guarded returns m behind a check of the element name, for selectors that can only
// match the given tags. Detect walks whole pages of other engines, and a compiled
// selector group costs tens of nanoseconds per node even where the name already
// rules it out; the guard makes those nodes a comparison each.
func Guarded(m cascadia.Matcher, tags ...atom.Atom) cascadia.Selector {
	return func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return false
		}
		for _, t := range tags {
			if n.DataAtom == t {
				return m.Match(n)
			}
		}
		return false
	}
}

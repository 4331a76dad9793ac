package scraper

import (
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// DLPairs calls f for each label/value pair of the <dl> elements in dls: a <dt> and
// the first <dd> after it, found among the list's children (and inside <div> groups,
// which HTML allows in a <dl>). Extra <dd>s of one <dt>, and <dd>s without one, are
// skipped. Author sidebars of XenForo and vBulletin are such lists, one per post, so
// it walks child nodes instead of running selectors.
func DLPairs(dls *goquery.Selection, f func(dt, dd *goquery.Selection)) {
	for i, dl := range dls.Nodes {
		one := dls.Slice(i, i+1)
		var dt *html.Node
		var walk func(parent *html.Node)
		walk = func(parent *html.Node) {
			for c := parent.FirstChild; c != nil; c = c.NextSibling {
				if c.Type != html.ElementNode {
					continue
				}
				switch c.DataAtom {
				case atom.Dt:
					dt = c
				case atom.Dd:
					if dt != nil {
						f(one.FindNodes(dt), one.FindNodes(c))
						dt = nil
					}
				case atom.Div:
					walk(c)
				}
			}
		}
		walk(dl)
	}
}

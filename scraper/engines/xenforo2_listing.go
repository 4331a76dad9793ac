package engines

import (
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var (
	xf2SelNodeTitle   = scraper.MustCompile(`.node-title a[href]`)
	xf2SelThreadItem  = scraper.MustCompile(`.structItem--thread`)
	xf2SelItemTitle   = scraper.MustCompile(`.structItem-title a[data-tp-primary][href]`)
	xf2SelItemTitleA  = scraper.MustCompile(`.structItem-title a[href]:not(.labelLink)`)
	xf2SelItemMetaDD  = scraper.MustCompile(`.structItem-cell--meta dl dd`)
	xf2SelItemLatest  = scraper.MustCompile(`.structItem-latestDate, .structItem-cell--latest time`)
	xf2SelWidgetBlock = scraper.MustCompile(`[data-widget-key]`)
)

// ExtractListing reads a forum_view page (/forums/name.12/): the sub-forums it links to
// and its threads with reply counts and last-post times, which incremental crawls
// compare against the archive to skip unchanged threads. Thread lists in sidebar
// widgets ("similar threads", "latest posts") are not part of the forum and are skipped.
func (xf2Engine) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	base := in.URL
	l := &scraper.Listing{Engine: "xenforo2", Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	if base != nil {
		l.URL = scraper.CleanURL(base.String())
	}
	l.Title, _ = xf2TitlePrefix(doc)

	seenBoard := map[string]bool{}
	doc.FindMatcher(xf2SelNodeTitle).Each(func(_ int, a *goquery.Selection) {
		u := scraper.Resolve(base, scraper.Attr(a, "href"))
		if u == "" || seenBoard[u] || xf2InWidget(a) {
			return
		}
		seenBoard[u] = true
		l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.TextLine(a))})
	})

	seenThread := map[string]bool{}
	doc.FindMatcher(xf2SelThreadItem).Each(func(_ int, it *goquery.Selection) {
		if xf2InWidget(it) {
			return
		}
		a := scraper.First(it, xf2SelItemTitle)
		if a.Length() == 0 {
			a = it.FindMatcher(xf2SelItemTitleA).Last()
		}
		u := scraper.Resolve(base, scraper.Attr(a, "href"))
		if u == "" || seenThread[u] {
			return
		}
		seenThread[u] = true
		e := scraper.ThreadEntry{URL: u, Title: scraper.Str(scraper.TextLine(a))}
		for _, c := range []string{scraper.Attr(it, "class"), u} {
			if id := xf2ListItemID(c); id != "" {
				e.ID = scraper.Str(id)
				break
			}
		}
		if n, ok := scraper.ParseCount(scraper.TextLine(scraper.First(it, xf2SelItemMetaDD))); ok {
			e.Replies = scraper.Int64(n)
		}
		if t := scraper.First(it, xf2SelItemLatest); t.Length() > 0 {
			e.LastPostAt, e.LastPostText = xf2Time(t, in)
		}
		l.Threads = append(l.Threads, e)
	})

	l.Page = xf2PageInfo(doc, base, scraper.Str(xf2StripPage(l.URL)))
	return l, nil
}

// xf2ListItemID reads "js-threadListItem-123" from a class list, or the id in a
// thread URL.
func xf2ListItemID(s string) string {
	const marker = "js-threadListItem-"
	if i := strings.Index(s, marker); i >= 0 {
		return scraper.Digits(s[i+len(marker):])
	}
	return xf2ThreadID(s)
}

// xf2InWidget reports elements inside a widget block (similar threads, new posts).
func xf2InWidget(s *goquery.Selection) bool {
	for n := s.Nodes[0].Parent; n != nil; n = n.Parent {
		if xf2SelWidgetBlock.Match(n) {
			return true
		}
	}
	return false
}

package engines

import (
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/forumarc/forumarc/scraper"
)

var (
	phpbbListTitleSel  = scraper.MustCompile(`h2.forum-title, #pageheader h2, h2`)
	phpbbForumLinkSel  = scraper.MustCompile(`a.forumtitle, a.forumlink`)
	phpbbTopicTitleSel = scraper.MustCompile(`a.topictitle`)
	phpbbRowSel        = scraper.MustCompile(`li.row, tr`)
	phpbbRepliesSel    = scraper.MustCompile(`dd.posts, p.topicdetails`)
	phpbbLastPostSel   = scraper.MustCompile(`dd.lastpost`)
	phpbbRowCellSel    = scraper.MustCompile(`td`)
	phpbbDfnSel        = scraper.MustCompile(`dfn`)
	phpbbParaSel       = scraper.MustCompile(`p`)
	phpbbCountRe       = regexp.MustCompile(`\d[\d,.\x{a0}\x{202f}]*`)
)

// ExtractListing reads a viewforum page: sub-forums, topics with reply counts and
// last-post times (what an incremental crawl compares), and the page position.
func (phpbbEngine) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	l := &scraper.Listing{Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	l.Title = scraper.Str(scraper.TextLine(phpbbFirstText(doc.FindMatcher(phpbbListTitleSel))))
	doc.FindMatcher(phpbbForumLinkSel).Each(func(_ int, a *goquery.Selection) {
		if u := scraper.Resolve(in.URL, html.UnescapeString(scraper.Attr(a, "href"))); u != "" {
			l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.TextLine(a))})
		}
	})
	doc.FindMatcher(phpbbTopicTitleSel).Each(func(_ int, a *goquery.Selection) {
		href := html.UnescapeString(scraper.Attr(a, "href"))
		u := scraper.Resolve(in.URL, href)
		if u == "" {
			return
		}
		te := scraper.ThreadEntry{URL: u, ID: scraper.Str(scraper.Submatch(href, phpbbTopicIDRe)), Title: scraper.Str(scraper.TextLine(a))}
		row := a.ClosestMatcher(phpbbRowSel)
		// Replies: prosilver "<dd class=posts>22 <dfn>Replies</dfn>"; subsilver2's
		// first p.topicdetails cell.
		if r := scraper.First(row, phpbbRepliesSel); r.Length() > 0 {
			if n, ok := scraper.ParseCount(phpbbCountRe.FindString(scraper.TextLine(r))); ok {
				te.Replies = scraper.Int64(n)
			}
		}
		last := scraper.First(row, phpbbLastPostSel)
		if last.Length() == 0 && goquery.NodeName(row) == "tr" {
			last = row.ChildrenMatcher(phpbbRowCellSel).Last().ChildrenMatcher(phpbbParaSel).First()
		}
		te.LastPostAt, te.LastPostText = phpbbListDate(last, in)
		l.Threads = append(l.Threads, te)
	})
	num, total, next, _ := phpbbPaging(doc, in)
	l.Page = scraper.PageInfo{Number: num, Total: total, NextURL: next}
	return l, nil
}

// phpbbListDate reads a last-post cell: <time datetime> in 3.2+, else its last line
// ("Last post by X" comes first, the date after a <br>).
func phpbbListDate(cell *goquery.Selection, in scraper.Input) (*time.Time, *string) {
	if cell.Length() == 0 {
		return nil, nil
	}
	if tm := scraper.First(cell, phpbbTimeSel); tm.Length() > 0 {
		return scraper.MachineTime(tm), scraper.Str(scraper.TextLine(tm))
	}
	lines := strings.Split(scraper.TextSkipping(cell, phpbbDfnSel), "\n")
	txt := strings.TrimSpace(lines[len(lines)-1])
	if txt == "" {
		return nil, nil
	}
	var at *time.Time
	if t, ok := scraper.ParseDate(txt, in); ok {
		at = scraper.UTCTime(t)
	}
	return at, scraper.Str(txt)
}

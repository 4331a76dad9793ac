package engines

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var (
	smfBoardLinkSel = scraper.MustCompile(`a.subject[href*="board="], a.subject[href*="board,"]`)
	smfTopicLinkSel = scraper.MustCompile(`#messageindex span[id^="msg_"] > a`)
	smfTopicRowSel  = scraper.MustCompile(`tr, div.windowbg, div.windowbg2`)
	smfStatsSel     = scraper.MustCompile(`td.stats, .board_stats`)
	smfLastPostSel  = scraper.MustCompile(`td.lastpost, div.lastpost, .lastpost`)
	smfBoardNameSel = scraper.MustCompile(`.linktree li.last a, .navigate_section li.last a`)
	smfCountRe      = regexp.MustCompile(`\d[\d,.\x{a0}\x{202f}]*`)
)

// ExtractListing reads a board page (index.php?board=ID.OFFSET): child boards,
// topics with reply counts and last-post times, and the page position.
func (smfEngine) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	l := &scraper.Listing{Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	l.Title = scraper.Str(scraper.TextLine(scraper.First(doc.Selection, smfBoardNameSel)))
	doc.FindMatcher(smfBoardLinkSel).Each(func(_ int, a *goquery.Selection) {
		if u := scraper.Resolve(in.URL, scraper.Attr(a, "href")); u != "" {
			l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.TextLine(a))})
		}
	})
	doc.FindMatcher(smfTopicLinkSel).Each(func(_ int, a *goquery.Selection) {
		href := scraper.Attr(a, "href")
		u := scraper.Resolve(in.URL, href)
		if u == "" {
			return
		}
		te := scraper.ThreadEntry{URL: u, ID: scraper.Str(scraper.Submatch(href, smfTopicRe)), Title: scraper.Str(scraper.TextLine(a))}
		row := a.ClosestMatcher(smfTopicRowSel)
		// "31 Replies / 812 Views" (2.0) or "Replies: 42 / Views: 1,024" (2.1): the
		// first number is the replies in every language.
		if n, ok := scraper.ParseCount(smfCountRe.FindString(scraper.TextLine(scraper.First(row, smfStatsSel)))); ok {
			te.Replies = scraper.Int64(n)
		}
		if last := scraper.First(row, smfLastPostSel); last.Length() > 0 {
			for _, line := range strings.Split(scraper.Text(last), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					te.LastPostText = scraper.Str(line)
					if t, ok := scraper.ParseDate(line, in); ok {
						te.LastPostAt = scraper.UTCTime(t)
					}
					break
				}
			}
		}
		l.Threads = append(l.Threads, te)
	})
	num, total, next, _ := smfPaging(doc, in)
	l.Page = scraper.PageInfo{Number: num, Total: total, NextURL: next}
	return l, nil
}

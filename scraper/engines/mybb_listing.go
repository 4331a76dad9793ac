package engines

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var (
	mybbForumRow     = scraper.MustCompile(`tr:has(.forum_status)`)
	mybbForumLinks   = scraper.MustCompile(`strong > a[href], .smalltext a[href], .subforumicon + a[href]`)
	mybbThreadLink   = scraper.MustCompile(`span[id^="tid_"] > a[href]`)
	mybbThreadRow    = scraper.MustCompile(`tr`)
	mybbWhoPosted    = scraper.MustCompile(`a[href^="javascript:MyBB.whoPosted"]`)
	mybbLastPost     = scraper.MustCompile(`.lastpost`)
	mybbForumHrefRe  = regexp.MustCompile(`(?i)(forumdisplay\.php\?(?:.*&)?fid=\d+|/forum-\d+(?:-page-\d+)?\.html|/Forum-[^/?#]+)`)
	mybbThreadHrefRe = regexp.MustCompile(`(?i)(showthread\.php\?(?:.*&)?tid=(\d+)|thread-(\d+)(?:-page-\d+)?\.html)`)
)

// ExtractListing reads forumdisplay.php and index.php: the forums listed in forumbit
// rows and the threads of the forum, with reply counts and last post dates so that
// incremental crawls can skip unchanged threads.
func (mybb) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	l := &scraper.Listing{Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	if act := scraper.First(doc.Selection, mybbNavActive); act.Length() > 0 {
		l.Title = scraper.Str(scraper.TextLine(act))
	}
	seen := map[string]bool{}
	doc.FindMatcher(mybbForumRow).Each(func(_ int, row *goquery.Selection) {
		row.FindMatcher(mybbForumLinks).Each(func(_ int, a *goquery.Selection) {
			href := scraper.Attr(a, "href")
			if !mybbForumHrefRe.MatchString(href) {
				return
			}
			u := scraper.Resolve(in.URL, href)
			if u == "" || seen[u] {
				return
			}
			seen[u] = true
			l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.TextLine(a))})
		})
	})
	for _, n := range doc.FindMatcher(mybbThreadLink).Nodes {
		a := goquery.NewDocumentFromNode(n).Selection
		href := scraper.Attr(a, "href")
		u := scraper.Resolve(in.URL, href)
		if u == "" || seen[u] {
			continue
		}
		seen[u] = true
		te := scraper.ThreadEntry{URL: u, Title: scraper.Str(scraper.TextLine(a))}
		te.ID = scraper.Str(scraper.Digits(strings.TrimPrefix(scraper.NodeAttr(n.Parent, "id"), "tid_")))
		if te.ID == nil {
			if m := mybbThreadHrefRe.FindStringSubmatch(href); m != nil {
				te.ID = scraper.Str(m[2] + m[3])
			}
		}
		row := a.ParentsMatcher(mybbThreadRow).First()
		if rep := scraper.First(row, mybbWhoPosted); rep.Length() > 0 {
			if n, ok := scraper.ParseCount(scraper.TextLine(rep)); ok {
				te.Replies = scraper.Int64(n)
			}
		}
		if lp := scraper.First(row, mybbLastPost); lp.Length() > 0 {
			// The first line is the date; the second "Last Post: name".
			line, _, _ := strings.Cut(scraper.Text(lp), "\n")
			te.LastPostText = scraper.Str(scraper.Clean(line))
			resolved, _, _ := strings.Cut(mybbResolvedText(lp.Nodes[0], false, true), "\n")
			if t, ok := mybbParseDate(resolved, in); ok {
				te.LastPostAt = scraper.UTCTime(t)
			}
		}
		l.Threads = append(l.Threads, te)
	}
	var p scraper.Page
	mybbPages(doc, in, &p)
	l.Page = p.Page
	return l, nil
}

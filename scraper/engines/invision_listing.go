package engines

import (
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var (
	ipsForumRow     = scraper.MustCompile(`[data-forumid]`)
	ipsForumLinks   = scraper.MustCompile(`.ipsDataItem_title a[href], .ipsData__title a[href], .ipsDataItem_subList a[href], .ipsData__subList a[href], .cForumRow_subforums a[href]`)
	ipsTopicRow     = scraper.MustCompile(`[data-rowid]`)
	ipsTopicLink    = scraper.MustCompile(`.ipsDataItem_title a[href*="topic"], .ipsData__title a[href*="topic"]`)
	ipsStatReplies  = scraper.MustCompile(`[data-stattype="forums_comments"], [data-stattype="comments"]`)
	ipsStatValue    = scraper.MustCompile(`[data-stat-value]`)
	ipsStats4Number = scraper.MustCompile(`.ipsDataItem_stats > li:first-child .ipsDataItem_stats_number`)
	ipsLastPoster   = scraper.MustCompile(`.ipsDataItem_lastPoster, .ipsData__last`)
	ipsForumHrefRe  = regexp.MustCompile(`/forum/\d+`)
)

// ExtractListing reads forum index and forum pages: sub-forums (rows carrying
// data-forumid) and topic rows (data-rowid) with reply counts and last post times.
func (invision) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	l := &scraper.Listing{Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	if h1 := scraper.First(doc.Selection, ipsH1); h1.Length() > 0 {
		l.Title = scraper.Str(scraper.Clean(scraper.TextSkipping(h1, ipsTitleSkip)))
	}
	seen := map[string]bool{}
	doc.FindMatcher(ipsForumRow).Each(func(_ int, row *goquery.Selection) {
		row.FindMatcher(ipsForumLinks).Each(func(_ int, a *goquery.Selection) {
			href := scraper.Attr(a, "href")
			u := scraper.Resolve(in.URL, href)
			if !ipsForumHrefRe.MatchString(href) || u == "" || seen[u] {
				return
			}
			seen[u] = true
			l.Boards = append(l.Boards, scraper.BoardLink{URL: u, Title: scraper.Str(scraper.TextLine(a))})
		})
	})
	doc.FindMatcher(ipsTopicRow).Each(func(_ int, row *goquery.Selection) {
		var link *goquery.Selection
		row.FindMatcher(ipsTopicLink).EachWithBreak(func(_ int, a *goquery.Selection) bool {
			if ipsTopicID.MatchString(scraper.Attr(a, "href")) {
				link = a
				return false
			}
			return true
		})
		if link == nil {
			return
		}
		href := scraper.Attr(link, "href")
		u := scraper.Resolve(in.URL, href)
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		te := scraper.ThreadEntry{URL: u, Title: scraper.Str(scraper.TextLine(link))}
		if id := scraper.Attr(row, "data-rowid"); id != "" && scraper.Digits(id) == id {
			te.ID = scraper.Str(id)
		} else if m := ipsTopicID.FindStringSubmatch(href); m != nil {
			te.ID = scraper.Str(m[1])
		}
		replies := ""
		if st := scraper.First(row, ipsStatReplies); st.Length() > 0 {
			replies = scraper.Attr(scraper.First(st, ipsStatValue), "data-stat-value")
			if replies == "" {
				replies = ipsNumberText.FindString(scraper.TextLine(st))
			}
		} else {
			replies = scraper.TextLine(scraper.First(row, ipsStats4Number))
		}
		if n, ok := scraper.ParseCount(strings.TrimSpace(replies)); ok {
			te.Replies = scraper.Int64(n)
		}
		scope := scraper.First(row, ipsLastPoster)
		if scope.Length() == 0 {
			scope = row
		}
		if times := scope.FindMatcher(ipsTime); times.Length() > 0 {
			t := times.Last()
			te.LastPostText = scraper.Str(scraper.TextLine(t))
			te.LastPostAt = scraper.MachineTime(t)
		}
		l.Threads = append(l.Threads, te)
	})
	var p scraper.Page
	ipsPages(doc, in, &p)
	l.Page = p.Page
	return l, nil
}

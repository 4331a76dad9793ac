package engines

import (
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

// Listing readers for forumdisplay pages of vBulletin 3 and 4, so whole-board
// crawls can find threads and tell from replies and last-post dates which changed.

var (
	vb4SelThreadBits   = scraper.MustCompile(`li.threadbit[id^="thread_"]`)
	vb4SelThreadTitle2 = scraper.MustCompile(`a.title[id^="thread_title_"], h3.threadtitle a.title`)
	vb4SelThreadStats  = scraper.MustCompile(`ul.threadstats li`)
	vb4SelLastPost     = scraper.MustCompile(`dl.threadlastpost dd`)
	vb4SelBoards       = scraper.MustCompile(`.forumtitle a, li.subforum > a, ol.subforumlist a.title`)
	vb4SelListTitle    = scraper.MustCompile(`#pagetitle h1 .forumtitle, #pagetitle h1 a, #pagetitle h1`)

	vb3SelThreadCells = scraper.MustCompile(`td[id^="td_threadtitle_"]`)
	vb3SelThreadLink  = scraper.MustCompile(`a[id^="thread_title_"]`)
	vb3SelBoards      = scraper.MustCompile(`td.alt1Active a[href*="forumdisplay.php"], td.alt1Active > div > a`)
	vb3SelTimeSpan    = scraper.MustCompile(`span.time`)
)

// ExtractListing implements scraper.ListingReader for vBulletin 4 forumdisplay pages.
func (vbulletin4Engine) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	links := in.WithBase(doc)
	l := &scraper.Listing{Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	l.Page = vb4PageInfo(doc, in, links)
	l.Title = scraper.Str(vbCutLabel(scraper.TextLine(scraper.First(doc.Selection, vb4SelListTitle))))
	l.Boards = vbBoards(doc.FindMatcher(vb4SelBoards), links)
	doc.FindMatcher(vb4SelThreadBits).Each(func(_ int, li *goquery.Selection) {
		id := vbIDDigits(scraper.Attr(li, "id"), "thread_")
		a := scraper.First(li, vb4SelThreadTitle2)
		href := scraper.Resolve(links.URL, scraper.Attr(a, "href"))
		if id == "" || href == "" {
			return
		}
		e := scraper.ThreadEntry{URL: href, ID: scraper.Str(id), Title: scraper.Str(scraper.TextLine(a))}
		li.FindMatcher(vb4SelThreadStats).EachWithBreak(func(_ int, s *goquery.Selection) bool {
			label, value, ok := strings.Cut(scraper.TextLine(s), ":")
			if ok && vbIsRepliesLabel(label) {
				if n, ok := scraper.ParseCount(value); ok {
					e.Replies = scraper.Int64(n)
				}
				return false
			}
			return true
		})
		// The last-post cell is two dd elements: the poster, then the date.
		li.FindMatcher(vb4SelLastPost).Each(func(_ int, dd *goquery.Selection) {
			if dd.FindMatcher(vb3SelTimeSpan).Length() == 0 {
				return
			}
			e.LastPostText = scraper.Str(scraper.TextLine(dd))
			if e.LastPostText != nil {
				e.LastPostAt, _ = vbParseDate(*e.LastPostText, in)
			}
		})
		l.Threads = append(l.Threads, e)
	})
	return l, nil
}

// ExtractListing implements scraper.ListingReader for vBulletin 3 forumdisplay pages.
func (vbulletin3Engine) ExtractListing(doc *goquery.Document, in scraper.Input) (*scraper.Listing, error) {
	links := in.WithBase(doc)
	l := &scraper.Listing{Boards: []scraper.BoardLink{}, Threads: []scraper.ThreadEntry{}}
	l.Page = vb3PageInfo(doc, in, links)
	title := scraper.TextLine(doc.FindMatcher(vb3SelNavTitle).Last())
	if title == "" {
		title = vbDocTitle(doc)
	}
	l.Title = scraper.Str(title)
	l.Boards = vbBoards(doc.FindMatcher(vb3SelBoards), links)
	doc.FindMatcher(vb3SelThreadCells).Each(func(_ int, td *goquery.Selection) {
		id := vbIDDigits(scraper.Attr(td, "id"), "td_threadtitle_")
		a := scraper.First(td, vb3SelThreadLink)
		href := scraper.Resolve(links.URL, scraper.Attr(a, "href"))
		if id == "" || href == "" {
			return
		}
		e := scraper.ThreadEntry{URL: href, ID: scraper.Str(id), Title: scraper.Str(scraper.TextLine(a))}
		// The next cell holds the last post ("05-20-2010 06:12 PM by name") and a
		// title attribute "Replies: 21, Views: 1,560".
		last := td.Next()
		for _, part := range strings.Split(scraper.Attr(last, "title"), ",") {
			if label, value, ok := strings.Cut(part, ":"); ok && vbIsRepliesLabel(label) {
				if n, ok := scraper.ParseCount(value); ok {
					e.Replies = scraper.Int64(n)
				}
			}
		}
		if e.Replies == nil {
			if n, err := strconv.ParseInt(scraper.TextLine(last.Next()), 10, 64); err == nil {
				e.Replies = scraper.Int64(n)
			}
		}
		if box := scraper.First(last, vb3SelSmall); box.Length() > 0 {
			text := scraper.Text(box)
			if first, _, ok := strings.Cut(text, "\n"); ok {
				text = first
			}
			e.LastPostText = scraper.Str(scraper.Clean(text))
			if e.LastPostText != nil {
				e.LastPostAt, _ = vbParseDate(*e.LastPostText, in)
			}
		}
		l.Threads = append(l.Threads, e)
	})
	return l, nil
}

// vbIsRepliesLabel recognises the replies label in the language packs seen.
func vbIsRepliesLabel(label string) bool {
	switch strings.ToLower(scraper.Clean(label)) {
	case "replies", "antworten", "réponses", "respuestas", "risposte", "reacties", "ответов":
		return true
	}
	return false
}

func vbBoards(sel *goquery.Selection, links scraper.Input) []scraper.BoardLink {
	out := []scraper.BoardLink{}
	seen := map[string]bool{}
	sel.Each(func(_ int, a *goquery.Selection) {
		href := scraper.Resolve(links.URL, scraper.Attr(a, "href"))
		if href == "" || seen[href] {
			return
		}
		seen[href] = true
		out = append(out, scraper.BoardLink{URL: href, Title: scraper.Str(scraper.TextLine(a))})
	})
	return out
}

package engines

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

func xf2Fixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "xenforo2", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func xf2Extract(t testing.TB, raw []byte, pageURL string) *scraper.Page {
	t.Helper()
	p, err := scraper.Extract(raw, pageURL, scraper.Options{Engine: "xenforo2", FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	return p
}

func xf2Doc(t testing.TB, raw []byte) *goquery.Document {
	t.Helper()
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func xf2PostByID(t *testing.T, p *scraper.Page, id string) scraper.Post {
	t.Helper()
	for _, post := range p.Posts {
		if post.ID == id {
			return post
		}
	}
	t.Fatalf("post %s not found", id)
	return scraper.Post{}
}

func xf2Deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// xf2Page wraps post markup in a minimal XenForo 2 page.
func xf2Page(htmlAttrs, title, posts string) []byte {
	return []byte(`<!DOCTYPE html><html id="XF" ` + htmlAttrs + ` data-app="public" data-template="thread_view" data-content-key="thread-9">
<head><meta charset="utf-8"><title>T | Board</title><link rel="canonical" href="https://f.example/threads/t.9/"></head>
<body><div class="p-body-inner"><h1 class="p-title-value">` + title + `</h1>
<div class="block-body">` + posts + `</div></div></body></html>`)
}

const xf2SimplePost = `<article class="message message--post js-post" data-author="Ann" data-content="post-5" id="js-post-5">
<div class="message-cell message-cell--user"><section class="message-user">
<div class="message-userDetails"><h4 class="message-name"><a href="/members/ann.4/" class="username" data-user-id="4">Ann</a></h4></div>
</section></div>
<div class="message-cell message-cell--main"><header class="message-attribution">
<ul class="message-attribution-main"><li><a href="/threads/t.9/post-5">%TIME%</a></li></ul>
<ul class="message-attribution-opposite"><li><a href="/threads/t.9/post-5">#1</a></li></ul></header>
<div class="message-content"><article class="message-body"><div class="bbWrapper">%BODY%</div></article></div></div>
</article>`

func xf2SimplePage(timeEl, body string) []byte {
	post := strings.NewReplacer("%TIME%", timeEl, "%BODY%", body).Replace(xf2SimplePost)
	return xf2Page(`data-xf="2.2"`, "T", post)
}

func TestXF2Detect(t *testing.T) {
	cases := []struct {
		name string
		html string
		want bool
	}{
		{"xf2.3 root", `<html id="XF" data-xf="2.3" data-app="public"><body></body></html>`, true},
		{"xf2.1 root without data-xf", `<html id="XF" lang="ru-RU" data-app="public" data-template="thread_view"><body></body></html>`, true},
		{"themed root, XF2 classes", `<html lang="en"><body><div class="p-pageWrapper"><div class="p-body-inner"></div></div></body></html>`, true},
		{"xenforo 1", `<html id="XenForo" class="Public"><body><ol id="messageList"><li id="post-1" class="message"></li></ol><div class="p-body-inner"></div></body></html>`, false},
		{"plain page", `<html><body><div class="post">hello</div></body></html>`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (xf2Engine{}).Detect(xf2Doc(t, []byte(c.html))); got != c.want {
				t.Errorf("Detect = %v, want %v", got, c.want)
			}
		})
	}
	for _, f := range []string{"thread-p1.html", "ru-thread-p2.html", "de-thread-23.html", "cp1251-thread.html", "forum-workshop-p1.html"} {
		e, err := scraper.Detect(xf2Doc(t, xf2Fixture(t, f)))
		if err != nil || e.Info().Name != "xenforo2" {
			t.Errorf("%s: detected %v, %v; want xenforo2", f, e, err)
		}
	}
}

func TestXF2TitlePrefix(t *testing.T) {
	cases := []struct {
		file, url, title, prefix string
	}{
		// 2.0/2.1 style: <span class="label"> directly in the h1.
		{"thread-p1.html", "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/", "Restoring a 1978 Raleigh road bike", "Guide"},
		// 2.2+ style: the label wrapped in a.labelLink.
		{"de-thread-23.html", "https://radforum-sued.example.de/threads/kettenschaltung-springt-unter-last.3310/", "Kettenschaltung springt unter Last", "Gelöst"},
		{"ru-thread-p2.html", "https://veloklub.example.ru/threads/kak-vybrat-velosiped-dlja-goroda.912/page-2", "Как выбрать велосипед для города", "<nil>"},
	}
	for _, c := range cases {
		p := xf2Extract(t, xf2Fixture(t, c.file), c.url)
		if got := xf2Deref(p.Thread.Title); got != c.title {
			t.Errorf("%s: title = %q, want %q", c.file, got, c.title)
		}
		if got := xf2Deref(p.Thread.Prefix); got != c.prefix {
			t.Errorf("%s: prefix = %q, want %q", c.file, got, c.prefix)
		}
	}
}

func TestXF2Timestamps(t *testing.T) {
	cases := []struct {
		name, el string
		want     time.Time
		text     string
	}{
		// XF 2.3: data-time holds the clock text; the unix time is in data-timestamp.
		{"2.3", `<time class="u-dt" datetime="2012-06-21T16:23:51-0400" data-timestamp="1340310231" data-date="Jun 21, 2012" data-time="4:23 PM" title="Jun 21, 2012 at 4:23 PM">Jun 21, 2012</time>`,
			time.Unix(1340310231, 0).UTC(), "Jun 21, 2012"},
		// XF 2.0-2.2: data-time is unix.
		{"2.2", `<time class="u-dt" datetime="2013-05-20T10:27:02+0400" data-time="1369031222" data-date-string="20 Май 2013" data-time-string="10:27">20 Май 2013</time>`,
			time.Unix(1369031222, 0).UTC(), "20 Май 2013"},
		// Theme stripped the unix attributes: datetime wins over the relative text.
		{"datetime only", `<time class="u-dt" datetime="2024-03-06T15:15:00+0000">Yesterday at 3:15 PM</time>`,
			time.Date(2024, 3, 6, 15, 15, 0, 0, time.UTC), "Yesterday at 3:15 PM"},
		// Nothing machine-readable: the title is parsed.
		{"title only", `<time class="u-dt" title="Jun 22, 2012 at 10:55 AM">Jun 22, 2012</time>`,
			time.Date(2012, 6, 22, 10, 55, 0, 0, time.UTC), "Jun 22, 2012"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := xf2Extract(t, xf2SimplePage(c.el, "hi"), "https://f.example/threads/t.9/")
			post := p.Posts[0]
			if post.PostedAt == nil || !post.PostedAt.Equal(c.want) {
				t.Errorf("posted_at = %v, want %v", post.PostedAt, c.want)
			}
			if got := xf2Deref(post.PostedText); got != c.text {
				t.Errorf("posted_text = %q, want %q", got, c.text)
			}
		})
	}

	// A full 2.3 fixture: every post's time comes from data-timestamp.
	p := xf2Extract(t, xf2Fixture(t, "de-thread-23.html"), "https://radforum-sued.example.de/threads/kettenschaltung-springt-unter-last.3310/")
	post := xf2PostByID(t, p, "88007")
	if want := time.Unix(1712300000+5400, 0).UTC(); post.PostedAt == nil || !post.PostedAt.Equal(want) {
		t.Errorf("88007 posted_at = %v, want %v", post.PostedAt, want)
	}
	if want := time.Unix(1712300000+6000, 0).UTC(); post.EditedAt == nil || !post.EditedAt.Equal(want) {
		t.Errorf("88007 edited_at = %v, want %v", post.EditedAt, want)
	}
}

func TestXF2DoubleAuthorBlock(t *testing.T) {
	p := xf2Extract(t, xf2Fixture(t, "ru-thread-p2.html"), "https://veloklub.example.ru/threads/kak-vybrat-velosiped-dlja-goroda.912/page-2")
	if len(p.Posts) != 3 {
		t.Fatalf("posts = %d, want 3", len(p.Posts))
	}
	a := xf2PostByID(t, p, "5504").Author
	if got := xf2Deref(a.Name); got != "Кирилл_В" {
		t.Errorf("name = %q, want the name once", got)
	}
	if got := xf2Deref(a.Title); got != "Завсегдатай" {
		t.Errorf("title = %q", got)
	}
	if got := a.Extras["Banner"]; got != "Команда форума" {
		t.Errorf("banner = %q, want it once", got)
	}
	if a.Messages == nil || *a.Messages != 4210 || a.ReactionScore == nil || *a.ReactionScore != 1877 {
		t.Errorf("messages/reactions = %v/%v", a.Messages, a.ReactionScore)
	}
	if got := xf2Deref(a.Location); got != "Казань" {
		t.Errorf("location = %q", got)
	}
	if got := xf2Deref(a.JoinedText); got != "12 Мар 2015" {
		t.Errorf("joined_text = %q", got)
	}
}

func TestXF2Quotes(t *testing.T) {
	p := xf2Extract(t, xf2Fixture(t, "thread-p1.html"), "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/")
	post := xf2PostByID(t, p, "70140")
	if len(post.Quotes) != 2 {
		t.Fatalf("quotes = %+v, want outer and nested", post.Quotes)
	}
	outer, inner := post.Quotes[0], post.Quotes[1]
	if xf2Deref(outer.Author) != "Spoke Admin" || xf2Deref(outer.PostID) != "70120" || outer.Text != "Seconding this. Mine was marked 36 x 24 TPI." {
		t.Errorf("outer quote = %+v (%s, %s)", outer, xf2Deref(outer.Author), xf2Deref(outer.PostID))
	}
	if xf2Deref(inner.Author) != "tomas.k" || xf2Deref(inner.PostID) != "70114" || inner.Text != "Check the bottom bracket shell threading before you buy parts" {
		t.Errorf("nested quote = %+v", inner)
	}
	for _, leak := range []string{"said:", "Click to expand", "Seconding", "Code:"} {
		if strings.Contains(post.BodyText, leak) {
			t.Errorf("body_text leaks %q: %q", leak, post.BodyText)
		}
	}
	if !strings.HasPrefix(post.BodyText, "Отличный проект.") || !strings.Contains(post.BodyText, "ITA: 36 mm x 24 TPI") {
		t.Errorf("body_text = %q", post.BodyText)
	}
	if got := xf2Deref(post.SignatureText); got != "Олег — Tallinn, mostly by bike" {
		t.Errorf("signature = %q", got)
	}

	// A quote without data-quote/data-source.
	p2 := xf2Extract(t, xf2Fixture(t, "thread-p2.html"), "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/page-2")
	q := xf2PostByID(t, p2, "70166").Quotes
	if len(q) != 1 || q[0].Author != nil || q[0].PostID != nil || !strings.HasPrefix(q[0].Text, "The saddle was a Brooks B17") {
		t.Errorf("anonymous quote = %+v", q)
	}

	// A theme that dropped data-quote: author and post id from the title link.
	ru := xf2Extract(t, xf2Fixture(t, "ru-thread-p2.html"), "https://veloklub.example.ru/threads/kak-vybrat-velosiped-dlja-goroda.912/page-2")
	q = xf2PostByID(t, ru, "5509").Quotes
	if len(q) != 1 || xf2Deref(q[0].Author) != "Кирилл_В" || xf2Deref(q[0].PostID) != "5480" {
		t.Errorf("title-only quote = %+v", q)
	}
}

func TestXF2DeletedAndModerated(t *testing.T) {
	p := xf2Extract(t, xf2Fixture(t, "thread-p2.html"), "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/page-2")
	del := xf2PostByID(t, p, "70161")
	if xf2Deref(del.Author.Name) != "tomas.k" || xf2Deref(del.Author.ID) != "204" {
		t.Errorf("deleted post author = %s/%s", xf2Deref(del.Author.Name), xf2Deref(del.Author.ID))
	}
	if del.BodyText != "" || del.BodyHTML != "" {
		t.Errorf("deleted post body = %q", del.BodyText)
	}
	// The deletion notice has its own <time>; the post date is the attribution's.
	if want := time.Unix(1709478300+2*86400+4000, 0).UTC(); del.PostedAt == nil || !del.PostedAt.Equal(want) {
		t.Errorf("deleted post posted_at = %v, want %v", del.PostedAt, want)
	}
	mod := xf2PostByID(t, p, "70170")
	if strings.Contains(mod.BodyText, "awaiting") || !strings.HasPrefix(mod.BodyText, "New member here") {
		t.Errorf("moderated body = %q", mod.BodyText)
	}
	guest := xf2PostByID(t, p, "70158").Author
	if xf2Deref(guest.Name) != "Peddler42" || guest.ID != nil || guest.URL != nil {
		t.Errorf("guest author = %s id=%s url=%s", xf2Deref(guest.Name), xf2Deref(guest.ID), xf2Deref(guest.URL))
	}
	if len(p.Posts) != 6 {
		t.Errorf("posts = %d, want 6", len(p.Posts))
	}
}

func TestXF2NoLeaks(t *testing.T) {
	body := `Real text.<div class="samCodeUnit" data-position="inside"><div class="samItem">Sponsored: buy now</div></div><script>var x = 1;</script>
<div class="bbCodeBlock bbCodeBlock--code"><div class="bbCodeBlock-title">Code:</div><div class="bbCodeBlock-content"><pre class="bbCodeCode"><code>a = 1</code></pre></div></div>`
	raw := xf2SimplePage(`<time class="u-dt" data-time="1369031222">x</time>`, body)
	raw = bytes.Replace(raw, []byte(`</div></body>`), []byte(`<div class="block" data-widget-key="similar"><div class="structItem structItem--thread js-threadListItem-3"><time class="u-dt" data-time="1">Jan 1, 1970</time></div></div></div></body>`), 1)
	p := xf2Extract(t, raw, "https://f.example/threads/t.9/")
	if len(p.Posts) != 1 {
		t.Fatalf("posts = %d", len(p.Posts))
	}
	post := p.Posts[0]
	for _, leak := range []string{"Sponsored", "var x", "Code:"} {
		if strings.Contains(post.BodyText, leak) {
			t.Errorf("body_text leaks %q: %q", leak, post.BodyText)
		}
	}
	if strings.Contains(post.BodyHTML, "samCodeUnit") || strings.Contains(post.BodyHTML, "<script") {
		t.Errorf("body_html keeps the ad: %q", post.BodyHTML)
	}
	if post.BodyText != "Real text.\n\na = 1" {
		t.Errorf("body_text = %q", post.BodyText)
	}

	// Similar threads and the thread-start time on a real-looking page stay out of posts.
	p1 := xf2Extract(t, xf2Fixture(t, "thread-p1.html"), "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/")
	if len(p1.Posts) != 5 {
		t.Errorf("thread-p1 posts = %d, want 5", len(p1.Posts))
	}
	for _, post := range p1.Posts {
		if strings.Contains(post.BodyText, "WidgetCo") || strings.Contains(post.BodyText, "BB shell threads explained") {
			t.Errorf("post %s leaks page chrome: %q", post.ID, post.BodyText)
		}
	}
}

func TestXF2SidebarExtras(t *testing.T) {
	// Icon-only label (title attribute), multi-choice custom field, short count with exact title.
	post := `<article class="message message--post" data-author="Bo" data-content="post-8" id="js-post-8">
<div class="message-cell message-cell--user"><section class="message-user">
<div class="message-userDetails"><h4 class="message-name"><span class="username">Bo</span></h4></div>
<div class="message-userExtras">
<dl class="pairs"><dt><i class="fa--xf far fa-map-marker" title="Location"></i></dt><dd>Oslo</dd></dl>
<dl class="pairs" data-field="bikes"><dt>Bikes</dt><dd><ol class="listInline"><li>Road</li><li>Gravel</li></ol></dd></dl>
<dl class="pairs"><dt>Messages</dt><dd title="3,512">3.5K</dd></dl>
</div></section></div>
<div class="message-cell message-cell--main"><article class="message-body"><div class="bbWrapper">x</div></article></div></article>`
	p := xf2Extract(t, xf2Page(`data-xf="2.3"`, "T", post), "https://f.example/threads/t.9/")
	a := p.Posts[0].Author
	if xf2Deref(a.Location) != "Oslo" {
		t.Errorf("location = %q", xf2Deref(a.Location))
	}
	if a.Extras["Bikes"] != "Road, Gravel" {
		t.Errorf("extras = %v", a.Extras)
	}
	if a.Messages == nil || *a.Messages != 3512 {
		t.Errorf("messages = %v, want the exact 3512", a.Messages)
	}
	if a.ID != nil || a.URL != nil {
		t.Errorf("unlinked author got id/url %s %s", xf2Deref(a.ID), xf2Deref(a.URL))
	}
}

func TestXF2PageInfo(t *testing.T) {
	cases := []struct {
		file, url string
		number    int
		total     int
		next      string
	}{
		{"thread-p1.html", "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/", 1, 3, "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/page-2"},
		{"thread-p2.html", "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/page-2", 2, 3, "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/page-3"},
		{"thread-p3.html", "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/page-3", 3, 3, "<nil>"},
		{"bench-20.html", "https://spokeandchain.example.org/threads/derailleur-ghost-shifting-diary.5100/page-2", 2, 7, "https://spokeandchain.example.org/threads/derailleur-ghost-shifting-diary.5100/page-3"},
		{"de-thread-23.html", "https://radforum-sued.example.de/threads/kettenschaltung-springt-unter-last.3310/", 1, 1, "<nil>"},
	}
	for _, c := range cases {
		p := xf2Extract(t, xf2Fixture(t, c.file), c.url)
		total := 0
		if p.Page.Total != nil {
			total = *p.Page.Total
		}
		if p.Page.Number != c.number || total != c.total || xf2Deref(p.Page.NextURL) != c.next {
			t.Errorf("%s: page = %d/%d next %s, want %d/%d next %s", c.file, p.Page.Number, total, xf2Deref(p.Page.NextURL), c.number, c.total, c.next)
		}
		if !strings.HasSuffix(xf2Deref(p.Thread.URL), "/") || strings.Contains(xf2Deref(p.Thread.URL), "page-") {
			t.Errorf("%s: thread url %s keeps the page suffix", c.file, xf2Deref(p.Thread.URL))
		}
	}
}

func TestXF2PageURL(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
		ok   bool
	}{
		{"https://f.example/threads/a-b.541/", 3, "https://f.example/threads/a-b.541/page-3", true},
		{"https://f.example/threads/a-b.541", 2, "https://f.example/threads/a-b.541/page-2", true},
		{"https://f.example/threads/a-b.541/page-4", 1, "https://f.example/threads/a-b.541/", true},
		{"https://f.example/threads/a-b.541/page-4", 9999999, "https://f.example/threads/a-b.541/page-9999999", true},
		{"https://f.example/index.php?threads/a-b.541/", 2, "https://f.example/index.php?threads/a-b.541/page-2", true},
		{"https://f.example/threads/a-b.541/", 0, "", false},
	}
	for _, c := range cases {
		got, ok := (xf2Engine{}).PageURL(c.in, c.n)
		if got != c.want || ok != c.ok {
			t.Errorf("PageURL(%q, %d) = %q, %v; want %q, %v", c.in, c.n, got, ok, c.want, c.ok)
		}
	}
}

func TestXF2Charset(t *testing.T) {
	raw := xf2Fixture(t, "cp1251-thread.html")
	if bytes.Contains(raw, []byte("Скрипит")) {
		t.Fatal("fixture should hold windows-1251 bytes, not UTF-8")
	}
	p := xf2Extract(t, raw, "https://garazh.example.ru/threads/skripit-pedal.77/")
	if xf2Deref(p.Thread.Title) != "Скрипит педаль" {
		t.Errorf("title = %q", xf2Deref(p.Thread.Title))
	}
	if len(p.Posts) != 2 || !strings.Contains(p.Posts[1].BodyText, "«скрип»") {
		t.Errorf("posts = %+v", p.Posts)
	}
}

func TestXF2Listing(t *testing.T) {
	in := func(raw string) scraper.Input {
		u, _ := url.Parse(raw)
		return scraper.Input{URL: u, FetchedAt: time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC), Location: time.UTC}
	}
	doc := xf2Doc(t, xf2Fixture(t, "forum-workshop-p1.html"))
	l, err := (xf2Engine{}).ExtractListing(doc, in("https://spokeandchain.example.org/forums/workshop.12/"))
	if err != nil {
		t.Fatal(err)
	}
	if xf2Deref(l.Title) != "Workshop" {
		t.Errorf("title = %q", xf2Deref(l.Title))
	}
	if len(l.Boards) != 2 || l.Boards[0].URL != "https://spokeandchain.example.org/forums/wheels-and-tyres.30/" || xf2Deref(l.Boards[1].Title) != "Frames & Forks" {
		t.Errorf("boards = %+v", l.Boards)
	}
	if len(l.Threads) != 3 {
		t.Fatalf("threads = %d, want 3", len(l.Threads))
	}
	th := l.Threads[0] // the sticky, with a prefix label before its title
	if th.URL != "https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/" || xf2Deref(th.ID) != "4821" ||
		xf2Deref(th.Title) != "Restoring a 1978 Raleigh road bike" || th.Replies == nil || *th.Replies != 13 {
		t.Errorf("thread 0 = %+v", th)
	}
	if want := time.Unix(1709478300+7*86400, 0).UTC(); th.LastPostAt == nil || !th.LastPostAt.Equal(want) {
		t.Errorf("last post = %v, want %v", th.LastPostAt, want)
	}
	if r := l.Threads[2].Replies; r == nil || *r != 1200 { // "1.2K": number_short is all the listing shows
		t.Errorf("thread 2 replies = %v", r)
	}
	if l.Page.Number != 1 || l.Page.Total == nil || *l.Page.Total != 3 || xf2Deref(l.Page.NextURL) != "https://spokeandchain.example.org/forums/workshop.12/page-2" {
		t.Errorf("page = %+v next %s", l.Page, xf2Deref(l.Page.NextURL))
	}

	// XF 2.3 (data-timestamp), German, last page, no sub-forums.
	doc = xf2Doc(t, xf2Fixture(t, "forum-de-23-p2.html"))
	l, err = (xf2Engine{}).ExtractListing(doc, in("https://radforum-sued.example.de/forums/schaltung.7/page-2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Boards) != 0 || len(l.Threads) != 2 {
		t.Fatalf("boards/threads = %d/%d", len(l.Boards), len(l.Threads))
	}
	if want := time.Unix(1712300000+86400, 0).UTC(); l.Threads[0].LastPostAt == nil || !l.Threads[0].LastPostAt.Equal(want) {
		t.Errorf("2.3 last post = %v, want %v", l.Threads[0].LastPostAt, want)
	}
	if xf2Deref(l.Threads[1].Title) != "Nabenschaltung: Öl wechseln?" || xf2Deref(l.Threads[1].ID) != "3290" {
		t.Errorf("thread 1 = %+v", l.Threads[1])
	}
	if l.Page.Number != 2 || l.Page.NextURL != nil {
		t.Errorf("page = %+v", l.Page)
	}

	// Similar-thread widgets on a thread page are not a listing's threads.
	doc = xf2Doc(t, xf2Fixture(t, "thread-p1.html"))
	l, err = (xf2Engine{}).ExtractListing(doc, in("https://spokeandchain.example.org/threads/restoring-a-1978-raleigh-road-bike.4821/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Threads) != 0 {
		t.Errorf("widget threads leaked into listing: %+v", l.Threads)
	}
}

const xf2BenchFile = "bench-20.html"
const xf2BenchURL = "https://spokeandchain.example.org/threads/derailleur-ghost-shifting-diary.5100/page-2"

// BenchmarkExtractXenForo2 measures parse + detect + extract of a 20-post page; run
// with -cpu 1 to read pages per second on one core.
func BenchmarkExtractXenForo2(b *testing.B) {
	raw := xf2Fixture(b, xf2BenchFile)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := scraper.Extract(raw, xf2BenchURL, scraper.Options{FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)})
		if err != nil || len(p.Posts) != 20 {
			b.Fatalf("extract: %v (%d posts)", err, len(p.Posts))
		}
	}
}

// BenchmarkDetectXenForo2 measures scraper.Detect (every registered engine) on an
// already parsed page; it must stay a small fraction of BenchmarkExtractXenForo2.
func BenchmarkDetectXenForo2(b *testing.B) {
	benchDetect(b, xf2Fixture(b, xf2BenchFile), "xenforo2")
}

func TestXF2DeletedPlaceholderTheme(t *testing.T) {
	// Some themes keep the body container and print a notice in it for deleted posts.
	post := strings.Replace(xf2SimplePost, `class="message message--post js-post"`, `class="message message--post message--deleted js-post"`, 1)
	post = strings.NewReplacer("%TIME%", `<time class="u-dt" data-time="1369031222">x</time>`, "%BODY%", "This message has been deleted.").Replace(post)
	p := xf2Extract(t, xf2Page(`data-xf="2.2"`, "T", post), "https://f.example/threads/t.9/")
	if len(p.Posts) != 1 || p.Posts[0].BodyText != "" || xf2Deref(p.Posts[0].Author.Name) != "Ann" {
		t.Errorf("deleted placeholder = %+v", p.Posts)
	}
}

// BenchmarkExtractDocXenForo2 measures the engine alone on a parsed page, separating
// its cost from HTML parsing (which the core does once per page for every engine).
func BenchmarkExtractDocXenForo2(b *testing.B) {
	raw := xf2Fixture(b, xf2BenchFile)
	doc := xf2Doc(b, raw)
	u, _ := url.Parse(xf2BenchURL)
	in := scraper.Input{URL: u, FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: time.UTC}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := (xf2Engine{}).Extract(doc, in)
		if err != nil || len(p.Posts) != 20 {
			b.Fatalf("extract: %v", err)
		}
	}
}

// TestXF2DetectRealPages checks detection against the shared corpus of real pages from
// every engine: XenForo 2 pages are claimed, none of the others (XenForo 1 above all).
// It skips when ../shared is absent (a user's clone).
func TestXF2DetectRealPages(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "realpages")
	raw, err := os.ReadFile(filepath.Join(dir, "answers.json"))
	if os.IsNotExist(err) {
		t.Skip("../shared/realpages not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	var key struct {
		Pages []struct {
			File   string `json:"file"`
			Engine string `json:"engine"`
		} `json:"pages"`
	}
	if err := json.Unmarshal(raw, &key); err != nil {
		t.Fatal(err)
	}
	for _, pg := range key.Pages {
		page, err := os.ReadFile(filepath.Join(dir, pg.File))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := (xf2Engine{}).Detect(xf2Doc(t, page)), pg.Engine == "xenforo2"; got != want {
			t.Errorf("%s (%s): Detect = %v, want %v", pg.File, pg.Engine, got, want)
		}
	}
}

func TestXF2SignatureInsideBody(t *testing.T) {
	// A theme without .bbWrapper that renders the signature inside .message-body.
	post := `<article class="message message--post" data-author="Cy" data-content="post-3" id="js-post-3">
<div class="message-cell message-cell--main"><article class="message-body">Own words here.
<aside class="message-signature"><div>My signature</div></aside></article></div></article>`
	p := xf2Extract(t, xf2Page(`data-xf="2.2"`, "T", post), "https://f.example/threads/t.9/")
	if len(p.Posts) != 1 {
		t.Fatalf("posts = %d", len(p.Posts))
	}
	if got := p.Posts[0]; got.BodyText != "Own words here." || xf2Deref(got.SignatureText) != "My signature" || xf2Deref(got.Author.Name) != "Cy" {
		t.Errorf("body %q signature %q author %q", got.BodyText, xf2Deref(got.SignatureText), xf2Deref(got.Author.Name))
	}
}

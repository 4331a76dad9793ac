package engines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

func xf1Doc(t testing.TB, src string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func xf1Fixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "xenforo1", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// xf1XF2Page carries XenForo 2's typical markers, including a data-author message.
const xf1XF2Page = `<!DOCTYPE html><html id="XF" lang="en-US" dir="LTR" data-app="public" data-template="thread_view"
 data-container-key="node-4" data-content-key="thread-88" data-logged-in="false" class="has-no-js template-thread_view">
<head><meta charset="utf-8" /><title>A thread | Example</title></head><body data-template="thread_view">
<div class="p-body"><div class="block-body js-replyNewMessageContainer">
<article class="message message--post js-post js-inlineModContainer" data-author="bob" data-content="post-9" id="js-post-9">
<div class="message-inner"><div class="message-cell message-cell--user"><section class="message-user">
<h4 class="message-name"><a href="/members/bob.2/" class="username" data-user-id="2">bob</a></h4>
<div class="message-userExtras"><dl class="pairs pairs--justified"><dt>Joined</dt><dd>Jan 1, 2020</dd></dl></div>
</section></div><div class="message-cell message-cell--main"><div class="message-content js-messageContent">
<article class="message-body js-selectToQuote"><div class="bbWrapper">Hello from XF2</div></article></div></div></div>
</article></div></div></body></html>`

func TestXF1DetectNeverXF2(t *testing.T) {
	xf1 := xf1Engine{}
	if xf1.Detect(xf1Doc(t, xf1XF2Page)) {
		t.Error("xenforo1 claimed a XenForo 2 page")
	}
	// XF1 class names deeper in a page are not enough: only the root id counts.
	if xf1.Detect(xf1Doc(t, `<html><body><div id="XenForo"><li class="message" id="post-1" data-author="a"><div class="messageUserInfo"></div></li></div></body></html>`)) {
		t.Error("xenforo1 claimed a page without html#XenForo")
	}
	for _, f := range []string{"thread-p1.html", "thread-p2.html", "thread-p3.html", "thread-de.html"} {
		doc, _, err := scraper.Parse(xf1Fixture(t, f), "")
		if err != nil {
			t.Fatal(err)
		}
		if !xf1.Detect(doc) {
			t.Errorf("%s: not detected", f)
		}
		e, err := scraper.Detect(doc)
		if err != nil || e.Info().Name != "xenforo1" {
			t.Errorf("%s: scraper.Detect = %v, %v", f, e, err)
		}
		// The XenForo 2 engine (another file of this package) must not claim XF1 pages.
		if xf2, ok := scraper.Lookup("xenforo2"); ok && xf2.Detect(doc) {
			t.Errorf("%s: xenforo2 claimed a XenForo 1 page", f)
		}
	}
}

func TestXF1MiddlePage(t *testing.T) {
	p, err := scraper.Extract(xf1Fixture(t, "thread-p2.html"),
		"https://crumbandcrust.example/community/threads/sourdough-starter-keeps-going-flat.812/page-2",
		scraper.Options{FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	// 9 posts; the sponsor <li class="message"> without a post id is not one.
	if len(p.Posts) != 9 {
		t.Fatalf("posts = %d, want 9", len(p.Posts))
	}
	// No <link rel=next> on this page: the PageNav's numbered link is used, resolved
	// against <base href>, not the page URL.
	want := "https://crumbandcrust.example/community/threads/sourdough-starter-keeps-going-flat.812/page-3"
	if p.Page.Number != 2 || *p.Page.Total != 3 || p.Page.NextURL == nil || *p.Page.NextURL != want {
		t.Errorf("page = %d %v %v", p.Page.Number, p.Page.Total, p.Page.NextURL)
	}
	nested := p.Posts[0]
	if len(nested.Quotes) != 2 || *nested.Quotes[0].PostID != "5010" || *nested.Quotes[1].Author != "Hilde" {
		t.Errorf("nested quotes = %+v", nested.Quotes)
	}
	if strings.Contains(nested.Quotes[0].Text, "discard") || strings.Contains(nested.Quotes[0].Text, "Click to expand") {
		t.Errorf("outer quote text holds the inner quote or chrome: %q", nested.Quotes[0].Text)
	}
	if nested.BodyText != "Told you! Now bake something." {
		t.Errorf("body = %q", nested.BodyText)
	}
	guest := p.Posts[2]
	if *guest.Author.Name != "Visitor_Jo" || guest.Author.ID != nil || guest.Author.URL != nil || guest.Author.Messages != nil || guest.Author.JoinedText != nil {
		t.Errorf("guest = %+v", guest.Author)
	}
	noLink := p.Posts[6].Quotes
	if len(noLink) != 1 || noLink[0].PostID != nil || *noLink[0].Author != "breadhead" {
		t.Errorf("quote without link = %+v", noLink)
	}
	// abbr.DateTime: unix data-time wins; text kept as shown.
	recent := p.Posts[6]
	if recent.PostedAt.Unix() != 1767958200 || *recent.PostedText != "Jan 9, 2026 at 11:30 AM" {
		t.Errorf("recent date = %v %q", recent.PostedAt, *recent.PostedText)
	}
	// span.DateTime: the full date is in the title.
	old := p.Posts[1]
	if old.PostedAt.Format(time.RFC3339) != "2026-01-03T13:41:00Z" || *old.PostedText != "Jan 3, 2026" {
		t.Errorf("old date = %v %q", old.PostedAt, *old.PostedText)
	}
	if p.Posts[1].SignatureText == nil || strings.Contains(p.Posts[1].BodyText, "Starter FAQ") {
		t.Errorf("signature not kept apart: %v / %q", p.Posts[1].SignatureText, p.Posts[1].BodyText)
	}
}

func TestXF1QuoteWithoutDataAuthor(t *testing.T) {
	src := `<html id="XenForo"><head><base href="https://f.example/"></head><body><div class="titleBar"><h1>T</h1></div><ol class="messageList">
<li id="post-7" class="message" data-author="x"><div class="messageUserInfo"><h3 class="userText"><a href="members/x.3/" class="username">x</a></h3></div>
<div class="messageInfo"><div class="messageContent"><article><blockquote class="messageText">
<div class="bbCodeBlock bbCodeQuote"><aside><div class="attribution type">Zoë сказал(а): <a href="goto/post?id=6#post-6" class="AttributionLink">↑</a></div>
<blockquote class="quoteContainer"><div class="quote">quoted</div></blockquote></aside></div>own words</blockquote></article></div></div></li></ol></body></html>`
	p, err := scraper.Extract([]byte(src), "https://f.example/threads/t.5/", scraper.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := p.Posts[0].Quotes
	if len(q) != 1 || *q[0].Author != "Zoë" || *q[0].PostID != "6" || q[0].Text != "quoted" {
		t.Errorf("quote = %+v", q)
	}
	if *p.Posts[0].Author.ID != "3" || *p.Thread.ID != "5" || *p.Page.Total != 1 || p.Page.NextURL != nil {
		t.Errorf("author id %v thread id %v total %v next %v", p.Posts[0].Author.ID, p.Thread.ID, p.Page.Total, p.Page.NextURL)
	}
}

func TestXF1PageURL(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
		ok   bool
	}{
		{"https://f.example/threads/title.123/", 1, "https://f.example/threads/title.123/", true},
		{"https://f.example/threads/title.123/", 4, "https://f.example/threads/title.123/page-4", true},
		{"https://f.example/threads/title.123/page-2", 5, "https://f.example/threads/title.123/page-5", true},
		{"https://f.example/threads/title.123", 2, "https://f.example/threads/title.123/page-2", true},
		{"https://f.example/forum/index.php?threads/title.123/page-3", 1, "https://f.example/forum/index.php?threads/title.123/", true},
		{"https://f.example/forum/index.php?threads/title.123/", 2, "https://f.example/forum/index.php?threads/title.123/page-2", true},
		{"https://f.example/forums/news.3/", 2, "", false},
		{"https://f.example/threads/title.123/", 0, "", false},
	}
	for _, c := range cases {
		got, ok := xf1Engine{}.PageURL(c.in, c.n)
		if got != c.want || ok != c.ok {
			t.Errorf("PageURL(%q, %d) = %q, %v; want %q, %v", c.in, c.n, got, ok, c.want, c.ok)
		}
	}
}

func BenchmarkExtractXenforo1(b *testing.B) {
	benchExtract(b, xf1Fixture(b, "thread-p1.html"), "https://crumbandcrust.example/community/threads/sourdough-starter-keeps-going-flat.812/",
		scraper.Options{FetchedAt: time.Now()})
}

func BenchmarkDetectXenforo1(b *testing.B) {
	benchDetect(b, xf1Fixture(b, "thread-p1.html"), "xenforo1")
}

// TestXF1DiscourseRealPagesNotClaimed runs this file's and discourse's detection over
// the shared corpus of real pages (other engines' pages only): neither may claim
// one, since detection runs in name order and would shadow the right engine. It
// skips when ../shared is absent (a user's clone).
func TestXF1DiscourseRealPagesNotClaimed(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "realpages")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.html"))
	if len(files) == 0 {
		t.Skip("../shared/realpages not present")
	}
	example := genLoadExample(t)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, err := scraper.Parse(raw, "")
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		for name, e := range map[string]scraper.Engine{"xenforo1": xf1Engine{}, "discourse": discEngine{}, "example profile": example} {
			if e.Detect(doc) {
				t.Errorf("%s claimed %s", name, rel)
			}
		}
	}
}

func TestXF1Listing(t *testing.T) {
	doc, _, err := scraper.Parse(xf1Fixture(t, "forum-p1.html"), "")
	if err != nil {
		t.Fatal(err)
	}
	in := scraper.Input{URL: genMustURL(t, "https://crumbandcrust.example/community/forums/bread-and-dough.7/?s=abc"),
		FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: time.UTC}
	l, err := xf1Engine{}.ExtractListing(doc, in)
	if err != nil {
		t.Fatal(err)
	}
	if l.URL != "https://crumbandcrust.example/community/forums/bread-and-dough.7/" || *l.Title != "Bread & Dough" {
		t.Errorf("listing url/title = %q %v", l.URL, l.Title)
	}
	if l.Page.Number != 1 || *l.Page.Total != 4 || *l.Page.NextURL != "https://crumbandcrust.example/community/forums/bread-and-dough.7/page-2" {
		t.Errorf("page = %+v", l.Page)
	}
	if len(l.Boards) != 2 || l.Boards[1].URL != "https://crumbandcrust.example/community/forums/enriched-doughs.10/" || *l.Boards[0].Title != "Rye & Whole Grain" {
		t.Errorf("boards = %+v", l.Boards)
	}
	if len(l.Threads) != 3 {
		t.Fatalf("threads = %d, want 3", len(l.Threads))
	}
	th := l.Threads[1]
	if th.URL != "https://crumbandcrust.example/community/threads/sourdough-starter-keeps-going-flat.812/" || *th.ID != "812" ||
		*th.Title != "Sourdough starter keeps going flat after day 3" || *th.Replies != 22 ||
		th.LastPostAt.Unix() != 1768478220 || *th.LastPostText != "Today at 11:57 AM" {
		t.Errorf("thread = %+v", th)
	}
	old := l.Threads[2]
	if old.LastPostAt == nil || old.LastPostAt.Format(time.RFC3339) != "2025-12-09T07:30:00Z" || *old.Replies != 5 {
		t.Errorf("old thread = %+v", old)
	}
	// A forum page is not a thread: Extract finds no posts.
	if _, err := scraper.Extract(xf1Fixture(t, "forum-p1.html"), in.URL.String(), scraper.Options{}); err == nil {
		t.Error("forum page extracted as a thread")
	}
}

package engines

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var vbTestFetched = time.Date(2014, 3, 22, 12, 0, 0, 0, time.UTC)

func vbTestdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...)
}

func vbRead(t testing.TB, parts ...string) []byte {
	t.Helper()
	raw, err := os.ReadFile(vbTestdata(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func vbDoc(t testing.TB, raw []byte) *goquery.Document {
	t.Helper()
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var vbGeneratorTag = regexp.MustCompile(`(?i)<meta name="generator"[^>]*>`)

// TestVBDetectVersions checks that vBulletin 3, 4 and 5 pages are told apart both
// by their generator meta and, with the meta removed, by markup alone.
func TestVBDetectVersions(t *testing.T) {
	for _, dir := range []string{"vbulletin3", "vbulletin4", "vbulletin5"} {
		files, err := filepath.Glob(vbTestdata(dir, "thread-*.html"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no fixtures (%v)", dir, err)
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			noMeta := vbGeneratorTag.ReplaceAll(raw, nil)
			if bytes.Equal(noMeta, raw) {
				t.Fatalf("%s: fixture has no generator meta", f)
			}
			for name, page := range map[string][]byte{"meta": raw, "markup": noMeta} {
				e, err := scraper.Detect(vbDoc(t, page))
				if err != nil {
					t.Errorf("%s (%s): %v", f, name, err)
					continue
				}
				if got := e.Info().Name; got != dir {
					t.Errorf("%s (%s): detected %s, want %s", f, name, got, dir)
				}
			}
		}
	}
}

// TestVBDetectGeneratorWins makes sure a generator naming another version overrides
// markup that happens to look like this version (themes copy class names).
func TestVBDetectGeneratorWins(t *testing.T) {
	raw := vbRead(t, "vbulletin4", "thread-p2.html")
	for gen, want := range map[string]string{"vBulletin 3.8.11": "vbulletin3", "vBulletin 5.7.5": "vbulletin5", "vBulletin 4.2.5": "vbulletin4"} {
		page := vbGeneratorTag.ReplaceAll(raw, []byte(`<meta name="generator" content="`+gen+`" />`))
		doc := vbDoc(t, page)
		for _, name := range []string{"vbulletin3", "vbulletin4", "vbulletin5"} {
			e, _ := scraper.Lookup(name)
			if got := e.Detect(doc); got != (name == want) {
				t.Errorf("generator %q: %s.Detect = %v", gen, name, got)
			}
		}
	}
}

// TestVBDetectIgnoresOtherForums guards against claiming pages that only mention
// vBulletin in their text or use none of its markup.
func TestVBDetectIgnoresOtherForums(t *testing.T) {
	page := `<html><head><meta name="generator" content="MyBB"><title>MyBB or vBulletin?</title></head>
<body><div class="post" id="post_1"><div class="post_body" id="pid_1">vBulletin 4 vs MyBB</div></div></body></html>`
	doc := vbDoc(t, []byte(page))
	for _, name := range []string{"vbulletin3", "vbulletin4", "vbulletin5"} {
		e, _ := scraper.Lookup(name)
		if e.Detect(doc) {
			t.Errorf("%s claimed a MyBB page", name)
		}
	}
}

// TestVBTrapsAreNotPosts checks that ads, vBSEO likes rows and "thanks" tables,
// which copy the post markup, are not read as posts.
func TestVBTrapsAreNotPosts(t *testing.T) {
	cases := []struct {
		dir, file, url string
		want           []string
	}{
		{"vbulletin4", "thread-p2.html", "https://garden.example.org/forum/showthread.php?t=4512&page=2", []string{"70150", "70153", "70160", "70168"}},
		{"vbulletin3", "thread-p2.html", "http://radio.example.com/forums/showthread.php?t=2290&page=2", []string{"88031", "88035", "88040", "88042"}},
		{"vbulletin5", "thread-p2.html", "https://community.example.com/forum/hobbies/model-railways/7345-loco-stalls-on-points/page2", []string{"7390", "7398", "7411", "7420"}},
	}
	for _, c := range cases {
		p, err := scraper.Extract(vbRead(t, c.dir, c.file), c.url, scraper.Options{FetchedAt: vbTestFetched})
		if err != nil {
			t.Fatalf("%s/%s: %v", c.dir, c.file, err)
		}
		var got []string
		for _, post := range p.Posts {
			got = append(got, post.ID)
			if strings.Contains(post.BodyText, "Sponsored") || strings.Contains(post.BodyText, "liked this post") {
				t.Errorf("%s/%s: post %s holds trap text %q", c.dir, c.file, post.ID, post.BodyText)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s/%s: posts %v, want %v", c.dir, c.file, got, c.want)
		}
	}
}

// TestVBSessionStripped checks that vBulletin's s= session ids, present in the
// page URL and in every link of the fixtures, are gone from all output URLs.
func TestVBSessionStripped(t *testing.T) {
	cases := []struct{ dir, file, url string }{
		{"vbulletin4", "thread-p1.html", "https://garden.example.org/forum/showthread.php?t=4512&s=0123456789abcdef0123456789abcdef"},
		{"vbulletin3", "thread-p1.html", "http://radio.example.com/forums/showthread.php?s=9f8e7d6c5b4a39281706f5e4d3c2b1a0&t=2290"},
		{"vbulletin5", "thread-p3.html", "https://community.example.com/forum/hobbies/model-railways/7345-loco-stalls-on-points/page3?s=4c2a9e1b7d3f5a6c8e0b2d4f6a8c0e1f"},
	}
	for _, c := range cases {
		raw := vbRead(t, c.dir, c.file)
		if !bytes.Contains(raw, []byte("s=")) && !strings.Contains(c.url, "s=") {
			t.Fatalf("%s/%s: fixture carries no session id", c.dir, c.file)
		}
		p, err := scraper.Extract(raw, c.url, scraper.Options{FetchedAt: vbTestFetched})
		if err != nil {
			t.Fatal(err)
		}
		urls := []string{p.URL}
		for _, s := range []*string{p.Thread.URL, p.Page.NextURL} {
			if s != nil {
				urls = append(urls, *s)
			}
		}
		for _, post := range p.Posts {
			for _, s := range []*string{post.URL, post.Author.URL} {
				if s != nil {
					urls = append(urls, *s)
				}
			}
		}
		if len(urls) < 4 {
			t.Errorf("%s/%s: only %d URLs extracted", c.dir, c.file, len(urls))
		}
		for _, u := range urls {
			parsed, err := url.Parse(u)
			if err != nil {
				t.Errorf("%s: %v", u, err)
				continue
			}
			if parsed.Query().Has("s") {
				t.Errorf("%s/%s: session id kept in %s", c.dir, c.file, u)
			}
		}
	}
}

func TestVBPageURL(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
		ok   bool
	}{
		{"https://f.example/showthread.php?t=123", 2, "https://f.example/showthread.php?t=123&page=2", true},
		{"https://f.example/showthread.php?t=123&page=4", 1, "https://f.example/showthread.php?t=123", true},
		{"https://f.example/showthread.php?t=123&p=9#post9", 3, "https://f.example/showthread.php?t=123&page=3", true},
		{"https://f.example/calculus/169103-particular-solution.html", 2, "https://f.example/calculus/169103-particular-solution-2.html", true},
		{"https://f.example/calculus/169103-particular-solution.html", 1, "https://f.example/calculus/169103-particular-solution.html", true},
		{"https://f.example/forum/threads/4512-Tomato-blight-again", 3, "https://f.example/forum/threads/4512-Tomato-blight-again/page3", true},
		{"https://f.example/forum/threads/4512-Tomato-blight-again/page3", 1, "https://f.example/forum/threads/4512-Tomato-blight-again", true},
		{"https://f.example/forum/hobbies/model-railways/7345-loco-stalls", 2, "https://f.example/forum/hobbies/model-railways/7345-loco-stalls/page2", true},
		{"https://f.example/showthread.php?4512-Tomato-blight-again", 2, "https://f.example/showthread.php?4512-Tomato-blight-again/page2", true},
		{"https://f.example/showthread.php?4512-Tomato-blight-again/page3&p=70209", 1, "https://f.example/showthread.php?4512-Tomato-blight-again", true},
		{"https://f.example/index.php", 2, "", false},
		{"https://f.example/showthread.php?t=123", 0, "", false},
	}
	for _, c := range cases {
		for _, name := range []string{"vbulletin3", "vbulletin4", "vbulletin5"} {
			e, _ := scraper.Lookup(name)
			got, ok := e.(scraper.PageLinker).PageURL(c.in, c.n)
			if got != c.want || ok != c.ok {
				t.Errorf("%s.PageURL(%q, %d) = %q, %v; want %q, %v", name, c.in, c.n, got, ok, c.want, c.ok)
			}
		}
	}
}

func TestVBUserID(t *testing.T) {
	for href, want := range map[string]string{
		"member.php?u=45":                       "45",
		"member.php?s=abc&u=45":                 "45",
		"member.php?118-RoseGrower":             "118",
		"members/77-gaertnerin_uschi.html":      "77",
		"https://f.example/member/103-caffeine": "103",
		"https://f.example/users/boogts/":       "",
	} {
		if got := vbUserID(href); got != want {
			t.Errorf("vbUserID(%q) = %q, want %q", href, got, want)
		}
	}
}

func TestVBThreadID(t *testing.T) {
	for raw, want := range map[string]string{
		"https://f.example/showthread.php?t=123&page=2":                    "123",
		"https://f.example/showthread.php?threadid=77":                     "77",
		"https://f.example/calculus/169103-particular-solution-2.html":     "169103",
		"https://f.example/forum/threads/4512-Tomato-blight-again/page3":   "4512",
		"https://f.example/forum/hobbies/model-railways/7345-loco-stalls/": "7345",
		"https://f.example/forum.php":                                      "",
	} {
		u, _ := url.Parse(raw)
		if got := vbThreadID(u); got != want {
			t.Errorf("vbThreadID(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestVBParseDate(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	in := scraper.Input{FetchedAt: time.Date(2014, 3, 22, 12, 0, 0, 0, time.UTC), Location: time.UTC}
	de := scraper.Input{FetchedAt: in.FetchedAt, Location: berlin}
	cases := []struct {
		text string
		in   scraper.Input
		want string
	}{
		{"Jan 23rd 2011, 08:29 AM", in, "2011-01-23T08:29:00Z"},
		{"Feb 1st 2011, 12:05 PM", in, "2011-02-01T12:05:00Z"},
		{"05-14-2010, 10:59 AM", in, "2010-05-14T10:59:00Z"},
		{"05-14-2010 at 11:02 PM", in, "2010-05-14T23:02:00Z"},
		{"Today, 09:45 AM", in, "2014-03-22T09:45:00Z"},
		{"Yesterday, 11:59 PM", in, "2014-03-21T23:59:00Z"},
		{"Today 06:12 PM", in, "2014-03-22T18:12:00Z"},
		{"14.05.2010, 10:59", de, "2010-05-14T08:59:00Z"},
		{"Heute, 10:41", de, "2014-03-22T09:41:00Z"},
		{"14. Mai 2010, 10:59", de, "2010-05-14T08:59:00Z"},
		{"23rd January 2011, 20:29", in, "2011-01-23T20:29:00Z"},
		{"09-feb-2026, 11:26", in, "2026-02-09T11:26:00Z"},
		{"14-dic-2009, 08:05", in, "2009-12-14T08:05:00Z"},
		{"Ayer, 20:06", in, "2014-03-21T20:06:00Z"},
	}
	for _, c := range cases {
		got, ok := vbParseDate(c.text, c.in)
		if !ok {
			t.Errorf("vbParseDate(%q) failed", c.text)
			continue
		}
		if s := got.Format(time.RFC3339); s != c.want {
			t.Errorf("vbParseDate(%q) = %s, want %s", c.text, s, c.want)
		}
	}
	if got := vbEdited("Zuletzt bearbeitet von Lötkolben; 14.05.2010 um 11:02 Uhr. Grund: Tippfehler", de); got == nil || got.Format(time.RFC3339) != "2010-05-14T09:02:00Z" {
		t.Errorf("German edit note read as %v", got)
	}
	if got := vbEdited("Last edited by Kale; Today at 11:20 AM.", in); got == nil || got.Format(time.RFC3339) != "2014-03-22T11:20:00Z" {
		t.Errorf("edit note read as %v", got)
	}
	if _, ok := vbParseDate("Sponsored", in); ok {
		t.Error("vbParseDate accepted text that is no date")
	}
}

func TestVBJoined(t *testing.T) {
	for text, want := range map[string]string{"Mai 2008": "2008-05", "05.2006": "2006-05", "Feb 2009": "2009-02", "14.03.2013": "2013-03-14"} {
		var a scraper.Author
		vbSidebar(&a, "Join Date", text, scraper.Input{Location: time.UTC, FetchedAt: vbTestFetched})
		if a.JoinedText == nil || *a.JoinedText != text || a.Joined == nil || *a.Joined != want {
			t.Errorf("join date %q: got %v / %v, want %s", text, a.JoinedText, a.Joined, want)
		}
	}
}

func TestVB4Listing(t *testing.T) {
	e, _ := scraper.Lookup("vbulletin4")
	lr := e.(scraper.ListingReader)
	in := scraper.Input{URL: mustVBURL(t, "https://garden.example.org/forum/forums/12-Vegetables"), FetchedAt: vbTestFetched, Location: time.UTC}
	l, err := lr.ExtractListing(vbDoc(t, vbRead(t, "vbulletin4", "listing-forumdisplay.html")), in)
	if err != nil {
		t.Fatal(err)
	}
	if l.Title == nil || *l.Title != "Vegetables" {
		t.Errorf("title = %v", l.Title)
	}
	if len(l.Boards) != 2 || l.Boards[0].URL != "https://garden.example.org/forum/forums/13-Herbs" {
		t.Errorf("boards = %+v", l.Boards)
	}
	if l.Page.Number != 1 || l.Page.Total == nil || *l.Page.Total != 4 || l.Page.NextURL == nil || *l.Page.NextURL != "https://garden.example.org/forum/forums/12-Vegetables/page2" {
		t.Errorf("page = %+v", l.Page)
	}
	if len(l.Threads) != 2 {
		t.Fatalf("threads = %+v", l.Threads)
	}
	first, second := l.Threads[0], l.Threads[1]
	if first.URL != "https://garden.example.org/forum/threads/4512-Tomato-blight-again" || *first.ID != "4512" || *first.Title != "Tomato blight again" {
		t.Errorf("first = %+v", first)
	}
	if first.Replies == nil || *first.Replies != 21 || second.Replies == nil || *second.Replies != 1002 {
		t.Errorf("replies = %v, %v", first.Replies, second.Replies)
	}
	if first.LastPostAt == nil || !first.LastPostAt.Equal(time.Date(2014, 3, 21, 0, 10, 0, 0, time.UTC)) || *first.LastPostText != "03-21-2014, 12:10 AM" {
		t.Errorf("first last post = %v %v", first.LastPostAt, first.LastPostText)
	}
	if second.LastPostAt == nil || !second.LastPostAt.Equal(time.Date(2014, 3, 21, 18, 45, 0, 0, time.UTC)) {
		t.Errorf("second last post = %v", second.LastPostAt)
	}
}

func TestVB3Listing(t *testing.T) {
	e, _ := scraper.Lookup("vbulletin3")
	lr := e.(scraper.ListingReader)
	in := scraper.Input{URL: mustVBURL(t, "http://radio.example.com/forums/forumdisplay.php?f=9"), FetchedAt: vbTestFetched, Location: time.UTC}
	l, err := lr.ExtractListing(vbDoc(t, vbRead(t, "vbulletin3", "listing-forumdisplay.html")), in)
	if err != nil {
		t.Fatal(err)
	}
	if l.Title == nil || *l.Title != "Valve Sets" {
		t.Errorf("title = %v", l.Title)
	}
	if len(l.Boards) != 1 || l.Boards[0].URL != "http://radio.example.com/forums/forumdisplay.php?f=21" || *l.Boards[0].Title != "Transistor Sets" {
		t.Errorf("boards = %+v", l.Boards)
	}
	if l.Page.Total == nil || *l.Page.Total != 2 || l.Page.NextURL == nil || *l.Page.NextURL != "http://radio.example.com/forums/forumdisplay.php?f=9&page=2" {
		t.Errorf("page = %+v", l.Page)
	}
	if len(l.Threads) != 2 {
		t.Fatalf("threads = %+v", l.Threads)
	}
	a, b := l.Threads[0], l.Threads[1]
	if a.URL != "http://radio.example.com/forums/showthread.php?t=2290" || *a.ID != "2290" || *a.Replies != 21 {
		t.Errorf("first = %+v", a)
	}
	if a.LastPostAt == nil || !a.LastPostAt.Equal(time.Date(2010, 5, 20, 18, 12, 0, 0, time.UTC)) || *a.LastPostText != "05-20-2010 06:12 PM" {
		t.Errorf("first last post = %v %v", a.LastPostAt, a.LastPostText)
	}
	if b.Replies == nil || *b.Replies != 4 || b.LastPostAt == nil || !b.LastPostAt.Equal(time.Date(2014, 3, 22, 9, 10, 0, 0, time.UTC)) {
		t.Errorf("second = %+v", b)
	}
}

func mustVBURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// vbBench extracts the largest fixture of an engine and, as a sub-benchmark, runs
// detection on the same page so the two costs can be compared.
func vbBench(b *testing.B, dir, file, pageURL string) {
	raw := vbRead(b, dir, file)
	b.Run("Extract", func(b *testing.B) { benchExtract(b, raw, pageURL, scraper.Options{FetchedAt: vbTestFetched}) })
	b.Run("Detect", func(b *testing.B) { benchDetect(b, raw, dir) })
}

func BenchmarkExtractVbulletin3(b *testing.B) {
	vbBench(b, "vbulletin3", "thread-p2.html", "http://radio.example.com/forums/showthread.php?t=2290&page=2")
}

func BenchmarkExtractVbulletin4(b *testing.B) {
	vbBench(b, "vbulletin4", "thread-p2.html", "https://garden.example.org/forum/showthread.php?t=4512&page=2")
}

func BenchmarkExtractVbulletin5(b *testing.B) {
	vbBench(b, "vbulletin5", "thread-p2.html", "https://community.example.com/forum/hobbies/model-railways/7345-loco-stalls-on-points/page2")
}

// TestVBPermalinkPage checks that a page fetched by a post permalink
// (showthread.php?p=N) still knows its thread from the title link.
func TestVBPermalinkPage(t *testing.T) {
	cases := []struct{ dir, url, wantID, wantURL string }{
		{"vbulletin3", "http://radio.example.com/forums/showthread.php?p=88004", "2290", "http://radio.example.com/forums/showthread.php?t=2290"},
		{"vbulletin4", "https://garden.example.org/forum/showthread.php?p=70107", "4512", "https://garden.example.org/forum/showthread.php?t=4512"},
	}
	for _, c := range cases {
		raw := vbRead(t, c.dir, "thread-p1.html")
		raw = regexp.MustCompile(`<link rel="canonical"[^>]*>`).ReplaceAll(raw, nil)
		p, err := scraper.Extract(raw, c.url, scraper.Options{FetchedAt: vbTestFetched})
		if err != nil {
			t.Fatal(err)
		}
		if p.Thread.ID == nil || *p.Thread.ID != c.wantID || p.Thread.URL == nil || *p.Thread.URL != c.wantURL {
			t.Errorf("%s: thread %v %v, want %s %s", c.dir, p.Thread.ID, p.Thread.URL, c.wantID, c.wantURL)
		}
	}
}

// TestVBNextMatchesPageURL checks that, on every fixture with a next page, the URL
// PageURL builds for the following page is the one the page links to, so resumed
// crawls and link-following crawls store the same page under the same URL.
func TestVBNextMatchesPageURL(t *testing.T) {
	checked := 0
	for _, dir := range []string{"vbulletin3", "vbulletin4", "vbulletin5"} {
		var fixtures []struct {
			File, URL string
		}
		if err := json.Unmarshal(vbRead(t, dir, "fixtures.json"), &fixtures); err != nil {
			t.Fatal(err)
		}
		e, _ := scraper.Lookup(dir)
		for _, f := range fixtures {
			p, err := scraper.Extract(vbRead(t, dir, f.File), f.URL, scraper.Options{Engine: dir, FetchedAt: vbTestFetched})
			if err != nil {
				t.Fatalf("%s/%s: %v", dir, f.File, err)
			}
			if p.Page.NextURL == nil {
				continue
			}
			if p.Thread.URL == nil {
				t.Errorf("%s/%s: no thread URL", dir, f.File)
				continue
			}
			got, ok := e.(scraper.PageLinker).PageURL(*p.Thread.URL, p.Page.Number+1)
			if !ok || got != *p.Page.NextURL {
				t.Errorf("%s/%s: PageURL(%s, %d) = %q, page links to %q", dir, f.File, *p.Thread.URL, p.Page.Number+1, got, *p.Page.NextURL)
			}
			checked++
		}
	}
	if checked < 6 {
		t.Errorf("only %d fixtures had a next page", checked)
	}
}

// TestVBCleanURLKeepsRoutes checks that removing a session id leaves vBulletin's
// valueless route keys ("member.php?118-Name") and parameter order alone.
func TestVBCleanURLKeepsRoutes(t *testing.T) {
	for raw, want := range map[string]string{
		"https://f.example/member.php?118-RoseGrower&s=0123abcd":           "https://f.example/member.php?118-RoseGrower",
		"https://f.example/showthread.php?s=0123abcd&t=4512&page=2":        "https://f.example/showthread.php?t=4512&page=2",
		"https://f.example/showthread.php?4512-Tomato-blight/page2&s=01ab": "https://f.example/showthread.php?4512-Tomato-blight/page2",
	} {
		if got := scraper.CleanURL(raw); got != want {
			t.Errorf("CleanURL(%s) = %s, want %s", raw, got, want)
		}
	}
}

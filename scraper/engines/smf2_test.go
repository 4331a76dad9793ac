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

func TestSmfDetect(t *testing.T) {
	for _, f := range []string{"curve20-p1.html", "curve20-fr.html", "smf21-p2.html", "smf21-p3.html"} {
		doc, _ := phpbbTestDoc(t, "smf2", f)
		if !(smfEngine{}).Detect(doc) {
			t.Errorf("%s: smf2 not detected", f)
		}
		if (phpbbEngine{}).Detect(doc) {
			t.Errorf("%s: phpbb3 claims an SMF page", f)
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(`<html><body><div class="inner" id="content">x</div><div class="post_wrapper"></div></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	if (smfEngine{}).Detect(doc) {
		t.Error("smf2 detected on a page without SMF markers")
	}
}

// TestSmfDetectRealPages keeps both detectors off the other engines' real pages,
// which run through detection before them or after them depending on names.
func TestSmfDetectRealPages(t *testing.T) {
	pages, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "realpages", "*", "*.html"))
	if len(pages) == 0 {
		t.Skip("../shared/realpages not present")
	}
	for _, f := range pages {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, err := scraper.Parse(raw, "")
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Base(filepath.Dir(f))
		if got := (phpbbEngine{}).Detect(doc); got != (dir == "phpbb3") {
			t.Errorf("%s: phpbb3 Detect = %v", f, got)
		}
		if got := (smfEngine{}).Detect(doc); got != (dir == "smf2") {
			t.Errorf("%s: smf2 Detect = %v", f, got)
		}
	}
}

func TestSmfPaging(t *testing.T) {
	cases := []struct {
		file, url      string
		num, total, pp int
		next           string
	}{
		{"curve20-p1.html", "http://www.kilnchat.example.com/forum/index.php?topic=4411.0", 1, 3, 15, "http://www.kilnchat.example.com/forum/index.php?topic=4411.15"},
		{"curve20-p2.html", "http://www.kilnchat.example.com/forum/index.php?topic=4411.15", 2, 3, 15, "http://www.kilnchat.example.com/forum/index.php?topic=4411.30"},
		{"curve20-p3.html", "http://www.kilnchat.example.com/forum/index.php?topic=4411.30", 3, 3, 15, ""},
		{"smf21-p2.html", "https://community.example.net/index.php?topic=901.20", 2, 3, 20, "https://community.example.net/index.php?topic=901.40"},
		{"curve20-fr.html", "https://forum.exemple.fr/index.php/topic,300.0.html", 1, 1, 0, ""},
	}
	for _, c := range cases {
		doc, _ := phpbbTestDoc(t, "smf2", c.file)
		num, total, next, pp := smfPaging(doc, phpbbTestInput(t, c.url))
		got := ""
		if next != nil {
			got = *next
		}
		if num != c.num || total == nil || *total != c.total || pp != c.pp || got != c.next {
			t.Errorf("%s: paging = %d/%d per %d next %q, want %d/%d per %d next %q", c.file, num, phpbbDeref(total), pp, got, c.num, c.total, c.pp, c.next)
		}
		if strings.Contains(got, "prev_next") {
			t.Errorf("%s: next page taken from <link rel=next>, which is the next topic", c.file)
		}
	}
}

func TestSmfPageURL(t *testing.T) {
	e := smfEngine{}
	cases := []struct {
		in     string
		n, per int
		want   string
		ok     bool
	}{
		{"https://f.org/index.php?topic=38573.0", 3, 15, "https://f.org/index.php?topic=38573.30", true},
		{"https://f.org/index.php/topic,38573.0.html", 2, 15, "https://f.org/index.php/topic,38573.15.html", true},
		{"https://f.org/index.php/topic,38573.msg174916.html#msg174916", 1, 15, "https://f.org/index.php/topic,38573.0.html", true},
		{"https://f.org/index.php?topic=901.40;PHPSESSID=abc", 2, 20, "https://f.org/index.php?topic=901.20", true},
		{"https://f.org/index.php?board=4.0", 2, 15, "", false},
	}
	for _, c := range cases {
		got, ok := e.PageURLPerPage(c.in, c.n, c.per)
		if got != c.want || ok != c.ok {
			t.Errorf("PageURLPerPage(%q, %d, %d) = %q %v, want %q %v", c.in, c.n, c.per, got, ok, c.want, c.ok)
		}
	}
	if got, _ := e.PageURL("https://f.org/index.php?topic=7.0", 2); got != "https://f.org/index.php?topic=7.15" {
		t.Errorf("PageURL default per page: %q", got)
	}
	doc, _ := phpbbTestDoc(t, "smf2", "smf21-p1.html")
	if per, ok := e.PerPage(doc, phpbbTestInput(t, "https://community.example.net/index.php?topic=901.0")); !ok || per != 20 {
		t.Errorf("PerPage = %d %v, want 20 true", per, ok)
	}
}

func TestSmfPostFields(t *testing.T) {
	doc, _ := phpbbTestDoc(t, "smf2", "curve20-p1.html")
	p, err := smfEngine{}.Extract(doc, phpbbTestInput(t, "http://www.kilnchat.example.com/forum/index.php?topic=4411.0"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Posts) != 3 {
		t.Fatalf("posts = %d, want 3", len(p.Posts))
	}
	first := p.Posts[0]
	a := first.Author
	if a.Title == nil || *a.Title != "Global Moderator" || a.Messages == nil || *a.Messages != 1204 || a.Location == nil || *a.Location != "Asheville, NC" {
		t.Errorf("author = %+v", a)
	}
	if a.Extras["Karma"] != "+12/-1" || a.Extras["Gender"] != "Female" || a.Extras["blurb"] != "Throwing since 1998" {
		t.Errorf("extras = %v", a.Extras)
	}
	if first.Number == nil || *first.Number != 1 || *p.Posts[1].Number != 2 {
		t.Errorf("numbers = %v, %v", first.Number, p.Posts[1].Number)
	}
	if first.EditedAt == nil || !first.EditedAt.Equal(time.Date(2024, 3, 5, 19, 1, 12, 0, time.UTC)) {
		t.Errorf("edited_at = %v", first.EditedAt)
	}
	if first.SignatureText == nil || strings.Contains(first.BodyText, "ambition") {
		t.Errorf("signature %v, body %q", first.SignatureText, first.BodyText)
	}
	q := p.Posts[1].Quotes
	if len(q) != 1 || q[0].Author == nil || *q[0].Author != "slipcaster" || q[0].PostID == nil || *q[0].PostID != "20455" {
		t.Errorf("quotes = %+v", q)
	}
	if strings.Contains(p.Posts[1].BodyText, "Quote from") || strings.Contains(p.Posts[1].BodyText, "Same glaze") {
		t.Errorf("quote leaked into body: %q", p.Posts[1].BodyText)
	}
	guest := p.Posts[2].Author
	if guest.ID != nil || guest.URL != nil || guest.Name == nil || *guest.Name != "Drop-in potter" {
		t.Errorf("guest = %+v", guest)
	}
}

func TestSmfEdited(t *testing.T) {
	in := phpbbTestInput(t, "https://f.org/index.php?topic=1.0")
	cases := map[string]string{
		"« Last Edit: September 24, 2007, 12:57:14 PM by gregswallow »": "2007-09-24T12:57:14Z",
		"Last Edit: March 01, 2024, 09:45:10 AM by Some Long Name":      "2024-03-01T09:45:10Z",
		"":             "",
		"Last Edit: —": "",
	}
	for txt, want := range cases {
		got := ""
		if at := smfEdited(txt, in); at != nil {
			got = at.Format(time.RFC3339)
		}
		if got != want {
			t.Errorf("smfEdited(%q) = %q, want %q", txt, got, want)
		}
	}
}

func BenchmarkExtractSmf2(b *testing.B) {
	_, raw := phpbbTestDoc(b, "smf2", "curve20-p1.html")
	opts := scraper.Options{Engine: "smf2", FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
	benchExtract(b, raw, "http://www.kilnchat.example.com/forum/index.php?topic=4411.0", opts)
}

func BenchmarkDetectSmf2(b *testing.B) {
	_, raw := phpbbTestDoc(b, "smf2", "curve20-p1.html")
	benchDetect(b, raw, "smf2")
}

func TestSmfListing(t *testing.T) {
	doc, _ := phpbbTestDoc(t, "smf2", "board-curve20.html")
	if !(smfEngine{}).Detect(doc) {
		t.Fatal("board page not detected")
	}
	l, err := smfEngine{}.ExtractListing(doc, phpbbTestInput(t, "http://www.kilnchat.example.com/forum/index.php?board=9.20"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Title == nil || *l.Title != "Glazes" {
		t.Errorf("title = %v", l.Title)
	}
	if len(l.Boards) != 1 || l.Boards[0].URL != "http://www.kilnchat.example.com/forum/index.php?board=12.0" {
		t.Errorf("boards = %+v", l.Boards)
	}
	if len(l.Threads) != 2 {
		t.Fatalf("threads = %d, want 2", len(l.Threads))
	}
	te := l.Threads[0]
	if *te.ID != "4411" || te.URL != "http://www.kilnchat.example.com/forum/index.php?topic=4411.0" || *te.Replies != 31 ||
		te.LastPostAt == nil || te.LastPostAt.Format(time.RFC3339) != "2024-03-18T09:12:45Z" || *te.LastPostText != "March 18, 2024, 09:12:45 AM" {
		t.Errorf("thread 0 = %+v", te)
	}
	if *l.Threads[1].Replies != 1050 {
		t.Errorf("thread 1 replies = %d, want 1050", *l.Threads[1].Replies)
	}
	if l.Page.Number != 2 || phpbbDeref(l.Page.Total) != 2 || l.Page.NextURL != nil {
		t.Errorf("page = %d/%d next %v, want 2/2 none (topic mini pagers ignored)", l.Page.Number, phpbbDeref(l.Page.Total), l.Page.NextURL)
	}

	doc, _ = phpbbTestDoc(t, "smf2", "board-smf21.html")
	l, err = smfEngine{}.ExtractListing(doc, phpbbTestInput(t, "https://community.example.net/index.php?board=4.0"))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Threads) != 2 || *l.Threads[0].Replies != 42 || *l.Threads[1].Replies != 0 || l.Threads[1].LastPostAt == nil {
		t.Fatalf("2.1 threads = %+v", l.Threads)
	}
	if l.Page.Number != 1 || phpbbDeref(l.Page.Total) != 1 || l.Page.NextURL != nil {
		t.Errorf("2.1 page = %d/%d next %v, want 1/1 none (topic mini pager ignored)", l.Page.Number, phpbbDeref(l.Page.Total), l.Page.NextURL)
	}
}

func TestSmfTitleFallback(t *testing.T) {
	cases := map[string]string{
		`<span id="top_subject">Topic: Farm mesh: which nodes? &nbsp;(Read 5 times)</span>`:    "Farm mesh: which nodes?",
		`<h2 class="display_title"><span id="top_subject">Farm mesh: which nodes?</span></h2>`: "Farm mesh: which nodes?",
	}
	for head, want := range cases {
		page := `<html><head><title>site title</title></head><body>` + head +
			`<div class="post_wrapper"><div class="poster"><h4>Guest</h4></div><div class="inner" id="msg_1">hi</div></div></body></html>`
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		p, err := smfEngine{}.Extract(doc, phpbbTestInput(t, "https://f.org/index.php?topic=3.0"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Thread.Title == nil || *p.Thread.Title != want {
			t.Errorf("%s: title = %v, want %q", head, p.Thread.Title, want)
		}
		if p.Thread.ID == nil || *p.Thread.ID != "3" || p.Thread.URL == nil || *p.Thread.URL != "https://f.org/index.php?topic=3.0" {
			t.Errorf("thread = %+v", p.Thread)
		}
	}
}

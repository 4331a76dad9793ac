package engines

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

// phpbbTestDoc parses a fixture from testdata/<dir>/.
func phpbbTestDoc(tb testing.TB, dir, file string) (*goquery.Document, []byte) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", dir, file))
	if err != nil {
		tb.Fatal(err)
	}
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		tb.Fatal(err)
	}
	return doc, raw
}

func phpbbTestInput(tb testing.TB, raw string) scraper.Input {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return scraper.Input{URL: u, FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: time.UTC}
}

func TestPhpbbDetect(t *testing.T) {
	for _, f := range []string{"prosilver30-p1.html", "prosilver33-p2.html", "prosilver33-de.html", "subsilver2-p3.html"} {
		doc, _ := phpbbTestDoc(t, "phpbb3", f)
		if !(phpbbEngine{}).Detect(doc) {
			t.Errorf("%s: phpbb3 not detected", f)
		}
		if (smfEngine{}).Detect(doc) {
			t.Errorf("%s: smf2 claims a phpBB page", f)
		}
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(`<html><body><div class="post" id="p1"><div class="content">hi</div></div></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	if (phpbbEngine{}).Detect(doc) {
		t.Error("phpbb3 detected on a page without phpBB markers")
	}
}

func TestPhpbbPaging(t *testing.T) {
	cases := []struct {
		file, url      string
		num, total, pp int
		next           string
	}{
		{"prosilver33-p1.html", "https://forum.example.org/viewtopic.php?t=345", 1, 3, 10, "https://forum.example.org/viewtopic.php?t=345&start=10"},
		{"prosilver33-p3.html", "https://forum.example.org/viewtopic.php?t=345&start=20", 3, 3, 10, ""},
		{"prosilver30-p2.html", "http://rail.example.com/forum/viewtopic.php?f=2&t=6120&start=15", 2, 3, 15, "http://rail.example.com/forum/viewtopic.php?f=2&t=6120&start=30"},
		{"subsilver2-p2.html", "http://bees.example.org/phpBB3/viewtopic.php?f=5&t=233&start=10", 2, 3, 10, "http://bees.example.org/phpBB3/viewtopic.php?f=5&t=233&start=20"},
		{"prosilver33-de.html", "https://forum.example.de/viewtopic.php?t=91", 1, 1, 0, ""},
	}
	for _, c := range cases {
		doc, _ := phpbbTestDoc(t, "phpbb3", c.file)
		num, total, next, pp := phpbbPaging(doc, phpbbTestInput(t, c.url))
		got := ""
		if next != nil {
			got = *next
		}
		if num != c.num || total == nil || *total != c.total || pp != c.pp || got != c.next {
			t.Errorf("%s: paging = %d/%v per %d next %q, want %d/%d per %d next %q", c.file, num, phpbbDeref(total), pp, got, c.num, c.total, c.pp, c.next)
		}
	}
}

func TestPhpbbPageURL(t *testing.T) {
	e := phpbbEngine{}
	cases := []struct {
		in      string
		n, per  int
		want    string
		wantOK  bool
		useDflt bool
	}{
		{"https://f.org/viewtopic.php?f=2&t=345", 3, 0, "https://f.org/viewtopic.php?f=2&t=345&start=20", true, true},
		{"https://f.org/viewtopic.php?t=345&start=40", 1, 0, "https://f.org/viewtopic.php?t=345", true, true},
		{"https://f.org/viewtopic.php?t=345&sid=abc#p5", 2, 25, "https://f.org/viewtopic.php?t=345&start=25", true, false},
		{"https://f.org/viewforum.php?f=2", 2, 0, "", false, true},
		{"https://f.org/viewtopic.php?t=345", 0, 0, "", false, true},
	}
	for _, c := range cases {
		var got string
		var ok bool
		if c.useDflt {
			got, ok = e.PageURL(c.in, c.n)
		} else {
			got, ok = e.PageURLPerPage(c.in, c.n, c.per)
		}
		if got != c.want || ok != c.wantOK {
			t.Errorf("PageURL(%q, %d) = %q %v, want %q %v", c.in, c.n, got, ok, c.want, c.wantOK)
		}
	}
	doc, _ := phpbbTestDoc(t, "phpbb3", "prosilver30-p1.html")
	if per, ok := e.PerPage(doc, phpbbTestInput(t, "http://rail.example.com/forum/viewtopic.php?f=2&t=6120")); !ok || per != 15 {
		t.Errorf("PerPage = %d %v, want 15 true", per, ok)
	}
}

func TestPhpbbQuotesAndEdits(t *testing.T) {
	doc, _ := phpbbTestDoc(t, "phpbb3", "subsilver2-p2.html")
	p, err := phpbbEngine{}.Extract(doc, phpbbTestInput(t, "http://bees.example.org/phpBB3/viewtopic.php?f=5&t=233&start=10"))
	if err != nil {
		t.Fatal(err)
	}
	last := p.Posts[len(p.Posts)-1]
	if len(last.Quotes) != 1 || last.Quotes[0].Author != nil || last.Quotes[0].Text != "feed them" {
		t.Errorf("bare 'Quote:' title: quotes = %+v, want one quote without author", last.Quotes)
	}
	if last.BodyText != "Yes, a litre of 1:1 syrup." {
		t.Errorf("body text = %q, quote or signature leaked", last.BodyText)
	}
	if last.SignatureText == nil || *last.SignatureText != "Two hives, zero sense" {
		t.Errorf("signature = %v", last.SignatureText)
	}

	doc, _ = phpbbTestDoc(t, "phpbb3", "prosilver33-p1.html")
	p, err = phpbbEngine{}.Extract(doc, phpbbTestInput(t, "https://forum.example.org/viewtopic.php?t=345"))
	if err != nil {
		t.Fatal(err)
	}
	first := p.Posts[0]
	if first.EditedAt == nil || !first.EditedAt.Equal(time.Date(2024, 3, 5, 19, 1, 0, 0, time.UTC)) {
		t.Errorf("edited_at = %v, want 2024-03-05 19:01 UTC", first.EditedAt)
	}
	if first.Author.Title == nil || *first.Author.Title != "Site Admin" || first.Author.Location == nil || *first.Author.Location != "Leeds, UK" {
		t.Errorf("author = %+v", first.Author)
	}
	if _, ok := first.Author.Extras["Contact"]; ok {
		t.Error("contact dropdown kept as an extra")
	}
	q := p.Posts[1].Quotes
	if len(q) != 1 || q[0].PostID == nil || *q[0].PostID != "5101" || q[0].Author == nil || *q[0].Author != "quill" {
		t.Errorf("3.3 quote = %+v, want quill / 5101", q)
	}
	guest := p.Posts[2]
	if guest.Author.Name == nil || *guest.Author.Name != "Visitor Bob" || guest.Author.ID != nil || guest.Author.Messages != nil {
		t.Errorf("guest author = %+v", guest.Author)
	}
	if want := "Guest here, a honing guide made all the difference for me.\n25 degrees primary, 30 micro bevel"; guest.BodyText != want {
		t.Errorf("code box: body text = %q, want %q", guest.BodyText, want)
	}
}

func TestPhpbbEditedRe(t *testing.T) {
	cases := map[string]string{
		"Last edited by quill on Tue Mar 05, 2024 7:01 pm, edited 1 time in total.":         "Tue Mar 05, 2024 7:01 pm",
		"Zuletzt geändert von Holzwurm am Mi 2. Jan 2019, 19:40, insgesamt 1-mal geändert.": "Mi 2. Jan 2019, 19:40",
		"Dernière édition par Jean le mar. 5 mars 2024 19:01, édité 2 fois.":                "mar. 5 mars 2024 19:01",
		"Reason: typo": "",
	}
	for in, want := range cases {
		if got := scraper.Submatch(in, phpbbEditedRe); got != want {
			t.Errorf("edited date in %q = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkExtractPhpbb3(b *testing.B) {
	_, raw := phpbbTestDoc(b, "phpbb3", "prosilver33-p1.html")
	opts := scraper.Options{Engine: "phpbb3", FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
	benchExtract(b, raw, "https://forum.example.org/viewtopic.php?t=345", opts)
}

func BenchmarkDetectPhpbb3(b *testing.B) {
	_, raw := phpbbTestDoc(b, "phpbb3", "prosilver33-p1.html")
	benchDetect(b, raw, "phpbb3")
}

func phpbbDeref(n *int) int {
	if n == nil {
		return -1
	}
	return *n
}

func TestPhpbbListing(t *testing.T) {
	doc, _ := phpbbTestDoc(t, "phpbb3", "viewforum-prosilver33.html")
	if !(phpbbEngine{}).Detect(doc) {
		t.Fatal("viewforum page not detected")
	}
	l, err := phpbbEngine{}.ExtractListing(doc, phpbbTestInput(t, "https://forum.example.org/viewforum.php?f=7"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Title == nil || *l.Title != "Sharpening" {
		t.Errorf("title = %v", l.Title)
	}
	if len(l.Boards) != 1 || l.Boards[0].URL != "https://forum.example.org/viewforum.php?f=12" || *l.Boards[0].Title != "Power sharpening" {
		t.Errorf("boards = %+v", l.Boards)
	}
	if len(l.Threads) != 3 {
		t.Fatalf("threads = %d, want 3 (mini page links are not topics)", len(l.Threads))
	}
	want := []struct {
		id      string
		replies int64
		last    string
	}{{"300", 0, "2024-01-01T10:00:00Z"}, {"345", 22, "2024-03-18T09:12:45Z"}, {"351", 1204, "2024-03-17T16:44:00Z"}}
	for i, w := range want {
		te := l.Threads[i]
		if te.ID == nil || *te.ID != w.id || te.Replies == nil || *te.Replies != w.replies || te.LastPostAt == nil || te.LastPostAt.Format(time.RFC3339) != w.last {
			t.Errorf("thread %d = id %v replies %v last %v, want %+v", i, te.ID, te.Replies, te.LastPostAt, w)
		}
	}
	if l.Threads[1].URL != "https://forum.example.org/viewtopic.php?t=345" || *l.Threads[1].LastPostText != "Mon Mar 18, 2024 9:12 am" {
		t.Errorf("thread 1 = %+v", l.Threads[1])
	}
	if l.Page.Number != 1 || phpbbDeref(l.Page.Total) != 2 || l.Page.NextURL == nil || *l.Page.NextURL != "https://forum.example.org/viewforum.php?f=7&start=25" {
		t.Errorf("page = %d/%d next %v", l.Page.Number, phpbbDeref(l.Page.Total), l.Page.NextURL)
	}
	if _, err := scraper.ExtractDocument(doc, "https://forum.example.org/viewforum.php?f=7", scraper.Options{}); err == nil {
		t.Error("a forum listing extracted as a thread without ErrNotThread")
	}
}

func TestPhpbbListingSubsilver2(t *testing.T) {
	doc, _ := phpbbTestDoc(t, "phpbb3", "viewforum-subsilver2.html")
	if !(phpbbEngine{}).Detect(doc) {
		t.Fatal("subsilver2 viewforum page not detected")
	}
	l, err := phpbbEngine{}.ExtractListing(doc, phpbbTestInput(t, "http://bees.example.org/phpBB3/viewforum.php?f=5"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Title == nil || *l.Title != "Swarms" || len(l.Boards) != 1 || *l.Boards[0].Title != "Swarm traps" {
		t.Errorf("title %v boards %+v", l.Title, l.Boards)
	}
	if len(l.Threads) != 2 {
		t.Fatalf("threads = %d, want 2", len(l.Threads))
	}
	te := l.Threads[0]
	if *te.ID != "233" || *te.Replies != 24 || te.LastPostText == nil || *te.LastPostText != "Fri Jun 20, 2008 12:00 pm" ||
		te.LastPostAt == nil || te.LastPostAt.Format(time.RFC3339) != "2008-06-20T12:00:00Z" {
		t.Errorf("thread 0 = %+v", te)
	}
	if l.Page.Number != 1 || phpbbDeref(l.Page.Total) != 2 || l.Page.NextURL == nil || *l.Page.NextURL != "http://bees.example.org/phpBB3/viewforum.php?f=5&start=25" {
		t.Errorf("page = %d/%d next %v", l.Page.Number, phpbbDeref(l.Page.Total), l.Page.NextURL)
	}
}

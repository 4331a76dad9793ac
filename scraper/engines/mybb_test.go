package engines

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var mybbFetched = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func mybbFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mybb", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mybbExtract(t testing.TB, name, pageURL string, loc *time.Location) *scraper.Page {
	t.Helper()
	p, err := scraper.Extract(mybbFixture(t, name), pageURL, scraper.Options{FetchedAt: mybbFetched, Location: loc})
	if err != nil {
		t.Fatalf("extract %s: %v", name, err)
	}
	if p.Engine != "mybb" {
		t.Fatalf("engine = %q, want mybb", p.Engine)
	}
	return p
}

func TestMybbFirstPage(t *testing.T) {
	p := mybbExtract(t, "thread-p1.html", "https://forum.example.org/showthread.php?tid=42", time.UTC)
	if got := len(p.Posts); got != 3 {
		t.Fatalf("posts = %d, want 3", got)
	}
	if p.Page.Number != 1 || p.Page.Total == nil || *p.Page.Total != 3 {
		t.Errorf("page = %d of %v, want 1 of 3", p.Page.Number, p.Page.Total)
	}
	if p.Page.NextURL == nil || *p.Page.NextURL != "https://forum.example.org/showthread.php?tid=42&page=2" {
		t.Errorf("next = %v", p.Page.NextURL)
	}
	if p.Thread.Prefix == nil || *p.Thread.Prefix != "[Solved]" {
		t.Errorf("prefix = %v, want [Solved]", p.Thread.Prefix)
	}

	first := p.Posts[0].Author
	if first.ReactionScore != nil {
		t.Errorf("MyBB reputation must not become a reaction score, got %d", *first.ReactionScore)
	}
	if first.Extras["Reputation"] != "37" || first.Extras["Threads"] != "88" {
		t.Errorf("extras = %v, want Reputation 37 and Threads 88", first.Extras)
	}
	if first.Messages == nil || *first.Messages != 1204 {
		t.Errorf("messages = %v, want 1204", first.Messages)
	}
	if first.Joined == nil || *first.Joined != "2019-03" {
		t.Errorf("joined = %v, want 2019-03", first.Joined)
	}

	// "Yesterday, 08:13 PM" with the real date in span[title].
	second := p.Posts[1]
	if second.PostedText == nil || *second.PostedText != "Yesterday, 08:13 PM" {
		t.Errorf("posted_text = %v", second.PostedText)
	}
	if want := time.Date(2026, 1, 14, 20, 13, 0, 0, time.UTC); second.PostedAt == nil || !second.PostedAt.Equal(want) {
		t.Errorf("posted_at = %v, want %v", second.PostedAt, want)
	}
	if want := time.Date(2026, 1, 15, 10, 2, 0, 0, time.UTC); second.EditedAt == nil || !second.EditedAt.Equal(want) {
		t.Errorf("edited_at = %v, want %v", second.EditedAt, want)
	}
	if strings.Contains(second.BodyText, "attachments table") {
		t.Errorf("quoted text leaked into body: %q", second.BodyText)
	}

	guest := p.Posts[2]
	if guest.Author.ID != nil || guest.Author.URL != nil || guest.Author.Messages != nil {
		t.Errorf("guest author has member fields: %+v", guest.Author)
	}
	if len(guest.Quotes) != 3 {
		t.Fatalf("quotes = %d, want 3 (outer, nested, anonymous)", len(guest.Quotes))
	}
	if q := guest.Quotes[1]; q.Author == nil || *q.Author != "Marlowe" || q.PostID == nil || *q.PostID != "1001" {
		t.Errorf("nested quote = %+v", q)
	}
	if q := guest.Quotes[0]; strings.Contains(q.Text, "attachments table") {
		t.Errorf("outer quote repeats the nested one: %q", q.Text)
	}
	if q := guest.Quotes[2]; q.Author != nil {
		t.Errorf("bare Quote: heading gave author %q", *q.Author)
	}
}

func TestMybbLastPageGerman(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata")
	}
	p := mybbExtract(t, "thread-p3.html", "https://forum.example.org/showthread.php?tid=42&page=3", berlin)
	if p.Page.Number != 3 || p.Page.NextURL != nil || p.Page.Total == nil || *p.Page.Total != 3 {
		t.Errorf("page = %+v, want last page 3 of 3", p.Page)
	}
	a := p.Posts[0].Author
	if a.Messages == nil || *a.Messages != 2310 {
		t.Errorf("Beiträge = %v, want 2310", a.Messages)
	}
	if a.Extras["Bewertung"] != "5" || a.ReactionScore != nil {
		t.Errorf("Bewertung should be an extra, got extras %v reaction %v", a.Extras, a.ReactionScore)
	}
	if q := p.Posts[0].Quotes; len(q) != 1 || q[0].Author == nil || *q[0].Author != "Tess Okafor" {
		t.Errorf("schrieb: quote = %+v", q)
	}
	// "Heute, 12:10" Berlin time.
	if want := time.Date(2026, 1, 15, 11, 10, 0, 0, time.UTC); p.Posts[1].PostedAt == nil || !p.Posts[1].PostedAt.Equal(want) {
		t.Errorf("posted_at = %v, want %v", p.Posts[1].PostedAt, want)
	}
}

func TestMybbParseDate(t *testing.T) {
	in := scraper.Input{FetchedAt: mybbFetched, Location: time.UTC}
	for _, c := range []struct {
		text string
		want time.Time
	}{
		{"12-29-2015, 07:47 PM", time.Date(2015, 12, 29, 19, 47, 0, 0, time.UTC)},
		{"Yesterday, 08:13 PM", time.Date(2026, 1, 14, 20, 13, 0, 0, time.UTC)},
		{"Today, 09:05 AM", time.Date(2026, 1, 15, 9, 5, 0, 0, time.UTC)},
		{"29.12.2015, 19:47", time.Date(2015, 12, 29, 19, 47, 0, 0, time.UTC)},
		{"2015-12-29, 19:47", time.Date(2015, 12, 29, 19, 47, 0, 0, time.UTC)},
		{"29th December 2015, 07:47 PM", time.Date(2015, 12, 29, 19, 47, 0, 0, time.UTC)},
	} {
		got, ok := mybbParseDate(c.text, in)
		if !ok || !got.Equal(c.want) {
			t.Errorf("mybbParseDate(%q) = %v, %v; want %v", c.text, got, ok, c.want)
		}
	}
	if _, ok := mybbParseDate("sometime last week", in); ok {
		t.Error("nonsense date parsed")
	}
}

func TestMybbPageURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"https://f.example/showthread.php?tid=42", 3, "https://f.example/showthread.php?page=3&tid=42"},
		{"https://f.example/showthread.php?tid=42&page=2", 1, "https://f.example/showthread.php?tid=42"},
		{"https://f.example/showthread.php?tid=42&pid=9#pid9", 2, "https://f.example/showthread.php?page=2&tid=42"},
		{"https://sinister.ly/Thread-Mybb-or-vBulletin", 2, "https://sinister.ly/Thread-Mybb-or-vBulletin?page=2"},
		{"https://f.example/thread-42.html", 4, "https://f.example/thread-42-page-4.html"},
		{"https://f.example/thread-42-page-4.html", 1, "https://f.example/thread-42.html"},
	} {
		got, ok := (mybb{}).PageURL(c.in, c.n)
		if !ok || got != c.want {
			t.Errorf("PageURL(%q, %d) = %q, %v; want %q", c.in, c.n, got, ok, c.want)
		}
	}
	if _, ok := (mybb{}).PageURL("https://f.example/showthread.php?tid=1", 0); ok {
		t.Error("page 0 accepted")
	}
}

func TestMybbDetect(t *testing.T) {
	for _, c := range []struct {
		name string
		raw  []byte
		want bool
	}{
		{"mybb fixture", mybbFixture(t, "thread-p2.html"), true},
		{"invision fixture", ipsFixture(t, "ips4-p1.html"), false},
		{"plain page", []byte(`<html><body><div class="post" id="post_1"><div class="post_body">hi</div></div><a href="https://mybb.com">MyBB</a></body></html>`), false},
	} {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(c.raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := (mybb{}).Detect(doc); got != c.want {
			t.Errorf("%s: Detect = %v, want %v", c.name, got, c.want)
		}
	}
}

func BenchmarkExtractMybb(b *testing.B) {
	benchExtract(b, mybbFixture(b, "thread-p1.html"), "https://forum.example.org/showthread.php?tid=42", scraper.Options{FetchedAt: mybbFetched})
}

func BenchmarkDetectMybb(b *testing.B) {
	benchDetect(b, mybbFixture(b, "thread-p1.html"), "mybb")
}

func TestMybbListing(t *testing.T) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(mybbFixture(t, "forumdisplay.html")))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://forum.example.org/forumdisplay.php?fid=9")
	l, err := (mybb{}).ExtractListing(doc, scraper.Input{URL: u, FetchedAt: mybbFetched, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	var boards []string
	for _, b := range l.Boards {
		boards = append(boards, *b.Title+" "+b.URL)
	}
	wantBoards := []string{
		"SQLite https://forum.example.org/forumdisplay.php?fid=10",
		"Backups https://forum.example.org/forumdisplay.php?fid=14",
		"MySQL https://forum.example.org/forumdisplay.php?fid=11",
	}
	if strings.Join(boards, "|") != strings.Join(wantBoards, "|") {
		t.Errorf("boards = %q, want %q", boards, wantBoards)
	}
	if len(l.Threads) != 2 {
		t.Fatalf("threads = %d, want 2", len(l.Threads))
	}
	th := l.Threads[0]
	if th.URL != "https://forum.example.org/showthread.php?tid=42" || th.ID == nil || *th.ID != "42" {
		t.Errorf("thread = %s id %v", th.URL, th.ID)
	}
	if th.Replies == nil || *th.Replies != 6 {
		t.Errorf("replies = %v, want 6", th.Replies)
	}
	if th.LastPostText == nil || *th.LastPostText != "Today, 12:10 PM" {
		t.Errorf("last post text = %v", th.LastPostText)
	}
	if want := time.Date(2026, 1, 15, 12, 10, 0, 0, time.UTC); th.LastPostAt == nil || !th.LastPostAt.Equal(want) {
		t.Errorf("last post at = %v, want %v", th.LastPostAt, want)
	}
	if r := l.Threads[1].Replies; r == nil || *r != 1024 {
		t.Errorf("replies \"1,024\" = %v", r)
	}
	if l.Page.Total == nil || *l.Page.Total != 2 || l.Page.NextURL == nil {
		t.Errorf("page = %+v", l.Page)
	}
}

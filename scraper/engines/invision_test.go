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

func ipsFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "invision", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func ipsExtract(t testing.TB, name, pageURL string) *scraper.Page {
	t.Helper()
	p, err := scraper.Extract(ipsFixture(t, name), pageURL, scraper.Options{FetchedAt: mybbFetched})
	if err != nil {
		t.Fatalf("extract %s: %v", name, err)
	}
	if p.Engine != "invision" {
		t.Fatalf("engine = %q, want invision", p.Engine)
	}
	return p
}

const (
	ipsT4 = "https://community.example.net/topic/5120-tide-tables-for-the-northern-coast/"
	ipsT5 = "https://boards.example.com/topic/881-choosing-a-tender-for-a-small-harbour/"
)

func TestInvision4FirstPage(t *testing.T) {
	p := ipsExtract(t, "ips4-p1.html", ipsT4)
	if len(p.Posts) != 3 {
		t.Fatalf("posts = %d, want 3", len(p.Posts))
	}
	if p.Page.Total == nil || *p.Page.Total != 3 || p.Page.NextURL == nil || *p.Page.NextURL != ipsT4+"page/2/" {
		t.Errorf("page = %+v", p.Page)
	}
	if p.Thread.Title == nil || *p.Thread.Title != "Tide tables for the northern coast" {
		t.Errorf("title = %v (prefix must not leak in)", p.Thread.Title)
	}
	a := p.Posts[0].Author
	// Shown "1.2k", exact 1204 only in the link title.
	if a.Messages == nil || *a.Messages != 1204 {
		t.Errorf("messages = %v, want exact 1204", a.Messages)
	}
	if a.Name == nil || *a.Name != "Marlowe" {
		t.Errorf("name = %v (mobile and desktop panes must give one name)", a.Name)
	}
	if a.ReactionScore == nil || *a.ReactionScore != 12 {
		t.Errorf("reputation badge = %v, want 12", a.ReactionScore)
	}
	q := p.Posts[1]
	if len(q.Quotes) != 1 || q.Quotes[0].PostID == nil || *q.Quotes[0].PostID != "40001" {
		t.Errorf("quotes = %+v", q.Quotes)
	}
	if strings.Contains(q.BodyText, "twenty minutes") || strings.Contains(q.BodyText, "Edited") {
		t.Errorf("body carries quote or edit line: %q", q.BodyText)
	}
	if q.EditedAt == nil || !q.EditedAt.Equal(time.Date(2026, 1, 15, 10, 2, 0, 0, time.UTC)) {
		t.Errorf("edited_at = %v", q.EditedAt)
	}
	if g := p.Posts[2].Author; g.ID != nil || g.Messages != nil || g.ReactionScore != nil {
		t.Errorf("guest has member fields: %+v", g)
	}
}

func TestInvision4LastPage(t *testing.T) {
	p := ipsExtract(t, "ips4-p3.html", ipsT4+"page/3/")
	if p.Page.Number != 3 || p.Page.NextURL != nil {
		t.Errorf("page = %+v, want 3 with no next (inactive next link)", p.Page)
	}
	if r := p.Posts[0].Author.ReactionScore; r == nil || *r != -2 {
		t.Errorf("negative reputation = %v, want -2", r)
	}
	if s := p.Posts[1].SignatureText; s == nil || *s != "Fair winds." {
		t.Errorf("signature = %v", s)
	}
}

func TestInvision5Pages(t *testing.T) {
	p := ipsExtract(t, "ips5-p2.html", ipsT5+"page/2/")
	if p.Page.Number != 2 || p.Page.Total == nil || *p.Page.Total != 3 || p.Page.NextURL == nil {
		t.Errorf("page = %+v", p.Page)
	}
	a := p.Posts[1].Author
	if a.Messages == nil || *a.Messages != 3500 {
		t.Errorf("\"3,5k\" = %v, want 3500", a.Messages)
	}
	if a.Location == nil || *a.Location != "Bergen" {
		t.Errorf("Localisation = %v", a.Location)
	}
	if a.Extras["Group"] != "Membres" {
		t.Errorf("extras = %v", a.Extras)
	}
	last := ipsExtract(t, "ips5-p3.html", ipsT5+"page/3/")
	if last.Page.NextURL != nil {
		t.Errorf("last page next = %v", *last.Page.NextURL)
	}
	if last.Posts[0].Author.ReactionScore != nil {
		t.Error("reputation shown for a group without it")
	}
}

func TestInvisionPageURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{ipsT5, 2, ipsT5 + "page/2/"},
		{ipsT5 + "page/4/", 1, ipsT5},
		{ipsT5 + "page/4/#comments", 7, ipsT5 + "page/7/"},
		{ipsT5 + "?do=findComment&comment=7002", 3, ipsT5 + "page/3/"},
		{"https://x.example/index.php?/topic/12-foo/", 2, "https://x.example/index.php?/topic/12-foo/page/2/"},
		{"https://x.example/index.php?/topic/12-foo/page/2/", 1, "https://x.example/index.php?/topic/12-foo/"},
	} {
		got, ok := (invision{}).PageURL(c.in, c.n)
		if !ok || got != c.want {
			t.Errorf("PageURL(%q, %d) = %q, %v; want %q", c.in, c.n, got, ok, c.want)
		}
	}
}

func TestInvisionDetect(t *testing.T) {
	for _, c := range []struct {
		name string
		raw  []byte
		want bool
	}{
		{"ips4", ipsFixture(t, "ips4-p2.html"), true},
		{"ips5", ipsFixture(t, "ips5-p1.html"), true},
		{"mybb", mybbFixture(t, "thread-p1.html"), false},
		{"mention in text", []byte(`<html><body><p>body.ipsApp data-pageapp ips.setSetting</p></body></html>`), false},
	} {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(c.raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := (invision{}).Detect(doc); got != c.want {
			t.Errorf("%s: Detect = %v, want %v", c.name, got, c.want)
		}
	}
}

func BenchmarkExtractInvision(b *testing.B) {
	benchExtract(b, ipsFixture(b, "ips4-p1.html"), ipsT4, scraper.Options{FetchedAt: mybbFetched})
}

func BenchmarkDetectInvision(b *testing.B) {
	benchDetect(b, ipsFixture(b, "ips4-p1.html"), "invision")
}

func TestInvisionListing(t *testing.T) {
	for _, c := range []struct {
		file, url  string
		boards     []string
		firstTopic string
		total      int
	}{
		{"ips4-forum.html", "https://community.example.net/forum/11-charts-tides/",
			[]string{"River Mouths", "Estuary Logs"}, ipsT4, 2},
		{"ips5-forum.html", "https://boards.example.com/forum/2-boats-gear/",
			[]string{"Engines"}, ipsT5, 1},
	} {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(ipsFixture(t, c.file)))
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(c.url)
		l, err := (invision{}).ExtractListing(doc, scraper.Input{URL: u, FetchedAt: mybbFetched, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		var boards []string
		for _, b := range l.Boards {
			boards = append(boards, *b.Title)
		}
		if strings.Join(boards, "|") != strings.Join(c.boards, "|") {
			t.Errorf("%s: boards = %q, want %q", c.file, boards, c.boards)
		}
		if len(l.Threads) != 2 {
			t.Fatalf("%s: threads = %d, want 2", c.file, len(l.Threads))
		}
		first, second := l.Threads[0], l.Threads[1]
		if first.URL != c.firstTopic || first.ID == nil || !strings.Contains(c.firstTopic, "/"+*first.ID+"-") {
			t.Errorf("%s: first topic = %s id %v", c.file, first.URL, first.ID)
		}
		if first.LastPostAt == nil || first.LastPostAt.Day() != 15 {
			t.Errorf("%s: last post at = %v", c.file, first.LastPostAt)
		}
		if second.Replies == nil || *second.Replies != 1024 {
			t.Errorf("%s: replies = %v, want 1024", c.file, second.Replies)
		}
		if l.Page.Total == nil || *l.Page.Total != c.total {
			t.Errorf("%s: total pages = %v, want %d", c.file, l.Page.Total, c.total)
		}
	}
}

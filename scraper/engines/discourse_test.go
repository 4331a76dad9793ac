package engines

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var discUpdate = flag.Bool("update-discourse", false, "rewrite testdata/discourse/*.api.golden.json")

func discFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "discourse", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func discDoc(t testing.TB, src string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDiscourseDetect(t *testing.T) {
	d := discEngine{}
	cases := []struct {
		name, src string
		want      bool
	}{
		{"generator", `<html><head><meta name="generator" content="Discourse 3.3.2 - https://github.com/discourse/discourse version 4c1f"></head><body></body></html>`, true},
		{"other generator", `<html><head><meta name="generator" content="WordPress 6.4"></head><body>Powered by Discourse</body></html>`, false},
		{"generator in body only", `<html><head></head><body><meta name="generator" content="Discourse 3"><div id="main-outlet"></div></body></html>`, false},
		{"xenforo2", xf1XF2Page, false},
		{"xenforo1", string(xf1Fixture(t, "thread-p1.html")), false},
	}
	for _, c := range cases {
		if got := d.Detect(discDoc(t, c.src)); got != c.want {
			t.Errorf("%s: Detect = %v, want %v", c.name, got, c.want)
		}
	}
	for _, f := range []string{"topic-p1.html", "topic-p2.html", "topic-p3.html", "topic-de.html"} {
		doc, _, err := scraper.Parse(discFixture(t, f), "")
		if err != nil {
			t.Fatal(err)
		}
		if e, err := scraper.Detect(doc); err != nil || e.Info().Name != "discourse" {
			t.Errorf("%s: scraper.Detect = %v, %v", f, e, err)
		}
	}
}

// TestDiscourseLegacyCrawlerView reads the pre-2019 crawler layout, where each post
// is its own DiscussionForumPosting with b[itemprop=author] and "#3" positions.
func TestDiscourseLegacyCrawlerView(t *testing.T) {
	src := `<html><head><meta name="generator" content="Discourse 1.9.0"><link rel="next" href="/t/old-topic/77?page=2"></head><body class="crawler">
<div id="main-outlet" class="wrap"><h1><a href="/t/old-topic/77">Old topic</a></h1>
<div id="breadcrumbs"><div id="breadcrumb-0" itemscope itemtype="http://data-vocabulary.org/Breadcrumb"><a href="/c/meta" itemprop="url"><span itemprop="title">meta</span></a></div></div><hr>
<div itemscope itemtype='http://schema.org/DiscussionForumPosting'>
  <div class='creator'><span><a href='/u/sam'><b itemprop='author'>sam</b></a> (Sam Smith)
     <time datetime='2017-03-01T10:00:00+00:00' itemprop='datePublished'>2017-03-01 10:00:00 UTC</time></span>
    <span itemprop='position'>#1</span></div>
  <div class='post' itemprop='articleBody'><p>First!</p></div><hr>
</div>
<div itemscope itemtype='http://schema.org/DiscussionForumPosting'>
  <div class='creator'><span><a href='/u/kim'><b itemprop='author'>kim</b></a>
     <time datetime='2017-03-02T11:30:00+00:00' itemprop='datePublished'>2017-03-02 11:30:00 UTC</time></span>
    <span itemprop='position'>#2</span></div>
  <div class='post' itemprop='articleBody'><aside class="quote" data-post="1" data-topic="77"><div class="title">sam:</div><blockquote><p>First!</p></blockquote></aside><p>Second.</p></div><hr>
</div></div></body></html>`
	p, err := scraper.Extract([]byte(src), "https://meta.example.org/t/old-topic/77", scraper.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Posts) != 2 || p.Posts[0].ID != "1" || p.Posts[1].ID != "2" {
		t.Fatalf("posts = %+v", p.Posts)
	}
	a := p.Posts[0].Author
	if *a.Name != "sam" || *a.URL != "https://meta.example.org/u/sam" || a.Extras["Full name"] != "Sam Smith" {
		t.Errorf("author = %+v", a)
	}
	if p.Posts[1].PostedAt.Format(time.RFC3339) != "2017-03-02T11:30:00Z" || p.Posts[1].BodyText != "Second." {
		t.Errorf("post 2 = %v %q", p.Posts[1].PostedAt, p.Posts[1].BodyText)
	}
	if q := p.Posts[1].Quotes; len(q) != 1 || q[0].Author != nil || *q[0].PostID != "1" || q[0].Text != "First!" {
		t.Errorf("quotes = %+v", q)
	}
	if *p.Thread.Title != "Old topic" || *p.Thread.ID != "77" || len(p.Thread.ForumPath) != 1 || p.Page.Total != nil ||
		*p.Page.NextURL != "https://meta.example.org/t/old-topic/77?page=2" {
		t.Errorf("thread = %+v page = %+v", p.Thread, p.Page)
	}
}

func TestDiscourseURLs(t *testing.T) {
	topic := []struct{ in, want string }{
		{"https://forum.example/t/some-slug/1234", "https://forum.example/t/some-slug/1234.json"},
		{"https://forum.example/t/some-slug/1234/17?u=bob", "https://forum.example/t/some-slug/1234.json"},
		{"https://forum.example/t/some-slug/1234?page=3", "https://forum.example/t/some-slug/1234.json"},
		{"https://forum.example/t/1234", "https://forum.example/t/1234.json"},
		{"https://example.org/community/t/slug/99/", "https://example.org/community/t/slug/99.json"},
		{"https://forum.example/t/some-slug/1234.json", "https://forum.example/t/some-slug/1234.json"},
		{"https://forum.example/c/support/5", ""},
		{"https://forum.example/t/slug/notanumber", ""},
		{"/t/slug/5", ""},
	}
	for _, c := range topic {
		got, ok := DiscourseTopicURL(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("DiscourseTopicURL(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	ids := make([]int64, 45)
	for i := range ids {
		ids[i] = int64(1000 + i)
	}
	chunks := DiscourseChunks(ids)
	if len(chunks) != 3 || len(chunks[0]) != 20 || len(chunks[2]) != 5 || chunks[2][4] != 1044 {
		t.Fatalf("chunks = %v", chunks)
	}
	got := DiscoursePostsURL("https://forum.example/", "1234", chunks[2])
	want := "https://forum.example/t/1234/posts.json?post_ids[]=1040&post_ids[]=1041&post_ids[]=1042&post_ids[]=1043&post_ids[]=1044"
	if got != want {
		t.Errorf("DiscoursePostsURL = %q, want %q", got, want)
	}
	if got := DiscoursePostsURL("https://forum.example", "1234", ids); strings.Count(got, "post_ids[]=") != DiscourseChunkSize {
		t.Errorf("DiscoursePostsURL with %d ids asked for %d", len(ids), strings.Count(got, "post_ids[]="))
	}
	pages := []struct {
		in   string
		n    int
		want string
	}{
		{"https://forum.example/t/some-slug/1234", 1, "https://forum.example/t/some-slug/1234"},
		{"https://forum.example/t/some-slug/1234?page=2", 3, "https://forum.example/t/some-slug/1234?page=3"},
		{"https://forum.example/t/some-slug/1234/40", 2, "https://forum.example/t/some-slug/1234?page=2"},
	}
	for _, c := range pages {
		if got, ok := (discEngine{}).PageURL(c.in, c.n); !ok || got != c.want {
			t.Errorf("PageURL(%q, %d) = %q, %v", c.in, c.n, got, ok)
		}
	}
}

func TestDiscourseAPI(t *testing.T) {
	in := scraper.Input{FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: time.UTC}
	topicURL := "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417.json"
	p, rest, err := ExtractDiscourseTopic(discFixture(t, "topic.json"), topicURL, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Posts) != 20 || len(rest) != 6 || rest[0] != 60260 || rest[5] != 60285 {
		t.Fatalf("posts %d, rest %v", len(p.Posts), rest)
	}
	if p.Engine != "discourse" || *p.Thread.ID != "4417" || *p.Thread.Title != "ZFS scrub takes three days on a 4-disk pool" ||
		*p.Thread.URL != "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417" {
		t.Errorf("thread = %+v", p.Thread)
	}
	first := p.Posts[0]
	if first.ID != "1" || *first.Number != 1 || *first.URL != "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417/1" {
		t.Errorf("first post id/number/url = %s %v %v", first.ID, first.Number, first.URL)
	}
	if first.EditedAt == nil || first.EditedAt.Format(time.RFC3339) != "2025-11-03T19:40:51Z" || first.PostedAt.Format(time.RFC3339) != "2025-11-03T19:12:04Z" {
		t.Errorf("first dates = %v %v", first.PostedAt, first.EditedAt)
	}
	if *first.Author.ID != "31" || first.Author.Extras["Full name"] != "Pieter van den Berg" || first.Author.Title != nil ||
		first.Author.Extras["Avatar"] != "https://forum.homelab.example/user_avatar/forum.homelab.example/pvdberg/120/512_2.png" {
		t.Errorf("first author = %+v", first.Author)
	}
	// updated_at moved (likes) but version 1: not an edit.
	if p.Posts[1].EditedAt != nil {
		t.Errorf("post 2 edited_at = %v, want nil", p.Posts[1].EditedAt)
	}
	kestrel := p.Posts[1].Author
	if *kestrel.Title != "Storage Wrangler" || kestrel.Extras["Full name"] != "" || kestrel.Extras["Group"] != "regulars" {
		t.Errorf("kestrel = %+v", kestrel)
	}
	q := p.Posts[2].Quotes
	if len(q) != 1 || *q[0].Author != "kestrel" || *q[0].PostID != "2" || q[0].Text != "Three days sounds like SMR drives." ||
		strings.Contains(p.Posts[2].BodyText, "SMR") || strings.Contains(q[0].Text, "kestrel:") {
		t.Errorf("quote = %+v body %q", q, p.Posts[2].BodyText)
	}
	genCompareGolden(t, filepath.Join("..", "..", "testdata", "discourse", "topic.api.golden.json"), p, *discUpdate)

	in.URL = genMustURL(t, DiscoursePostsURL("https://forum.homelab.example", "4417", rest))
	posts, err := ExtractDiscoursePosts(discFixture(t, "posts.json"), in)
	if err != nil {
		t.Fatal(err)
	}
	// Six ids, one of them the "closed" small action, which is not a message.
	if len(posts) != 5 || *posts[0].Number != 21 || len(posts[0].Quotes) != 2 {
		t.Fatalf("posts = %d", len(posts))
	}
	if *posts[0].URL != "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417/21" {
		t.Errorf("posts.json url = %s", *posts[0].URL)
	}
	genCompareGolden(t, filepath.Join("..", "..", "testdata", "discourse", "posts.api.golden.json"), posts, *discUpdate)

	if _, _, err := ExtractDiscourseTopic([]byte(`{"errors":["not found"]}`), topicURL, in); err == nil {
		t.Error("topic json without id: no error")
	}
	if _, err := ExtractDiscoursePosts([]byte(`<html>`), in); err == nil {
		t.Error("posts: html accepted as json")
	}
}

func BenchmarkExtractDiscourse(b *testing.B) {
	raw := discFixture(b, "topic-p1.html")
	opts := scraper.Options{FetchedAt: time.Now()}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := scraper.Extract(raw, "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417", opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectDiscourse(b *testing.B) {
	doc, _, err := scraper.Parse(discFixture(b, "topic-p1.html"), "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if e, err := scraper.Detect(doc); err != nil || e.Info().Name != "discourse" {
			b.Fatal("not detected")
		}
	}
}

func BenchmarkExtractDiscourseAPI(b *testing.B) {
	raw := discFixture(b, "topic.json")
	in := scraper.Input{FetchedAt: time.Now(), Location: time.UTC}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ExtractDiscourseTopic(raw, "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417.json", in); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDiscourseTopicList(t *testing.T) {
	l, err := ExtractDiscourseTopicList(discFixture(t, "latest.json"), "https://forum.homelab.example/latest.json", scraper.Input{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Page.Number != 1 || l.Page.NextURL == nil || *l.Page.NextURL != "https://forum.homelab.example/latest.json?no_definitions=true&page=1" {
		t.Errorf("page = %+v", l.Page)
	}
	if len(l.Threads) != 2 {
		t.Fatalf("threads = %d", len(l.Threads))
	}
	th := l.Threads[0]
	if th.URL != "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417" || *th.ID != "4417" ||
		*th.Replies != 25 || th.LastPostAt.Format(time.RFC3339) != "2025-12-01T10:00:00Z" {
		t.Errorf("thread = %+v", th)
	}
	if *l.Threads[1].Replies != 0 {
		t.Errorf("single-post topic replies = %d", *l.Threads[1].Replies)
	}
	l2, err := ExtractDiscourseTopicList([]byte(`{"topic_list":{"topics":[]}}`), "https://forum.homelab.example/c/hardware/4.json?page=2", scraper.Input{})
	if err != nil || l2.Page.Number != 3 || l2.Page.NextURL != nil || len(l2.Threads) != 0 {
		t.Errorf("last list page = %+v, %v", l2, err)
	}
	if _, err := ExtractDiscourseTopicList([]byte(`nope`), "https://f.example/latest.json", scraper.Input{}); err == nil {
		t.Error("bad json accepted")
	}
}

package engines

import (
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

func TestDiscourseAPIListingURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://forum.example/", "https://forum.example/latest.json"},
		{"https://forum.example", "https://forum.example/latest.json"},
		{"https://forum.example/latest", "https://forum.example/latest.json"},
		{"https://forum.example/latest?page=2", "https://forum.example/latest.json?page=2"},
		{"https://forum.example/latest.json?no_definitions=true&page=1", "https://forum.example/latest.json?no_definitions=true&page=1"},
		{"https://forum.example/c/hardware/4", "https://forum.example/c/hardware/4.json"},
		{"https://forum.example/c/hardware/storage/9/", "https://forum.example/c/hardware/storage/9.json"},
		{"https://forum.example/c/hardware/4.json?page=1", "https://forum.example/c/hardware/4.json?page=1"},
		{"https://example.org/community/", "https://example.org/community/latest.json"},
		{"https://forum.example/t/some-topic/12", ""},
		{"https://forum.example/t/some-topic/12.json", ""},
		{"https://forum.example/u/alice", ""},
		{"https://forum.example/t/4417/posts.json?post_ids[]=1", ""},
	}
	for _, c := range cases {
		got, ok := (discEngine{}).APIListingURL(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("APIListingURL(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestDiscourseAPIPages(t *testing.T) {
	d := discEngine{}
	for u, want := range map[string]bool{
		"https://forum.example/t/slug/4417.json":                            true,
		"https://forum.example/t/4417/posts.json?post_ids[]=5&post_ids[]=6": true,
		"https://forum.example/forum/t/4417/posts.json?post_ids[]=5":        true,
		"https://forum.example/t/slug/4417":                                 false,
		"https://forum.example/t/slug/4417?page=2":                          false,
		"https://forum.example/latest.json":                                 false,
	} {
		if got := d.IsAPIURL(u); got != want {
			t.Errorf("IsAPIURL(%q) = %v", u, got)
		}
	}
	in := scraper.Input{FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: time.UTC}
	topicURL := "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417.json"
	p, more, err := d.ExtractAPIPage(discFixture(t, "topic.json"), topicURL, in)
	if err != nil {
		t.Fatal(err)
	}
	wantChunk := "https://forum.homelab.example/t/4417/posts.json?post_ids[]=60260&post_ids[]=60265&post_ids[]=60270&post_ids[]=60275&post_ids[]=60280&post_ids[]=60285"
	if len(more) != 1 || more[0] != wantChunk || p.URL != topicURL || *p.Page.Total != 2 || *p.Page.NextURL != wantChunk || p.Page.Number != 1 {
		t.Errorf("topic page: url %s page %+v more %v", p.URL, p.Page, more)
	}
	c, more, err := d.ExtractAPIPage(discFixture(t, "posts.json"), wantChunk, in)
	if err != nil {
		t.Fatal(err)
	}
	// Post numbers as ids; the small action (26) is no post; the thread from the URL
	// and the posts' slug.
	if more != nil || len(c.Posts) != 5 || c.Posts[0].ID != "21" || c.Posts[4].ID != "25" || *c.Thread.ID != "4417" ||
		*c.Thread.URL != "https://forum.homelab.example/t/zfs-scrub-takes-three-days-on-a-4-disk-pool/4417" || c.Thread.Title != nil {
		t.Errorf("chunk page: %d posts, thread %+v", len(c.Posts), c.Thread)
	}
	if _, _, err := d.ExtractAPIPage([]byte(`<html></html>`), wantChunk, in); err == nil {
		t.Error("html chunk accepted")
	}
}

package engines

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/forumarc/forumarc/scraper"
)

var genUpdate = flag.Bool("update-generic", false, "rewrite testdata/generic/*.golden.json")

var genFixtures = []struct{ file, url, tz string }{
	{"topic-p1.html", "https://oldspokes.example/board/topic/2291", "UTC"},
	{"topic-p2.html", "https://oldspokes.example/board/topic/2291?pg=2&sid=77aa", "UTC"},
	{"topic-p3.html", "https://oldspokes.example/board/topic/2291?pg=3", "UTC"},
	{"topic-fr.html", "https://oldspokes.example/board/topic/318", "Europe/Paris"},
}

func genLoadExample(t testing.TB) scraper.Engine {
	t.Helper()
	e, err := LoadProfile(filepath.Join("..", "..", "testdata", "generic", "example-profile.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func genExtractFile(t testing.TB, e scraper.Engine, file, pageURL, tz string) *scraper.Page {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "generic", file))
	if err != nil {
		t.Fatal(err)
	}
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	in := scraper.Input{URL: genMustURL(t, pageURL), FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: loc}
	if !e.Detect(doc) {
		t.Fatalf("%s: profile does not detect its own page", file)
	}
	p, err := e.Extract(doc, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGenericGolden runs the example profile over its pages. Profile engines are not
// in the registry, so the shared golden harness cannot reach them.
func TestGenericGolden(t *testing.T) {
	e := genLoadExample(t)
	for _, f := range genFixtures {
		t.Run(f.file, func(t *testing.T) {
			p := genExtractFile(t, e, f.file, f.url, f.tz)
			genCompareGolden(t, filepath.Join("..", "..", "testdata", "generic", strings.TrimSuffix(f.file, ".html")+".golden.json"), p, *genUpdate)
		})
	}
}

func genCompareGolden(t *testing.T, golden string, v any, update bool) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden (rerun with -update-...): %v", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\nwant: %s\n got: %s", golden, i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("%s differs in length", golden)
	}
}

func TestGenericExampleValues(t *testing.T) {
	e := genLoadExample(t)
	if e.Info().Name != "generic" {
		t.Errorf("name = %q", e.Info().Name)
	}
	p := genExtractFile(t, e, "topic-p1.html", genFixtures[0].url, "UTC")
	if len(p.Posts) != 4 {
		t.Fatalf("posts = %d, want 4 (the promo block has no id)", len(p.Posts))
	}
	if got := *p.Thread.Title; got != "Restoring a 1970s bicycle frame" {
		t.Errorf("title = %q", got)
	}
	if p.Thread.Prefix == nil || *p.Thread.Prefix != "Guide" {
		t.Errorf("prefix = %v", p.Thread.Prefix)
	}
	if p.Thread.ID == nil || *p.Thread.ID != "2291" || *p.Thread.URL != "https://oldspokes.example/board/topic/2291" {
		t.Errorf("thread id/url = %v %v", p.Thread.ID, p.Thread.URL)
	}
	if p.Page.Number != 1 || p.Page.Total == nil || *p.Page.Total != 3 || p.Page.NextURL == nil ||
		*p.Page.NextURL != "https://oldspokes.example/board/topic/2291?pg=2" {
		t.Errorf("page = %+v", p.Page)
	}
	first := p.Posts[0]
	a := first.Author
	if *a.Name != "ferro" || *a.URL != "https://oldspokes.example/board/people/ferro" || *a.Title != "Frame Builder" ||
		*a.JoinedText != "Feb 2014" || *a.Messages != 1022 || *a.Location != "Utrecht" || a.Extras["Bikes"] != "7" {
		t.Errorf("author = %+v", a)
	}
	if first.PostedAt == nil || first.PostedAt.Unix() != 1766223000 || first.EditedAt == nil {
		t.Errorf("dates = %v %v", first.PostedAt, first.EditedAt)
	}
	if first.SignatureText == nil || *first.SignatureText != "Steel is real. Rust is realer." {
		t.Errorf("signature = %v", first.SignatureText)
	}
	if strings.Contains(p.Posts[1].BodyText, "thanked") {
		t.Errorf("ignored element in body: %q", p.Posts[1].BodyText)
	}
	q := p.Posts[2].Quotes
	if len(q) != 1 || *q[0].Author != "lise_m" || *q[0].PostID != "77102" || q[0].Text != "Do not sandblast thin-wall tubing" {
		t.Errorf("quotes = %+v", q)
	}
	if strings.Contains(p.Posts[2].BodyText, "sandblast") {
		t.Errorf("quote text in body: %q", p.Posts[2].BodyText)
	}
	guest := p.Posts[3]
	if guest.Author.URL != nil || guest.Author.Messages != nil || guest.Author.Name == nil || *guest.Author.Name != "guest rider" {
		t.Errorf("guest author = %+v", guest.Author)
	}
	// No data-epoch: the text is read with the profile's layout.
	if guest.PostedAt == nil || guest.PostedAt.Format(time.RFC3339) != "2025-12-21T13:00:00Z" || *guest.PostedText != "21 Dec 2025, 13:00" {
		t.Errorf("layout date = %v %v", guest.PostedAt, guest.PostedText)
	}
}

func TestGenericProfileErrors(t *testing.T) {
	base := "posts: div.p\npost:\n  id: {attr: id}\n  body: .b\n"
	if _, err := ParseProfile([]byte(base)); err != nil {
		t.Fatalf("minimal profile: %v", err)
	}
	cases := []struct{ name, yaml, want string }{
		{"empty", "", "empty"},
		{"no posts", "post:\n  id: {attr: id}\n  body: .b\n", "posts: required"},
		{"no id", "posts: div.p\npost:\n  body: .b\n", "post.id: required"},
		{"no body", "posts: div.p\npost:\n  id: {attr: id}\n", "post.body: required"},
		{"bad posts", "posts: 'div.p['\npost:\n  id: {attr: id}\n  body: .b\n", "posts: bad selector"},
		{"bad author", base + "  author:\n    name: 'a..b'\n", "post.author.name: bad selector"},
		{"bad regexp", base + "  number: {selector: .n, regexp: '(\\d+'}\n", "post.number: bad regexp"},
		{"unknown key", base + "  autor:\n    name: a\n", "autor"},
		{"unknown field key", base + "  number: {selektor: .n}\n", "selektor"},
		{"bad pairs", base + "  author:\n    pairs: {item: li, label: dt}\n", "post.author.pairs"},
		{"bad pair sel", base + "  author:\n    pairs: {item: li, label: 'dt[', value: dd}\n", "post.author.pairs.label: bad selector"},
		{"bad detect", "detect: ':nope('\n" + base, "detect: bad selector"},
		{"bad pages", base + "pages:\n  next: 'a >> b'\n", "pages.next"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseProfile([]byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
	if _, err := LoadProfile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestGenericPlaceholder(t *testing.T) {
	e, ok := scraper.Lookup("generic")
	if !ok {
		t.Fatal("generic not registered")
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(`<div class="post" id="p1">hi</div>`))
	if e.Detect(doc) {
		t.Error("placeholder detected a page")
	}
	_, err := e.Extract(doc, scraper.Input{})
	if err == nil || !strings.Contains(err.Error(), "--profile FILE") {
		t.Errorf("err = %v, want a hint about --profile FILE", err)
	}
	// A profile engine does not claim pages its selectors do not match.
	pe := genLoadExample(t)
	if pe.Detect(doc) {
		t.Error("example profile detected an unrelated page")
	}
	// Post markup alone is not enough when the profile names a detect selector.
	look, _ := goquery.NewDocumentFromReader(strings.NewReader(`<html><body class="other"><div class="lb-msg" data-msg="1"><div class="lb-text">x</div></div></body></html>`))
	if pe.Detect(look) {
		t.Error("example profile ignored its detect selector")
	}
	look.Find("body").SetAttr("class", "lantern")
	if !pe.Detect(look) {
		t.Error("example profile missed a page matching detect and posts")
	}
}

func BenchmarkExtractGeneric(b *testing.B) {
	e := genLoadExample(b)
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "generic", "topic-p1.html"))
	if err != nil {
		b.Fatal(err)
	}
	in := scraper.Input{URL: genMustURL(b, genFixtures[0].url), FetchedAt: time.Now(), Location: time.UTC}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		doc, _, err := scraper.Parse(raw, "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Extract(doc, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectGeneric(b *testing.B) {
	e := genLoadExample(b)
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "generic", "topic-p1.html"))
	if err != nil {
		b.Fatal(err)
	}
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !e.Detect(doc) {
			b.Fatal("not detected")
		}
	}
}

func genMustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestGenericOddPagesNoPanic feeds broken and partial markup to this helper's
// engines: missing parts must give nulls, never a panic.
func TestGenericOddPagesNoPanic(t *testing.T) {
	pages := []string{
		``,
		`<html id="XenForo"></html>`,
		`<html id="XenForo"><body><li class="message" id="post-1"></li><li class="message" id="post-x"></li></body></html>`,
		`<html id="XenForo"><head><base href="::bad"></head><body><div class="PageNav" data-page="2" data-last="x"><nav><a href="?">3</a></nav></div><li class="message" id="post-2"><blockquote class="messageText"><div class="bbCodeQuote"></div></blockquote></li></body></html>`,
		`<html><head><meta name="generator" content="Discourse"></head><body><div id="main-outlet"><div class="post" itemprop="text"></div><div id="post_x"><div class="post" itemprop="text">a</div></div></div></body></html>`,
		`<html><body class="lantern"><div class="lb-msg" data-msg="1"></div><div class="lb-msg" data-msg="2"><time class="lb-when" data-epoch="nope">yesterday</time><div class="lb-text"><blockquote class="lb-cite"></blockquote></div></div></body></html>`,
	}
	engines := []scraper.Engine{xf1Engine{}, discEngine{}, genLoadExample(t)}
	for i, src := range pages {
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range engines {
			in := scraper.Input{URL: genMustURL(t, "https://f.example/t/x/1"), FetchedAt: time.Now(), Location: time.UTC}
			if _, err := e.Extract(doc, in); err != nil {
				t.Errorf("page %d, %s: %v", i, e.Info().Name, err)
			}
			_ = e.Detect(doc)
			in.URL = nil
			if _, err := e.Extract(doc, in); err != nil {
				t.Errorf("page %d, %s, no URL: %v", i, e.Info().Name, err)
			}
		}
		if _, err := (xf1Engine{}).ExtractListing(doc, scraper.Input{}); err != nil {
			t.Errorf("page %d listing: %v", i, err)
		}
	}
}

package scraper

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func docSel(t *testing.T, html string) *goquery.Selection {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader("<div id=root>" + html + "</div>"))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Find("#root")
}

func TestText(t *testing.T) {
	cases := []struct{ name, html, want string }{
		{"br", "one<br>two", "one\ntwo"},
		{"double br is a paragraph", "one<br />\n<br />\ntwo", "one\n\ntwo"},
		{"many br collapse", "one<br><br><br><br>two", "one\n\ntwo"},
		{"leading br dropped", "<br><br>text", "text"},
		{"blocks", "<p>first</p><p>second</p>", "first\n\nsecond"},
		{"inline whitespace collapsed", "a   b\n\t c", "a b c"},
		{"nbsp collapsed", "a&nbsp;&nbsp;b", "a b"},
		{"list", "<ul><li>x</li><li>y</li></ul>", "x\ny"},
		{"pre kept", "<pre>a\n  b</pre>", "a\n  b"},
		{"script dropped", "a<script>var x=1;</script>b", "ab"},
		{"hidden dropped", `a<span style="display: none">secret</span>b`, "ab"},
		{"image only", `<img src="x.png" alt="pic">`, ""},
		{"inline tags keep spacing", "hello <b>bold</b> world", "hello bold world"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr></table>", "a b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Text(docSel(t, c.html)); got != c.want {
				t.Errorf("Text(%q) = %q, want %q", c.html, got, c.want)
			}
		})
	}
}

func TestPostBodySeparatesQuotes(t *testing.T) {
	sel := docSel(t, `<blockquote class="q" data-author="ann">outer <blockquote class="q" data-author="bob">inner</blockquote><span class="chrome">ann said:</span> words</blockquote>reply text<div class="ad">buy now</div>`)
	rules := QuoteRules{
		Quote:  MustCompile("blockquote.q"),
		Chrome: MustCompile(".chrome"),
		Noise:  MustCompile(".ad"),
		Info: func(q *goquery.Selection) (string, string) {
			return Attr(q, "data-author"), ""
		},
	}
	_, text, quotes := PostBody(sel, rules)
	if text != "reply text" {
		t.Errorf("body text = %q, want %q", text, "reply text")
	}
	if len(quotes) != 2 {
		t.Fatalf("quotes = %d, want 2", len(quotes))
	}
	if *quotes[0].Author != "ann" || quotes[0].Text != "outer words" {
		t.Errorf("outer quote = %q %q", *quotes[0].Author, quotes[0].Text)
	}
	if *quotes[1].Author != "bob" || quotes[1].Text != "inner" {
		t.Errorf("inner quote = %q %q", *quotes[1].Author, quotes[1].Text)
	}
}

func TestCleanURL(t *testing.T) {
	cases := map[string]string{
		"https://f.example/showthread.php?t=12&s=abcdef&page=2": "https://f.example/showthread.php?t=12&page=2",
		"https://f.example/viewtopic.php?t=5&sid=0123":          "https://f.example/viewtopic.php?t=5",
		"https://f.example/threads/x.1/page-2":                  "https://f.example/threads/x.1/page-2",
	}
	for in, want := range cases {
		if got := CleanURL(in); got != want {
			t.Errorf("CleanURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeCharsets(t *testing.T) {
	// "Привет" in windows-1251, declared in <meta>.
	raw := append([]byte(`<html><head><meta charset="windows-1251"></head><body>`), 0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2)
	raw = append(raw, []byte("</body></html>")...)
	out, enc, err := Decode(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	if enc != "windows-1251" || !strings.Contains(string(out), "Привет") {
		t.Errorf("decoded %q as %s", out, enc)
	}
	// Valid UTF-8 stays as it is even when <meta> lies.
	utf := []byte(`<html><head><meta charset="iso-8859-1"></head><body>Zoë</body></html>`)
	out, _, err = Decode(utf, "")
	if err != nil || !strings.Contains(string(out), "Zoë") {
		t.Errorf("utf-8 page re-decoded: %q %v", out, err)
	}
	// Declared UTF-8 with a broken byte: replaced, not fatal.
	bad := []byte("<html><head><meta charset=utf-8></head><body>ok \xff end</body></html>")
	out, _, err = Decode(bad, "text/html; charset=utf-8")
	if err != nil || !strings.Contains(string(out), "ok \uFFFD end") {
		t.Errorf("broken utf-8: %q %v", out, err)
	}
}

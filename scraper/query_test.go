package scraper

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html/atom"
)

func queryDoc(t *testing.T, s string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestFirstMatchesFindMatcherFirst(t *testing.T) {
	doc := queryDoc(t, `<div id="a"><p class="x">one</p></div><div id="b"><p class="x">two</p><p class="x">three</p></div>`)
	px := MustCompile("p.x")
	for _, scope := range []string{"div", "#b", "body", "span"} {
		sel := doc.Find(scope)
		want := sel.FindMatcher(px).First()
		got := First(sel, px)
		if got.Length() != want.Length() || (got.Length() > 0 && got.Nodes[0] != want.Nodes[0]) {
			t.Errorf("First(%s) = %q, want %q", scope, got.Text(), want.Text())
		}
	}
	// First looks below the selection only, like Find.
	if n := First(doc.Find("p.x").First(), px).Length(); n != 0 {
		t.Errorf("First matched the scope itself: %d", n)
	}
}

func TestFirstNodeAndHas(t *testing.T) {
	doc := queryDoc(t, `<html lang="de"><body><b class="postauthor">x</b></body></html>`)
	if !Has(doc, MustCompile("b.postauthor")) || Has(doc, MustCompile("dl.postprofile")) {
		t.Error("Has is wrong")
	}
	if n := FirstNode(doc, MustCompile("b")); n == nil || n.Data != "b" {
		t.Errorf("FirstNode = %v", n)
	}
	if FirstNode(nil, MustCompile("b")) != nil || Has(&goquery.Document{}, MustCompile("b")) {
		t.Error("empty documents must match nothing")
	}
	if b := ChildElement(HTMLNode(doc), "body"); b == nil || b.Data != "body" || ChildElement(b, "i") != nil || ChildElement(nil, "x") != nil {
		t.Errorf("ChildElement wrong: %v", b)
	}
	h := HTMLNode(doc)
	if h == nil || NodeAttr(h, "lang") != "de" || NodeAttr(h, "dir") != "" {
		t.Errorf("HTMLNode/NodeAttr wrong: %v", h)
	}
}

func TestHasClass(t *testing.T) {
	doc := queryDoc(t, `<p class=" quote  bbcode_quote
	x-quote quotequote"></p>`)
	n := doc.Find("p").Nodes[0]
	for cls, want := range map[string]bool{
		"quote": true, "bbcode_quote": true, "x-quote": true, "quotequote": true,
		"bbcode": false, "quot": false, "": false, "uote": false,
	} {
		if got := HasClass(n, cls); got != want {
			t.Errorf("HasClass(%q) = %v, want %v", cls, got, want)
		}
	}
	// A class that only occurs doubled must not match its half.
	if HasClass(queryDoc(t, `<p class="foofoo"></p>`).Find("p").Nodes[0], "foo") {
		t.Error(`HasClass("foofoo", "foo") = true`)
	}
}

func TestGuardedMatchesLikeTheSelector(t *testing.T) {
	doc := queryDoc(t, `<div class="post_body" id="pid_1"></div><p class="post_body" id="pid_2"></p>
		<script src="/jscripts/general.js"></script><span>text</span>`)
	sel := MustCompile(`div.post_body[id^="pid_"], script[src*="general.js"]`)
	g := Guarded(sel, atom.Div, atom.Script)
	var want, got []string
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		if sel.Match(s.Nodes[0]) {
			want = append(want, goquery.NodeName(s))
		}
		if g.Match(s.Nodes[0]) {
			got = append(got, goquery.NodeName(s))
		}
	})
	if strings.Join(got, ",") != "div,script" || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Guarded matched %v, selector %v", got, want)
	}
	if Guarded(sel, atom.P).Match(doc.Find("div").Nodes[0]) {
		t.Error("a guard without div let a div through")
	}
}

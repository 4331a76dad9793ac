package scraper

import (
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestDLPairs(t *testing.T) {
	doc := queryDoc(t, `
<dl class="a"><dt>Joined:</dt> <dd>Mar 4, 2012</dd></dl>
<dl class="a"><dt>Posts</dt><dd>3,412</dd><dd>ignored second dd</dd><dd>x</dd>
  <dt>Lonely</dt><dt>Location</dt><dd>Leeds</dd>
  <div><dt>Grouped</dt><dd>yes</dd></div></dl>
<dl class="a"><dd>no label</dd></dl>
<dl class="b"><dt>Other list</dt><dd>not asked for</dd></dl>`)
	var got []string
	DLPairs(doc.Find("dl.a"), func(dt, dd *goquery.Selection) {
		got = append(got, TextLine(dt)+"="+TextLine(dd))
	})
	want := []string{"Joined:=Mar 4, 2012", "Posts=3,412", "Location=Leeds", "Grouped=yes"}
	if !slices.Equal(got, want) {
		t.Errorf("DLPairs = %q, want %q", got, want)
	}
}

package scraper

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// Attr returns an attribute's trimmed value, "" when absent.
func Attr(sel *goquery.Selection, name string) string {
	v, _ := sel.Attr(name)
	return strings.TrimSpace(v)
}

// TextLine returns a selection's text on one line with whitespace collapsed.
func TextLine(sel *goquery.Selection) string { return Clean(sel.Text()) }

var digitsRe = regexp.MustCompile(`\d+`)

// Digits returns the first run of digits in s ("post-4565" -> "4565"), "" when none.
func Digits(s string) string { return digitsRe.FindString(s) }

// LastDigits returns the last run of digits in s ("threads/funny.541/" -> "541").
func LastDigits(s string) string {
	all := digitsRe.FindAllString(s, -1)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

// Atoi parses the first run of digits in s.
func Atoi(s string) (int, bool) {
	d := Digits(s)
	if d == "" {
		return 0, false
	}
	n, err := strconv.Atoi(d)
	return n, err == nil
}

// Texts returns the one-line text of every element, skipping empty ones.
func Texts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) {
		if t := TextLine(s); t != "" {
			out = append(out, t)
		}
	})
	return out
}

// Submatch returns the first capture group of the first of res that matches s, ""
// when none does: the id-from-link lookups every engine makes ("member.php?u=45",
// "viewtopic.php?p=7#p7") with one or a list of URL shapes.
func Submatch(s string, res ...*regexp.Regexp) string {
	for _, re := range res {
		if m := re.FindStringSubmatch(s); len(m) > 1 {
			return m[1]
		}
	}
	return ""
}

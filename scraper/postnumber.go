package scraper

import (
	"regexp"
	"strings"
)

// postNumberRe is the first number in a post counter, with the grouping separators
// ParseCount understands ("#1,234", "1.234", "1 234").
var postNumberRe = regexp.MustCompile(`\d[\d,.'\s\x{00a0}\x{202f}]*`)

// PostNumber reads a post's position as themes print it: "#12", "# 1,234", "Reply #3
// on:", or a bare "12" in an attribute. Engines used Atoi, which reads "#1,234" as 1
// on any thread past post 999; this keeps the grouped figure and falls back to the
// first run of digits when the separators do not form one number ("#3 2019").
func PostNumber(s string) (int, bool) {
	m := strings.TrimRightFunc(postNumberRe.FindString(s), func(r rune) bool {
		return r == ',' || r == '.' || r == '\'' || isSpace(r)
	})
	if m == "" {
		return 0, false
	}
	if n, ok := ParseCount(m); ok && n >= 0 && n <= 1<<31-1 {
		return int(n), true
	}
	return Atoi(m)
}

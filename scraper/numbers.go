package scraper

import (
	"strconv"
	"strings"
)

// ParseCount reads a displayed count: "33,771", "1 293", "1.293" (German grouping),
// "3.5k" or "1,2M". Abbreviated values are approximate; callers prefer an exact
// figure from an attribute when the page has one.
func ParseCount(s string) (int64, bool) {
	s = strings.ToLower(Clean(s))
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "posts"), "messages"))
	if s == "" {
		return 0, false
	}
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1e3, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "m"):
		mult, s = 1e6, strings.TrimSuffix(s, "m")
	}
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−")
	s = strings.TrimLeft(s, "+-−")
	if mult > 1 {
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
		if err != nil {
			return 0, false
		}
		n := int64(f * mult)
		if neg {
			n = -n
		}
		return n, true
	}
	var digits strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == ',' || r == '.' || r == ' ' || r == '\'' || r == '\u00a0' || r == '\u202f':
		default:
			return 0, false
		}
	}
	if digits.Len() == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(digits.String(), 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

package scraper

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// countMultipliers are the abbreviations forums print after large counts ("3.5k",
// "1,2 Mio", "12 тыс."). Keys are lower-case.
var countMultipliers = map[string]float64{
	"k": 1e3, "m": 1e6, "тыс": 1e3, "тыс.": 1e3, "млн": 1e6, "млн.": 1e6, "mio": 1e6, "mio.": 1e6,
	"tsd": 1e3, "tsd.": 1e3, "mln": 1e6, "mln.": 1e6, "mil": 1e3, "tys": 1e3, "tys.": 1e3, "b": 0,
}

// ParseCount reads a displayed count: "33,771", "1 293" (also with U+00A0 / U+202F),
// "1.293" and "1'293" (grouping, never decimals), "3.5k", "3,5K", "1.2M", "-4", "+12",
// and tolerates trailing words ("28 posts", "1 293 сообщения"). Abbreviated values are
// approximate; callers prefer an exact figure from an attribute when the page has one.
// Anything else, including a leading label ("Posts: 20") or a decimal without a
// multiplier ("1,5"), gives (0, false).
func ParseCount(s string) (int64, bool) {
	fields := strings.FieldsFunc(s, isSpace)
	if len(fields) == 0 {
		return 0, false
	}
	// Split trailing words off: the first may be a multiplier ("1,2 Mio").
	end := len(fields)
	for end > 1 && isWordField(fields[end-1]) {
		end--
	}
	mult := 1.0
	if end < len(fields) {
		if m, ok := countMultipliers[strings.ToLower(fields[end])]; ok {
			if m == 0 {
				return 0, false
			}
			mult = m
		}
	}
	num := strings.Join(fields[:end], " ")
	neg := false
	switch {
	case strings.HasPrefix(num, "+"):
		num = num[1:]
	case strings.HasPrefix(num, "-"):
		neg, num = true, num[1:]
	case strings.HasPrefix(num, "−"), strings.HasPrefix(num, "–"):
		neg, num = true, num[len("−"):]
	}
	num = strings.TrimLeft(num, " ")
	if mult == 1 {
		// An attached multiplier: "3.5k", "1.2M".
		if n := len(num); n > 1 {
			switch num[n-1] {
			case 'k', 'K':
				num, mult = num[:n-1], 1e3
			case 'm', 'M':
				num, mult = num[:n-1], 1e6
			}
		}
	}
	if num == "" {
		return 0, false
	}
	var n int64
	if mult != 1 {
		f, ok := parseDecimal(num)
		if !ok {
			return 0, false
		}
		v := math.Round(f * mult)
		if v > math.MaxInt64/2 {
			return 0, false
		}
		n = int64(v)
	} else {
		v, ok := parseGrouped(num)
		if !ok {
			return 0, false
		}
		n = v
	}
	if neg {
		n = -n
	}
	return n, true
}

func isWordField(f string) bool {
	for _, r := range f {
		if !unicode.IsLetter(r) && r != '.' {
			return false
		}
	}
	return true
}

func isGroupSep(r rune) bool {
	switch r {
	case ',', '.', ' ', '\'', '’', '\u00a0', '\u202f', '\u2009':
		return true
	}
	return false
}

// parseGrouped reads digits with one kind of thousands separator: the first group
// has 1-3 digits, every later group exactly 3.
func parseGrouped(s string) (int64, bool) {
	var sep rune
	group := 0
	groups := 0
	var v int64
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if v > (math.MaxInt64-9)/10 {
				return 0, false
			}
			v = v*10 + int64(r-'0')
			group++
		case isGroupSep(r):
			if sep == 0 {
				sep = r
			} else if r != sep {
				return 0, false
			}
			if group == 0 || group > 3 || (groups > 0 && group != 3) {
				return 0, false
			}
			groups++
			group = 0
		default:
			return 0, false
		}
	}
	if group == 0 || (groups > 0 && group != 3) {
		return 0, false
	}
	return v, true
}

// parseDecimal reads the number before a multiplier: "3.5", "3,5", "1 234,5" or "12".
func parseDecimal(s string) (float64, bool) {
	// The last point or comma is the decimal mark unless it also groups thousands
	// ("1.234.567k" is read as grouped).
	intPart, frac := s, ""
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && strings.Count(s, s[i:i+1]) == 1 {
		intPart, frac = s[:i], s[i+1:]
		if frac == "" || len(frac) > 3 {
			return 0, false
		}
	}
	whole, ok := parseGrouped(intPart)
	if !ok {
		return 0, false
	}
	if frac == "" {
		return float64(whole), true
	}
	for _, r := range frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat("0."+frac, 64)
	if err != nil {
		return 0, false
	}
	return float64(whole) + f, true
}

package scraper

import "testing"

func TestPostNumber(t *testing.T) {
	for in, want := range map[string]int{
		"#12": 12, "# 7": 7, "#1,234": 1234, "#1.234": 1234, "1 234": 1234, "#1\u00a0234": 1234,
		"Reply #14 on:": 14, "Reply #3 - Subject": 3, "12": 12, "#3 2019": 3, "#5.": 5, "0": 0,
	} {
		if got, ok := PostNumber(in); !ok || got != want {
			t.Errorf("PostNumber(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "#", "Permalink", "–"} {
		if got, ok := PostNumber(in); ok {
			t.Errorf("PostNumber(%q) = %d, true; want false", in, got)
		}
	}
}

package scraper

import (
	"regexp"
	"testing"
)

func TestSubmatch(t *testing.T) {
	user := []*regexp.Regexp{regexp.MustCompile(`[?&;]u=(\d+)`), regexp.MustCompile(`members?/(\d+)`)}
	for in, want := range map[string]string{
		"member.php?u=45":        "45",
		"/members/7-name.html":   "7",
		"member.php?x=1;u=9&u=3": "9",
		"profile.php?id=3":       "",
		"":                       "",
	} {
		if got := Submatch(in, user...); got != want {
			t.Errorf("Submatch(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Submatch("p=1", regexp.MustCompile(`p=\d`)); got != "" {
		t.Errorf("a regexp without a group must give \"\", got %q", got)
	}
	if got := Submatch("anything"); got != "" {
		t.Errorf("no regexps must give \"\", got %q", got)
	}
}

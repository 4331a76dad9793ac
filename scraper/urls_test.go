package scraper

import "testing"

func TestCleanURLSessionParams(t *testing.T) {
	cases := map[string]string{
		"http://f.org/index.php?PHPSESSID=vqr5&action=profile;u=3061": "http://f.org/index.php?action=profile;u=3061",
		"http://f.org/index.php?topic=38573.15;PHPSESSID=abc":         "http://f.org/index.php?topic=38573.15",
		"http://f.org/index.php/topic,38573.15.html?PHPSESSID=vq":     "http://f.org/index.php/topic,38573.15.html",
		"http://f.org/viewtopic.php?f=35&t=28017&sid=c52&start=10":    "http://f.org/viewtopic.php?f=35&t=28017&start=10",
		"http://f.org/viewtopic.php?t=1&start=10":                     "http://f.org/viewtopic.php?t=1&start=10",
	}
	for in, want := range cases {
		if got := CleanURL(in); got != want {
			t.Errorf("CleanURL(%q) = %q, want %q", in, got, want)
		}
	}
}

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

// Tracking parameters go, as session parameters do; the parameters forums route by
// stay, in their order and encoding.
func TestCleanURLTrackingParams(t *testing.T) {
	cases := map[string]string{
		"https://f.org/threads/x.40/page-2?utm_source=newsletter&utm_medium=email&fbclid=IwAR123": "https://f.org/threads/x.40/page-2",
		"https://f.org/threads/x.40/?utm_source=x":                                                "https://f.org/threads/x.40/",
		"https://f.org/threads/x.40/?UTM_Campaign=spring&utm_whatever=1":                          "https://f.org/threads/x.40/",
		"https://f.org/showthread.php?t=12&gclid=a&dclid=b&gbraid=c&wbraid=d&page=2":              "https://f.org/showthread.php?t=12&page=2",
		"https://f.org/viewtopic.php?f=3&t=7&msclkid=a&yclid=b&start=20&mc_cid=c&mc_eid=d":        "https://f.org/viewtopic.php?f=3&t=7&start=20",
		"https://f.org/viewtopic.php?p=99&igshid=a&_ga=2.1.2&_gl=1*abc":                           "https://f.org/viewtopic.php?p=99",
		"http://f.org/index.php?topic=38573.15;utm_source=x;PHPSESSID=abc":                        "http://f.org/index.php?topic=38573.15",
		"https://f.org/t/slug/42?page=3&u=marta&ga=1&utm=1&gclid_x=1":                             "https://f.org/t/slug/42?page=3&u=marta&ga=1&utm=1&gclid_x=1",
		"https://f.org/search.php?keywords=a%20b&sr=posts&sf=all":                                 "https://f.org/search.php?keywords=a%20b&sr=posts&sf=all",
	}
	for in, want := range cases {
		if got := CleanURL(in); got != want {
			t.Errorf("CleanURL(%q) = %q, want %q", in, got, want)
		}
	}
	// A thread URL given with tracking parameters is validated to the clean one.
	if got, err := ValidateURL("https://f.org/threads/x.40/page-2?utm_source=n&fbclid=1#post-3"); err != nil || got != "https://f.org/threads/x.40/page-2" {
		t.Errorf("ValidateURL = %q, %v", got, err)
	}
}

package scraper

import (
	"testing"
	"time"
)

func TestMachineTimeAndElementDate(t *testing.T) {
	in := Input{FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: time.UTC}
	for _, c := range []struct {
		name, html      string
		machine, parsed string // RFC 3339, "" for nil
	}{
		{"xf2.3 data-timestamp, clock text in data-time", `<time data-timestamp="1700000000" data-time="4:23 PM">4:23 PM</time>`, "2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z"},
		{"xf1 data-time", `<abbr data-time="1600000000">Today at 1:00 PM</abbr>`, "2020-09-13T12:26:40Z", "2020-09-13T12:26:40Z"},
		{"iso datetime", `<time datetime="2012-06-21T16:23:51-0400">June 21</time>`, "2012-06-21T20:23:51Z", "2012-06-21T20:23:51Z"},
		{"date only in title", `<span title="Mar 3, 2019 at 9:15 AM">Mar 3, 2019</span>`, "", "2019-03-03T09:15:00Z"},
		{"text only", `<span>Jan 2, 2024</span>`, "", "2024-01-02T00:00:00Z"},
		{"nothing readable", `<span data-time="soon">whenever</span>`, "", ""},
	} {
		sel := queryDoc(t, "<body>"+c.html+"</body>").Find("body > *")
		if got := fmtTime(MachineTime(sel)); got != c.machine {
			t.Errorf("%s: MachineTime = %q, want %q", c.name, got, c.machine)
		}
		if got := fmtTime(ElementDate(sel, in)); got != c.parsed {
			t.Errorf("%s: ElementDate = %q, want %q", c.name, got, c.parsed)
		}
	}
	if MachineTime(queryDoc(t, "<p></p>").Find("time")) != nil {
		t.Error("MachineTime of an empty selection must be nil")
	}
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

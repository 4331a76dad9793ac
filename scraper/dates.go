package scraper

import (
	"strconv"
	"strings"
	"time"
)

// ParseUnix reads a unix timestamp attribute such as XenForo's data-time.
func ParseUnix(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// ParseMachineTime reads an ISO 8601 datetime attribute ("2012-06-21T16:23:51-0400").
func ParseMachineTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseDate reads a date as a forum displays it. Zone-less times are read in
// in.Location; relative dates are resolved against in.FetchedAt.
func ParseDate(text string, in Input) (time.Time, bool) {
	text = Clean(text)
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range []string{"Jan 2, 2006 at 3:04 PM", "Jan 2, 2006", "January 2, 2006, 03:04:05 PM", "Mon Jan 02, 2006 3:04 pm", "01-02-2006, 03:04 PM"} {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseJoined reads a join date into "YYYY-MM-DD", or "YYYY-MM" when only the month shows.
func ParseJoined(text string, in Input) (string, bool) {
	text = Clean(text)
	for _, layout := range []string{"Jan 2006", "January 2006"} {
		if t, err := time.Parse(layout, text); err == nil {
			return t.Format("2006-01"), true
		}
	}
	if t, ok := ParseDate(text, in); ok {
		return t.In(locOrUTC(in.Location)).Format("2006-01-02"), true
	}
	return "", false
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

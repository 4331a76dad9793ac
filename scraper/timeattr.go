package scraper

import (
	"time"

	"github.com/PuerkitoBio/goquery"
)

// MachineTime reads the timestamp a date element carries for machines, in UTC, nil
// when it has none: unix seconds in data-timestamp (XenForo 2.3) or data-time
// (XenForo 1 and 2.0-2.2; only all digits, since 2.3 puts the clock text "4:23 PM"
// there), else the ISO datetime attribute of <time>. Engines prefer it to the shown
// text, which is often relative or abbreviated.
func MachineTime(sel *goquery.Selection) *time.Time {
	if sel.Length() == 0 {
		return nil
	}
	if t, ok := ParseUnix(Attr(sel, "data-timestamp")); ok {
		return UTCTime(t)
	}
	if dt := Attr(sel, "data-time"); dt != "" && Digits(dt) == dt {
		if t, ok := ParseUnix(dt); ok {
			return UTCTime(t)
		}
	}
	if t, ok := ParseMachineTime(Attr(sel, "datetime")); ok {
		return UTCTime(t)
	}
	return nil
}

// ElementDate reads when a date element says it is: MachineTime, else the full date
// some themes put in its title (XenForo shows only the day for older posts), else its
// text, both through ParseDate.
func ElementDate(sel *goquery.Selection, in Input) *time.Time {
	if t := MachineTime(sel); t != nil {
		return t
	}
	for _, text := range []string{Attr(sel, "title"), TextLine(sel)} {
		if text == "" {
			continue
		}
		if t, ok := ParseDate(text, in); ok {
			return UTCTime(t)
		}
	}
	return nil
}

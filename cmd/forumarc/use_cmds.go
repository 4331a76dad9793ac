package main

import (
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/forumarc/forumarc/store"
)

// useCmds are the commands that read the archive: search, export, reparse, stats.
func (a *app) useCmds() []*cobra.Command {
	return []*cobra.Command{a.searchCmd(), a.exportCmd(), a.reparseCmd(), a.statsCmd()}
}

// selectionFlags are the flags every archive-use command shares to pick posts.
type selectionFlags struct {
	site, forum, thread, author string
	since, until                string
}

func (s *selectionFlags) add(f *pflag.FlagSet, dates bool) {
	f.StringVar(&s.site, "site", "", "only this site (base URL or host, e.g. forum.example.com)")
	f.StringVar(&s.forum, "forum", "", "only threads whose forum path holds this label (e.g. \"Bikes\")")
	f.StringVar(&s.thread, "thread", "", "only this thread (its URL, any archived page URL, or the forum's thread id)")
	if dates {
		f.StringVar(&s.author, "author", "", "only posts by this author name (case-insensitive)")
		f.StringVar(&s.since, "since", "", "only posts dated on or after this day (YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339)")
		f.StringVar(&s.until, "until", "", "only posts dated on or before this day (same forms; the whole day/month/year counts)")
	}
}

func (s *selectionFlags) selection() (store.Selection, error) {
	sel := store.Selection{Site: s.site, Forum: s.forum, Thread: s.thread, Author: s.author}
	if s.since != "" {
		t, _, err := parseDay(s.since)
		if err != nil {
			return sel, usagef("--since: %v", err)
		}
		sel.Since = &t
	}
	if s.until != "" {
		_, end, err := parseDay(s.until)
		if err != nil {
			return sel, usagef("--until: %v", err)
		}
		sel.Until = &end
	}
	if sel.Since != nil && sel.Until != nil && !sel.Since.Before(*sel.Until) {
		return sel, usagef("--since %s is not before --until %s", s.since, s.until)
	}
	return sel, nil
}

// parseDay reads a date as a range: its start, and the start of the next period (so
// --until 2025-12 includes all of December). Dates are UTC, as the archive stores them.
func parseDay(v string) (start, end time.Time, err error) {
	v = strings.TrimSpace(v)
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{time.RFC3339, func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		if t, perr := time.Parse(f.layout, v); perr == nil {
			t = t.UTC()
			return t, f.next(t), nil
		}
	}
	return start, end, usagef("%q is not a date (want YYYY, YYYY-MM, YYYY-MM-DD or RFC 3339)", v)
}

package scraper

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fetched is a Thursday; every relative and year-less date below resolves against it.
var fetched = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

func utcIn() Input { return Input{FetchedAt: fetched, Location: time.UTC} }

func TestParseDateAbsolute(t *testing.T) {
	cases := []struct{ in, want string }{
		// phpBB
		{"Wed Jan 02, 2013 7:14 pm", "2013-01-02T19:14:00Z"},
		{"Tue Dec 18, 2012 5:03 pm", "2012-12-18T17:03:00Z"},
		{"Thu Jan 03, 2013 12:50 am", "2013-01-03T00:50:00Z"},
		{"Thu Jan 03, 2013 12:50 pm", "2013-01-03T12:50:00Z"},
		{"Mon 07 Jan 2013, 09:12", "2013-01-07T09:12:00Z"},
		// SMF
		{"September 19, 2007, 01:08:14 PM", "2007-09-19T13:08:14Z"},
		{"October 08, 2007, 12:00:16 PM", "2007-10-08T12:00:16Z"},
		{"« on: September 19, 2007, 01:08:14 PM »", "2007-09-19T13:08:14Z"},
		// MyBB / vBulletin
		{"12-29-2015, 07:47 PM", "2015-12-29T19:47:00Z"},
		{"01-02-2013, 07:47 AM", "2013-01-02T07:47:00Z"},
		{"Jan 23rd 2011, 08:29 AM", "2011-01-23T08:29:00Z"},
		{"Jan 1st 2011, 08:29 AM", "2011-01-01T08:29:00Z"},
		{"Feb 2nd 2011", "2011-02-02T00:00:00Z"},
		{"Mar 4th 2011, 11:00 PM", "2011-03-04T23:00:00Z"},
		{"May14-10, 10:59 AM", "2010-05-14T10:59:00Z"},
		{"Dec31-99, 11:59 PM", "1999-12-31T23:59:00Z"},
		{"05-14-2010 at 11:02 PM", "2010-05-14T23:02:00Z"},
		{"23rd January 2011, 20:29", "2011-01-23T20:29:00Z"},
		{"29th December 2015, 07:47 PM", "2015-12-29T19:47:00Z"},
		{"09-feb-2025, 11:26", "2025-02-09T11:26:00Z"},
		{"14-dic-2009, 08:05", "2009-12-14T08:05:00Z"},
		{"2015-12-29, 19:47", "2015-12-29T19:47:00Z"},
		{"14.05.2010 um 11:02 Uhr", "2010-05-14T11:02:00Z"},
		// XenForo
		{"20 Май 2013", "2013-05-20T00:00:00Z"},
		{"20 Май 2013 в 10:27", "2013-05-20T10:27:00Z"},
		{"28 мая 2013 в 13:54", "2013-05-28T13:54:00Z"},
		{"Jun 21, 2012 at 4:23 PM", "2012-06-21T16:23:00Z"},
		{"Jun 21, 2012", "2012-06-21T00:00:00Z"},
		{"June 21, 2012", "2012-06-21T00:00:00Z"},
		// IPS
		{"05/02/24 06:50  PM", "2024-05-02T18:50:00Z"},
		{"05/03/24 07:59 AM", "2024-05-03T07:59:00Z"},
		{"25/12/2023 10:00", "2023-12-25T10:00:00Z"},
		{"12/25/2023", "2023-12-25T00:00:00Z"},
		// ISO-ish and European numeric
		{"2013-01-02 19:14", "2013-01-02T19:14:00Z"},
		{"2013-01-02 19:14:05", "2013-01-02T19:14:05Z"},
		{"2013-01-02T19:14:05", "2013-01-02T19:14:05Z"},
		{"2013/01/02", "2013-01-02T00:00:00Z"},
		{"02.01.2013, 19:14", "2013-01-02T19:14:00Z"},
		{"02.01.13 19:14", "2013-01-02T19:14:00Z"},
		{"2.1.2013", "2013-01-02T00:00:00Z"},
		{"25-12-2015, 07:47 PM", "2015-12-25T19:47:00Z"},
		// German
		{"2. Januar 2013 um 19:14", "2013-01-02T19:14:00Z"},
		{"2. Januar 2013, 19:14 Uhr", "2013-01-02T19:14:00Z"},
		{"Mittwoch, 2. Januar 2013", "2013-01-02T00:00:00Z"},
		{"am 2. Jan. 2013 um 19.14 Uhr", "2013-01-02T19:14:00Z"},
		{"17. März 2013", "2013-03-17T00:00:00Z"},
		{"17. Maerz 2013", "2013-03-17T00:00:00Z"},
		{"3. Mai 2013", "2013-05-03T00:00:00Z"},
		{"1. Dez. 2013", "2013-12-01T00:00:00Z"},
		// French
		{"2 janvier 2013 à 19h14", "2013-01-02T19:14:00Z"},
		{"1er mai 2013", "2013-05-01T00:00:00Z"},
		{"mer. 2 janv. 2013 19:14", "2013-01-02T19:14:00Z"},
		{"mar. 5 mars 2013", "2013-03-05T00:00:00Z"},
		{"15 août 2013 à 9h", "2013-08-15T09:00:00Z"},
		{"Mar 05 Mar 2013 19:14", "2013-03-05T19:14:00Z"}, // phpBB fr: weekday "Mar" then month "Mar"
		{"Jeu 15 Aoû 2013 09:00", "2013-08-15T09:00:00Z"},
		{"3 févr. 2013", "2013-02-03T00:00:00Z"},
		{"20 décembre 2013", "2013-12-20T00:00:00Z"},
		// Spanish
		{"2 de enero de 2013", "2013-01-02T00:00:00Z"},
		{"2 de enero de 2013 a las 19:14", "2013-01-02T19:14:00Z"},
		{"12 ago 2013", "2013-08-12T00:00:00Z"},
		{"miércoles, 2 de enero de 2013", "2013-01-02T00:00:00Z"},
		{"30 dic. 2013", "2013-12-30T00:00:00Z"},
		// Portuguese
		{"2 de janeiro de 2013", "2013-01-02T00:00:00Z"},
		{"2 de março de 2013 às 19:14", "2013-03-02T19:14:00Z"},
		{"quarta-feira, 2 de janeiro de 2013", "2013-01-02T00:00:00Z"},
		{"7 out 2013", "2013-10-07T00:00:00Z"},
		// Italian
		{"2 gennaio 2013", "2013-01-02T00:00:00Z"},
		{"2 gennaio 2013 alle 19:14", "2013-01-02T19:14:00Z"},
		{"mercoledì 2 gennaio 2013", "2013-01-02T00:00:00Z"},
		{"5 lug 2013", "2013-07-05T00:00:00Z"},
		// Polish
		{"2 stycznia 2013", "2013-01-02T00:00:00Z"},
		{"2 stycznia 2013, 19:14", "2013-01-02T19:14:00Z"},
		{"14 października 2013 o 19:14", "2013-10-14T19:14:00Z"},
		{"14 pazdziernika 2013", "2013-10-14T00:00:00Z"},
		{"5 lut 2013", "2013-02-05T00:00:00Z"},
		{"pn 4 mar 2013, 19:14", "2013-03-04T19:14:00Z"},
		{"Paz 3 Mar 2013", "2013-03-03T00:00:00Z"}, // Turkish "Paz" (Sunday) is also Polish "paź"
		{"21 sierpnia 2013 r.", "2013-08-21T00:00:00Z"},
		// Dutch
		{"2 januari 2013", "2013-01-02T00:00:00Z"},
		{"2 januari 2013 om 19:14", "2013-01-02T19:14:00Z"},
		{"17 mrt 2013", "2013-03-17T00:00:00Z"},
		{"woensdag 2 januari 2013", "2013-01-02T00:00:00Z"},
		// Turkish
		{"2 Ocak 2013", "2013-01-02T00:00:00Z"},
		{"2 Ocak 2013 19:14", "2013-01-02T19:14:00Z"},
		{"19 Mayıs 2013", "2013-05-19T00:00:00Z"},
		{"19 MAYIS 2013", "2013-05-19T00:00:00Z"},
		{"31 Aralık 2013 Salı", "2013-12-31T00:00:00Z"},
		{"1 Şubat 2013", "2013-02-01T00:00:00Z"},
		{"29 Ağustos 2013", "2013-08-29T00:00:00Z"},
		// Russian
		{"2 января 2013", "2013-01-02T00:00:00Z"},
		{"2 января 2013 г. в 19:14", "2013-01-02T19:14:00Z"},
		{"1 сентября 2013 года", "2013-09-01T00:00:00Z"},
		{"3 фев 2013", "2013-02-03T00:00:00Z"},
		{"ЧЕТВЕРГ, 3 ЯНВАРЯ 2013", "2013-01-03T00:00:00Z"},
		// Explicit zones override Input.Location.
		{"Jun 21, 2012 at 4:23 PM UTC", "2012-06-21T16:23:00Z"},
		{"Jun 21, 2012 4:23 PM GMT+2", "2012-06-21T14:23:00Z"},
		{"2013-01-02 19:14 +0200", "2013-01-02T17:14:00Z"},
		{"2013-01-02 19:14 -04:00", "2013-01-02T23:14:00Z"},
		{"Jun 21, 2012 4:23 PM EDT", "2012-06-21T20:23:00Z"},
		// Discourse two-digit years, line breaks inside the text.
		{"Jan 2, '19", "2019-01-02T00:00:00Z"},
		{"Jun 21, 2012\n  at 4:23 PM", "2012-06-21T16:23:00Z"},
		{"Jun\u00a021,\u00a02012", "2012-06-21T00:00:00Z"},
		{"May 2, 2013 10 am", "2013-05-02T10:00:00Z"},
		{"May 2, 2013 10pm", "2013-05-02T22:00:00Z"},
		{"7:14 pm - 2 Jan 2013", "2013-01-02T19:14:00Z"},
		{"19:14 - 02.01.2013", "2013-01-02T19:14:00Z"},
		{"Jun 21, 2012 at 4:23 p.m.", "2012-06-21T16:23:00Z"},
		{"2 de enero de 2013, 7:14 p. m.", "2013-01-02T19:14:00Z"},
		{"2 de enero de 2013, 7:14 a. m.", "2013-01-02T07:14:00Z"},
		// Leap day.
		{"Feb 29, 2012", "2012-02-29T00:00:00Z"},
	}
	for _, c := range cases {
		want, err := time.Parse(time.RFC3339, c.want)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ParseDate(c.in, utcIn())
		if !ok {
			t.Errorf("ParseDate(%q) failed, want %s", c.in, c.want)
			continue
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %s, want %s", c.in, got.Format(time.RFC3339), c.want)
		}
	}
}

func TestParseDateNoYear(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"May 2", "2025-05-02T00:00:00Z"},            // would be in the future: last year
		{"Jan 10", "2026-01-10T00:00:00Z"},           // this year
		{"Jan 15", "2026-01-15T00:00:00Z"},           // fetch day
		{"Jan 15, 11:30 PM", "2026-01-15T23:30:00Z"}, // later hour of the fetch day: zone slack
		{"Jan 16", "2025-01-16T00:00:00Z"},           // a day ahead of the fetch: last year
		{"Dec 24, 10:15 AM", "2025-12-24T10:15:00Z"},
		{"3 мая", "2025-05-03T00:00:00Z"},
		{"14. Januar", "2026-01-14T00:00:00Z"},
		{"Wed, Jan 14", "2026-01-14T00:00:00Z"}, // the weekday fits this year
		{"Tue, Jan 14", "2025-01-14T00:00:00Z"}, // it fits last year only
	}
	for _, c := range cases {
		want, _ := time.Parse(time.RFC3339, c.want)
		got, ok := ParseDate(c.in, utcIn())
		if !ok || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %s %v, want %s", c.in, got.Format(time.RFC3339), ok, c.want)
		}
	}
	if _, ok := ParseDate("May 2", Input{}); ok {
		t.Error("year-less date without FetchedAt must fail")
	}
	// Feb 29 without a year in a year whose previous year is not leap.
	in := Input{FetchedAt: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)}
	if got, ok := ParseDate("Feb 29", in); ok {
		t.Errorf("Feb 29 (no year, 2025) = %s, want failure", got)
	}
}

func TestParseDateRelative(t *testing.T) {
	d := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		in   string
		want time.Time
	}{
		{"Today at 3:14 PM", d("2026-01-15T15:14:00Z")},
		{"today, 08:15", d("2026-01-15T08:15:00Z")},
		{"Yesterday at 08:15", d("2026-01-14T08:15:00Z")},
		{"Yesterday, 08:15 PM", d("2026-01-14T20:15:00Z")},
		{"Yesterday", d("2026-01-14T00:00:00Z")},
		{"Сегодня в 10:27", d("2026-01-15T10:27:00Z")},
		{"Вчера в 10:27", d("2026-01-14T10:27:00Z")},
		{"Позавчера в 10:27", d("2026-01-13T10:27:00Z")},
		{"Heute um 10:27", d("2026-01-15T10:27:00Z")},
		{"Heute, 10:27 Uhr", d("2026-01-15T10:27:00Z")},
		{"Gestern, 10:27", d("2026-01-14T10:27:00Z")},
		{"Vorgestern, 10:27", d("2026-01-13T10:27:00Z")},
		{"Aujourd'hui à 10:27", d("2026-01-15T10:27:00Z")},
		{"Aujourd’hui à 10h27", d("2026-01-15T10:27:00Z")},
		{"Hier à 10:27", d("2026-01-14T10:27:00Z")},
		{"Avant-hier à 10:27", d("2026-01-13T10:27:00Z")},
		{"Hoy a las 10:27", d("2026-01-15T10:27:00Z")},
		{"Ayer a las 10:27", d("2026-01-14T10:27:00Z")},
		{"Hoje às 10:27", d("2026-01-15T10:27:00Z")},
		{"Ontem às 10:27", d("2026-01-14T10:27:00Z")},
		{"Oggi alle 10:27", d("2026-01-15T10:27:00Z")},
		{"Ieri alle 10:27", d("2026-01-14T10:27:00Z")},
		{"Dzisiaj 10:27", d("2026-01-15T10:27:00Z")},
		{"Dziś, 10:27", d("2026-01-15T10:27:00Z")},
		{"Wczoraj 10:27", d("2026-01-14T10:27:00Z")},
		{"Vandaag om 10:27", d("2026-01-15T10:27:00Z")},
		{"Gisteren om 10:27", d("2026-01-14T10:27:00Z")},
		{"Bugün 10:27", d("2026-01-15T10:27:00Z")},
		{"BUGÜN 10:27", d("2026-01-15T10:27:00Z")},
		{"Dün 10:27", d("2026-01-14T10:27:00Z")},
		// Weekday names stand for the last seven days (XenForo); fetched is a Thursday.
		{"Monday at 3:14 PM", d("2026-01-12T15:14:00Z")},
		{"Wednesday at 9:00 AM", d("2026-01-14T09:00:00Z")},
		{"Thursday at 9:00 AM", d("2026-01-15T09:00:00Z")},
		{"Thursday at 3:00 PM", d("2026-01-08T15:00:00Z")},
		{"Понедельник в 10:27", d("2026-01-12T10:27:00Z")},
		{"Montag um 10:27", d("2026-01-12T10:27:00Z")},
		// Ago forms.
		{"5 minutes ago", d("2026-01-15T11:55:00Z")},
		{"1 minute ago", d("2026-01-15T11:59:00Z")},
		{"a minute ago", d("2026-01-15T11:59:00Z")},
		{"an hour ago", d("2026-01-15T11:00:00Z")},
		{"2 hours ago", d("2026-01-15T10:00:00Z")},
		{"about 2 hours ago", d("2026-01-15T10:00:00Z")},
		{"3 days ago", d("2026-01-12T12:00:00Z")},
		{"a day ago", d("2026-01-14T12:00:00Z")},
		{"2 weeks ago", d("2026-01-01T12:00:00Z")},
		{"1 month ago", d("2025-12-15T12:00:00Z")},
		{"2 years ago", d("2024-01-15T12:00:00Z")},
		{"30 seconds ago", d("2026-01-15T11:59:30Z")},
		{"a few seconds ago", d("2026-01-15T12:00:00Z")},
		{"1 hour, 5 minutes ago", d("2026-01-15T10:55:00Z")},
		{"Less than 1 minute ago", d("2026-01-15T12:00:00Z")},
		{"less than a minute ago", d("2026-01-15T12:00:00Z")},
		{"Just now", d("2026-01-15T12:00:00Z")},
		{"moments ago", d("2026-01-15T12:00:00Z")},
		{"5 минут назад", d("2026-01-15T11:55:00Z")},
		{"минуту назад", d("2026-01-15T11:59:00Z")},
		{"час назад", d("2026-01-15T11:00:00Z")},
		{"3 часа назад", d("2026-01-15T09:00:00Z")},
		{"2 дня назад", d("2026-01-13T12:00:00Z")},
		{"только что", d("2026-01-15T12:00:00Z")},
		{"vor 5 Minuten", d("2026-01-15T11:55:00Z")},
		{"vor einer Stunde", d("2026-01-15T11:00:00Z")},
		{"vor 3 Tagen", d("2026-01-12T12:00:00Z")},
		{"gerade eben", d("2026-01-15T12:00:00Z")},
		{"il y a 5 minutes", d("2026-01-15T11:55:00Z")},
		{"il y a une heure", d("2026-01-15T11:00:00Z")},
		{"il y a un an", d("2025-01-15T12:00:00Z")},
		{"il y a moins d'une minute", d("2026-01-15T12:00:00Z")},
		{"à l'instant", d("2026-01-15T12:00:00Z")},
		{"hace 5 minutos", d("2026-01-15T11:55:00Z")},
		{"hace un día", d("2026-01-14T12:00:00Z")},
		{"hace 2 años", d("2024-01-15T12:00:00Z")},
		{"há 5 minutos", d("2026-01-15T11:55:00Z")},
		{"5 minutos atrás", d("2026-01-15T11:55:00Z")},
		{"5 minuti fa", d("2026-01-15T11:55:00Z")},
		{"un'ora fa", d("2026-01-15T11:00:00Z")},
		{"5 minut temu", d("2026-01-15T11:55:00Z")},
		{"godzinę temu", d("2026-01-15T11:00:00Z")},
		{"5 minuten geleden", d("2026-01-15T11:55:00Z")},
		{"een uur geleden", d("2026-01-15T11:00:00Z")},
		{"5 dakika önce", d("2026-01-15T11:55:00Z")},
		{"2 gün önce", d("2026-01-13T12:00:00Z")},
		{"az önce", d("2026-01-15T12:00:00Z")},
		// phpBB 3.1+ language packs.
		{"il y a moins d’une minute", d("2026-01-15T12:00:00Z")},
		{"vor weniger als einer Minute", d("2026-01-15T12:00:00Z")},
		{"менее минуты назад", d("2026-01-15T12:00:00Z")},
		{"hace menos de un minuto", d("2026-01-15T12:00:00Z")},
		{"há menos de um minuto", d("2026-01-15T12:00:00Z")},
		{"meno di un minuto fa", d("2026-01-15T12:00:00Z")},
		{"mniej niż minutę temu", d("2026-01-15T12:00:00Z")},
		{"minder dan een minuut geleden", d("2026-01-15T12:00:00Z")},
		{"1 dakikadan az önce", d("2026-01-15T12:00:00Z")},
		{"Heute, 19:14", d("2026-01-15T19:14:00Z")},
		{"5 mins ago", d("2026-01-15T11:55:00Z")},
		{"5 Minutes Ago", d("2026-01-15T11:55:00Z")},
		// XenForo's Russian phrases, as the real TopHope page ships them.
		{"5 мин. назад", d("2026-01-15T11:55:00Z")},
		{"1 минуту назад", d("2026-01-15T11:59:00Z")},
		{"Только что", d("2026-01-15T12:00:00Z")},
		{"Менее минуты назад", d("2026-01-15T12:00:00Z")},
		{"Сегодня позже в 14:10", d("2026-01-15T14:10:00Z")},
		{"Later today at 2:10 PM", d("2026-01-15T14:10:00Z")},
		{"Tomorrow at 9:00 AM", d("2026-01-16T09:00:00Z")},
		{"Вос в 10:27", time.Time{}}, // short weekday alone: too vague
		{"A moment ago", d("2026-01-15T12:00:00Z")},
		// Compact forms (XenForo 2.3 short dates, Discourse).
		{"5m", d("2026-01-15T11:55:00Z")},
		{"3h", d("2026-01-15T09:00:00Z")},
		{"2d", d("2026-01-13T12:00:00Z")},
		{"1w", d("2026-01-08T12:00:00Z")},
		{"1y", d("2025-01-15T12:00:00Z")},
	}
	for _, c := range cases {
		got, ok := ParseDate(c.in, utcIn())
		if c.want.IsZero() {
			if ok {
				t.Errorf("ParseDate(%q) = %s, want failure", c.in, got.Format(time.RFC3339))
			}
			continue
		}
		if !ok || !got.Equal(c.want) {
			t.Errorf("ParseDate(%q) = %s %v, want %s", c.in, got.Format(time.RFC3339), ok, c.want.Format(time.RFC3339))
		}
	}
	// Without a fetch time nothing relative can be resolved.
	for _, s := range []string{"5 minutes ago", "Today at 3:14 PM", "Just now", "Monday at 3:14 PM"} {
		if got, ok := ParseDate(s, Input{}); ok {
			t.Errorf("ParseDate(%q) without FetchedAt = %s, want failure", s, got)
		}
	}
}

func TestParseDateZones(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	for _, s := range []string{"Wed Jan 02, 2013 7:14 pm", "2 Januar 2013 um 19:14", "02.01.2013, 19:14"} {
		u, ok1 := ParseDate(s, Input{Location: time.UTC})
		b, ok2 := ParseDate(s, Input{Location: berlin})
		if !ok1 || !ok2 {
			t.Fatalf("ParseDate(%q) failed", s)
		}
		if d := u.Sub(b); d != time.Hour {
			t.Errorf("%q: UTC - Berlin (winter) = %s, want 1h", s, d)
		}
		if b.Location() != time.UTC {
			t.Errorf("%q: result location %s, want UTC", s, b.Location())
		}
	}
	// Summer time: Berlin is UTC+2.
	u, _ := ParseDate("Jun 21, 2012 at 4:23 PM", Input{})
	b, _ := ParseDate("Jun 21, 2012 at 4:23 PM", Input{Location: berlin})
	if d := u.Sub(b); d != 2*time.Hour {
		t.Errorf("summer: UTC - Berlin = %s, want 2h", d)
	}
	// The real TopHope post: 20 Май 2013 в 10:27 at +0400 is unix 1369031222 (to the minute).
	m, ok := ParseDate("20 Май 2013 в 10:27", Input{Location: time.FixedZone("", 4*3600)})
	if !ok || m.Unix() != 1369031222-2 {
		t.Errorf("20 Май 2013 в 10:27 +04 = %d, want %d", m.Unix(), 1369031222-2)
	}
	// "Today" is the fetch day in the forum's zone: 23:30 UTC is already tomorrow in Moscow.
	late := Input{FetchedAt: time.Date(2026, 1, 15, 23, 30, 0, 0, time.UTC), Location: moscow}
	got, ok := ParseDate("Сегодня в 01:15", late)
	if want := time.Date(2026, 1, 15, 22, 15, 0, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("Сегодня в 01:15 (Moscow, fetched 23:30Z) = %s, want %s", got, want)
	}
	// An explicit zone in the text wins over Input.Location.
	got, ok = ParseDate("2013-01-02 19:14 UTC", Input{Location: berlin})
	if want := time.Date(2013, 1, 2, 19, 14, 0, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("explicit UTC in Berlin = %s, want %s", got, want)
	}
	// Relative dates do not depend on the zone.
	r1, _ := ParseDate("5 minutes ago", Input{FetchedAt: fetched, Location: berlin})
	r2, _ := ParseDate("5 minutes ago", utcIn())
	if !r1.Equal(r2) {
		t.Errorf("relative date differs by zone: %s vs %s", r1, r2)
	}
}

func TestParseDateRejects(t *testing.T) {
	bad := []string{
		"", "   ", "garbage", "hello world", "13-45-2015", "02/30/2013", "31.04.2013", "Feb 30, 2012",
		"Feb 29, 2013", "Jan 32, 2013", "25:00", "Today at 25:14", "Jun 21, 2012 at 13:23 PM",
		"Jun 21, 2012 at 0:23 AM", "10:27", "2013", "Oct 2019", "Jan '19", "May", "Posted by admin", "Fri, Jan 14",
		"Jan 2, 2013 Jan 3, 2013", "Jan 2 Feb 2013", "Mar Mar Mar 2013", "Mon Jan 02, 2013 7:14 pm", // Jan 2, 2013 was a Wednesday
		"5 bananas ago", "ago", "vor", "in 5 minutes", "12345", "1.2.3.4", "2013-01-02 19:61",
		"Today Jan 2, 2013", "Yesterday 2013", "2 Ocak 1899", "Jan 2, 2031", "next Monday",
		"Jun 21, 2012 at 4:23 PM foo", "5 days from now", "12/13/14/15", "pm", "99999999999",
		"1 Januar 2013 um 19:14:77", "5 m", "5x", "5mm", "10:27h", "Jun 21, 2012 at 4:23 p.", "Avant", "l'altro", "May 2 10", "May 2, 13", "Jan 2 2013 19h 02.01.2013",
	}
	for _, s := range bad {
		if got, ok := ParseDate(s, utcIn()); ok {
			t.Errorf("ParseDate(%q) = %s, want failure", s, got.Format(time.RFC3339))
		}
	}
}

func TestParseJoined(t *testing.T) {
	cases := []struct{ in, want string }{
		{"May 21, 2006", "2006-05-21"},
		{"Oct 2019", "2019-10"},
		{"Feb 2009", "2009-02"},
		{"Октябрь 2019", "2019-10"},
		{"October 2019", "2019-10"},
		{"Jan '19", "2019-01"},
		{"März 2015", "2015-03"},
		{"janvier 2010", "2010-01"},
		{"Ocak 2011", "2011-01"},
		{"10/2019", "2019-10"},
		{"10.2019", "2019-10"},
		{"2019-10", "2019-10"},
		{"Tue Dec 18, 2012 5:03 pm", "2012-12-18"},
		{"21.05.2006", "2006-05-21"},
		{"Jul 20, 2007", "2007-07-20"},
		{"2 stycznia 2013", "2013-01-02"},
		{"Yesterday at 08:15", "2026-01-14"},
		{"3 days ago", "2026-01-12"},
	}
	for _, c := range cases {
		got, ok := ParseJoined(c.in, utcIn())
		if !ok || got != c.want {
			t.Errorf("ParseJoined(%q) = %q %v, want %q", c.in, got, ok, c.want)
		}
	}
	for _, s := range []string{"", "garbage", "2019", "13/2019", "Oct", "Joined: Oct 2019 foo"} {
		if got, ok := ParseJoined(s, utcIn()); ok {
			t.Errorf("ParseJoined(%q) = %q, want failure", s, got)
		}
	}
	// The join date is the day printed, not shifted to UTC.
	tokyo := time.FixedZone("JST", 9*3600)
	if got, _ := ParseJoined("Tue Dec 18, 2012 5:03 am", Input{Location: tokyo}); got != "2012-12-18" {
		t.Errorf("ParseJoined in +09 = %q, want 2012-12-18", got)
	}
}

func TestParseUnixAndMachine(t *testing.T) {
	if got, ok := ParseUnix("1340310231"); !ok || got.Unix() != 1340310231 || got.Location() != time.UTC {
		t.Errorf("ParseUnix = %v %v", got, ok)
	}
	if got, ok := ParseUnix("1340310231000"); !ok || got.Unix() != 1340310231 {
		t.Errorf("ParseUnix(ms) = %v %v", got, ok)
	}
	for _, s := range []string{"", "0", "-5", "abc", "12.5"} {
		if _, ok := ParseUnix(s); ok {
			t.Errorf("ParseUnix(%q) succeeded", s)
		}
	}
	for s, want := range map[string]int64{
		"2012-06-21T16:23:51-0400":      1340310231,
		"2012-06-21T16:23:51-04:00":     1340310231,
		"2012-06-21T20:23:51Z":          1340310231,
		"2012-06-21T20:23:51.250Z":      1340310231,
		"2024-05-02T18:50:46Z":          1714675846,
		" 2012-06-21T20:23:51+00:00 ":   1340310231,
		"2012-06-21 20:23:51":           1340310231,
		"2013-05-20T10:27:02+0400":      1369031222,
		"2012-06-21T20:23:51.123+00:00": 1340310231,
	} {
		got, ok := ParseMachineTime(s)
		if !ok || got.Unix() != want || got.Location() != time.UTC {
			t.Errorf("ParseMachineTime(%q) = %v %v, want %d", s, got, ok, want)
		}
	}
	if _, ok := ParseMachineTime("Jun 21, 2012"); ok {
		t.Error("ParseMachineTime accepted display text")
	}
}

var benchDates = []string{
	"Wed Jan 02, 2013 7:14 pm", "September 19, 2007, 01:08:14 PM", "12-29-2015, 07:47 PM",
	"Jan 23rd 2011, 08:29 AM", "20 Май 2013 в 10:27", "Jun 21, 2012 at 4:23 PM", "05/02/24 06:50  PM",
	"2. Januar 2013 um 19:14", "Today at 3:14 PM", "5 minutes ago", "May 2",
}

func BenchmarkParseDate(b *testing.B) {
	in := utcIn()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := ParseDate(benchDates[i%len(benchDates)], in); !ok {
			b.Fatal("parse failed")
		}
	}
}

// FuzzParseDate checks that no input panics and that every accepted date is in UTC
// and in the years forums can have printed.
func FuzzParseDate(f *testing.F) {
	for _, s := range benchDates {
		f.Add(s)
	}
	for _, s := range []string{"vor 5 Minuten", "il y a un an", "Jan '19", "May14-10", "19h14", "GMT+2", "2013-01-02 19:14 -04:00"} {
		f.Add(s)
	}
	in := utcIn()
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseDate(s, in)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("ParseDate(%q) failed but returned %s", s, got)
			}
			return
		}
		if got.Location() != time.UTC || got.Year() < 1969 || got.Year() > fetched.Year()+1 {
			t.Fatalf("ParseDate(%q) = %s", s, got)
		}
		if j, ok := ParseJoined(s, in); !ok || len(j) != 10 {
			t.Fatalf("ParseJoined(%q) = %q %v after ParseDate succeeded", s, j, ok)
		}
	})
}

// TestMonthAndWeekdayNames walks every month and weekday name of every language, so a
// typo in a table shows up here rather than as a missing date in an archive.
func TestMonthAndWeekdayNames(t *testing.T) {
	months := map[string][12]string{
		"en":      {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"en abbr": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		"ru":      {"Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь"},
		"ru gen":  {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
		"ru abbr": {"янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"},
		"de":      {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		"de abbr": {"Jan.", "Feb.", "Mär.", "Apr.", "Mai", "Jun.", "Jul.", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."},
		"fr":      {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		"fr abbr": {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."},
		"es":      {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		"es abbr": {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
		"pt":      {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		"pt abbr": {"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"},
		"it":      {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		"it abbr": {"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
		"pl":      {"styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"},
		"pl gen":  {"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
		"pl abbr": {"sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru"},
		"nl":      {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		"nl abbr": {"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
		"tr":      {"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"},
		"tr abbr": {"Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara"},
		"tr caps": {"OCAK", "ŞUBAT", "MART", "NİSAN", "MAYIS", "HAZİRAN", "TEMMUZ", "AĞUSTOS", "EYLÜL", "EKİM", "KASIM", "ARALIK"},
	}
	for lang, names := range months {
		for i, name := range names {
			got, ok := ParseDate("3 "+name+" 2013", utcIn())
			if !ok || got.Month() != time.Month(i+1) || got.Day() != 3 || got.Year() != 2013 {
				t.Errorf("%s: %q read as %s %v, want 2013-%02d-03", lang, "3 "+name+" 2013", got.Format("2006-01-02"), ok, i+1)
			}
			if j, ok := ParseJoined(name+" 2013", utcIn()); !ok || j != time.Date(2013, time.Month(i+1), 1, 0, 0, 0, 0, time.UTC).Format("2006-01") {
				t.Errorf("%s: ParseJoined(%q) = %q %v", lang, name+" 2013", j, ok)
			}
		}
	}
	// Weekdays, Sunday first. 6 January 2013 was a Sunday.
	weekdays := map[string][7]string{
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		"ru": {"Воскресенье", "Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота"},
		"de": {"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"},
		"fr": {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
		"es": {"domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"},
		"pt": {"domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"},
		"it": {"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"},
		"pl": {"niedziela", "poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota"},
		"nl": {"zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"},
		"tr": {"Pazar", "Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi"},
	}
	for lang, names := range weekdays {
		for i, name := range names {
			s := name + ", 2013-01-" + string(rune('0'+6+i))
			if i+6 >= 10 {
				s = name + ", 2013-01-" + "1" + string(rune('0'+i+6-10))
			}
			got, ok := ParseDate(s, utcIn())
			if !ok || got.Day() != 6+i {
				t.Errorf("%s: ParseDate(%q) = %s %v", lang, s, got, ok)
			}
			// The wrong weekday for the date is refused (full names are checked).
			wrong := names[(i+1)%7] + " " + s[len(name)+2:]
			if got, ok := ParseDate(wrong, utcIn()); ok {
				t.Errorf("%s: ParseDate(%q) = %s, want failure (weekday contradicts date)", lang, wrong, got)
			}
			// Alone with a time: the last such day before the fetch (a Thursday).
			back := (4 - i + 7) % 7
			want := time.Date(2026, 1, 15-back, 9, 30, 0, 0, time.UTC)
			if got, ok := ParseDate(name+" 09:30", utcIn()); !ok || !got.Equal(want) {
				t.Errorf("%s: ParseDate(%q) = %s %v, want %s", lang, name+" 09:30", got, ok, want)
			}
		}
	}
}

// TestRealAnswerDates reads every date string of the shared real-page answer key
// (../shared/realpages, absent in a user's clone) and checks it against the machine
// timestamp the same page carries, when it has one.
func TestRealAnswerDates(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "realpages", "answers.json"))
	if os.IsNotExist(err) {
		t.Skip("../shared/realpages not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	var key struct {
		Pages []struct {
			File      string         `json:"file"`
			FirstPost map[string]any `json:"first_post"`
			LastPost  map[string]any `json:"last_post"`
		} `json:"pages"`
	}
	if err := json.Unmarshal(raw, &key); err != nil {
		t.Fatal(err)
	}
	str := func(p map[string]any, k string) string {
		s, _ := p[k].(string)
		return s
	}
	n := 0
	for _, pg := range key.Pages {
		for _, p := range []map[string]any{pg.FirstPost, pg.LastPost} {
			in := Input{FetchedAt: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), Location: time.UTC}
			var machine time.Time
			if attr := str(p, "post_datetime_attr"); attr != "" {
				m, ok := ParseMachineTime(attr)
				if !ok {
					t.Errorf("%s: ParseMachineTime(%q) failed", pg.File, attr)
					continue
				}
				machine = m
				// The page was rendered in the zone of its datetime attribute, shortly after posting.
				if ref, err := time.Parse("2006-01-02T15:04:05-0700", attr); err == nil {
					in.Location = ref.Location()
				} else if ref, err := time.Parse(time.RFC3339, attr); err == nil {
					in.Location = ref.Location()
				}
				in.FetchedAt = machine.Add(30 * 24 * time.Hour)
			}
			for _, k := range []string{"post_date_text", "post_date_title_attr"} {
				s := str(p, k)
				if s == "" {
					continue
				}
				n++
				got, ok := ParseDate(s, in)
				if !ok {
					t.Errorf("%s: ParseDate(%q) failed", pg.File, s)
					continue
				}
				if machine.IsZero() {
					continue
				}
				if k == "post_date_title_attr" && !got.Equal(machine.Truncate(time.Minute)) {
					t.Errorf("%s: ParseDate(%q) = %s, machine time %s", pg.File, s, got, machine)
				}
				if y, m, d := got.In(in.Location).Date(); k == "post_date_text" && (y != machine.In(in.Location).Year() ||
					m != machine.In(in.Location).Month() || d != machine.In(in.Location).Day()) {
					t.Errorf("%s: ParseDate(%q) = %s, machine date %s", pg.File, s, got, machine)
				}
			}
			if j := str(p, "join_date"); j != "" {
				n++
				if _, ok := ParseJoined(j, in); !ok {
					t.Errorf("%s: ParseJoined(%q) failed", pg.File, j)
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d date strings in the answer key", n)
	}
}

func TestParseDateMonthEdges(t *testing.T) {
	in := Input{FetchedAt: time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)}
	if got, ok := ParseDate("Tomorrow at 9:00 AM", in); !ok || !got.Equal(time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Tomorrow on Jan 31 = %s %v", got, ok)
	}
	in = Input{FetchedAt: time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC)}
	if got, ok := ParseDate("Yesterday at 23:00", in); !ok || !got.Equal(time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("Yesterday on Mar 1 = %s %v", got, ok)
	}
	if got, ok := ParseDate("Saturday at 23:00", in); !ok || !got.Equal(time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("Saturday before Sunday Mar 1 = %s %v", got, ok)
	}
	in = Input{FetchedAt: time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)}
	if got, ok := ParseDate("Dec 31, 11:00 PM", in); !ok || !got.Equal(time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("Dec 31 fetched on New Year = %s %v", got, ok)
	}
}

// TestParseDateRoundTrip formats random minutes between 1995 and 2025 the way each
// engine and language prints them and checks that ParseDate gives the same minute back.
func TestParseDateRoundTrip(t *testing.T) {
	layouts := []string{
		"Mon Jan 02, 2006 3:04 pm",         // phpBB
		"January 2, 2006, 03:04:05 PM",     // SMF
		"01-02-2006, 03:04 PM",             // MyBB / vBulletin
		"Jan 2, 2006 at 3:04 PM",           // XenForo
		"01/02/06 03:04  PM",               // IPS title
		"2006-01-02 15:04",                 // ISO-ish
		"02.01.2006, 15:04",                // European
		"Monday, January 2, 2006 15:04:05", // long
		"2 Jan 2006 15:04",
	}
	ord := func(d int) string {
		switch {
		case d%10 == 1 && d != 11:
			return "st"
		case d%10 == 2 && d != 12:
			return "nd"
		case d%10 == 3 && d != 13:
			return "rd"
		}
		return "th"
	}
	localized := map[string][12]string{
		"ru": {"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"},
		"de": {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"},
		"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		"es": {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		"pt": {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
		"it": {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		"pl": {"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
		"nl": {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		"tr": {"Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık"},
	}
	connector := map[string]string{"ru": " в ", "de": " um ", "fr": " à ", "es": " a las ", "pt": " às ", "it": " alle ", "pl": " o ", "nl": " om ", "tr": " "}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		berlin = time.FixedZone("CET", 3600)
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC).Unix() - start
	for range 3000 {
		loc := []*time.Location{time.UTC, berlin}[r.IntN(2)]
		want := time.Unix(start+r.Int64N(span), 0).In(loc).Truncate(time.Minute)
		in := Input{FetchedAt: fetched, Location: loc}
		texts := []string{
			fmt.Sprintf("%s %d%s %d, %s", want.Format("Jan"), want.Day(), ord(want.Day()), want.Year(), want.Format("03:04 PM")),
		}
		for _, l := range layouts {
			texts = append(texts, want.Format(l))
		}
		for lang, months := range localized {
			texts = append(texts, fmt.Sprintf("%d %s %d%s%s", want.Day(), months[want.Month()-1], want.Year(), connector[lang], want.Format("15:04")))
		}
		for _, s := range texts {
			got, ok := ParseDate(s, in)
			if !ok || !got.Equal(want) {
				t.Fatalf("ParseDate(%q in %s) = %s %v, want %s", s, loc, got, ok, want.UTC())
			}
		}
	}
}

package scraper

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ParseUnix reads a unix timestamp attribute such as XenForo's data-time. Values of
// 13 digits are taken as milliseconds, which some themes' scripts write instead.
func ParseUnix(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	if len(s) >= 13 {
		return time.UnixMilli(n).UTC(), true
	}
	return time.Unix(n, 0).UTC(), true
}

var machineLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999-0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700",
}

// ParseMachineTime reads an ISO 8601 datetime attribute ("2012-06-21T16:23:51-0400").
// Values without a zone are taken as UTC, which is what machine attributes carry.
func ParseMachineTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range machineLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ParseDate reads a date as a forum displays it, in any of the ten languages forumarc
// knows (en, ru, de, fr, es, pt, it, pl, nl, tr): absolute dates with month names or
// numbers, "Today at 3:14 PM"-style day words, weekday-only dates of the last week and
// relative dates ("5 minutes ago", "vor 5 Minuten"). Zone-less times are read in
// in.Location (UTC when nil); relative dates are resolved against in.FetchedAt, and a
// date printed without a year ("May 2") takes the fetch year, or the year before when
// that day lies after the fetch day. The result is in UTC. Text it cannot read with certainty gives
// (zero, false): a missing date is better than a wrong one.
func ParseDate(text string, in Input) (time.Time, bool) {
	p, ok := parseDateParts(text, in)
	if !ok || p.monthOnly {
		return time.Time{}, false
	}
	return p.t.UTC(), true
}

// ParseJoined reads a join date into "YYYY-MM-DD", or "YYYY-MM" when only the month
// shows ("Oct 2019", "Октябрь 2019", "10/2019"). Time-of-day is dropped: the date is
// the one printed, in in.Location.
func ParseJoined(text string, in Input) (string, bool) {
	if y, m, ok := numericMonthYear(text); ok {
		return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), true
	}
	p, ok := parseDateParts(text, in)
	if !ok {
		return "", false
	}
	if p.monthOnly {
		return p.t.Format("2006-01"), true
	}
	return p.t.Format("2006-01-02"), true
}

func locOrUTC(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}

// token kinds produced by tokenizeDate.
const (
	tokNum = iota + 1
	tokWord
)

// dateToken is a run of ASCII digits or of letters. sep is the last punctuation rune
// between it and the previous token (0 when only spaces or nothing), adj reports that
// nothing at all separates them ("23rd", "May14").
type dateToken struct {
	kind   int
	s      string // lower-cased, diacritics folded for words
	n      int    // value of a number
	digits int
	sep    rune
	adj    bool
}

// tokenizeDate lower-cases and splits text into numbers and words; punctuation and
// spaces only separate. ok is false when a number is too long to be part of a date
// or the tokens would not fit in buf.
func tokenizeDate(text string, buf []dateToken) ([]dateToken, bool) {
	toks := buf[:0]
	var sep rune
	adj := false
	i := 0
	for i < len(text) {
		c := text[i]
		switch {
		case c >= '0' && c <= '9':
			j := i
			n := 0
			for j < len(text) && text[j] >= '0' && text[j] <= '9' {
				n = n*10 + int(text[j]-'0')
				j++
				if j-i > 4 {
					return nil, false
				}
			}
			if len(toks) == cap(toks) {
				return nil, false
			}
			toks = append(toks, dateToken{kind: tokNum, s: text[i:j], n: n, digits: j - i, sep: sep, adj: adj})
			i, sep, adj = j, 0, true
			continue
		case c < utf8.RuneSelf:
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				break
			}
			if c != ' ' && (c < '\t' || c > '\r') {
				sep = rune(c)
			}
			adj = false
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			if !unicode.IsSpace(r) {
				sep = r
			}
			adj = false
			i += size
			continue
		}
		j := i
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !isWordRune(r) {
				break
			}
			j += size
		}
		if len(toks) == cap(toks) {
			return nil, false
		}
		toks = append(toks, dateToken{kind: tokWord, s: tokenWord(text[i:j]), sep: sep, adj: adj})
		i, sep, adj = j, 0, true
	}
	return toks, true
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// foldWord lower-cases w and strips the diacritics that vary between how forums and
// users spell month and label words ("März"/"Marz", "Mayıs"/"MAYIS", "ё"/"е").
func foldWord(w string) string {
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf || w[i] >= 'A' && w[i] <= 'Z' {
			return string(foldInto(make([]byte, 0, len(w)), w))
		}
	}
	return w
}

// foldInto appends the folded form of w to dst.
func foldInto(dst []byte, w string) []byte {
	for _, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			dst = append(dst, byte(r)+'a'-'A')
		case r < utf8.RuneSelf:
			dst = append(dst, byte(r))
		case unicode.Is(unicode.Mn, r):
		default:
			r = unicode.ToLower(r)
			if f, ok := foldRunes[r]; ok {
				r = f
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// knownWords interns every word of the date tables, so tokenizing a date that uses
// only known words allocates nothing.
var knownWords = map[string]string{}

func internWord(w string) {
	knownWords[w] = w
}

// tokenWord returns the folded form of a word of a date, interned when known.
func tokenWord(w string) string {
	var buf [64]byte
	if len(w) > len(buf)/2 {
		return foldWord(w)
	}
	b := foldInto(buf[:0], w)
	if k, ok := knownWords[string(b)]; ok {
		return k
	}
	return string(b)
}

var foldRunes = func() map[rune]rune {
	m := map[rune]rune{}
	for to, from := range map[rune]string{
		'a': "áàâäãåāą", 'c': "çćč", 'e': "éèêëęėě", 'i': "íìîïı", 'l': "ł", 'n': "ñńň",
		'o': "óòôöõøō", 's': "śşšș", 'u': "úùûüů", 'y': "ýÿ", 'z': "źżž", 'g': "ğ", 't': "ţț",
		'е': "ё", 'и': "й",
	} {
		for _, r := range from {
			m[r] = to
		}
	}
	return m
}()

// wordKind classifies a folded word of a displayed date.
type wordKind uint8

const (
	wUnknown wordKind = iota
	wMonth
	wWeekday     // full weekday name: usable alone ("Monday at 3:14 PM")
	wWeekdayAbbr // abbreviation: ignored
	wDay         // today / yesterday; val is the offset in days (0, -1, -2)
	wAM
	wPM
	wZone // val is the offset in minutes
	wFiller
	wOrdinal
)

type wordInfo struct {
	kind wordKind
	val  int
}

var dateWords = map[string]wordInfo{}

// ambiguousMonths are month abbreviations that are also weekday abbreviations in
// another language ("mar" March / mardi, martes, martedì; "paz" październik / pazar).
// When a date holds two month words, these yield.
var ambiguousMonths = map[string]bool{"mar": true, "paz": true}

func addWords(kind wordKind, val int, words string) {
	for _, w := range strings.Fields(words) {
		f := foldWord(w)
		internWord(f)
		if _, dup := dateWords[f]; dup && kind != wMonth {
			continue // months win over weekday abbreviations and fillers
		}
		dateWords[f] = wordInfo{kind, val}
	}
}

func init() {
	months := [12]string{
		// en, ru (nominative, genitive, prepositional, abbr.), de, fr, es, pt, it, pl (nom., gen., abbr.), nl, tr
		"january jan январь января январе янв januar jänner jän janvier janv enero ene janeiro gennaio gen styczeń stycznia sty januari ocak oca",
		"february feb febr февраль февраля феврале фев февр februar feber février févr fév febrero fevereiro fev febbraio luty lutego lut februari şubat şub",
		"march mar март марта марте мар märz mär mrz maerz mars marzo março marco marzec marca maart mrt mart",
		"april apr апрель апреля апреле апр avril avr abril abr aprile kwiecień kwietnia kwi nisan nis",
		"may май мая мае mai mayo maio maggio mag maj maja mei mayıs",
		"june jun июнь июня июне июн juni juin junio junho giugno giu czerwiec czerwca cze haziran haz",
		"july jul июль июля июле июл juli juillet juil julio julho luglio lug lipiec lipca lip temmuz tem",
		"august aug август августа августе авг août aout aoû agosto ago sierpień sierpnia sie augustus ağustos ağu",
		"september sep sept сентябрь сентября сентябре сен сент septembre septiembre setiembre setembro set settembre wrzesień września wrz eylül eyl",
		"october oct октябрь октября октябре окт oktober okt octobre octubre outubro out ottobre ott październik października paź ekim eki",
		"november nov ноябрь ноября ноябре ноя нояб novembre noviembre novembro listopad listopada lis kasım kas",
		"december dec декабрь декабря декабре дек dezember dez décembre déc diciembre dic dezembro dicembre grudzień grudnia gru aralık ara",
	}
	for i, w := range months {
		addWords(wMonth, i+1, w)
	}
	full := [7]string{
		"sunday воскресенье sonntag dimanche domingo domenica niedziela zondag pazar",
		"monday понедельник montag lundi lunes segunda segunda-feira lunedì poniedziałek maandag pazartesi",
		"tuesday вторник dienstag mardi martes terça terça-feira martedì wtorek dinsdag salı",
		"wednesday среда среду mittwoch mercredi miércoles quarta quarta-feira mercoledì środa środę woensdag çarşamba",
		"thursday четверг donnerstag jeudi jueves quinta quinta-feira giovedì czwartek donderdag perşembe",
		"friday пятница пятницу freitag vendredi viernes sexta sexta-feira venerdì piątek vrijdag cuma",
		"saturday суббота субботу samstag sonnabend samedi sábado sabato sobota zaterdag cumartesi",
	}
	for i, w := range [7]string{"sun", "mon", "tue tues", "wed", "thu thur thurs", "fri", "sat"} {
		addWords(wWeekday, i, w)
	}
	for i, w := range full {
		addWords(wWeekday, i, w)
	}
	addWords(wWeekdayAbbr, 0, "feira пн пон вт ср чт пт сб вс вск вос вто сре чет пят суб "+
		"mo di mi do fr sa so lun mer jeu ven sam dim mié mie jue vie sáb dom seg ter qua qui sex "+
		"gio pon pn wt śr czw sob nd ndz niedz ma wo vr za zo pzt sal çar per cum cmt paz")
	addWords(wDay, 0, "today сегодня heute aujourdhui aujourd hoy hoje oggi dzisiaj dziś vandaag bugün")
	addWords(wDay, -1, "yesterday вчера gestern hier ayer ontem ieri wczoraj gisteren dün")
	addWords(wDay, 1, "tomorrow завтра morgen demain amanhã domani jutro yarın")
	addWords(wDay, -2, "позавчера vorgestern anteayer anteontem przedwczoraj eergisteren")
	addWords(wAM, 0, "am")
	addWords(wPM, 0, "pm")
	for _, z := range []struct {
		names string
		min   int
	}{
		{"utc gmt z", 0}, {"est", -300}, {"edt", -240}, {"cdt", -300}, {"mst", -420}, {"mdt", -360},
		{"pst", -480}, {"pdt", -420}, {"bst cet mez wat", 60}, {"cest mesz eet", 120}, {"eest msk мск", 180},
	} {
		addWords(wZone, z.min, z.names)
	}
	addWords(wFiller, 0, "at on the of um a à às alle all las la le el de del do da di dnia o godz godz. r roku г года в om en saat uhr t ore later позже später hui avant altro l")
	addWords(wOrdinal, 0, "st nd rd th er re e eme ème º ª го")
}

// dateParts is what parseDateParts read; t is in the input's location.
type dateParts struct {
	t         time.Time
	monthOnly bool
}

// maxDateTokens bounds the tokens of a displayed date; dates are short, so a fixed
// array avoids allocation and longer text is not a date.
const maxDateTokens = 24

func parseDateParts(text string, in Input) (dateParts, bool) {
	loc := locOrUTC(in.Location)
	text = strings.TrimSpace(text)
	if text == "" || len(text) > 120 {
		return dateParts{}, false
	}
	var buf [maxDateTokens]dateToken
	toks, ok := tokenizeDate(text, buf[:])
	if !ok || len(toks) == 0 {
		return dateParts{}, false
	}
	if t, ok := parseRelative(toks, in, loc); ok {
		return dateParts{t: t}, true
	}
	return parseAbsolute(toks, in, loc)
}

// abs collects what the absolute parser has seen.
type abs struct {
	year, month, day     int
	numericDate, hasTime bool
	hour, min, sec       int
	mer                  wordKind
	dayOff               int
	hasDayOff            bool
	weekday              int
	hasWeekday           bool
	zone                 *time.Location
	smalls               [4]int
	smallDigits          [4]int
	smallSeps            [4]rune
	nsmall               int
	monthCands           [3]string
	monthVals            [3]int
	nmonth               int
	yearSeen             bool
}

func parseAbsolute(toks []dateToken, in Input, loc *time.Location) (dateParts, bool) {
	var a abs
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokNum {
			n, ok := a.number(toks, i)
			if !ok {
				return dateParts{}, false
			}
			i += n - 1
			continue
		}
		if (t.s == "a" || t.s == "p") && i+1 < len(toks) && toks[i+1].s == "m" && toks[i+1].sep == '.' {
			// "a.m.", "p. m."
			if t.s == "a" {
				t.s = "am"
			} else {
				t.s = "pm"
			}
			i++
		}
		info, known := dateWords[t.s]
		if !known {
			return dateParts{}, false
		}
		prevNum := i > 0 && toks[i-1].kind == tokNum
		switch info.kind {
		case wOrdinal:
			if !prevNum {
				return dateParts{}, false
			}
		case wMonth:
			if a.nmonth == len(a.monthCands) {
				return dateParts{}, false
			}
			a.monthCands[a.nmonth], a.monthVals[a.nmonth] = t.s, info.val
			a.nmonth++
		case wWeekday:
			if a.hasWeekday {
				return dateParts{}, false
			}
			a.weekday, a.hasWeekday = info.val, true
		case wWeekdayAbbr, wFiller:
		case wDay:
			if a.hasDayOff {
				return dateParts{}, false
			}
			a.dayOff, a.hasDayOff = info.val, true
			if t.s == "hier" && i > 0 && toks[i-1].s == "avant" || t.s == "ieri" && i > 0 && toks[i-1].s == "altro" {
				a.dayOff = -2 // avant-hier, l'altro ieri
			}
		case wAM, wPM:
			if !a.hasTime {
				if info.kind == wAM {
					continue // German "am 2. Januar"
				}
				return dateParts{}, false
			}
			if a.mer != 0 {
				return dateParts{}, false
			}
			a.mer = info.kind
		case wZone:
			off := info.val
			if i+1 < len(toks) && toks[i+1].kind == tokNum && (toks[i+1].sep == '+' || toks[i+1].sep == '-') {
				o, n, ok := zoneOffset(toks, i+1)
				if !ok {
					return dateParts{}, false
				}
				off += o
				i += n
			}
			if a.zone != nil {
				return dateParts{}, false
			}
			a.zone = time.FixedZone("", off*60)
		default:
			return dateParts{}, false
		}
	}
	if a.zone != nil {
		loc = a.zone
	}
	return a.resolve(in, loc)
}

// number consumes the number at toks[i] and what belongs to it (a clock time, a
// numeric date, a zone offset) and returns how many tokens it used.
func (a *abs) number(toks []dateToken, i int) (int, bool) {
	t := toks[i]
	next := func(k int) *dateToken {
		if i+k < len(toks) {
			return &toks[i+k]
		}
		return nil
	}
	n1, n2 := next(1), next(2)
	// Zone offset after the time: "19:14 +0200", "19:14 -04:00".
	if a.hasTime && (t.sep == '+' || t.sep == '-') &&
		(t.digits == 4 || n1 != nil && n1.kind == tokNum && n1.sep == ':' && t.digits <= 2) {
		o, n, ok := zoneOffset(toks, i)
		if !ok || a.zone != nil {
			return 0, false
		}
		a.zone = time.FixedZone("", o*60)
		return n, true
	}
	// Clock time: 19:14, 01:08:14, 19h14, 10.27 Uhr.
	if n1 != nil && n1.kind == tokNum && n1.sep == ':' && t.digits <= 2 && n1.digits == 2 {
		if a.hasTime {
			return 0, false
		}
		a.hasTime, a.hour, a.min = true, t.n, n1.n
		used := 2
		if n2 != nil && n2.kind == tokNum && n2.sep == ':' {
			if n2.digits != 2 {
				return 0, false
			}
			a.sec = n2.n
			used = 3
			if n3 := next(3); n3 != nil && n3.kind == tokNum && n3.sep == '.' {
				used = 4 // fractional seconds
			}
		}
		return used, true
	}
	if n1 != nil && n1.kind == tokWord && t.digits <= 2 && !a.hasTime {
		// A bare hour: "10 am", "9h".
		if k := dateWords[n1.s].kind; k == wAM || k == wPM {
			a.hasTime, a.hour = true, t.n
			return 1, true
		}
	}
	if n1 != nil && n1.kind == tokWord && n1.s == "h" && t.digits <= 2 {
		if a.hasTime {
			return 0, false
		}
		a.hasTime, a.hour = true, t.n
		if n3 := next(3); n2 != nil && n2.kind == tokNum && n2.digits == 2 && n2.sep == 0 &&
			(n3 == nil || (n3.sep != '.' && n3.sep != '/' && n3.sep != '-')) {
			a.min = n2.n
			return 3, true
		}
		return 2, true
	}
	if n1 != nil && n1.kind == tokNum && n1.sep == '.' && n1.digits == 2 && t.digits <= 2 &&
		n2 != nil && n2.kind == tokWord && n2.s == "uhr" {
		if a.hasTime {
			return 0, false
		}
		a.hasTime, a.hour, a.min = true, t.n, n1.n
		return 3, true
	}
	// Numeric date: 2013-01-02, 12-29-2015, 02.01.2013, 05/02/24.
	if n1 != nil && n2 != nil && n1.kind == tokNum && n2.kind == tokNum && n1.sep == n2.sep &&
		(n1.sep == '-' || n1.sep == '/' || n1.sep == '.') {
		if a.numericDate || a.nmonth > 0 {
			return 0, false
		}
		y, m, d, ok := numericDate(t, *n1, *n2)
		if !ok {
			return 0, false
		}
		a.numericDate, a.year, a.month, a.day = true, y, m, d
		return 3, true
	}
	if t.digits == 2 && (t.sep == '\'' || t.sep == '’') && !a.yearSeen {
		// Discourse-style "Jan '19".
		a.year, a.yearSeen = expandYear(t), true
		return 1, true
	}
	if t.digits == 4 {
		if a.yearSeen {
			return 0, false
		}
		a.year, a.yearSeen = t.n, true
		return 1, true
	}
	if t.digits > 2 || a.nsmall == len(a.smalls) {
		return 0, false
	}
	a.smalls[a.nsmall], a.smallDigits[a.nsmall], a.smallSeps[a.nsmall] = t.n, t.digits, t.sep
	a.nsmall++
	return 1, true
}

// zoneOffset reads "+0200", "+02:00" or "+2" at toks[i] (sign in sep) as minutes.
func zoneOffset(toks []dateToken, i int) (int, int, bool) {
	t := toks[i]
	sign := 1
	if t.sep == '-' {
		sign = -1
	}
	var h, m, used int
	switch {
	case t.digits == 4:
		h, m, used = t.n/100, t.n%100, 1
	case t.digits <= 2 && i+1 < len(toks) && toks[i+1].kind == tokNum && toks[i+1].sep == ':' && toks[i+1].digits == 2:
		h, m, used = t.n, toks[i+1].n, 2
	case t.digits <= 2:
		h, used = t.n, 1
	default:
		return 0, 0, false
	}
	if h > 14 || m > 59 {
		return 0, 0, false
	}
	return sign * (h*60 + m), used, true
}

// numericDate orders three numbers the way forums print them: a 4-digit first number
// is a year (YYYY-MM-DD); dots mean DD.MM.YYYY; dashes MM-DD-YYYY (vBulletin/MyBB US
// default); slashes MM/DD/YY (IPS US) unless the first number cannot be a month. A
// first number that cannot be a month with dashes is read as DD-MM.
func numericDate(a, b, c dateToken) (y, m, d int, ok bool) {
	switch {
	case a.digits == 4:
		if c.digits > 2 {
			return 0, 0, 0, false
		}
		return a.n, b.n, c.n, true
	case a.digits > 2 || b.digits > 2 || (c.digits != 2 && c.digits != 4):
		return 0, 0, 0, false
	}
	y = expandYear(c)
	switch {
	case b.sep == '.':
		return y, b.n, a.n, true
	case a.n > 12 && b.n <= 12:
		return y, b.n, a.n, true
	default:
		return y, a.n, b.n, true
	}
}

func expandYear(t dateToken) int {
	if t.digits == 2 {
		if t.n < 70 {
			return 2000 + t.n
		}
		return 1900 + t.n
	}
	return t.n
}

func (a *abs) resolve(in Input, loc *time.Location) (dateParts, bool) {
	// "mar. 5 mars 2013", "Mar 05 Mar 2013": while two month words remain, the first
	// that is also a weekday abbreviation is the weekday.
	for a.nmonth > 1 {
		j := 0
		for j < a.nmonth && !ambiguousMonths[a.monthCands[j]] {
			j++
		}
		if j == a.nmonth {
			return dateParts{}, false
		}
		copy(a.monthCands[j:a.nmonth], a.monthCands[j+1:a.nmonth])
		copy(a.monthVals[j:a.nmonth], a.monthVals[j+1:a.nmonth])
		a.nmonth--
	}
	hasYear := a.yearSeen
	relDay := false // date counted back from the fetch day
	var y, m, d int
	switch {
	case a.numericDate:
		if a.nmonth > 0 || a.nsmall > 0 || a.yearSeen || a.hasDayOff {
			return dateParts{}, false
		}
		y, m, d, hasYear = a.year, a.month, a.day, true
	case a.nmonth == 1:
		if a.hasDayOff {
			return dateParts{}, false
		}
		m, y = a.monthVals[0], a.year
		switch {
		case a.nsmall == 0:
			if !hasYear || a.hasTime {
				return dateParts{}, false
			}
			t := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, loc)
			if !plausibleYear(y, in) {
				return dateParts{}, false
			}
			return dateParts{t: t, monthOnly: true}, true
		case a.nsmall == 1:
			d = a.smalls[0]
		case a.nsmall == 2 && !hasYear && a.smallDigits[1] == 2 && a.smallSeps[1] == '-':
			// vBulletin 3 custom "May14-10": day then two-digit year.
			d = a.smalls[0]
			y, hasYear = expandYear(dateToken{n: a.smalls[1], digits: 2}), true
		default:
			return dateParts{}, false
		}
	case a.hasDayOff:
		if a.nsmall > 0 || a.yearSeen || a.hasWeekday {
			return dateParts{}, false
		}
		if in.FetchedAt.IsZero() {
			return dateParts{}, false
		}
		f := in.FetchedAt.In(loc)
		y, m, d, hasYear, relDay = f.Year(), int(f.Month()), f.Day()+a.dayOff, true, true
	case a.hasWeekday && a.hasTime:
		if a.nsmall > 0 || a.yearSeen || in.FetchedAt.IsZero() {
			return dateParts{}, false
		}
		f := in.FetchedAt.In(loc)
		back := (int(f.Weekday()) - a.weekday + 7) % 7
		y, m, d, hasYear, relDay = f.Year(), int(f.Month()), f.Day()-back, true, true
	default:
		return dateParts{}, false
	}
	hour, ok := a.clockHour()
	if !ok || a.min > 59 || a.sec > 59 {
		return dateParts{}, false
	}
	if !hasYear {
		if in.FetchedAt.IsZero() {
			return dateParts{}, false
		}
		y = in.FetchedAt.In(loc).Year()
	}
	if m < 1 || m > 12 || (!relDay && (d < 1 || d > 31)) {
		return dateParts{}, false
	}
	t := time.Date(y, time.Month(m), d, hour, a.min, a.sec, 0, loc)
	if !relDay && (t.Day() != d || int(t.Month()) != m) {
		return dateParts{}, false // 30 February, 31 April
	}
	if !hasYear && (afterDay(t, in.FetchedAt.In(loc)) ||
		a.hasWeekday && !relDay && t.Weekday() != time.Weekday(a.weekday)) {
		// "May 2" printed without a year is this year's unless that day lies ahead
		// of the fetch day (a later hour of the fetch day is zone slack, not a year).
		t = time.Date(y-1, time.Month(m), d, hour, a.min, a.sec, 0, loc)
		if t.Day() != d {
			return dateParts{}, false // 29 February of a non-leap year
		}
	}
	switch {
	case relDay && a.hasWeekday && t.After(in.FetchedAt):
		t = t.AddDate(0, 0, -7) // same weekday as today, later hour: last week
	case !relDay && a.hasWeekday && t.Weekday() != time.Weekday(a.weekday):
		return dateParts{}, false // the printed weekday contradicts the date
	}
	if !plausibleYear(t.Year(), in) {
		return dateParts{}, false
	}
	return dateParts{t: t}, true
}

// afterDay reports whether t falls on a later calendar day than ref (both in t's zone).
func afterDay(t, ref time.Time) bool {
	ty, tm, td := t.Date()
	ry, rm, rd := ref.Date()
	if ty != ry {
		return ty > ry
	}
	if tm != rm {
		return tm > rm
	}
	return td > rd
}

func (a *abs) clockHour() (int, bool) {
	h := a.hour
	switch a.mer {
	case wAM, wPM:
		if h < 1 || h > 12 {
			return 0, false
		}
		if h == 12 {
			h = 0
		}
		if a.mer == wPM {
			h += 12
		}
	}
	return h, h <= 23
}

// plausibleYear rejects years no forum printed: before 1970, or after the fetch.
func plausibleYear(y int, in Input) bool {
	if y < 1970 {
		return false
	}
	if !in.FetchedAt.IsZero() {
		return y <= in.FetchedAt.Year()+1
	}
	return y <= 2200
}

// numericMonthYear reads join dates printed as "10/2019", "10.2019" or "2019-10".
func numericMonthYear(text string) (int, int, bool) {
	var buf [4]dateToken
	toks, ok := tokenizeDate(strings.TrimSpace(text), buf[:])
	if !ok || len(toks) != 2 || toks[0].kind != tokNum || toks[1].kind != tokNum {
		return 0, 0, false
	}
	a, b := toks[0], toks[1]
	var y, m int
	switch {
	case a.digits <= 2 && b.digits == 4 && (b.sep == '/' || b.sep == '.' || b.sep == '-'):
		m, y = a.n, b.n
	case a.digits == 4 && b.digits <= 2 && (b.sep == '-' || b.sep == '/' || b.sep == '.'):
		y, m = a.n, b.n
	default:
		return 0, 0, false
	}
	if m < 1 || m > 12 || y < 1970 || y > 2200 {
		return 0, 0, false
	}
	return y, m, true
}

// relUnit is the unit of a relative date ("5 minutes ago").
type relUnit uint8

const (
	uNone relUnit = iota
	uSecond
	uMinute
	uHour
	uDay
	uWeek
	uMonth
	uYear
)

// Word tables for relative dates, all keys folded (see foldWord).
var (
	relUnits  = map[string]relUnit{}
	relCounts = map[string]int{} // count words; -1 means "a few" (seconds only)
	relWords  = map[string]relRole{}
	relNow    = map[string]bool{} // whole phrases meaning "now"
)

type relRole uint8

const (
	rMarker   relRole = iota + 1 // ago, назад, vor, hace, fa, temu, geleden, önce
	rModifier                    // about, около, etwa: no effect
	rLess                        // less (than): the date is the fetch time
	rGlue                        // than, and, als, de: joins words
)

func init() {
	for u, words := range map[relUnit]string{
		uSecond: "second seconds sec secs секунду секунды секунд сек sekunde sekunden sek seconde secondes segundo segundos seg secondo secondi sekundę sekundy sekund seconden saniye sn",
		uMinute: "minute minutes min mins минуту минуты минут мин minuten minuto minutos minuti minutę minuty minut minuut dakika dakikadan dk",
		uHour:   "hour hours hr hrs h час часа часов ч stunde stunden std heure heures hora horas ora ore godzinę godziny godzin godz uur saat",
		uDay:    "day days день дня дней сутки суток tag tage tagen jour jours día días giorno giorni dzień dni dag dagen gün",
		uWeek:   "week weeks неделю недели недель неделя woche wochen semaine semaines semana semanas settimana settimane tydzień tygodnie tygodni weken hafta",
		uMonth:  "month months месяц месяца месяцев monat monate monaten mois mes meses mês mese mesi miesiąc miesiące miesięcy maand maanden ay",
		uYear:   "year years год года лет jahr jahre jahren an ans année années año años ano anos anno anni rok lata lat jaar jaren yıl sene",
	} {
		for _, w := range strings.Fields(words) {
			relUnits[foldWord(w)] = u
			internWord(foldWord(w))
		}
	}
	for _, w := range strings.Fields("a an one un une uno una um uma ein eine einer einem einen eins een bir один одну одна одно jeden jedną jedna jedno jednego") {
		relCounts[foldWord(w)] = 1
		internWord(foldWord(w))
	}
	for _, w := range strings.Fields("few several несколько paar einigen wenigen quelques unos unas alguns alcuni pochi kilka kilku enkele birkaç") {
		relCounts[foldWord(w)] = -1
		internWord(foldWord(w))
	}
	for role, words := range map[relRole]string{
		rMarker:   "ago назад vor hace há fa temu geleden önce evvel atrás",
		rModifier: "about around approximately approx almost nearly over some около почти более больше etwa ungefähr fast über mehr environ presque plus alrededor aproximadamente casi más cerca quase mais circa quasi più około prawie ponad ongeveer bijna meer yaklaşık neredeyse",
		rLess:     "less менее меньше weniger moins menos meno mniej minder az",
		rGlue:     "than and и und als et de d y e di i niż dan en ve",
	} {
		for _, w := range strings.Fields(words) {
			relWords[foldWord(w)] = role
			internWord(foldWord(w))
		}
	}
	for _, p := range []string{
		"now", "just now", "right now", "moments ago", "a moment ago", "just", "только что", "сейчас",
		"gerade eben", "soeben", "eben", "jetzt", "gerade", "a l instant", "à l instant", "maintenant",
		"justo ahora", "ahora mismo", "ahora", "hace un momento", "hace un instante", "agora", "agora mesmo",
		"adesso", "proprio ora", "poco fa", "ora", "przed chwilą", "teraz", "chwilę temu", "zojuist", "net",
		"nu", "net nu", "az önce", "şimdi", "demin", "in a moment", "в настоящее время",
	} {
		relNow[foldPhrase(p)] = true
		for _, w := range strings.Fields(foldPhrase(p)) {
			internWord(w)
		}
	}
	for w := range shortUnits {
		internWord(w)
	}
	for _, w := range []string{"il", "y", "h", "m", "p", "hui", "avant", "altro", "l"} {
		internWord(w)
	}
}

func foldPhrase(p string) string {
	f := strings.Fields(p)
	for i := range f {
		f[i] = foldWord(f[i])
	}
	return strings.Join(f, " ")
}

// parseRelative reads "5 minutes ago", "vor 5 Minuten", "il y a une heure", "Just now"
// and their kin against in.FetchedAt.
func parseRelative(toks []dateToken, in Input, loc *time.Location) (time.Time, bool) {
	if in.FetchedAt.IsZero() {
		return time.Time{}, false
	}
	now := in.FetchedAt.In(loc)
	hasMarker := false
	for _, t := range toks {
		if t.kind != tokWord {
			if t.sep == ':' {
				return time.Time{}, false // a clock time: not relative
			}
			continue
		}
		if relWords[t.s] == rMarker || t.s == "il" {
			hasMarker = true
		}
	}
	if !hasMarker {
		if len(toks) == 2 && toks[0].kind == tokNum && toks[1].adj {
			// XenForo 2.3 / Discourse short forms: "5m", "3h", "2d", "1w", "1y".
			if u, ok := shortUnits[toks[1].s]; ok && toks[0].digits <= 3 {
				t := subtractUnits(now, toks[0].n, u)
				return t, plausibleYear(t.Year(), in)
			}
		}
		if len(toks) <= 3 && relNow[joinTokens(toks)] {
			return now, true
		}
		return time.Time{}, false
	}
	if len(toks) <= 4 && relNow[joinTokens(toks)] {
		return now, true
	}
	type amount struct {
		n int
		u relUnit
	}
	var amounts [4]amount
	na := 0
	less := false
	count, hasCount := 0, false
	markers := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokNum {
			if hasCount {
				return time.Time{}, false
			}
			count, hasCount = t.n, true
			continue
		}
		if t.s == "il" && i+2 < len(toks) && toks[i+1].s == "y" && toks[i+2].s == "a" {
			markers++
			i += 2
			continue
		}
		if u, ok := relUnits[t.s]; ok && !(relCounts[t.s] != 0 && i+1 < len(toks) && isRelUnit(toks[i+1])) {
			n := 1
			if hasCount {
				n = count
			}
			if n == -1 {
				if u != uSecond {
					return time.Time{}, false
				}
				n = 0
			}
			if na == len(amounts) || n > 10000 {
				return time.Time{}, false
			}
			amounts[na] = amount{n, u}
			na++
			hasCount = false
			continue
		}
		if c, ok := relCounts[t.s]; ok {
			if t.s == "a" && i+1 < len(toks) && relCounts[toks[i+1].s] == -1 {
				continue // "a few"
			}
			if hasCount {
				return time.Time{}, false
			}
			count, hasCount = c, true
			continue
		}
		switch relWords[t.s] {
		case rMarker:
			markers++
		case rModifier, rGlue:
		case rLess:
			less = true
		default:
			return time.Time{}, false
		}
	}
	if markers == 0 || na == 0 || hasCount {
		return time.Time{}, false
	}
	if less {
		return now, true
	}
	t := now
	for _, a := range amounts[:na] {
		t = subtractUnits(t, a.n, a.u)
	}
	if !plausibleYear(t.Year(), in) {
		return time.Time{}, false
	}
	return t, true
}

// shortUnits are the one-letter units of compact relative dates ("5m", "3h").
var shortUnits = map[string]relUnit{"s": uSecond, "m": uMinute, "h": uHour, "d": uDay, "w": uWeek, "y": uYear}

// subtractUnits goes n units back from t; days and longer follow the calendar of t's
// location, so "3 days ago" keeps the clock time across a DST change.
func subtractUnits(t time.Time, n int, u relUnit) time.Time {
	switch u {
	case uSecond:
		return t.Add(-time.Duration(n) * time.Second)
	case uMinute:
		return t.Add(-time.Duration(n) * time.Minute)
	case uHour:
		return t.Add(-time.Duration(n) * time.Hour)
	case uDay:
		return t.AddDate(0, 0, -n)
	case uWeek:
		return t.AddDate(0, 0, -7*n)
	case uMonth:
		return t.AddDate(0, -n, 0)
	case uYear:
		return t.AddDate(-n, 0, 0)
	}
	return t
}

func isRelUnit(t dateToken) bool {
	_, ok := relUnits[t.s]
	return ok && t.kind == tokWord
}

func joinTokens(toks []dateToken) string {
	switch len(toks) {
	case 1:
		return toks[0].s
	case 2:
		return toks[0].s + " " + toks[1].s
	}
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.s)
	}
	return b.String()
}

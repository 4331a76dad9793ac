package store

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"testing"
)

// What a person types becomes an FTS5 expression: operators used on purpose keep
// their meaning, everything else is searched as words.
func TestSearchQueryRewrites(t *testing.T) {
	for _, tc := range []struct{ typed, want string }{
		// Operator syntax, as documented.
		{"gearbox sprocket", "gearbox AND sprocket"},
		{"gearbox AND sprocket", "gearbox AND sprocket"},
		{`"bar tape"`, `"bar tape"`},
		{"shellac OR varnish", "shellac OR varnish"},
		{"frame NOT steel", "frame NOT steel"},
		{"restor*", "restor*"},
		{`"bar tap"*`, `"bar tap"*`},
		{"(chrome OR nickel) AND rust", "(chrome OR nickel) AND rust"},
		{"NEAR(brake lever, 5)", "NEAR(brake lever, 5)"},
		{"NEAR(brake lever)", "NEAR(brake lever)"},
		{"^update", "^update"},
		{"body_text:frame", "body_text:frame"},
		{`body_text:"bar tape"`, `body_text:"bar tape"`},
		{"body_text:(bar tape)", "body_text:(bar AND tape)"},
		{"body_text:NEAR(bar tape)", "body_text:NEAR(bar tape)"},
		{"body_text: frame", `"body_text:" AND frame`},
		// FTS5's precedence: words side by side bind tightest, then NOT, AND, OR.
		{"code OR frame end", "code OR (frame AND end)"},
		{"frame NOT end tag", "frame NOT (end AND tag)"},
		{"frame AND NOT steel", "frame NOT steel"},
		{"x (a OR b) y", "x AND (a OR b) AND y"},
		// Words with characters FTS5 reads as syntax are phrases.
		{"e-bike", `"e-bike"`},
		{"e-bike*", `"e-bike"*`},
		{"don't", `"don't"`},
		{"frame.", `"frame."`},
		{"c++", `"c++"`},
		{"50%", `"50%"`},
		{"#frame", `"#frame"`},
		{"@marta", `"@marta"`},
		{"U.S.A", `"U.S.A"`},
		{"5/32", `"5/32"`},
		{"a:b", `"a:b"`},
		{`5" wheel`, `"5""" AND wheel`},
		{"wheel-set (front)", `"wheel-set" AND front`},
		{"NEAR(e-bike frame, 2)", `NEAR("e-bike" frame, 2)`},
		{"and or not near", "and AND or AND not AND near"},
		// Typed text, not syntax: an unclosed quote, a lone parenthesis, punctuation.
		{`"bar tape`, `"bar tape"`},
		{"(sprocket", "sprocket"},
		{"sprocket :)", "sprocket"},
		{"- frame *", "frame"},
		{"frame NOT -", "frame"},
		{"🚲 bike", "bike"},
		{"我在*", "我在*"},
	} {
		got, err := SearchQuery(tc.typed)
		if err != nil || got != tc.want {
			t.Errorf("SearchQuery(%q) = %q, %v; want %q", tc.typed, got, err, tc.want)
		}
	}
}

// A query that cannot be read says in plain words what to change.
func TestSearchQueryErrors(t *testing.T) {
	for _, tc := range []struct{ typed, want string }{
		{"frame AND", `AND needs a word or phrase on each side`},
		{"AND OR", `AND needs a word or phrase on each side`},
		{"frame AND OR rust", `AND needs a word or phrase on each side`},
		{"NOT frame", `NOT needs a word on its left`},
		{"frame OR NOT steel", `NOT needs a word on its left`},
		{"(NOT frame)", `NOT needs a word on its left`},
		{"frame NOT", `NOT needs a word or phrase on each side`},
		{"*", "nothing to search for"},
		{"-", "nothing to search for"},
		{"🚲", "nothing to search for"},
		{"()", "nothing to search for"},
		{"   ", "empty query"},
	} {
		_, err := SearchQuery(tc.typed)
		if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SearchQuery(%q) error = %v, want ErrBadQuery saying %q", tc.typed, err, tc.want)
			continue
		}
		if op := strings.Fields(tc.typed); len(op) > 0 && strings.Contains(tc.want, "needs a word") &&
			!strings.Contains(err.Error(), `write it in lower case or in double quotes ("`) {
			t.Errorf("SearchQuery(%q) = %v: does not say how to search for the word", tc.typed, err)
		}
	}
}

// --literal quotes every word, as before, and refuses a query with nothing to search.
func TestLiteralSearchQuery(t *testing.T) {
	if got, err := LiteralSearchQuery(`wheel-set (front) "x AND`); err != nil || got != `"wheel-set" "(front)" """x" "AND"` {
		t.Errorf("LiteralSearchQuery = %q, %v", got, err)
	}
	if _, err := LiteralSearchQuery("- *"); !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "nothing to search for") {
		t.Errorf("LiteralSearchQuery(- *) error = %v", err)
	}
}

// Everyday input finds the post holding the word, through Search.
func TestSearchQueryEverydayInput(t *testing.T) {
	db, _ := openTest(t)
	r := startRun(t, db)
	saveCorpus(t, r, "https://e.example", "9", "Shed", 1, []corpusPost{
		{id: "1", author: "ann", text: "My e-bike battery died after two winters.", at: day(2025, 1, 1)},
		{id: "2", author: "ann", text: "I don't trust that crank.", at: day(2025, 1, 2)},
		{id: "3", author: "ann", text: "Look at the frame. It cracked near the dropout.", at: day(2025, 1, 3)},
		{id: "4", author: "ann", text: "The firmware is written in c++ apparently.", at: day(2025, 1, 4)},
		{id: "5", author: "ann", text: "Tyres were 50% off last week.", at: day(2025, 1, 5)},
		{id: "6", author: "ann", text: "Tagged #cargobike on the photo site.", at: day(2025, 1, 6)},
		{id: "7", author: "ann", text: "Thanks @marta for the tip.", at: day(2025, 1, 7)},
		{id: "8", author: "ann", text: "Shipped from the U.S.A in a box.", at: day(2025, 1, 8)},
		{id: "9", author: "ann", text: "Use a 5/32 hex key on the seatpost.", at: day(2025, 1, 9)},
		{id: "10", author: "ann", text: "Gear ratio a:b is 2.5 here.", at: day(2025, 1, 10)},
	})
	ctx := context.Background()
	for _, tc := range []struct{ typed, want string }{
		{"e-bike", "1"}, {"e-bike*", "1"}, {"don't", "2"}, {"frame.", "3"}, {"c++ firmware", "4"}, {"50%", "5"},
		{"#cargobike", "6"}, {"@marta", "7"}, {"U.S.A", "8"}, {"5/32", "9"}, {"a:b", "10"},
	} {
		q, err := SearchQuery(tc.typed)
		if err != nil {
			t.Errorf("%q: %v", tc.typed, err)
			continue
		}
		hits, err := db.Search(ctx, q, SearchOptions{})
		if err != nil {
			t.Errorf("%q (%s): %v", tc.typed, q, err)
			continue
		}
		if got := strings.Join(hitIDs(hits), ","); got != tc.want {
			t.Errorf("search %q = %q, want %q", tc.typed, got, tc.want)
		}
	}
}

// Whatever is typed, SearchQuery either explains the problem or gives an expression
// FTS5 accepts: a user never sees FTS5's own complaint.
func TestSearchQueryAlwaysValidFTS5(t *testing.T) {
	db, _ := openTest(t)
	r := startRun(t, db)
	saveCorpus(t, r, "https://v.example", "1", "Shed", 1, []corpusPost{
		{id: "1", author: "ann", text: "frame steel e-bike don't a b near and", at: day(2025, 1, 1)},
	})
	pieces := []string{"frame", "steel", "e-bike", "AND", "OR", "NOT", "NEAR", "NEAR(", "(", ")", `"`, `"a b"`, "*", "frame*",
		"-", "^", "^frame", ":", "a:b", "body_text:", "body_text:frame", "+", ",", ", 2", "2", "{", "}", "'", "don't", "🚲",
		"我在", "ё", ".", "%", "#", "@", "/", "\\", "\x1a", "_", "near", "AND)", "(OR", `""`, `"x"*`}
	stmt, err := db.read.Prepare(`SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?`)
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	check := func(typed string) {
		q, err := SearchQuery(typed)
		if err != nil {
			if !errors.Is(err, ErrBadQuery) || strings.Contains(err.Error(), "fts5") || strings.Contains(err.Error(), "syntax error") {
				t.Errorf("SearchQuery(%q): %v", typed, err)
			}
			return
		}
		var n int
		if err := stmt.QueryRow(q).Scan(&n); err != nil {
			t.Errorf("SearchQuery(%q) = %q, which FTS5 refuses: %v", typed, q, err)
		}
	}
	for _, a := range pieces {
		check(a)
		for _, b := range pieces {
			check(a + " " + b)
			check(a + b)
		}
	}
	rng := rand.New(rand.NewSource(1))
	for range 3000 {
		var b strings.Builder
		for n := 2 + rng.Intn(5); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
			if rng.Intn(3) > 0 {
				b.WriteByte(' ')
			}
		}
		check(b.String())
	}
}

// A raw FTS5 expression Search refuses is explained in plain words, naming what to
// quote, not in FTS5's terms.
func TestSearchRawFTSErrorsPlain(t *testing.T) {
	db := searchCorpus(t)
	for _, tc := range []struct{ query, want string }{
		{"e-bike", "read as a column name (bike): put the word holding it in double quotes"},
		{"a:b", "read as a column name (a)"},
		{"*", "a '*' must end a word"},
		{"don't", `"'" cannot be read here: put the word holding it in double quotes`},
		{`"open`, "a double quote is not closed"},
		{"frame AND", "needs a word after it"},
	} {
		_, err := db.Search(context.Background(), tc.query, SearchOptions{})
		if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Search(%q) error = %v, want it to say %q", tc.query, err, tc.want)
		}
		for _, internal := range []string{"no such column", "unknown special query", "syntax error", "unterminated string"} {
			if err != nil && strings.Contains(err.Error(), internal) {
				t.Errorf("Search(%q) error shows %q: %v", tc.query, internal, err)
			}
		}
	}
}

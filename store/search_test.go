package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func hitIDs(hits []SearchHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.PostExternalID)
	}
	return out
}

func TestSearchRankingAndSyntax(t *testing.T) {
	db := searchCorpus(t)
	ctx := context.Background()
	for _, tc := range []struct {
		query string
		want  string // ids in rank order
	}{
		// Four mentions in a short post first; one mention in a short post before one
		// in a long post.
		{"sprocket", "101,301,102"},
		{`"bar tape"`, "103"},
		{"bar tape", "104,103"}, // 104 says tape twice
		{"shellac*", "103"},
		{"steel OR aluminium", "202,203"},
		{"frame NOT steel", "203"},
		{"restor*", "201"},
		{"cafe", "201"},                 // accents removed
		{"SPROCKET gearbox", "102"},     // case-insensitive, implicit AND
		{"NEAR(cotton tape, 0)", "104"}, // adjacent only; 103 has a word between
		{"(steel OR rust) AND frame", "202,203"},
		{"nonexistentword", ""},
	} {
		hits, err := db.Search(ctx, tc.query, SearchOptions{})
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		if got := strings.Join(hitIDs(hits), ","); got != tc.want {
			t.Errorf("search %s = %s, want %s", tc.query, got, tc.want)
		}
	}
	// Quotes are not post text: 203 quotes "Frame of steel" but must not match steel
	// through it (it matched above only via "frame"/"aluminium").
	hits, _ := db.Search(ctx, "steel", SearchOptions{})
	if got := strings.Join(hitIDs(hits), ","); got != "202" {
		t.Errorf("steel = %s, want 202 (quotes excluded)", got)
	}
}

func TestSearchHitFieldsAndSnippet(t *testing.T) {
	db := searchCorpus(t)
	hits, err := db.Search(context.Background(), "shellacked", SearchOptions{Mark: [2]string{"[", "]"}})
	if err != nil || len(hits) != 1 {
		t.Fatalf("hits %v err %v", hits, err)
	}
	h := hits[0]
	if h.PostExternalID != "103" || h.PostID == 0 || h.AuthorName == nil || *h.AuthorName != "zoe" || h.ThreadExternalID != "1" ||
		h.ThreadID == 0 || h.SiteURL != "https://a.example" || h.ThreadURL != "https://a.example/threads/t.1/" ||
		h.PostURL == nil || *h.PostURL != "https://a.example/posts/103/" || h.PostNumber == nil || *h.PostNumber != 3 ||
		h.PostedAt == nil || !h.PostedAt.Equal(day(2025, 3, 5)) || h.Score <= 0 || h.Deleted {
		t.Errorf("hit = %+v", h)
	}
	if !strings.Contains(h.Snippet, "[shellacked]") {
		t.Errorf("snippet %q lacks the marked term", h.Snippet)
	}
}

func TestSearchFilters(t *testing.T) {
	db := searchCorpus(t)
	ctx := context.Background()
	since, until := day(2025, 2, 1), day(2025, 5, 1)
	for _, tc := range []struct {
		name string
		sel  Selection
		q    string
		want string
	}{
		{"site host", Selection{Site: "b.example"}, "sprocket", "301"},
		{"site url", Selection{Site: "https://a.example/"}, "sprocket", "101,102"},
		{"thread id", Selection{Site: "a.example", Thread: "2"}, "frame", "202,203"},
		{"thread url", Selection{Thread: "https://a.example/threads/t.1/"}, "sprocket", "101,102"},
		{"page url", Selection{Thread: "https://a.example/threads/t.1/page-1"}, "sprocket", "101,102"},
		{"forum", Selection{Forum: "Workshop"}, "sprocket", "101,301,102"},
		{"forum wheels", Selection{Forum: "Wheels"}, "sprocket", ""},
		{"author", Selection{Author: "JIRI"}, "sprocket", "102"},
		{"since", Selection{Since: &since}, "sprocket", "301,102"},
		{"until", Selection{Until: &until}, "sprocket", "101,102"},
		{"limit", Selection{}, "sprocket", "101"},
	} {
		o := SearchOptions{Selection: tc.sel}
		if tc.name == "limit" {
			o.Limit = 1
		}
		hits, err := db.Search(ctx, tc.q, o)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := strings.Join(hitIDs(hits), ","); got != tc.want {
			t.Errorf("%s: %s = %s, want %s", tc.name, tc.q, got, tc.want)
		}
	}
}

func TestSearchBadQuery(t *testing.T) {
	db := searchCorpus(t)
	for _, q := range []string{"foo AND", `"unterminated`, "wheel-set", "(sprocket", "NOT sprocket", "   ", "AND OR"} {
		_, err := db.Search(context.Background(), q, SearchOptions{})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("%q: err = %v, want ErrBadQuery", q, err)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "SQL logic error") || strings.Contains(msg, "(1)") {
			t.Errorf("%q: raw SQLite error leaked: %s", q, msg)
		}
		if strings.TrimSpace(q) != "" && (!strings.Contains(msg, `bad query "`) || !strings.Contains(msg, "hint:")) {
			t.Errorf("%q: message lacks query or hint: %s", q, msg)
		}
	}
}

// Both snippet strategies (one statement; hit by hit after a slow ranking) give the
// same hits.
func TestSearchSlowPathSameResults(t *testing.T) {
	db := searchCorpus(t)
	ctx := context.Background()
	since := day(2025, 2, 1)
	for _, tc := range []struct {
		q   string
		sel Selection
	}{{"sprocket", Selection{}}, {"frame OR cotton", Selection{}}, {"sprocket", Selection{Since: &since}}, {"nothing", Selection{}}} {
		fast, err := db.Search(ctx, tc.q, SearchOptions{Selection: tc.sel, Mark: [2]string{"<", ">"}})
		if err != nil {
			t.Fatal(err)
		}
		saved := searchSlowRanking
		searchSlowRanking = -1
		slow, err := db.Search(ctx, tc.q, SearchOptions{Selection: tc.sel, Mark: [2]string{"<", ">"}})
		searchSlowRanking = saved
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: fast %+v\nslow %+v", tc.q, fast, slow)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// wordsArchive is an archived thread whose posts hold everyday words with punctuation
// and text in scripts the tokenizer treats differently. It returns the archive and
// the forum's post ids by the word each post was written for.
func wordsArchive(t *testing.T) (db string, ids map[string]string) {
	t.Helper()
	f := sampleforum.New("Words")
	b := f.AddBoard(nil, "Workshop")
	th := f.AddThread(b, "Everyday words", "")
	u := &sampleforum.User{ID: 1, Name: "ann", Joined: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	at := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	texts := []struct{ key, body string }{
		{"e-bike", "My e-bike battery died after two winters."},
		{"don't", "I don't trust that crank."},
		{"frame.", "Look at the frame. It cracked at the dropout."},
		{"c++", "The controller firmware is written in c++ apparently."},
		{"50%", "Tyres were 50% off last week."},
		{"#frame", "Tagged #frame on the photo site."},
		{"@marta", "Thanks @marta for the tip."},
		{"U.S.A", "Shipped from the U.S.A in a crate."},
		{"5/32", "Use a 5/32 hex key on the seatpost."},
		{"a:b", "Gear ratio a:b is what matters."},
		{"cjk", "我在北京修理自行车。车架是中国制造的。"},
		{"ru", "Ещё немного ржавчины на раме."},
		{"el", "Το πλαίσιο είναι από χάλυβα."},
		{"de", "Die Straße war nass."},
		{"ko", "어제 자전거를 샀다."},
	}
	for i, tx := range texts {
		f.AddPost(th, u, at.Add(time.Duration(i)*time.Hour), "<p>"+tx.body+"</p>")
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	db = filepath.Join(t.TempDir(), "words.db")
	if r := cli(t, context.Background(), "--db", db, "archive", "--delay", "0", srv.URL+sampleforum.ThreadPath(th)); r.code != 0 {
		t.Fatalf("archive: %d %s", r.code, r.stderr)
	}
	ids = map[string]string{}
	for i, tx := range texts {
		ids[tx.key] = strconv.Itoa(th.Posts[i].ID)
	}
	return db, ids
}

// searchIDs runs search with --format jsonl and returns the forum's ids of the hits.
func searchIDs(t *testing.T, db string, args ...string) ([]string, cliResult) {
	t.Helper()
	r := cli(t, context.Background(), append([]string{"--db", db, "search", "--format", "jsonl"}, args...)...)
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var h struct {
			ID string `json:"post_external_id"`
		}
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("jsonl line %q: %v", line, err)
		}
		ids = append(ids, h.ID)
	}
	return ids, r
}

// Everyday input, typed as a person would, finds the post with the word; nothing
// FTS5 says about its own syntax reaches the user.
func TestSearchEverydayInput(t *testing.T) {
	db, ids := wordsArchive(t)
	for _, tc := range []struct{ typed, want string }{
		{"e-bike", "e-bike"}, {"e-bike*", "e-bike"}, {"don't", "don't"}, {"frame.", "frame.,#frame"}, {"c++ firmware", "c++"},
		{"50%", "50%"}, {"#frame tagged", "#frame"}, {"@marta", "@marta"}, {"U.S.A", "U.S.A"}, {"5/32", "5/32"},
		{"a:b", "a:b"}, {"e-bike -", "e-bike"}, {"e-bike *", "e-bike"}, {`"dropout`, "frame."},
		// Operators still work.
		{"winters OR crank", "e-bike,don't"}, {"frame NOT tagged", "frame."}, {"NEAR(hex seatpost, 5)", "5/32"},
		{"^thanks", "@marta"}, {"seat*", "5/32"},
	} {
		got, r := searchIDs(t, db, tc.typed)
		var want []string
		for _, k := range strings.Split(tc.want, ",") {
			want = append(want, ids[k])
		}
		if r.code != 0 || !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
			t.Errorf("search %q: exit %d, hits %v, want %v (%s)", tc.typed, r.code, got, want, r.stderr)
		}
	}
	// Nothing to search for, or an operator without its words: a usage error in
	// plain words, never FTS5's.
	for _, tc := range []struct{ typed, want string }{
		{"*", "nothing to search for"},
		{"-", "nothing to search for"},
		{"frame AND", `AND needs a word or phrase on each side`},
		{"NOT frame", `NOT needs a word on its left`},
	} {
		r := cli(t, context.Background(), "--db", db, "search", tc.typed)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("search %q: exit %d, stderr %q; want exit 2 saying %q", tc.typed, r.code, r.stderr, tc.want)
		}
		for _, internal := range []string{"no such column", "unknown special query", "syntax error", "fts5"} {
			if strings.Contains(r.stderr, internal) {
				t.Errorf("search %q: stderr shows %q: %s", tc.typed, internal, r.stderr)
			}
		}
	}
	// --literal reads operators as words, as before.
	if got, r := searchIDs(t, db, "--literal", "winters", "OR"); r.code != 0 || len(got) != 0 {
		t.Errorf("--literal winters OR: exit %d, hits %v, want none (\"or\" is a word)", r.code, got)
	}
	if got, r := searchIDs(t, db, "--literal", "e-bike", "(battery)"); r.code != 0 || strings.Join(got, ",") != ids["e-bike"] {
		t.Errorf("--literal e-bike (battery): exit %d, hits %v", r.code, got)
	}
}

// The limits of the index, as the README states them, and the workarounds it gives:
// a word inside a run of Chinese is found with a LIKE query (and search says so), ё
// with a prefix query or both spellings, ß by itself.
func TestSearchScriptLimitsAndWorkarounds(t *testing.T) {
	db, ids := wordsArchive(t)
	ctx := context.Background()
	for _, tc := range []struct {
		typed string
		want  string // the key of the post found, "" for none
	}{
		{"自行车", ""}, // inside the run 我在北京修理自行车
		{"我在北京修理自行车", "cjk"},
		{"我在*", "cjk"},
		{"еще", ""},
		{"ещё", "ru"}, {"ЕЩЁ", "ru"}, {"Ещ*", "ru"}, {"еще OR ещё", "ru"},
		{"πλαισιο", ""}, {"πλαίσιο", "el"}, {"ΠΛΑΊΣΙΟ", "el"},
		{"strasse", ""}, {"straße", "de"}, {"strasse OR straße", "de"},
		{"자전거", ""}, {"자전거*", "ko"},
	} {
		got, r := searchIDs(t, db, tc.typed)
		want := ""
		if tc.want != "" {
			want = ids[tc.want]
		}
		if r.code != 0 || strings.Join(got, ",") != want {
			t.Errorf("search %q: exit %d, hits %v, want %q (%s)", tc.typed, r.code, got, want, r.stderr)
		}
	}
	// A CJK query that found nothing prints the workaround the README gives, in every
	// format.
	const workaround = `forumarc query "SELECT post_url, body_text FROM post_details WHERE body_text LIKE '%自行车%'"`
	if readme, err := os.ReadFile("../../README.md"); err != nil || !strings.Contains(string(readme), workaround) {
		t.Errorf("README lacks the workaround %s (%v)", workaround, err)
	}
	for _, format := range []string{"table", "jsonl"} {
		r := cli(t, ctx, "--db", db, "search", "--format", format, "自行车")
		if r.code != 0 || strings.Count(r.stderr, "hint:") != 1 || !strings.Contains(r.stderr, workaround) {
			t.Errorf("search 自行车 --format %s: exit %d, stderr %q; want one hint with the LIKE query", format, r.code, r.stderr)
		}
	}
	if r := cli(t, ctx, "--db", db, "search", "nonexistentword"); strings.Contains(r.stderr, "hint:") {
		t.Errorf("hint for a Latin query: %q", r.stderr)
	}
	if r := cli(t, ctx, "--db", db, "search", "我在*"); strings.Contains(r.stderr, "hint:") {
		t.Errorf("hint although the query found a post: %q", r.stderr)
	}
	// The workaround the hint and the README give finds the post.
	r := cli(t, ctx, "--db", db, "query", "--format", "csv", "SELECT post_external_id FROM post_details WHERE body_text LIKE '%自行车%'")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "post_external_id\n"+ids["cjk"] {
		t.Errorf("LIKE query: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
}

package scraper_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
)

// realPages is the shared corpus of real forum pages; it is not part of the repository.
var realPages = filepath.Join("..", "..", "shared", "realpages")

type answerPage struct {
	File        string     `json:"file"`
	Engine      string     `json:"engine"`
	ForumURL    string     `json:"forum_url"`
	ThreadTitle string     `json:"thread_title"`
	TitlePrefix *string    `json:"title_prefix"`
	PostsOnPage int        `json:"posts_on_page"`
	PageNumber  int        `json:"page_number"`
	TotalPages  int        `json:"total_pages"`
	NextPage    answerLink `json:"next_page"`
	FirstPost   answerPost `json:"first_post"`
	LastPost    answerPost `json:"last_post"`
}

type answerLink struct {
	Present bool    `json:"present"`
	Href    *string `json:"href"`
}

type answerPost map[string]any

// TestConformance runs the extractors over real pages from live forums and checks
// every field of the answer key. It skips when ../shared is absent (a user's clone).
func TestConformance(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(realPages, "answers.json"))
	if os.IsNotExist(err) {
		t.Skip("../shared/realpages not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	var key struct {
		Pages []answerPage `json:"pages"`
	}
	if err := json.Unmarshal(raw, &key); err != nil {
		t.Fatal(err)
	}
	for _, ap := range key.Pages {
		t.Run(ap.File, func(t *testing.T) {
			html, err := os.ReadFile(filepath.Join(realPages, ap.File))
			if err != nil {
				t.Fatal(err)
			}
			pageURL := strings.Fields(ap.ForumURL)[0]
			p, err := scraper.Extract(html, pageURL, scraper.Options{FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatalf("extract: %v", err)
			}
			check := func(field string, got, want any) {
				t.Helper()
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s = %v, want %v", field, got, want)
				}
			}
			check("engine", p.Engine, ap.Engine)
			check("thread_title", deref(p.Thread.Title), ap.ThreadTitle)
			check("title_prefix", deref(p.Thread.Prefix), deref(ap.TitlePrefix))
			check("posts_on_page", len(p.Posts), ap.PostsOnPage)
			check("page_number", p.Page.Number, ap.PageNumber)
			check("total_pages", derefInt(p.Page.Total, 1), ap.TotalPages)
			wantNext := ""
			if ap.NextPage.Href != nil {
				wantNext = scraper.Resolve(mustURL(t, pageURL), *ap.NextPage.Href)
			}
			check("next_page", deref(p.Page.NextURL), wantNext)
			if len(p.Posts) == 0 {
				return
			}
			checkPost(t, "first_post", p.Posts[0], ap.FirstPost)
			checkPost(t, "last_post", p.Posts[len(p.Posts)-1], ap.LastPost)
		})
	}
}

func checkPost(t *testing.T, which string, got scraper.Post, want answerPost) {
	t.Helper()
	str := func(k string) string {
		if v, ok := want[k].(string); ok {
			return v
		}
		return ""
	}
	num := func(k string) string {
		if v, ok := want[k].(float64); ok {
			return fmt.Sprint(int64(v))
		}
		return ""
	}
	eq := func(field, g, w string) {
		t.Helper()
		if g != w {
			t.Errorf("%s.%s = %q, want %q", which, field, g, w)
		}
	}
	eq("post_id", got.ID, str("post_id"))
	if pn := str("post_number"); pn != "" {
		n, _ := scraper.Atoi(pn)
		if strings.HasPrefix(pn, "Reply") {
			n++ // SMF counts replies: "Reply #14" is the 15th post
		}
		eq("post_number", fmt.Sprint(derefInt(got.Number, 0)), fmt.Sprint(n))
	}
	eq("author", deref(got.Author.Name), str("author"))
	eq("user_title", deref(got.Author.Title), str("user_title"))
	eq("join_date", deref(got.Author.JoinedText), str("join_date"))
	eq("message_count", int64s(got.Author.Messages), num("message_count"))
	eq("reaction_score", int64s(got.Author.ReactionScore), num("reaction_score"))
	eq("location", deref(got.Author.Location), str("location"))
	eq("country", deref(got.Author.Country), str("country"))
	eq("post_date_text", deref(got.PostedText), str("post_date_text"))
	if ts := num("post_timestamp"); ts != "" {
		g := ""
		if got.PostedAt != nil {
			g = fmt.Sprint(got.PostedAt.Unix())
		}
		eq("post_timestamp", g, ts)
	}
	eq("body_first80", first80(got.BodyText), strings.TrimRight(str("body_first80"), " "))
	for k, v := range want {
		if !strings.HasPrefix(k, "x_") {
			continue
		}
		w := fmt.Sprint(v)
		if f, ok := v.(float64); ok {
			w = fmt.Sprint(int64(f))
		}
		found := false
		for _, ev := range got.Author.Extras {
			if ev == w {
				found = true
			}
			if n, ok := scraper.ParseCount(ev); ok && fmt.Sprint(n) == w {
				found = true
			}
		}
		if !found {
			t.Errorf("%s.%s: no author extra with value %q (extras %v)", which, k, w, got.Author.Extras)
		}
	}
}

// first80 applies the answer key's body convention: whitespace collapsed, then sliced.
func first80(s string) string {
	r := []rune(scraper.Clean(s))
	if len(r) > 80 {
		r = r[:80]
	}
	return strings.TrimRight(string(r), " ")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(n *int, def int) int {
	if n == nil {
		return def
	}
	return *n
}

func int64s(n *int64) string {
	if n == nil {
		return ""
	}
	return fmt.Sprint(*n)
}

package main

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/forumarc/forumarc/scraper/sampleforum"
)

// cp1251Page is a XenForo 2 thread page in Russian served as windows-1251 with the
// charset in the Content-Type header only (no <meta charset>), as old Russian boards
// are: what `curl | forumarc extract -` receives, without the header.
func cp1251Page(t *testing.T) (raw []byte, url string) {
	t.Helper()
	f := sampleforum.New("Велофорум")
	b := f.AddBoard(nil, "Ремонт")
	th := f.AddThread(b, "Восстановление рамы", "")
	u := &sampleforum.User{ID: 7, Name: "Пётр", Title: "Участник", Joined: time.Date(2012, 3, 1, 0, 0, 0, 0, time.UTC), Messages: 120}
	f.AddPost(th, u, time.Date(2024, 1, 4, 10, 0, 0, 0, time.UTC), "<p>Рама велосипеда номер один: трещина у каретки.</p>")
	srv := httptest.NewServer(f)
	defer srv.Close()
	url = srv.URL + sampleforum.ThreadPath(th)
	resp, err := srv.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	html := strings.Replace(string(page), `<meta charset="utf-8" />`, "", 1)
	raw, err = charmap.Windows1251.NewEncoder().Bytes([]byte(html))
	if err != nil {
		t.Fatal(err)
	}
	return raw, url
}

func TestExtractCharsetFlag(t *testing.T) {
	raw, url := cp1251Page(t)
	title := func(r cliResult) string {
		t.Helper()
		var p struct {
			Thread struct{ Title string }
			Posts  []struct {
				BodyText string `json:"body_text"`
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
			t.Fatalf("extract output: %v\n%s", err, r.stdout)
		}
		if len(p.Posts) != 1 {
			t.Fatalf("%d posts, want 1", len(p.Posts))
		}
		return p.Thread.Title + " | " + p.Posts[0].BodyText
	}
	want := "Восстановление рамы | Рама велосипеда номер один: трещина у каретки."

	// Without --charset the page is read as windows-1252, and extract says so.
	r := cliStdin(t, string(raw), "extract", "--url", url, "-")
	if r.code != 0 {
		t.Fatalf("extract: exit %d: %s", r.code, r.stderr)
	}
	if title(r) == want {
		t.Fatal("the page decoded right without --charset: the test page is not what it should be")
	}
	if !strings.Contains(r.stderr, "is not UTF-8 and names no encoding") || !strings.Contains(r.stderr, "--charset") {
		t.Errorf("no warning on stderr for a guessed encoding: %q", r.stderr)
	}

	r = cliStdin(t, string(raw), "extract", "--charset", "windows-1251", "--url", url, "-")
	if r.code != 0 {
		t.Fatalf("extract --charset: exit %d: %s", r.code, r.stderr)
	}
	if got := title(r); got != want {
		t.Errorf("with --charset windows-1251: %q, want %q", got, want)
	}
	if r.stderr != "" {
		t.Errorf("stderr with --charset: %q, want nothing", r.stderr)
	}

	r = cliStdin(t, string(raw), "extract", "--charset", "klingon", "--url", url, "-")
	if r.code != exitUsage || !strings.Contains(r.stderr, `--charset "klingon"`) {
		t.Errorf("unknown charset: exit %d, stderr %q; want 2 naming it", r.code, r.stderr)
	}
}

// A page cut off mid-way is refused, as archive refuses it, instead of printing its
// last post with an empty body.
func TestExtractRefusesTruncatedPage(t *testing.T) {
	raw, url := cp1251Page(t)
	cut := string(raw[:strings.Index(string(raw), "bbWrapper")+40])
	r := cliStdin(t, cut, "extract", "--charset", "windows-1251", "--url", url, "-")
	if r.code != exitFailed || !strings.Contains(r.stderr, "stdin (as "+url+"): the page looks truncated") {
		t.Errorf("truncated page: exit %d, stderr %q; want 1 and a line saying it looks truncated", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("truncated page printed %q", r.stdout)
	}
}

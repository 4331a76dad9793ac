package export_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
	"github.com/forumarc/forumarc/store/export"
)

var fetched = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// nasty is archived HTML a hostile forum post could hold.
const nasty = `<p>Hello <b>world</b></p>
<script>alert("xss")</script>
<img src="https://tracker.example/pixel.gif" alt="pixel" onerror="alert(1)">
<img src="/attachments/42/photo.jpg">
<img src="data:image/png;base64,iVBORw0KGgo=" alt="inline">
<a href="javascript:alert(2)">click</a>
<a href="/goto/post?id=1001" onclick="steal()">marta said:</a>
<a href="https://elsewhere.example/page">elsewhere</a>
<iframe src="https://evil.example/frame"></iframe>
<object data="https://evil.example/x.swf"></object>
<svg onload="alert(3)"><circle r="1"/></svg>
<div style="background:url(https://evil.example/bg.png)">styled</div>
<form action="https://evil.example/post"><input name="q"></form>
<link rel="stylesheet" href="https://evil.example/x.css">
<video src="https://evil.example/v.mp4"></video>
<base href="https://evil.example/">`

// archive builds a store with two threads; returns the db and the saved pages.
func archive(t *testing.T) (*store.DB, []*scraper.Page, map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "a.db"), store.WithNow(func() time.Time { return fetched }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	run, err := db.StartRun(ctx, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	post := func(id string, n int, author, text, body string, quotes ...scraper.Quote) scraper.Post {
		at := time.Date(2025, 3, n, 9, 30, 0, 0, time.UTC)
		if quotes == nil {
			quotes = []scraper.Quote{}
		}
		return scraper.Post{ID: id, Number: scraper.Int(n), URL: scraper.Str("https://f.example/threads/t.1/post-" + id),
			Author: scraper.Author{Name: scraper.Str(author), ID: scraper.Str("u" + author), URL: scraper.Str("https://f.example/members/" + author),
				Title: scraper.Str("Member"), Joined: scraper.Str("2011-10-02"), Messages: scraper.Int64(1303),
				ReactionScore: scraper.Int64(7), Location: scraper.Str("Brno, CZ"), Extras: map[string]string{"Bike": "Favorit, 1981"}},
			PostedAt: &at, PostedText: scraper.Str("Mar 1, 2025"), BodyHTML: body, BodyText: text, Quotes: quotes}
	}
	pages := []*scraper.Page{
		{URL: "https://f.example/threads/t.1/", Engine: "xenforo2",
			Thread: scraper.Thread{ID: scraper.Str("1"), Title: scraper.Str(`../../etc/passwd </title><script>alert(1)</script>`),
				URL: scraper.Str("https://f.example/threads/t.1/"), ForumPath: []string{"Forums", "Workshop"}},
			Page: scraper.PageInfo{Number: 1, Total: scraper.Int(2)},
			Posts: []scraper.Post{
				post("1001", 1, "marta", "Hello world\n\nSecond paragraph with *stars* and [brackets](x) <b>", "<p>Hello world</p>"),
				post("1002", 2, "jiri", "Hello world again", nasty,
					scraper.Quote{Author: scraper.Str("marta"), PostID: scraper.Str("1001"), Text: "Hello world"}),
			}},
		{URL: "https://f.example/threads/t.1/page-2", Engine: "xenforo2",
			Thread: scraper.Thread{ID: scraper.Str("1"), URL: scraper.Str("https://f.example/threads/t.1/")},
			Page:   scraper.PageInfo{Number: 2, Total: scraper.Int(2)},
			Posts: []scraper.Post{func() scraper.Post {
				p := post("1021", 21, "marta", "# not a heading\n1. not a list", "<p># not a heading</p>")
				p.SignatureText = scraper.Str("-- marta")
				return p
			}()}},
		{URL: "https://g.example/t/2", Engine: "phpbb",
			Thread: scraper.Thread{ID: scraper.Str("2"), Title: scraper.Str("Zweiter Faden: Ölwechsel / Kette")},
			Page:   scraper.PageInfo{Number: 1},
			Posts:  []scraper.Post{post("9", 3, "zoë", "Öl", "<p>Öl</p>")}},
	}
	bodies := map[string][]byte{}
	for i, p := range pages {
		body := []byte("<html><body>page " + p.URL + " \x00\xff raw bytes</body></html>")
		bodies[p.URL] = body
		f := &scraper.Fetched{URL: p.URL, Status: 200, FetchedAt: fetched.Add(time.Duration(i) * time.Minute), Body: body,
			Encoding: "utf-8", ETag: `"v1"`, LastModified: "Wed, 14 Jan 2026 10:00:00 GMT"}
		if _, err := run.SavePage(ctx, f, p); err != nil {
			t.Fatal(err)
		}
	}
	return db, pages, bodies
}

func savedPosts(pages []*scraper.Page) []scraper.Post {
	var out []scraper.Post
	for _, p := range pages {
		out = append(out, p.Posts...)
	}
	return out
}

func TestJSONLRoundTrip(t *testing.T) {
	db, pages, _ := archive(t)
	var buf bytes.Buffer
	c, err := export.JSONL(&buf, db.Posts(context.Background(), store.Selection{}))
	if err != nil {
		t.Fatal(err)
	}
	want := savedPosts(pages)
	if c.Posts != len(want) || c.Threads != 2 {
		t.Errorf("counts = %+v", c)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	i := 0
	for sc.Scan() {
		var rec store.PostRecord
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if !reflect.DeepEqual(rec.Post, want[i]) {
			t.Errorf("line %d post:\n got %+v\nwant %+v", i+1, rec.Post, want[i])
		}
		if rec.Site.URL == "" || rec.Thread.ID == nil || rec.Archive.PostRowID == 0 {
			t.Errorf("line %d lacks thread/site/archive: %s", i+1, sc.Bytes())
		}
		i++
	}
	if i != len(want) {
		t.Errorf("%d lines, want %d", i, len(want))
	}
}

// csvRows is the CSV export of everything in db, read back.
func csvRows(t *testing.T, db *store.DB) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := export.CSV(&buf, db.Posts(context.Background(), store.Selection{})); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCSVRoundTrip(t *testing.T) {
	db, pages, _ := archive(t)
	rows := csvRows(t, db)
	want := savedPosts(pages)
	if len(rows) != len(want)+1 || !reflect.DeepEqual(rows[0], export.CSVColumns) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	threadOf := map[string]string{} // post id -> the forum's thread id
	for _, pg := range pages {
		for _, p := range pg.Posts {
			threadOf[p.ID] = *pg.Thread.ID
		}
	}
	for i, p := range want {
		row := rows[i+1]
		get := func(name string) string { return row[col[name]] }
		ptr := func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		}
		checks := map[string]string{
			"post_external_id": p.ID, "thread_external_id": threadOf[p.ID], "revision_count": "0",
			"body_text": p.BodyText, "body_html": p.BodyHTML, "author_name": ptr(p.Author.Name),
			"author_external_id": ptr(p.Author.ID), "author_location": ptr(p.Author.Location), "author_messages": "1303",
			"author_reaction_score": "7", "author_joined": "2011-10-02", "posted_at": p.PostedAt.Format(time.RFC3339),
			"post_url": ptr(p.URL), "signature_text": ptr(p.SignatureText), "posted_text": "Mar 1, 2025",
		}
		for k, v := range checks {
			if get(k) != v {
				t.Errorf("row %d %s = %q, want %q", i+1, k, get(k), v)
			}
		}
		var extras map[string]string
		if s := get("author_extras"); s != "" {
			if err := json.Unmarshal([]byte(s), &extras); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(extras, p.Author.Extras) {
			t.Errorf("row %d extras = %v, want %v", i+1, extras, p.Author.Extras)
		}
		quotes := []scraper.Quote{}
		if s := get("quotes"); s != "" {
			if err := json.Unmarshal([]byte(s), &quotes); err != nil {
				t.Fatal(err)
			}
		}
		if !reflect.DeepEqual(quotes, p.Quotes) {
			t.Errorf("row %d quotes = %v, want %v", i+1, quotes, p.Quotes)
		}
	}
}

// checkSafe walks an exported HTML document and fails on anything that runs code or
// loads from the network.
func checkSafe(t *testing.T, doc []byte, allowRemoteImages bool) {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	styles := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "iframe", "object", "embed", "frame", "link", "base", "form", "input", "video", "audio", "svg", "source":
				t.Errorf("forbidden element <%s>", n.Data)
			case "style":
				styles++
			}
			for _, a := range n.Attr {
				k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(k, "on") {
					t.Errorf("<%s %s=%q>: event handler", n.Data, a.Key, a.Val)
				}
				if k == "style" || k == "srcset" || k == "background" || k == "formaction" {
					t.Errorf("<%s %s>: attribute that can load", n.Data, a.Key)
				}
				if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") {
					t.Errorf("<%s %s=%q>: script URL", n.Data, a.Key, a.Val)
				}
				if k == "src" && !strings.HasPrefix(v, "data:") && !allowRemoteImages {
					t.Errorf("<%s src=%q>: remote load", n.Data, a.Val)
				}
				if k == "href" && n.Data != "a" {
					t.Errorf("<%s href>: only links may have href", n.Data)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	if styles != 1 {
		t.Errorf("%d <style> elements, want only the export's own", styles)
	}
	if !bytes.Contains(doc, []byte(`http-equiv="Content-Security-Policy"`)) {
		t.Error("no Content-Security-Policy")
	}
}

func TestHTMLSanitisedSelfContained(t *testing.T) {
	db, _, _ := archive(t)
	dir := t.TempDir()
	c, err := export.HTML(export.Dir{Path: dir}, db.Posts(context.Background(), store.Selection{}), export.HTMLOptions{Generator: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 2 || c.Posts != 4 || c.Threads != 2 {
		t.Errorf("counts = %+v", c)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.html"))
	if len(files) != 2 {
		t.Fatalf("files = %v", files)
	}
	var doc []byte
	for _, f := range files {
		b, _ := os.ReadFile(f)
		checkSafe(t, b, false)
		if bytes.Contains(b, []byte("post-1002")) {
			doc = b
		}
	}
	if doc == nil {
		t.Fatal("thread 1 file not found")
	}
	s := string(doc)
	for _, want := range []string{
		`<article id="post-1001">`, `<article id="post-1021">`, // both pages merged
		`href="#post-1001"`,                                       // in-body goto link rewritten to an anchor
		`<a href="#post-1001">marta</a>`,                          // quote list links the quoted post
		`Quoted in: <a href="#post-1002">#2</a>`,                  // and back
		`href="https://tracker.example/pixel.gif"`,                // remote image kept as a link
		`src="data:image/png;base64,iVBORw0KGgo="`,                // inline image kept
		`href="https://f.example/attachments/42/photo.jpg"`,       // relative link made absolute
		`<dt>Bike</dt><dd>Favorit, 1981</dd>`, `Brno, CZ`, `1303`, // sidebar
		`&lt;/title&gt;&lt;script&gt;`, // title escaped
		`-- marta`,                     // signature
	} {
		if !strings.Contains(s, want) {
			t.Errorf("thread html lacks %s", want)
		}
	}
	if strings.Contains(s, "alert(") && strings.Contains(s, "<script>alert") {
		t.Error("script survived")
	}

	// --remote-images keeps them as images, still sanitised.
	dir2 := t.TempDir()
	if _, err := export.HTML(export.Dir{Path: dir2}, db.Posts(context.Background(), store.Selection{Thread: "1"}), export.HTMLOptions{RemoteImages: true}); err != nil {
		t.Fatal(err)
	}
	files, _ = filepath.Glob(filepath.Join(dir2, "*.html"))
	if len(files) != 1 {
		t.Fatalf("files = %v", files)
	}
	b, _ := os.ReadFile(files[0])
	checkSafe(t, b, true)
	if !bytes.Contains(b, []byte(`src="https://tracker.example/pixel.gif"`)) || !bytes.Contains(b, []byte(`src="https://f.example/attachments/42/photo.jpg"`)) {
		t.Error("remote images dropped with RemoteImages")
	}
	// A second export into the same directory refuses to overwrite.
	_, err = export.HTML(export.Dir{Path: dir2}, db.Posts(context.Background(), store.Selection{Thread: "1"}), export.HTMLOptions{})
	if !errors.Is(err, export.ErrExists) {
		t.Errorf("overwrite without force: %v", err)
	}
	if _, err := export.HTML(export.Dir{Path: dir2, Force: true}, db.Posts(context.Background(), store.Selection{Thread: "1"}), export.HTMLOptions{}); err != nil {
		t.Errorf("force: %v", err)
	}
}

func TestMarkdown(t *testing.T) {
	db, _, _ := archive(t)
	dir := t.TempDir()
	c, err := export.Markdown(export.Dir{Path: dir}, db.Posts(context.Background(), store.Selection{}))
	if err != nil || c.Files != 2 {
		t.Fatalf("%+v %v", c, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	var md string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("post-1001")) {
			md = string(b)
		}
	}
	for _, want := range []string{
		"# ../../etc/passwd \\</title\\>\\<script\\>alert(1)\\</script\\>", // no raw HTML from titles
		"## #1 · marta · 2025-03-01 09:30 UTC",
		"\\*stars\\* and \\[brackets\\](x) \\<b\\>",
		"> [marta wrote](#post-1001):",
		"\\# not a heading", "1\\. not a list",
		"*Signature:*",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q\n%s", want, md)
		}
	}
	if strings.Contains(md, "<script>") {
		t.Error("raw HTML in markdown")
	}
}

func TestWARCReadBack(t *testing.T) {
	db, _, bodies := archive(t)
	var buf bytes.Buffer
	c, err := export.WARC(&buf, db.PageBodies(context.Background(), store.Selection{}), export.WARCOptions{Software: "forumarc/test", Filename: "x.warc.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Pages != 3 || c.Threads != 2 {
		t.Errorf("counts = %+v", c)
	}
	types, responses := readWARCResponses(t, buf.Bytes())
	seen := map[string]bool{}
	for _, resp := range responses {
		uri := resp.uri
		if resp.status != 200 || resp.etag != `"v1"` || !strings.HasPrefix(resp.contentType, "text/html") {
			t.Errorf("%s: status %d etag %q content type %q", uri, resp.status, resp.etag, resp.contentType)
		}
		if !bytes.Equal(resp.payload, bodies[uri]) {
			t.Errorf("%s: payload %q, want %q", uri, resp.payload, bodies[uri])
		}
		if resp.date.Before(fetched) {
			t.Errorf("%s: date %v", uri, resp.date)
		}
		if resp.payloadDigest == "" {
			t.Errorf("%s: no payload digest", uri)
		}
		seen[uri] = true
	}
	if strings.Join(types, ",") != "warcinfo,response,response,response" || len(seen) != 3 {
		t.Errorf("records = %v %v", types, seen)
	}
}

func TestFileNameSafe(t *testing.T) {
	for _, title := range []string{"", "../../etc/passwd", "a/b\\c:d*e?f\"g<h>i|j", "CON", ".hidden", "\x00\x01\u202eevil",
		strings.Repeat("ж", 500), "Ölwechsel 🚲 am Favorit", "   ", "..", "x\ny"} {
		name := export.FileName(title, 42, "html")
		if name != filepath.Base(name) || strings.ContainsAny(name, "/\\:*?\"<>|\x00\n\u202e") || strings.HasPrefix(name, ".") ||
			len(name) > 255 || !strings.HasSuffix(name, "-42.html") {
			t.Errorf("FileName(%q) = %q", title, name)
		}
	}
	if got := export.FileName("Ölwechsel: am Favorit!", 7, "md"); got != "ölwechsel-am-favorit-7.md" {
		t.Errorf("slug = %q", got)
	}
	if got := export.FileName("", 7, "md"); got != "thread-7.md" {
		t.Errorf("empty slug = %q", got)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// A failing output stops the reader goroutine and releases the read snapshot.
func TestJSONLWriteErrorStopsReader(t *testing.T) {
	db, _, _ := archive(t)
	// Enough posts to fill the output buffer several times over.
	run, _ := db.StartRun(context.Background(), "test", nil)
	big := &scraper.Page{URL: "https://h.example/t/3", Thread: scraper.Thread{ID: scraper.Str("3")}, Page: scraper.PageInfo{Number: 1}}
	for i := range 3000 {
		big.Posts = append(big.Posts, scraper.Post{ID: fmt.Sprint(i), BodyText: strings.Repeat("word ", 100), BodyHTML: "x", Quotes: []scraper.Quote{}})
	}
	if _, err := run.SavePage(context.Background(), &scraper.Fetched{URL: big.URL, Status: 200, Body: []byte("x")}, big); err != nil {
		t.Fatal(err)
	}
	for range 6 { // more than the read pool's 4 connections
		_, err := export.JSONL(&failWriter{n: 10}, db.Posts(context.Background(), store.Selection{}))
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("err = %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := export.CSV(io.Discard, db.Posts(ctx, store.Selection{})); err != nil {
		t.Fatalf("after failures: %v", err)
	}
}

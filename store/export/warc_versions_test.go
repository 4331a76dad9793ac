package export_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlnwa/gowarc/v2"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
	"github.com/forumarc/forumarc/store/export"
)

// warcResponse is one response record read back.
type warcResponse struct {
	uri, etag, contentType, payloadDigest string
	status                                int
	date                                  time.Time
	payload                               []byte
}

// readWARCResponses reads a WARC under strict validation, failing the test on an
// invalid record or one that is not WARC/1.1, and returns every record's type and the
// response records.
func readWARCResponses(t *testing.T, b []byte) (types []string, out []warcResponse) {
	t.Helper()
	r, err := gowarc.NewWarcFileReaderFromStream(bytes.NewReader(b), 0, gowarc.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		rec, _, val, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if val != nil && !val.Valid() {
			t.Errorf("record %s: %s", rec, val)
		}
		if rec.Version() != gowarc.V1_1 {
			t.Errorf("version %s", rec.Version())
		}
		types = append(types, rec.Type().String())
		if rec.Type() != gowarc.Response {
			rec.Close()
			continue
		}
		blk, ok := rec.Block().(gowarc.HttpResponseBlock)
		if !ok {
			t.Fatalf("block %T", rec.Block())
		}
		pr, err := blk.PayloadBytes()
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := io.ReadAll(pr)
		d, err := rec.Date()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, warcResponse{uri: rec.WarcHeader().Get(gowarc.WarcTargetURI), etag: blk.HttpHeader().Get("ETag"),
			contentType: blk.HttpHeader().Get("Content-Type"), payloadDigest: rec.WarcHeader().Get(gowarc.WarcPayloadDigest),
			status: blk.HttpStatusCode(), date: d.UTC(), payload: payload})
		rec.Close()
	}
	return types, out
}

// A page re-fetched with other bytes is exported with its earlier copies, each a
// response record with its own fetch time, oldest first; an unchanged re-fetch adds
// no record.
func TestWARCIncludesEarlierVersions(t *testing.T) {
	db, pages, bodies := archive(t)
	ctx := context.Background()
	run, err := db.StartRun(ctx, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := pages[0]
	resave := func(at time.Time, body []byte, etag string) {
		t.Helper()
		f := &scraper.Fetched{URL: p.URL, Status: 200, FetchedAt: at, Body: body, Encoding: "utf-8", ETag: etag}
		// Each copy shows its first post edited: a copy is kept only when the posts
		// changed, not for markup alone.
		edited := *p
		edited.Posts = slices.Clone(p.Posts)
		edited.Posts[0].BodyHTML = "<p>" + etag + "</p>"
		if _, err := run.SavePage(ctx, f, &edited); err != nil {
			t.Fatal(err)
		}
	}
	v1 := bodies[p.URL]
	v2 := []byte("<html><body>second copy of page 1</body></html>")
	v3 := []byte("<html><body>third copy of page 1</body></html>")
	resave(fetched.Add(time.Hour), v2, `"v2"`)
	resave(fetched.Add(2*time.Hour), bytes.Clone(v2), `"v2"`) // unchanged: nothing kept
	resave(fetched.Add(3*time.Hour), v3, `"v3"`)

	var buf bytes.Buffer
	c, err := export.WARC(&buf, db.PageBodies(ctx, store.Selection{}), export.WARCOptions{Software: "forumarc/test"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Pages != 3 || c.Threads != 2 {
		t.Errorf("counts = %+v, want 3 pages (records of earlier copies not counted) and 2 threads", c)
	}
	types, recs := readWARCResponses(t, buf.Bytes())
	if strings.Join(types, ",") != "warcinfo,response,response,response,response,response" {
		t.Fatalf("records = %v", types)
	}
	var mine []warcResponse
	for _, r := range recs {
		if r.uri == p.URL {
			mine = append(mine, r)
		}
	}
	want := []struct {
		at   time.Time
		etag string
		body []byte
	}{
		{fetched, `"v1"`, v1},
		{fetched.Add(2 * time.Hour), `"v2"`, v2}, // the unchanged re-fetch's time: that row was replaced
		{fetched.Add(3 * time.Hour), `"v3"`, v3},
	}
	if len(mine) != len(want) {
		t.Fatalf("%d records for %s, want %d", len(mine), p.URL, len(want))
	}
	for i, w := range want {
		if !mine[i].date.Equal(w.at) || mine[i].etag != w.etag || !bytes.Equal(mine[i].payload, w.body) {
			t.Errorf("record %d of %s: date %v etag %s payload %q, want %v %s %q", i, p.URL, mine[i].date, mine[i].etag, mine[i].payload, w.at, w.etag, w.body)
		}
	}
	// The page's copies are together, in order, before the next page.
	if recs[0].uri != p.URL || recs[2].uri != p.URL || recs[3].uri == p.URL {
		t.Errorf("record order: %v", []string{recs[0].uri, recs[1].uri, recs[2].uri, recs[3].uri, recs[4].uri})
	}

	// A selection of another thread has none of them; a read-only open reads them too.
	buf.Reset()
	if _, err := export.WARC(&buf, db.PageBodies(ctx, store.Selection{Thread: "2"}), export.WARCOptions{}); err != nil {
		t.Fatal(err)
	}
	if types, _ := readWARCResponses(t, buf.Bytes()); strings.Join(types, ",") != "warcinfo,response" {
		t.Errorf("thread 2 records = %v", types)
	}
	ro, err := store.OpenReadOnly(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	n := 0
	for sp, err := range ro.PageBodies(ctx, store.Selection{Thread: "1"}) {
		if err != nil {
			t.Fatal(err)
		}
		if sp.URL == p.URL && (sp.VersionID != 0) != (n < 2) {
			t.Errorf("copy %d of %s: VersionID %d", n, p.URL, sp.VersionID)
		}
		if sp.URL == p.URL {
			n++
		}
	}
	if n != 3 {
		t.Errorf("read-only PageBodies yielded %d copies of %s, want 3", n, p.URL)
	}
}

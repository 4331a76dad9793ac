package export

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nlnwa/gowarc/v2"

	"github.com/forumarc/forumarc/store"
)

// WARCOptions shape the WARC export.
type WARCOptions struct {
	// Software names the program in the warcinfo record ("forumarc/0.1.0").
	Software string
	// Filename is the warcinfo WARC-Filename; empty leaves it out (stdout).
	Filename string
	// Uncompressed writes plain WARC instead of one gzip member per record (.warc.gz).
	Uncompressed bool
	// Now stamps the warcinfo record; nil means time.Now.
	Now func() time.Time
}

// WARC writes the stored raw pages of the selection as WARC/1.1: a warcinfo record,
// then one response record per stored copy of a page, with its URL, fetch time, HTTP
// status, ETag/Last-Modified and the bytes exactly as fetched: the earlier copies a
// re-fetch replaced (page_versions, oldest first, each with its own fetch time) and
// the current one. Counts.Pages counts pages, not records. Each record is its own gzip
// member, as web-archive tools (pywb, warcio, OpenWayback) expect of .warc.gz files.
// Records are built and marshalled with github.com/nlnwa/gowarc, which computes the
// block and payload digests.
func WARC(w io.Writer, pages iter.Seq2[*store.StoredPage, error], o WARCOptions) (Counts, error) {
	var c Counts
	bw := bufio.NewWriterSize(w, 256<<10)
	m := gowarc.NewMarshaler()
	var zw *gzip.Writer
	write := func(rec gowarc.WarcRecord) error {
		defer rec.Close()
		if o.Uncompressed {
			_, _, err := m.Marshal(bw, rec, 0)
			return err
		}
		if zw == nil {
			zw = gzip.NewWriter(bw)
		} else {
			zw.Reset(bw)
		}
		if _, _, err := m.Marshal(zw, rec, 0); err != nil {
			return err
		}
		return zw.Close()
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	info := gowarc.NewRecordBuilder(gowarc.Warcinfo)
	info.AddWarcHeaderTime(gowarc.WarcDate, now())
	info.AddWarcHeader(gowarc.ContentType, gowarc.ApplicationWarcFields)
	if o.Filename != "" {
		info.AddWarcHeader(gowarc.WarcFilename, o.Filename)
	}
	software := o.Software
	if software == "" {
		software = "forumarc"
	}
	fmt.Fprintf(info, "software: %s\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\ndescription: raw forum pages exported from a forumarc archive\r\n", software)
	rec, _, err := info.Build()
	if err != nil {
		return c, fmt.Errorf("export warc: warcinfo: %w", err)
	}
	if err := write(rec); err != nil {
		return c, fmt.Errorf("export warc: %w", err)
	}
	threads := map[int64]bool{}
	for p, err := range pages {
		if err != nil {
			return c, err
		}
		if p.Body == nil {
			continue
		}
		rec, err := responseRecord(p)
		if err != nil {
			return c, fmt.Errorf("export warc: %s: %w", p.URL, err)
		}
		if err := write(rec); err != nil {
			return c, fmt.Errorf("export warc: %s: %w", p.URL, err)
		}
		if p.VersionID == 0 { // the page's current copy; earlier ones come just before it
			c.Pages++
		}
		if p.ThreadRowID != 0 && !threads[p.ThreadRowID] {
			threads[p.ThreadRowID] = true
			c.Threads++
		}
	}
	if err := bw.Flush(); err != nil {
		return c, fmt.Errorf("export warc: %w", err)
	}
	return c, nil
}

// responseRecord rebuilds the HTTP response a page came in. Only the headers the
// archive kept are written (Content-Type from the decoded charset, ETag,
// Last-Modified, Content-Length); Date is the fetch time.
func responseRecord(p *store.StoredPage) (gowarc.WarcRecord, error) {
	b := gowarc.NewRecordBuilder(gowarc.Response)
	status := p.Status
	if status == 0 {
		status = 200
	}
	var h strings.Builder
	fmt.Fprintf(&h, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	ct := "text/html"
	if p.Encoding != "" {
		ct += "; charset=" + p.Encoding
	}
	h.WriteString("Content-Type: " + ct + "\r\n")
	h.WriteString("Content-Length: " + strconv.Itoa(len(p.Body)) + "\r\n")
	if !p.FetchedAt.IsZero() {
		h.WriteString("Date: " + p.FetchedAt.UTC().Format(http.TimeFormat) + "\r\n")
	}
	if p.ETag != "" {
		h.WriteString("ETag: " + oneLine(p.ETag) + "\r\n")
	}
	if p.LastModified != "" {
		h.WriteString("Last-Modified: " + oneLine(p.LastModified) + "\r\n")
	}
	h.WriteString("\r\n")
	if _, err := b.WriteString(h.String()); err != nil {
		return nil, err
	}
	if _, err := b.Write(p.Body); err != nil {
		return nil, err
	}
	b.AddWarcHeader(gowarc.WarcTargetURI, p.URL)
	at := p.FetchedAt
	if at.IsZero() {
		at = time.Now()
	}
	b.AddWarcHeaderTime(gowarc.WarcDate, at)
	b.AddWarcHeader(gowarc.ContentType, "application/http;msgtype=response")
	rec, _, err := b.Build()
	return rec, err
}

// oneLine keeps a stored header value from breaking the header block.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

package scraper

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// Options steers one extraction. The zero value detects the engine and reads
// zone-less times as UTC.
type Options struct {
	// Engine forces an engine id instead of detecting one.
	Engine string
	// Profile, when set, is the engine used for every page, instead of Engine and
	// detection: an engine built outside the registry, such as the generic engine
	// from a site profile file (engines.LoadProfile; this package cannot import
	// engines, which imports it).
	Profile Engine
	// ContentType is the HTTP Content-Type header, whose charset wins over <meta>.
	ContentType string
	FetchedAt   time.Time
	Location    *time.Location
}

// ErrNotThread is returned when an engine recognised the page but it holds no posts,
// such as a login wall or a board index given where a thread was expected.
var ErrNotThread = errors.New("page holds no posts")

// Decode returns the page as UTF-8 and the name of the encoding it was in. Bytes that
// are already valid UTF-8 are kept as they are, whatever a wrong <meta> claims.
func Decode(raw []byte, contentType string) ([]byte, string, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	enc, name, certain := charset.DetermineEncoding(raw, contentType)
	if utf8.Valid(raw) && (!certain || name == "utf-8" || name == "windows-1252") {
		return raw, "utf-8", nil
	}
	if name == "utf-8" {
		// Declared UTF-8 but invalid: replace bad bytes rather than fail the page.
		return bytes.ToValidUTF8(raw, []byte("\uFFFD")), "utf-8", nil
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), raw)
	if err != nil {
		return nil, name, fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}

// CharsetGuessed reports a page that is not UTF-8 and names no encoding (no BOM, no
// charset in contentType or in a <meta> near its start): Decode then reads it as
// windows-1252, which garbles pages in any other 8-bit encoding (windows-1251, KOI8-R).
func CharsetGuessed(raw []byte, contentType string) bool {
	if utf8.Valid(raw) {
		return false
	}
	if _, _, certain := charset.DetermineEncoding(raw, contentType); certain {
		return false
	}
	head := raw[:min(len(raw), 1024)]
	return !bytes.Contains(bytes.ToLower(head), []byte("charset"))
}

// KnownCharset reports an encoding name Decode understands (WHATWG labels:
// "windows-1251", "koi8-r", "latin1", ...).
func KnownCharset(name string) bool {
	e, _ := charset.Lookup(name)
	return e != nil
}

// Parse decodes raw and builds a document.
func Parse(raw []byte, contentType string) (*goquery.Document, string, error) {
	text, enc, err := Decode(raw, contentType)
	if err != nil {
		return nil, enc, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(text))
	if err != nil {
		return nil, enc, fmt.Errorf("parse html: %w", err)
	}
	return doc, enc, nil
}

// Extract reads one thread page: the single entry point used by `extract`, `archive`,
// crawls and reparse, so all of them agree on what a page holds.
func Extract(raw []byte, pageURL string, opts Options) (*Page, error) {
	doc, _, err := Parse(raw, opts.ContentType)
	if err != nil {
		return nil, err
	}
	return ExtractDocument(doc, pageURL, opts)
}

// ExtractDocument is Extract for an already parsed document.
func ExtractDocument(doc *goquery.Document, pageURL string, opts Options) (*Page, error) {
	e, name, err := engineFor(doc, opts, pageURL)
	if err != nil {
		return nil, err
	}
	in, err := input(pageURL, opts)
	if err != nil {
		return nil, err
	}
	doc.Url = in.URL
	p, err := e.Extract(doc, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p.Engine = name
	normalizePage(p, pageURL)
	if len(p.Posts) == 0 {
		return p, fmt.Errorf("%s: %w", pageURL, ErrNotThread)
	}
	return p, nil
}

// engineFor returns the profile engine, the forced engine, else the detected one, with
// its name (no Info call per page); a detection failure names pageURL so threads and
// listings report it alike.
func engineFor(doc *goquery.Document, opts Options, pageURL string) (e Engine, name string, err error) {
	if opts.Profile != nil {
		return opts.Profile, opts.Profile.Info().Name, nil
	}
	forced := opts.Engine
	if forced == "" {
		r, err := detect(doc)
		var ue *UnrecognizedError
		if errors.As(err, &ue) {
			ue.URL = pageURL
		}
		return r.engine, r.info.Name, err
	}
	e, ok := Lookup(forced)
	if !ok {
		return nil, "", fmt.Errorf("unknown engine %q (see `forumarc engines`)", forced)
	}
	return e, forced, nil
}

func input(pageURL string, opts Options) (Input, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return Input{}, fmt.Errorf("page url: %w", err)
	}
	in := Input{URL: u, FetchedAt: opts.FetchedAt, Location: opts.Location}
	if in.FetchedAt.IsZero() {
		in.FetchedAt = time.Now()
	}
	if in.Location == nil {
		in.Location = time.UTC
	}
	return in, nil
}

// normalizePage applies the rules every engine shares: one URL per page (session
// parameters stripped), each post once, empty lists as [] in JSON.
func normalizePage(p *Page, pageURL string) {
	p.URL = CleanURL(pageURL)
	p.Thread.URL = cleanPtr(p.Thread.URL)
	p.Page.NextURL = cleanPtr(p.Page.NextURL)
	if p.Page.Number == 0 {
		p.Page.Number = 1
	}
	seen := make(map[string]bool, len(p.Posts))
	posts := p.Posts[:0]
	for _, post := range p.Posts {
		if post.ID == "" || seen[post.ID] {
			continue
		}
		seen[post.ID] = true
		post.URL = cleanPtr(post.URL)
		post.Author.URL = cleanPtr(post.Author.URL)
		if post.Quotes == nil {
			post.Quotes = []Quote{}
		}
		if len(post.Author.Extras) == 0 {
			post.Author.Extras = nil
		}
		posts = append(posts, post)
	}
	if posts == nil {
		posts = []Post{}
	}
	p.Posts = posts
}

func cleanPtr(s *string) *string {
	if s == nil {
		return nil
	}
	return Str(CleanURL(*s))
}

// ExtractListingDocument reads a board or forum index page with the engine that
// rendered it.
func ExtractListingDocument(doc *goquery.Document, pageURL string, opts Options) (*Listing, error) {
	e, name, err := engineFor(doc, opts, pageURL)
	if err != nil {
		return nil, err
	}
	lr, ok := e.(ListingReader)
	if !ok {
		return nil, fmt.Errorf("%s: the %s engine cannot read board listings yet", pageURL, name)
	}
	in, err := input(pageURL, opts)
	if err != nil {
		return nil, err
	}
	doc.Url = in.URL
	l, err := lr.ExtractListing(doc, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	l.Engine = name
	normalizeListing(l, pageURL)
	return l, nil
}

// normalizeListing applies normalizePage's URL rules to a listing.
func normalizeListing(l *Listing, pageURL string) {
	l.URL = CleanURL(pageURL)
	l.Page.NextURL = cleanPtr(l.Page.NextURL)
	if l.Page.Number == 0 {
		l.Page.Number = 1
	}
	for i := range l.Boards {
		l.Boards[i].URL = CleanURL(l.Boards[i].URL)
	}
	for i := range l.Threads {
		l.Threads[i].URL = CleanURL(l.Threads[i].URL)
	}
}

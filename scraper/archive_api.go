package scraper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
)

// This file is the Archiver's path through a forum's JSON API (APIThreadReader,
// implemented by Discourse). archive.go calls it before walking HTML pages; when the
// API refuses (403, 404, HTML instead of JSON, robots), the HTML walk runs as usual.

// apiReaderFor returns the API reader to try for a thread URL, and its API URL:
// the forced engine's, else that of any registered engine recognising the URL.
// Profiles describe HTML only, so none is tried with one.
func (a *Archiver) apiReaderFor(pageURL string) (APIThreadReader, string, bool) {
	if a.cfg.Profile != nil {
		return nil, "", false
	}
	if a.cfg.Engine != "" {
		e, ok := Lookup(a.cfg.Engine)
		if !ok {
			return nil, "", false
		}
		return apiReaderOf(e, pageURL)
	}
	for _, e := range Engines() {
		if r, u, ok := apiReaderOf(e, pageURL); ok {
			return r, u, true
		}
	}
	return nil, "", false
}

func apiReaderOf(e Engine, pageURL string) (APIThreadReader, string, bool) {
	r, ok := e.(APIThreadReader)
	if !ok {
		return nil, "", false
	}
	u, ok := r.APIThreadURL(pageURL)
	return r, u, ok
}

// apiReaderForPage is apiReaderFor for an HTML page already read: its engine (when it
// has an API) and the API URL of its thread.
func (a *Archiver) apiReaderForPage(p *Page) (APIThreadReader, string, bool) {
	if a.cfg.Profile != nil {
		return nil, "", false
	}
	e, ok := Lookup(p.Engine)
	if !ok {
		return nil, "", false
	}
	if r, u, ok := apiReaderOf(e, p.URL); ok {
		return r, u, true
	}
	// The page's own URL may not be a thread link; its canonical thread URL is
	// trusted only on the same host, so a wrong canonical never sends requests away.
	if p.Thread.URL != nil && sameHost(*p.Thread.URL, p.URL) {
		return apiReaderOf(e, *p.Thread.URL)
	}
	return nil, "", false
}

// isAPIURL reports a URL some registered engine's API serves.
func isAPIURL(u string) bool {
	for _, e := range Engines() {
		if r, ok := e.(APIThreadReader); ok && r.IsAPIURL(u) {
			return true
		}
	}
	return false
}

// errAPIRefused wraps why the API could not be used; the caller walks HTML instead.
var errAPIRefused = errors.New("thread api refused")

// apiFetch fetches one API URL and checks that JSON came back.
func (a *Archiver) apiFetch(ctx context.Context, apiURL string) (*Fetched, error) {
	f, err := a.f.Fetch(ctx, Request{URL: apiURL, Accept: "application/json"})
	if err != nil {
		return nil, err
	}
	if !isJSON(f) {
		return nil, fmt.Errorf("%s: %w: answered %q, not JSON", apiURL, errAPIRefused, f.ContentType)
	}
	f.Encoding = "utf-8"
	return f, nil
}

// isJSON reports an answer that is JSON by its type or, for servers that label it
// text/plain, by its first byte. An HTML login or error page is not.
func isJSON(f *Fetched) bool {
	mt, _, _ := mime.ParseMediaType(f.ContentType)
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		return true
	}
	body := bytes.TrimSpace(f.Body)
	return mt != "text/html" && len(body) > 0 && (body[0] == '{' || body[0] == '[')
}

func (a *Archiver) apiPage(r APIThreadReader, f *Fetched) (*Page, []string, error) {
	u, err := url.Parse(f.URL)
	if err != nil {
		return nil, nil, fmt.Errorf("api url: %w", err)
	}
	loc := a.cfg.Location
	p, more, err := r.ExtractAPIPage(f.Body, f.URL, Input{URL: u, FetchedAt: f.FetchedAt, Location: loc})
	if err != nil {
		return nil, nil, err
	}
	normalizePage(p, f.URL)
	return p, more, nil
}

// apiThread archives a thread through its API: the first answer (page 1, which lists
// the rest of the thread), then each remaining chunk, saved as a page as it arrives
// (page row URL = the API URL, so the raw JSON is kept for reparsing; thread URL =
// the thread's HTML address). handled is false when the API refused before anything
// was stored: the caller then walks the HTML pages.
//
// Resuming: a chunk whose URL is archived already (same post ids) is not fetched
// again, except the last, which may have grown edits; the first answer is always
// fetched because it lists the thread's current posts.
func (a *Archiver) apiThread(ctx context.Context, r APIThreadReader, apiURL string) (res ThreadResult, handled bool, err error) {
	first, err := a.apiFetch(ctx, apiURL)
	if err == nil && first.Status == 304 {
		err = fmt.Errorf("%w: unexpected 304", errAPIRefused)
	}
	var p *Page
	var more []string
	if err == nil {
		p, more, err = a.apiPage(r, first)
		if err == nil && len(p.Posts) == 0 {
			err = fmt.Errorf("%s: %w", apiURL, ErrNotThread)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return res, true, ctx.Err()
		}
		a.log.Info("thread API not usable; reading the HTML pages", "url", apiURL, "reason", err)
		return res, false, nil
	}
	thread := p.Thread
	total := 1 + len(more)
	walk := walkState{}
	complete := true
	save := func(f *Fetched, p *Page) error {
		stats, err := a.sink.SavePage(ctx, f, p)
		if err != nil {
			return err // "save page URL: ..."
		}
		res.Pages++
		walk.add(p)
		walk.saw(stats)
		res.PostsNew += stats.PostsNew
		res.PostsUpdated += stats.PostsUpdated
		res.LastURL = p.URL
		if p.Thread.Title != nil {
			res.Title = *p.Thread.Title
		}
		a.log.Info("page archived", "url", p.URL, "page", p.Page.Number, "of", total,
			"posts", len(p.Posts), "new", stats.PostsNew, "updated", stats.PostsUpdated, "via", "api")
		if a.cfg.OnPage != nil {
			a.cfg.OnPage(PageEvent{URL: p.URL, Thread: res.Title, Number: p.Page.Number, Total: total,
				PostsNew: stats.PostsNew, PostsTotal: len(p.Posts)})
		}
		return nil
	}
	if err := save(first, p); err != nil {
		return res, true, err
	}
	for i, cu := range more {
		if err := ctx.Err(); err != nil {
			return res, true, err
		}
		if a.cfg.MaxPages > 0 && res.Pages >= a.cfg.MaxPages {
			a.log.Info("page limit reached", "max_pages", a.cfg.MaxPages)
			complete = false
			break
		}
		if !a.cfg.FromStart && i < len(more)-1 {
			_, _, known, err := a.sink.ThreadByURL(ctx, cu)
			if err != nil {
				return res, true, err // names the URL
			}
			if known {
				// The walk restarts after the gap, so posts of skipped chunks are
				// never taken for deleted ones.
				walk = walkState{}
				res.Resumed = true
				continue
			}
		}
		f, err := a.apiFetch(ctx, cu)
		var cp *Page
		if err == nil {
			cp, _, err = a.apiPage(r, f)
		}
		if err != nil {
			if ctx.Err() != nil {
				return res, true, ctx.Err()
			}
			if rerr := a.sink.RecordError(ctx, cu, err); rerr != nil {
				return res, true, errors.Join(err, rerr)
			}
			return res, true, err
		}
		cp.Page.Number = i + 2
		cp.Page.Total = Int(total)
		cp.Page.NextURL = nil
		if i+1 < len(more) {
			cp.Page.NextURL = Str(more[i+1])
		}
		if cp.Thread.ID == nil {
			cp.Thread.ID = thread.ID
		}
		if cp.Thread.URL == nil {
			cp.Thread.URL = thread.URL
		}
		if cp.Thread.Title == nil {
			cp.Thread.Title = thread.Title
		}
		if err := save(f, cp); err != nil {
			return res, true, err
		}
	}
	if err := a.markMissing(ctx, complete, walk, &res); err != nil {
		return res, true, err
	}
	return res, true, nil
}

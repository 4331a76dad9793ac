package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/scraper"
)

type extractOptions struct {
	url      string
	engine   string
	profile  string
	timezone string
	charset  string
	compact  bool
}

func (a *app) extractCmd() *cobra.Command {
	var o extractOptions
	cmd := &cobra.Command{
		Use:   "extract [--url URL] FILE|-",
		Short: "Print one saved page's posts as JSON (no network)",
		Long: `extract reads one thread page saved from a browser or a web archive and prints what
forumarc finds on it as JSON: the thread, the page's place in it, and every post with its
author's sidebar. Nothing is fetched and nothing is stored.

--url gives the address the page was saved from, so relative links resolve; without it the
page's canonical link is used. A Discourse API answer (/t/slug/id.json or
/t/id/posts.json?post_ids[]=...) is read as JSON when --url is its API address.

--profile FILE reads a forum no built-in engine knows with a site profile (YAML or JSON
selectors; see the README section "Site profiles").

--charset names the page's encoding as the server's Content-Type header did: a page piped
from curl has lost that header, and one in an 8-bit encoding that names none in a <meta>
(windows-1251, KOI8-R) would be read as windows-1252; extract warns when it has to guess.
A page that looks truncated (it ends before </body> and </html>) is refused, as archive
refuses it: its last posts would be cut.`,
		Example: `  forumarc extract --url https://forum.example.com/threads/x.541/page-2 saved.html
  curl -s https://forum.example.com/threads/x.541/ | forumarc extract --url https://forum.example.com/threads/x.541/ -
  curl -s https://forum.example.ru/viewtopic.php?t=7 | forumarc extract --charset windows-1251 --url https://forum.example.ru/viewtopic.php?t=7 -
  forumarc extract page.html | jq '.posts[].author.name'
  forumarc extract --profile oldspokes.yaml --url https://oldspokes.example/board/topic/2291 saved.html
  forumarc extract --url https://forum.example.org/t/some-topic/4417.json topic.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.extract(cmd, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.url, "url", "", "URL the page was saved from")
	f.StringVar(&o.engine, "engine", "", "force an engine instead of detecting it (see 'forumarc engines')")
	f.StringVar(&o.profile, "profile", "", "site profile (YAML or JSON selectors) for a forum no engine reads; implies --engine generic")
	f.StringVar(&o.timezone, "timezone", "UTC", "time zone for dates printed without one (IANA name)")
	f.StringVar(&o.charset, "charset", "", "the page's encoding when it was served with one the page does not name (e.g. windows-1251)")
	f.BoolVar(&o.compact, "compact", false, "print JSON on one line")
	return cmd
}

func (a *app) extract(cmd *cobra.Command, file string, o extractOptions) error {
	loc, err := loadLocation(o.timezone)
	if err != nil {
		return err
	}
	profile, err := loadProfile(o.profile, o.engine)
	if err != nil {
		return err
	}
	var raw []byte
	if file == "-" {
		if raw, err = io.ReadAll(a.stdin); err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
	} else if raw, err = os.ReadFile(file); err != nil {
		// *fs.PathError names the file: "open FILE: no such file or directory". A
		// file that is not there is a wrong argument, like an invalid URL.
		if errors.Is(err, fs.ErrNotExist) {
			return usageError{err}
		}
		return err
	}
	pageURL := o.url
	if pageURL == "" {
		pageURL = canonicalOf(raw)
	}
	// Messages name what was read, the file or stdin, and the address it was read as
	// when there is one (--url or the page's canonical link).
	name := file
	if file == "-" {
		name = "stdin"
	}
	if pageURL != "" {
		name += " (as " + pageURL + ")"
	} else {
		abs, _ := filepath.Abs(file)
		pageURL = "file://" + filepath.ToSlash(abs)
	}
	if o.url != "" {
		if _, err := scraper.ValidateURL(o.url); err != nil {
			return usageError{err}
		}
	}
	contentType := ""
	if o.charset != "" {
		if !scraper.KnownCharset(o.charset) {
			return usageError{fmt.Errorf("--charset %q: not an encoding name (e.g. windows-1251, koi8-r, iso-8859-2)", o.charset)}
		}
		contentType = "text/html; charset=" + o.charset
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return fmt.Errorf("%s: empty: nothing to extract", name)
	}
	if scraper.Truncated(raw) {
		return fmt.Errorf("%s: the page looks truncated (it ends before </body> and </html>): save it again", name)
	}
	if scraper.CharsetGuessed(raw, contentType) {
		a.notice(fmt.Sprintf("forumarc: %s is not UTF-8 and names no encoding: read as windows-1252; give --charset (e.g. windows-1251) if the text looks wrong", name))
	}
	p, err := scraper.ExtractAny(raw, pageURL, scraper.Options{Engine: o.engine, Profile: profile, ContentType: contentType,
		FetchedAt: a.now(), Location: loc})
	if err != nil {
		return namedError{name: name, prefix: pageURL, err: err}
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetEscapeHTML(false)
	if !o.compact {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(p)
}

// namedError is err said of name instead of the URL it starts with (prefix): extract
// names the file it read, which a file:// URL or the --url alone would not say.
type namedError struct {
	name, prefix string
	err          error
}

func (e namedError) Error() string {
	msg := e.err.Error()
	if rest, ok := strings.CutPrefix(msg, e.prefix+": "); ok && rest != "" {
		msg = rest
	}
	return e.name + ": " + msg
}

func (e namedError) Unwrap() error { return e.err }

// canonicalOf finds the page's own address in its <link rel=canonical> or og:url.
func canonicalOf(raw []byte) string {
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		return ""
	}
	for _, sel := range []string{`link[rel="canonical"]`, `meta[property="og:url"]`} {
		s := doc.Find(sel).First()
		v := scraper.Attr(s, "href")
		if v == "" {
			v = scraper.Attr(s, "content")
		}
		if u, err := scraper.ValidateURL(v); err == nil {
			return u
		}
	}
	return ""
}

func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, usagef("--timezone: unknown time zone %q", name)
	}
	return loc, nil
}

package export

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"iter"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/forumarc/forumarc/store"
)

// HTMLOptions shape the HTML export.
type HTMLOptions struct {
	// RemoteImages keeps <img> elements that load from the web. Off by default: an
	// archived page opened offline should not tell a server it was read, so remote
	// images become links.
	RemoteImages bool
	// Generator names the program in the page footer ("forumarc 0.1.0").
	Generator string
	// Now stamps the export; nil means time.Now.
	Now func() time.Time
}

// HTML writes one self-contained HTML file per thread into dir: all archived pages
// merged in post order, each author's sidebar, quotes linked to the quoted post when
// it is in the file. Archived markup is sanitised with bluemonday's UGC policy (no
// script, no event handlers, no styles, no frames) and the page carries a Content
// Security Policy that forbids scripts and, unless RemoteImages, any remote load.
func HTML(dir Dir, posts iter.Seq2[*store.PostRecord, error], o HTMLOptions) (Counts, error) {
	pol := htmlPolicy(o.RemoteImages)
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	stamp := now().UTC().Format(time.RFC3339)
	return perThread(dir, "html", posts, func(w io.Writer, thread []*store.PostRecord) error {
		return WriteThreadHTML(w, thread, pol, o, stamp)
	})
}

// htmlPolicy is bluemonday's UGC policy plus inline (data:) images; remote images
// only on request.
func htmlPolicy(remote bool) *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowDataURIImages()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	if !remote {
		// Belt and braces to the rewrite in prepareBody: an <img> may only carry a
		// data: source.
		p.AllowAttrs("src").Matching(regexp.MustCompile(`^data:image/`)).OnElements("img")
	}
	return p
}

// cspNoRemote forbids scripts, frames, forms and every remote load; inline styles (our
// own stylesheet) and data: images are all the page needs.
const (
	cspNoRemote = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'"
	cspRemote   = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; form-action 'none'; base-uri 'none'"
)

type htmlPost struct {
	*store.PostRecord
	Anchor  string
	Body    template.HTML
	Quotes  []htmlQuote
	Replies []htmlRef
	Extras  []htmlPair
}

type htmlQuote struct {
	Author string
	Anchor string // "" when the quoted post is not in this file
	Text   string
}

type htmlRef struct {
	Anchor string
	Label  string
}

type htmlPair struct{ Label, Value string }

// WriteThreadHTML writes one thread (its posts in order) as a standalone page.
func WriteThreadHTML(w io.Writer, thread []*store.PostRecord, pol *bluemonday.Policy, o HTMLOptions, stamp string) error {
	if len(thread) == 0 {
		return nil
	}
	known := make(map[string]string, len(thread)) // post id -> anchor
	byURL := make(map[string]string, len(thread))
	for _, p := range thread {
		a := "post-" + p.ID
		known[p.ID] = a
		if p.URL != nil {
			byURL[*p.URL] = a
		}
	}
	label := func(p *store.PostRecord) string {
		if p.Number != nil {
			return fmt.Sprintf("#%d", *p.Number)
		}
		return "post " + p.ID
	}
	replies := map[string][]htmlRef{}
	posts := make([]htmlPost, 0, len(thread))
	for _, p := range thread {
		hp := htmlPost{PostRecord: p, Anchor: known[p.ID]}
		base := p.Thread.URL
		if p.URL != nil {
			base = p.URL
		}
		body := prepareBody(p.BodyHTML, deref(base), known, byURL, o.RemoteImages)
		hp.Body = template.HTML(pol.Sanitize(body)) // #nosec: sanitised just now
		for _, q := range p.Quotes {
			hq := htmlQuote{Author: deref(q.Author), Text: q.Text}
			if q.PostID != nil {
				if a, ok := known[*q.PostID]; ok && *q.PostID != p.ID {
					hq.Anchor = a
					replies[*q.PostID] = append(replies[*q.PostID], htmlRef{Anchor: hp.Anchor, Label: label(p)})
				}
			}
			hp.Quotes = append(hp.Quotes, hq)
		}
		for k, v := range p.Author.Extras {
			hp.Extras = append(hp.Extras, htmlPair{k, v})
		}
		sort.Slice(hp.Extras, func(i, j int) bool { return hp.Extras[i].Label < hp.Extras[j].Label })
		posts = append(posts, hp)
	}
	for i := range posts {
		posts[i].Replies = replies[posts[i].ID]
	}
	first := thread[0]
	csp := cspNoRemote
	if o.RemoteImages {
		csp = cspRemote
	}
	data := map[string]any{
		"Title":     deref(first.Thread.Title),
		"Prefix":    deref(first.Thread.Prefix),
		"URL":       deref(first.Thread.URL),
		"ForumPath": first.Thread.ForumPath,
		"Site":      first.Site.URL,
		"Posts":     posts,
		"CSP":       csp,
		"Generator": o.Generator,
		"Stamp":     stamp,
	}
	var buf bytes.Buffer
	if err := threadTemplate.Execute(&buf, data); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// postRef finds a post id in a link: "/goto/post?id=1011", "/posts/1011/",
// "#post-1011", "/threads/x.1/post-1011".
var postRef = regexp.MustCompile(`(?i)post[s]?(?:[/_=-]|\?id=|\.php\?p=|/?#post-?)(\d+)|[?&]p=(\d+)|#p(\d+)`)

// prepareBody rewrites archived body HTML before sanitising: links to posts of this
// thread become in-page anchors, relative links are made absolute against the post's
// URL, and remote images become plain links unless remote is set.
func prepareBody(body, base string, known, byURL map[string]string, remote bool) string {
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return body // bluemonday still sanitises it
	}
	baseURL, _ := url.Parse(base)
	abs := func(ref string) string {
		ref = strings.TrimSpace(ref)
		if baseURL == nil || ref == "" {
			return ref
		}
		u, err := baseURL.Parse(ref)
		if err != nil {
			return ref
		}
		return u.String()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			walk(c)
			c = next
		}
		if n.Type != html.ElementNode {
			return
		}
		switch n.DataAtom {
		case atom.A:
			for i, a := range n.Attr {
				if a.Key != "href" {
					continue
				}
				u := abs(a.Val)
				if anchor, ok := byURL[u]; ok {
					n.Attr[i].Val = "#" + anchor
				} else if anchor := linkedPost(u, known); anchor != "" {
					n.Attr[i].Val = "#" + anchor
				} else {
					n.Attr[i].Val = u
				}
			}
		case atom.Img:
			src := ""
			alt := ""
			for _, a := range n.Attr {
				switch a.Key {
				case "src":
					src = strings.TrimSpace(a.Val)
				case "alt":
					alt = a.Val
				}
			}
			if strings.HasPrefix(strings.ToLower(src), "data:") {
				return
			}
			src = abs(src)
			if remote {
				for i, a := range n.Attr {
					if a.Key == "src" {
						n.Attr[i].Val = src
					}
				}
				return
			}
			if alt == "" {
				alt = "image"
			}
			link := &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A,
				Attr: []html.Attribute{{Key: "href", Val: src}, {Key: "class", Val: "img"}}}
			link.AppendChild(&html.Node{Type: html.TextNode, Data: "[" + alt + "]"})
			if n.Parent != nil {
				n.Parent.InsertBefore(link, n)
				n.Parent.RemoveChild(n)
			}
		}
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	walk(root)
	var out strings.Builder
	for n := root.FirstChild; n != nil; n = n.NextSibling {
		if err := html.Render(&out, n); err != nil {
			return body
		}
	}
	return out.String()
}

// linkedPost returns the anchor of a post of this thread the URL points to, or "".
func linkedPost(u string, known map[string]string) string {
	for _, m := range postRef.FindAllStringSubmatch(u, -1) {
		for _, id := range m[1:] {
			if a, ok := known[id]; ok && id != "" {
				return a
			}
		}
	}
	return ""
}

// editedNote is the post footer of a post with n earlier versions in the archive (the
// JSONL export carries them).
func editedNote(n int) string {
	if n == 1 {
		return "Edited once; the earlier version is archived."
	}
	return fmt.Sprintf("Edited %d times; earlier versions archived.", n)
}

var threadTemplate = template.Must(template.New("thread").Funcs(template.FuncMap{
	"date": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
	"deref":  deref,
	"join":   strings.Join,
	"edited": editedNote,
}).Parse(`<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{with .Prefix}}[{{.}}] {{end}}{{.Title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222;background:#fafafa}
header{border-bottom:2px solid #ccc;margin-bottom:1rem}
.crumbs{color:#666;font-size:.9rem;margin:0}
article{display:flex;gap:1rem;background:#fff;border:1px solid #ddd;border-radius:4px;margin:0 0 1rem;padding:.75rem}
article:target{border-color:#36c;box-shadow:0 0 0 2px #36c3}
aside{flex:0 0 11rem;font-size:.85rem;border-right:1px solid #eee;padding-right:.75rem;overflow-wrap:anywhere}
aside .name{font-weight:bold;font-size:1rem}
aside dl{margin:.5rem 0 0;display:grid;grid-template-columns:auto 1fr;gap:0 .5rem}
aside dt{color:#666}aside dd{margin:0}
.main{flex:1;min-width:0}
.meta{color:#666;font-size:.85rem;margin:0 0 .5rem}
.body{overflow-wrap:anywhere}
.body blockquote{border-left:3px solid #bbb;margin:.5rem 0;padding:.25rem .75rem;background:#f3f3f3}
.body pre{overflow:auto;background:#f3f3f3;padding:.5rem}
.body img{max-width:100%}
.quotes,.replies,.revisions{font-size:.85rem;color:#555;margin:.5rem 0 0}
.sig{border-top:1px dashed #ddd;margin-top:.75rem;padding-top:.25rem;font-size:.85rem;color:#666;white-space:pre-wrap}
.deleted{color:#a00}
footer{color:#888;font-size:.8rem;margin-top:2rem}
@media (max-width:40rem){article{flex-direction:column}aside{border:0;padding:0}}
</style>
</head>
<body>
<header>
{{with .ForumPath}}<p class="crumbs">{{join . " › "}}</p>{{end}}
<h1>{{with .Prefix}}<small>[{{.}}]</small> {{end}}{{.Title}}</h1>
<p class="meta">{{len .Posts}} posts archived from <a href="{{.URL}}" rel="noreferrer">{{.URL}}</a></p>
</header>
<main>
{{range .Posts}}<article id="{{.Anchor}}">
<aside>
<div class="name">{{if .Author.URL}}<a href="{{deref .Author.URL}}" rel="noreferrer">{{with .Author.Name}}{{.}}{{else}}(unknown){{end}}</a>{{else}}{{with .Author.Name}}{{.}}{{else}}(unknown){{end}}{{end}}</div>
{{with .Author.Title}}<div class="title">{{.}}</div>{{end}}
<dl>
{{with .Author.Joined}}<dt>Joined</dt><dd>{{.}}</dd>{{end}}
{{with .Author.Messages}}<dt>Messages</dt><dd>{{.}}</dd>{{end}}
{{with .Author.ReactionScore}}<dt>Reactions</dt><dd>{{.}}</dd>{{end}}
{{with .Author.Location}}<dt>Location</dt><dd>{{.}}</dd>{{end}}
{{with .Author.Country}}<dt>Country</dt><dd>{{.}}</dd>{{end}}
{{range .Extras}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}
</dl>
</aside>
<div class="main">
<p class="meta"><a href="#{{.Anchor}}">{{with .Number}}#{{.}}{{else}}post {{.ID}}{{end}}</a>
{{with .PostedAt}} · <time datetime="{{iso .}}">{{date .}}</time>{{end}}{{with .PostedText}} ({{.}}){{end}}
{{with .EditedAt}} · edited <time datetime="{{iso .}}">{{date .}}</time>{{end}}
{{with .Archive.DeletedAt}} · <span class="deleted">deleted from the forum by {{date .}}</span>{{end}}
{{with .URL}} · <a href="{{.}}" rel="noreferrer">original</a>{{end}}</p>
<div class="body">{{.Body}}</div>
{{with .Quotes}}<p class="quotes">Quotes: {{range $i, $q := .}}{{if $i}}; {{end}}{{if $q.Anchor}}<a href="#{{$q.Anchor}}">{{with $q.Author}}{{.}}{{else}}a post{{end}}</a>{{else}}{{with $q.Author}}{{.}}{{else}}a post{{end}} (not archived here){{end}}{{end}}</p>{{end}}
{{with .Replies}}<p class="replies">Quoted in: {{range $i, $r := .}}{{if $i}}, {{end}}<a href="#{{$r.Anchor}}">{{$r.Label}}</a>{{end}}</p>{{end}}
{{with .SignatureText}}<div class="sig">{{.}}</div>{{end}}
{{with .Archive.Revisions}}<p class="revisions">{{edited (len .)}}</p>{{end}}
</div>
</article>
{{end}}</main>
<footer>Exported {{.Stamp}}{{with .Generator}} by {{.}}{{end}} from {{.Site}}. Archived content is sanitised: scripts and remote content are removed.</footer>
</body>
</html>
`))

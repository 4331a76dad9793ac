package sampleforum

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"
)

type crumb struct {
	Title string
	URL   string
}

type pageNav struct {
	Current, Last int
	Base          string
}

func (p pageNav) URL(n int) string { return pageURL(p.Base, n) }

// Pages are the page links shown: the first, the last and two either side of the
// current one, as XenForo 2's page nav does, so a page's size does not grow with
// the thread's length.
func (p pageNav) Pages() []int {
	out := make([]int, 0, 7)
	for i := 1; i <= p.Last; i++ {
		if i == 1 || i == p.Last || (i >= p.Current-2 && i <= p.Current+2) {
			out = append(out, i)
		}
	}
	return out
}

var funcs = template.FuncMap{
	"unix":   func(t time.Time) int64 { return t.Unix() },
	"iso":    func(t time.Time) string { return t.Format("2006-01-02T15:04:05-0700") },
	"date":   func(t time.Time) string { return t.Format("Jan 2, 2006") },
	"dtime":  func(t time.Time) string { return t.Format("Jan 2, 2006 at 3:04 PM") },
	"num":    func(n int) string { return commas(n) },
	"html":   func(s string) template.HTML { return template.HTML(s) },
	"thread": ThreadPath,
	"board":  BoardPath,
	"add":    func(a, b int) int { return a + b },
	"slug":   slug,
}

func commas(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

var tmpl = template.Must(template.New("").Funcs(funcs).Parse(`
{{define "head"}}<!DOCTYPE html>
<html id="XF" lang="en-US" dir="LTR" data-xf="2.2" data-app="public" data-template="{{.Template}}" data-container-key="" data-content-key="" data-logged-in="false" class="has-no-js template-{{.Template}}">
<head>
	<meta charset="utf-8" />
	<title>{{.Title}} | {{.Forum}}</title>
	<link rel="canonical" href="{{.Canonical}}" />
	{{if .Next}}<link rel="next" href="{{.Next}}" />{{end}}
	<meta property="og:site_name" content="{{.Forum}}" />
	<meta name="description" content="{{.Description}}" />
</head>
<body data-template="{{.Template}}">
<div class="p-pageWrapper" id="top">
<header class="p-header" id="header"><div class="p-header-logo"><a href="/">{{.Forum}}</a></div></header>
<div class="p-body"><div class="p-body-inner">
<div class="p-breadcrumbs--container"><ul class="p-breadcrumbs" itemscope itemtype="https://schema.org/BreadcrumbList">
{{range $i, $c := .Crumbs}}<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a href="{{$c.URL}}" itemprop="item"><span itemprop="name">{{$c.Title}}</span></a><meta itemprop="position" content="{{add $i 1}}" /></li>
{{end}}</ul></div>
{{end}}

{{define "foot"}}
</div></div>
<footer class="p-footer" id="footer"><div class="p-footer-copyright"><a href="https://xenforo.com" class="u-concealed" dir="ltr" target="_blank" rel="sponsored noopener">Community platform by XenForo<sup>&reg;</sup> <span class="copyright">&copy; 2010-2024 XenForo Ltd.</span></a></div></footer>
</div>
</body>
</html>{{end}}

{{define "pagenav"}}{{if gt .Last 1}}
<div class="block-outer"><div class="block-outer-main"><nav class="pageNavWrapper pageNavWrapper--mixed">
<div class="pageNav">
	{{if gt .Current 1}}<a href="{{.URL (add .Current -1)}}" class="pageNav-jump pageNav-jump--prev">Prev</a>{{end}}
	<ul class="pageNav-main">
	{{range .Pages}}<li class="pageNav-page{{if eq . $.Current}} pageNav-page--current{{end}}"><a href="{{$.URL .}}">{{.}}</a></li>
	{{end}}</ul>
	{{if lt .Current .Last}}<a href="{{.URL (add .Current 1)}}" class="pageNav-jump pageNav-jump--next">Next</a>{{end}}
</div>
<div class="pageNavSimple">{{.Current}} of {{.Last}}</div>
</nav></div></div>
{{end}}{{end}}

{{define "post"}}
<article class="message message--post js-post js-inlineModContainer" data-author="{{.P.Author.Name}}" data-content="post-{{.P.ID}}" id="js-post-{{.P.ID}}">
	<span class="u-anchorTarget" id="post-{{.P.ID}}"></span>
	<div class="message-inner">
		<div class="message-cell message-cell--user">
			<section class="message-user">
				<div class="message-avatar"><div class="message-avatar-wrapper"><a href="/members/{{slug .P.Author.Name}}.{{.P.Author.ID}}/" class="avatar avatar--m" data-user-id="{{.P.Author.ID}}"><span class="avatar-u{{.P.Author.ID}}-m" role="img" aria-label="{{.P.Author.Name}}">{{printf "%.1s" .P.Author.Name}}</span></a></div></div>
				<div class="message-userDetails">
					<h4 class="message-name"><a href="/members/{{slug .P.Author.Name}}.{{.P.Author.ID}}/" class="username" dir="auto" data-user-id="{{.P.Author.ID}}">{{.P.Author.Name}}</a></h4>
					<h5 class="userTitle message-userTitle" dir="auto">{{.P.Author.Title}}</h5>
				</div>
				<div class="message-userExtras">
					<dl class="pairs pairs--justified"><dt>Joined</dt><dd>{{date .P.Author.Joined}}</dd></dl>
					<dl class="pairs pairs--justified"><dt>Messages</dt><dd>{{num .P.Author.Messages}}</dd></dl>
					<dl class="pairs pairs--justified"><dt>Reaction score</dt><dd>{{num .P.Author.Reactions}}</dd></dl>
					{{if .P.Author.Points}}<dl class="pairs pairs--justified"><dt>Points</dt><dd>{{num .P.Author.Points}}</dd></dl>{{end}}
					{{if .P.Author.Location}}<dl class="pairs pairs--justified"><dt>Location</dt><dd><a href="/misc/location-info?location={{.P.Author.Location}}" rel="nofollow noreferrer" target="_blank" class="u-concealed">{{.P.Author.Location}}</a></dd></dl>{{end}}
				</div>
				<span class="message-userArrow"></span>
			</section>
		</div>
		<div class="message-cell message-cell--main">
			<div class="message-main js-quickEditTarget">
				<header class="message-attribution message-attribution--split">
					<ul class="message-attribution-main listInline">
						<li class="u-concealed"><a href="{{thread .T}}post-{{.P.ID}}" rel="nofollow"><time class="u-dt" dir="auto" datetime="{{iso .P.Time}}" data-time="{{unix .P.Time}}" data-date-string="{{date .P.Time}}" data-time-string="{{.P.Time.Format "3:04 PM"}}" title="{{dtime .P.Time}}">{{date .P.Time}}</time></a></li>
					</ul>
					<ul class="message-attribution-opposite message-attribution-opposite--list">
						<li><a href="{{thread .T}}post-{{.P.ID}}" class="message-attribution-gadget" rel="nofollow">Share</a></li>
						<li><a href="{{thread .T}}post-{{.P.ID}}" rel="nofollow">#{{.N}}</a></li>
					</ul>
				</header>
				<div class="message-content js-messageContent">
					<div class="message-userContent lbContainer js-lbContainer" data-lb-id="post-{{.P.ID}}">
						<article class="message-body js-selectToQuote">
							<div class="bbWrapper">{{if .P.Quote}}<blockquote class="bbCodeBlock bbCodeBlock--expandable bbCodeBlock--quote js-expandWatch" data-attributes="member: {{.P.Quote.Author.ID}}" data-quote="{{.P.Quote.Author.Name}}" data-source="post: {{.P.Quote.ID}}">
	<div class="bbCodeBlock-title"><a href="/goto/post?id={{.P.Quote.ID}}" class="bbCodeBlock-sourceJump" rel="nofollow">{{.P.Quote.Author.Name}} said:</a></div>
	<div class="bbCodeBlock-content"><div class="bbCodeBlock-expandContent js-expandContent">{{html .P.Quote.Body}}</div><div class="bbCodeBlock-expandLink js-expandLink"><a role="button" tabindex="0">Click to expand...</a></div></div>
</blockquote>{{end}}{{html .P.Body}}</div>
							<div class="js-selectToQuoteEnd">&nbsp;</div>
						</article>
					</div>
					{{if .P.Edited}}<div class="message-lastEdit">Last edited: <time class="u-dt" dir="auto" datetime="{{iso .P.Edited}}" data-time="{{unix .P.Edited}}" title="{{dtime .P.Edited}}">{{date .P.Edited}}</time></div>{{end}}
				</div>
				<footer class="message-footer"><div class="reactionsBar js-reactionsList"></div></footer>
			</div>
		</div>
	</div>
</article>
{{end}}

{{define "thread"}}{{template "head" .}}
<div class="p-title"><h1 class="p-title-value">{{if .Thread.Prefix}}<span class="label label--blue" dir="auto">{{.Thread.Prefix}}</span><span class="label-append">&nbsp;</span>{{end}}{{.Thread.Title}}</h1></div>
<div class="p-body-main"><div class="p-body-content"><div class="p-body-pageContent">
{{template "pagenav" .Nav}}
<div class="block block--messages" data-type="post" data-href="/inline-mod/">
<div class="block-container lbContainer"><div class="block-body js-replyNewMessageContainer">
{{range .Posts}}{{template "post" .}}{{end}}
</div></div></div>
{{template "pagenav" .Nav}}
</div></div></div>
{{template "foot" .}}{{end}}

{{define "board"}}{{template "head" .}}
<div class="p-title"><h1 class="p-title-value">{{.Board.Title}}</h1></div>
<div class="p-body-main"><div class="p-body-content"><div class="p-body-pageContent">
{{if .Board.Sub}}<div class="block block--nodes"><div class="block-container"><div class="block-body">
{{range .Board.Sub}}<div class="node node--forum node--id{{.ID}}"><div class="node-body"><div class="node-main js-nodeMain"><h3 class="node-title"><a href="{{board .}}" data-xf-init="element-tooltip" data-shortcut="node-description">{{.Title}}</a></h3></div></div></div>
{{end}}</div></div></div>{{end}}
{{template "pagenav" .Nav}}
<div class="block" data-xf-init="" data-type="thread"><div class="block-container"><div class="block-body"><div class="structItemContainer"><div class="structItemContainer-group js-threadList">
{{range .Items}}<div class="structItem structItem--thread js-inlineModContainer js-threadListItem-{{.T.ID}}" data-author="{{.First.Author.Name}}">
	<div class="structItem-cell structItem-cell--main" data-xf-init="touch-proxy">
		<div class="structItem-title">{{if .T.Prefix}}<a href="{{board $.Board}}?prefix_id=1" class="labelLink" rel="nofollow"><span class="label label--blue" dir="auto">{{.T.Prefix}}</span></a>{{end}}<a href="{{thread .T}}" data-tp-primary="on" data-xf-init="preview-tooltip">{{.T.Title}}</a></div>
		<div class="structItem-minor"><ul class="structItem-parts"><li><a href="/members/{{slug .First.Author.Name}}.{{.First.Author.ID}}/" class="username" data-user-id="{{.First.Author.ID}}">{{.First.Author.Name}}</a></li><li class="structItem-startDate"><a href="{{thread .T}}" rel="nofollow"><time class="u-dt" datetime="{{iso .First.Time}}" data-time="{{unix .First.Time}}">{{date .First.Time}}</time></a></li></ul></div>
	</div>
	<div class="structItem-cell structItem-cell--meta" title="First message reaction score: 0">
		<dl class="pairs pairs--justified"><dt>Replies</dt><dd>{{num .Replies}}</dd></dl>
		<dl class="pairs pairs--justified structItem-minor"><dt>Views</dt><dd>{{num .Views}}</dd></dl>
	</div>
	<div class="structItem-cell structItem-cell--latest">
		<a href="{{thread .T}}latest" rel="nofollow"><time class="structItem-latestDate u-dt" dir="auto" datetime="{{iso .Last.Time}}" data-time="{{unix .Last.Time}}" title="{{dtime .Last.Time}}">{{dtime .Last.Time}}</time></a>
		<div class="structItem-minor"><a href="/members/{{slug .Last.Author.Name}}.{{.Last.Author.ID}}/" class="username" data-user-id="{{.Last.Author.ID}}">{{.Last.Author.Name}}</a></div>
	</div>
</div>
{{end}}</div></div></div></div></div>
{{template "pagenav" .Nav}}
</div></div></div>
{{template "foot" .}}{{end}}

{{define "index"}}{{template "head" .}}
<div class="p-title"><h1 class="p-title-value">{{.Forum}}</h1></div>
<div class="p-body-main"><div class="p-body-content"><div class="p-body-pageContent">
<div class="block block--category"><div class="block-container"><div class="block-body">
{{range .Boards}}<div class="node node--forum node--id{{.ID}}"><div class="node-body"><div class="node-main js-nodeMain"><h3 class="node-title"><a href="{{board .}}" data-xf-init="element-tooltip" data-shortcut="node-description">{{.Title}}</a></h3></div></div></div>
{{end}}</div></div></div>
</div></div></div>
{{template "foot" .}}{{end}}
`))

type postView struct {
	T *Thread
	P *Post
	N int
}

type itemView struct {
	T           *Thread
	First, Last *Post
	Replies     int
	Views       int
}

type pageData struct {
	Template, Title, Forum, Canonical, Next, Description string
	Crumbs                                               []crumb
	Nav                                                  pageNav
	Thread                                               *Thread
	Posts                                                []postView
	Board                                                *Board
	Items                                                []itemView
	Boards                                               []*Board
}

func (f *Forum) crumbs(b *Board) []crumb {
	var chain []crumb
	for x := b; x != nil; x = x.parent {
		chain = append([]crumb{{x.Title, BoardPath(x)}}, chain...)
	}
	return append([]crumb{{"Forums", "/"}}, chain...)
}

func (f *Forum) renderThread(w http.ResponseWriter, base string, t *Thread, page, last int) {
	from := (page - 1) * f.PostsPerPage
	to := min(from+f.PostsPerPage, len(t.Posts))
	d := pageData{Template: "thread_view", Title: t.Title, Forum: f.Title, Thread: t,
		Canonical: base + pageURL(ThreadPath(t), page), Crumbs: f.crumbs(t.board),
		Nav: pageNav{Current: page, Last: last, Base: ThreadPath(t)}}
	if page < last {
		d.Next = base + pageURL(ThreadPath(t), page+1)
	}
	for i := from; i < to; i++ {
		d.Posts = append(d.Posts, postView{T: t, P: t.Posts[i], N: i + 1})
	}
	if len(d.Posts) > 0 {
		d.Description = firstWords(d.Posts[0].P.Body)
	}
	render(w, "thread", d)
}

func (f *Forum) renderBoard(w http.ResponseWriter, base string, b *Board, page int) {
	var items []itemView
	for _, t := range b.Threads {
		if len(t.Posts) == 0 {
			continue
		}
		items = append(items, itemView{T: t, First: t.Posts[0], Last: t.Posts[len(t.Posts)-1], Replies: len(t.Posts) - 1, Views: 10 * len(t.Posts)})
	}
	last := pages(len(items), f.ThreadsPerPage)
	if page > last {
		page = last
	}
	from := (page - 1) * f.ThreadsPerPage
	to := min(from+f.ThreadsPerPage, len(items))
	d := pageData{Template: "forum_view", Title: b.Title, Forum: f.Title, Board: b, Items: items[from:to],
		Canonical: base + pageURL(BoardPath(b), page), Crumbs: f.crumbs(b.parent),
		Nav: pageNav{Current: page, Last: last, Base: BoardPath(b)}}
	if page < last {
		d.Next = base + pageURL(BoardPath(b), page+1)
	}
	render(w, "board", d)
}

func (f *Forum) renderIndex(w http.ResponseWriter, base string) {
	render(w, "index", pageData{Template: "forum_list", Title: f.Title, Forum: f.Title, Boards: f.boards, Canonical: base + "/"})
}

func render(w http.ResponseWriter, name string, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := tmpl.ExecuteTemplate(w, name, d); err != nil {
		_, _ = io.WriteString(w, "template error: "+err.Error())
	}
}

func firstWords(html string) string {
	s := strings.NewReplacer("<br>", " ", "<br />", " ").Replace(html)
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	out := strings.Join(strings.Fields(b.String()), " ")
	if len(out) > 150 {
		out = out[:150]
	}
	return out
}

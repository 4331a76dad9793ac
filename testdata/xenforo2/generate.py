#!/usr/bin/env python3
"""Writes the XenForo 2 fixtures in this directory.

The markup follows XenForo 2.0-2.3's public templates (thread_view, post_macros,
message_macros, bb_code quote/code blocks, forum_view/thread_list_macros) with the chrome
real boards carry (nav, ads, similar threads, duplicated theme blocks). All text, names
and boards are invented. Run `python3 generate.py` here, then
`go test ./scraper -run TestGolden -update` and review the goldens.

Go tooling ignores testdata/, so this script is not part of any build.
"""
import datetime as dt
import html
import os

HERE = os.path.dirname(os.path.abspath(__file__))

MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "ru": ["Янв", "Фев", "Мар", "Апр", "Май", "Июн", "Июл", "Авг", "Сен", "Окт", "Ноя", "Дек"],
    "de": ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."],
}

PHRASES = {
    "en": dict(said="said:", expand="Click to expand...", edited="Last edited:", at="at", next="Next", prev="Prev",
               starter="Thread starter", start="Start date", deleted="Deleted by", reason="Reason", show="Show…",
               moderated="This message is awaiting moderator approval, and is invisible to normal visitors.",
               similar="Similar threads", replies="Replies", views="Views", forums="Forums", share="Share",
               reactions="Reactions:", goto="Go to page", of="of", lang="en-US"),
    "ru": dict(said="сказал(а):", expand="Нажмите для раскрытия...", edited="Последнее редактирование:", at="в",
               next="Вперёд", prev="Назад", starter="Автор темы", start="Дата начала", deleted="Удалено",
               reason="Причина", show="Показать…", moderated="Сообщение ожидает одобрения модератором.",
               similar="Похожие темы", replies="Ответы", views="Просмотры", forums="Форумы", share="Поделиться",
               reactions="Реакции:", goto="Перейти к странице", of="из", lang="ru-RU"),
    "de": dict(said="hat gesagt:", expand="Zum Erweitern anklicken....", edited="Zuletzt bearbeitet:", at="um",
               next="Weiter", prev="Zurück", starter="Ersteller", start="Erstellt am", deleted="Gelöscht von",
               reason="Grund", show="Anzeigen…", moderated="Dieser Beitrag wartet auf Freischaltung.",
               similar="Ähnliche Themen", replies="Antworten", views="Aufrufe", forums="Foren", share="Teilen",
               reactions="Reaktionen:", goto="Gehe zu Seite", of="von", lang="de-DE"),
}


def esc(s):
    return html.escape(s, quote=True)


class Board:
    def __init__(self, name, root, lang, offset_hours, version):
        self.name, self.root, self.lang, self.version = name, root, lang, version
        self.tz = dt.timezone(dt.timedelta(hours=offset_hours))
        self.p = PHRASES[lang]

    # -- dates -----------------------------------------------------------------
    def local(self, unix):
        return dt.datetime.fromtimestamp(unix, self.tz)

    def date_str(self, unix):
        d = self.local(unix)
        m = MONTHS[self.lang][d.month - 1]
        if self.lang == "en":
            return f"{m} {d.day}, {d.year}"
        if self.lang == "de":
            return f"{d.day}. {m} {d.year}"
        return f"{d.day} {m} {d.year}"

    def clock_str(self, unix):
        d = self.local(unix)
        if self.lang == "en":
            h = d.hour % 12 or 12
            return f"{h}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"
        return f"{d.hour:02d}:{d.minute:02d}"

    def time_el(self, unix, shown=None, extra_class=""):
        """<time class="u-dt"> as date_dynamic renders it in this board's version."""
        d = self.local(unix)
        iso = d.strftime("%Y-%m-%dT%H:%M:%S%z")
        date, clock = self.date_str(unix), self.clock_str(unix)
        title = f"{date} {self.p['at']} {clock}"
        text = shown or date
        cls = (extra_class + " u-dt").strip()
        if self.version >= (2, 3):
            short = f"{MONTHS[self.lang][d.month - 1]} &#039;{d.year % 100:02d}"
            return (f'<time  class="{cls}" dir="auto" datetime="{iso}" data-timestamp="{unix}" '
                    f'data-date="{esc(date)}" data-time="{clock}" data-short="{short}" title="{esc(title)}">{esc(text)}</time>')
        return (f'<time class="{cls}" dir="auto" datetime="{iso}" data-time="{unix}" '
                f'data-date-string="{esc(date)}" data-time-string="{clock}" title="{esc(title)}">{esc(text)}</time>')

    def url(self, path):
        return self.root + path


class User:
    def __init__(self, name, uid=0, title=None, banners=(), extras=(), style=2):
        self.name, self.uid, self.title = name, uid, title
        self.banners, self.extras, self.style = list(banners), list(extras), style

    def slug(self):
        s = "".join(c if c.isalnum() and c.isascii() else "-" for c in self.name.lower()).strip("-")
        return s or "user"

    def profile(self, board):
        return f"{board.root}members/{self.slug()}.{self.uid}/"


def name_html(board, u, attrs=""):
    if not u.uid:
        return f'<span class="username " dir="auto" data-user-id="0"{attrs}>{esc(u.name)}</span>'
    return (f'<a href="{u.profile(board)}" class="username " dir="auto" data-user-id="{u.uid}" '
            f'data-xf-init="member-tooltip"{attrs}><span class="username--style{u.style}">{esc(u.name)}</span></a>')


def avatar_html(board, u):
    if not u.uid:
        return (f'<span class="avatar avatar--m avatar--default avatar--default--text" data-user-id="0">'
                f'<span class="avatar-u0-m"></span></span>')
    return (f'<a href="{u.profile(board)}" class="avatar avatar--m" data-user-id="{u.uid}" data-xf-init="member-tooltip">\n'
            f'\t\t\t<img src="{board.root}data/avatars/m/0/{u.uid}.jpg?1700000000" alt="{esc(u.name)}" class="avatar-u{u.uid}-m" width="96" height="96" loading="lazy" /> \n\t\t</a>')


def details_html(board, u, cls="message-userDetails"):
    out = [f'\t\t<div class="{cls}">',
           f'\t\t\t<h4 class="message-name">{name_html(board, u)}</h4>']
    if u.title:
        out.append(f'\t\t\t<h5 class="userTitle message-userTitle" dir="auto">{esc(u.title)}</h5>')
    for b in u.banners:
        out.append(f'\t\t\t<div class="userBanner userBanner--staff message-userBanner" dir="auto"><span class="userBanner-before"></span>'
                   f'<strong>{esc(b)}</strong><span class="userBanner-after"></span></div>')
    out.append('\t\t</div>')
    return "\n".join(out)


def extras_html(u, version):
    if not u.extras:
        return ""
    pairs = "pairs pairs--noColon pairs--rows pairs--rows--centered" if version >= (2, 3) else "pairs pairs--justified"
    out = ['\t\t<div class="message-userExtras">']
    for item in u.extras:
        label, value = item[0], item[1]
        field = item[2] if len(item) > 2 else None
        fattr = f' data-field="{field}"' if field else ""
        if label.startswith("icon:"):
            dt_html = f'<i class="fa--xf far fa-map-marker" title="{esc(label[5:])}" aria-hidden="true"></i>'
        else:
            dt_html = esc(label)
        if isinstance(value, list):
            dd_html = (f'<ol class="listInline listInline--customField" data-field="{field}">'
                       + "".join(f"<li>{esc(v)}</li>" for v in value) + "</ol>")
        elif field == "location":
            dd_html = (f'<a href="/misc/location-info?location={esc(value.replace(" ", "+"))}" rel="nofollow noreferrer" '
                       f'target="_blank" class="u-concealed">{esc(value)}</a>')
        else:
            dd_html = esc(value)
        out.append(f'\t\t\t<dl class="{pairs}"{fattr}>\n\t\t\t\t<dt>{dt_html}</dt>\n\t\t\t\t<dd>{dd_html}</dd>\n\t\t\t</dl>')
    out.append('\t\t</div>')
    return "\n".join(out)


def user_cell(board, u, double=False):
    top = ""
    if double:  # theme that renders the name block twice (mobile + desktop copies)
        top = details_html(board, u, "message-userDetails-top") + "\n"
    return f'''\t<section itemscope itemtype="https://schema.org/Person" class="message-user">
{top}\t\t<div class="message-avatar ">
\t\t\t<div class="message-avatar-wrapper">
\t\t\t\t{avatar_html(board, u)}
\t\t\t</div>
\t\t</div>
{details_html(board, u)}
{extras_html(u, board.version)}
\t\t<span class="message-userArrow"></span>
\t</section>'''


def quote(board, body, who=None, post_id=None, uid=None, title=True):
    attrs = ""
    head = ""
    if who:
        attrs = f'data-attributes="member: {uid or 0}" data-quote="{esc(who)}" data-source="post: {post_id}"\n\t'
    if title and who:
        head = (f'\n\t<div class="bbCodeBlock-title">\n\t\t<a href="{board.root}goto/post?id={post_id}" class="bbCodeBlock-sourceJump" '
                f'rel="nofollow" data-xf-click="attribution" data-content-selector="#post-{post_id}">{esc(who)} {board.p["said"]}</a>\n\t</div>')
    elif title is not True and title:
        head = f'\n\t<div class="bbCodeBlock-title">\n\t\t{title}\n\t</div>'
    return (f'<blockquote {attrs}class="bbCodeBlock bbCodeBlock--expandable bbCodeBlock--quote js-expandWatch">{head}\n'
            f'\t<div class="bbCodeBlock-content">\n\t\t<div class="bbCodeBlock-expandContent js-expandContent ">\n\t\t\t{body}\n\t\t</div>\n'
            f'\t\t<div class="bbCodeBlock-expandLink js-expandLink"><a role="button" tabindex="0">{board.p["expand"]}</a></div>\n'
            f'\t</div>\n</blockquote>')


def code_block(code, lang="Code"):
    return (f'<div class="bbCodeBlock bbCodeBlock--screenLimited bbCodeBlock--code">\n\t<div class="bbCodeBlock-title">\n\t\t{lang}:\n\t</div>\n'
            f'\t<div class="bbCodeBlock-content" dir="ltr">\n\t\t<pre class="bbCodeCode" dir="ltr" data-xf-init="code-block" data-lang=""><code>{esc(code)}</code></pre>\n'
            f'\t</div>\n</div>')


AD_IN_POST = ('<div class="samCodeUnit" data-position="post_above_content"><div class="samItem">'
              '<a href="https://ads.example.net/click?id=77" rel="nofollow sponsored">Sponsored: WidgetCo tyres, 20% off this week</a></div></div>')
AD_BETWEEN = ('<div class="samCodeUnit samAlignCenter" data-position="post_below_container_{n}"><div class="samItem samLazyLoading">'
              '<a href="https://ads.example.net/click?id={n}" rel="nofollow sponsored"><img src="https://ads.example.net/banner{n}.png" alt="Advertisement" /></a>'
              '<span class="samItem-caption">Advertisement</span></div></div>')


class Post:
    def __init__(self, pid, user, unix, body, number=None, edited=None, signature=None, deleted=None,
                 moderated=False, shown=None, ad=False, attachments=(), reactions=None):
        self.pid, self.user, self.unix, self.body, self.number = pid, user, unix, body, number
        self.edited, self.signature, self.deleted, self.moderated = edited, signature, deleted, moderated
        self.shown, self.ad, self.attachments, self.reactions = shown, ad, attachments, reactions


def post_html(board, thread, post, double=False):
    u = post.user
    link = f"{thread.url()}post-{post.pid}"
    if post.deleted:
        who, reason, when = post.deleted
        return f'''<div class="message message--deleted message--post js-post js-inlineModContainer"
\tdata-author="{esc(u.name)}"
\tdata-content="post-{post.pid}">

\t<span class="u-anchorTarget" id="post-{post.pid}"></span>
\t<div class="message-inner">
\t\t<div class="message-cell message-cell--user">
{user_cell(board, User(u.name, u.uid, style=u.style), double)}
\t\t</div>
\t\t<div class="message-cell message-cell--main">
\t\t\t<div class="message-attribution">
\t\t\t\t<ul class="listInline listInline--bullet message-attribution-main">
\t\t\t\t\t<li><a href="{link}" class="u-concealed" rel="nofollow">{board.time_el(post.unix)}</a></li>
\t\t\t\t\t<li>{name_html(board, u, ' aria-hidden="true"')}</li>
\t\t\t\t</ul>
\t\t\t</div>

\t\t\t<div class="messageNotice messageNotice--deleted">
\t\t\t\t{board.p["deleted"]} <a href="{who.profile(board)}" class="username " dir="auto" data-user-id="{who.uid}">{esc(who.name)}</a>, {board.time_el(when)}, {board.p["reason"]}: {esc(reason)}.
\t\t\t\t<a href="{board.root}posts/{post.pid}/show" class="u-jsOnly" data-xf-click="inserter" data-replace="[data-content=post-{post.pid}]">{board.p["show"]}</a>
\t\t\t</div>
\t\t</div>
\t</div>
</div>
'''
    if board.version >= (2, 1):
        attribution = f'''\t<header class="message-attribution message-attribution--split">
\t\t<ul class="message-attribution-main listInline ">
\t\t\t<li class="u-concealed">
\t\t\t\t<a href="{link}" rel="nofollow">
\t\t\t\t\t{board.time_el(post.unix, post.shown)}
\t\t\t\t</a>
\t\t\t</li>
\t\t</ul>
\t\t<ul class="message-attribution-opposite message-attribution-opposite--list ">
\t\t\t<li>
\t\t\t\t<a href="{link}" class="message-attribution-gadget" data-xf-init="share-tooltip" data-href="{board.root}posts/{post.pid}/share" aria-label="{board.p["share"]}" rel="nofollow">
\t\t\t\t\t<i class="fa--xf far fa-share-alt" aria-hidden="true"></i>
\t\t\t\t</a>
\t\t\t</li>
\t\t\t<li>
\t\t\t\t<a href="{link}" rel="nofollow">
\t\t\t\t\t#{post.number:,}
\t\t\t\t</a>
\t\t\t</li>
\t\t</ul>
\t</header>'''
    else:  # XenForo 2.0
        attribution = f'''\t<header class="message-attribution">
\t\t<a href="{link}" class="message-attribution-main u-concealed" rel="nofollow">{board.time_el(post.unix, post.shown)}</a>
\t\t<div class="message-attribution-opposite">
\t\t\t<a href="{link}" class="u-concealed" rel="nofollow">#{post.number}</a>
\t\t</div>
\t</header>'''
    notices = ""
    if post.moderated:
        notices = f'\t\t<div class="messageNotice messageNotice--moderated">\n\t\t\t{board.p["moderated"]}\n\t\t</div>\n'
    attach = ""
    if post.attachments:
        items = "".join(
            f'\n\t\t\t<li class="file file--linked">\n\t\t\t\t<a class="u-anchorTarget" id="attachment-{900 + i}"></a>'
            f'\n\t\t\t\t<a class="file-preview js-lbImage" href="{board.root}attachments/{esc(n)}.{900 + i}/" target="_blank"><img src="{board.root}data/attachments/0/{900 + i}-thumb.jpg" alt="{esc(n)}" width="250" height="180" loading="lazy" /></a>'
            f'\n\t\t\t\t<div class="file-content"><div class="file-info"><span class="file-name" title="{esc(n)}">{esc(n)}</span>'
            f'<div class="file-meta">142.3 KB · Views: 37</div></div></div>\n\t\t\t</li>'
            for i, n in enumerate(post.attachments))
        attach = f'\n\t\t<section class="message-attachments">\n\t\t\t<h4 class="block-textHeader">Attachments</h4>\n\t\t\t<ul class="attachmentList">{items}\n\t\t\t</ul>\n\t\t</section>'
    edited = ""
    if post.edited:
        edited = f'\n\t\t<div class="message-lastEdit">\n\t\t\t{board.p["edited"]} {board.time_el(post.edited)}\n\t\t</div>'
    sig = ""
    if post.signature:
        sig = (f'\n\t\t<aside class="message-signature">\n\t\t\t<div class="bbWrapper">{post.signature}</div>\n\t\t</aside>')
    react = ""
    if post.reactions:
        names = ", ".join(f"<bdi>{esc(n)}</bdi>" for n in post.reactions)
        react = (f'\n\t\t<ul class="reactionSummary"><li><span class="reaction reaction--small reaction--1" data-reaction-id="1">'
                 f'<i aria-hidden="true"></i><img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7" class="reaction-sprite js-reaction" alt="Like" title="Like" /></span></li></ul>'
                 f'\n\t\t<span class="u-srOnly">{board.p["reactions"]}</span>\n\t\t<a class="reactionsBar-link" href="{board.root}posts/{post.pid}/reactions" data-xf-click="overlay" data-cache="false">{names}</a>')
    ad = AD_IN_POST if post.ad else ""
    ignored = ""
    return f'''<article class="message message--post js-post js-inlineModContainer {ignored} "
\tdata-author="{esc(u.name)}"
\tdata-content="post-{post.pid}"
\tid="js-post-{post.pid}"
\titemscope itemtype="https://schema.org/Comment" itemid="{board.root}posts/{post.pid}/">

\t<meta itemprop="parentItem" itemscope itemid="{thread.url()}" />

\t<span class="u-anchorTarget" id="post-{post.pid}"></span>

\t<div class="message-inner">
\t\t<div class="message-cell message-cell--user">
{user_cell(board, u, double)}
\t\t</div>
\t\t<div class="message-cell message-cell--main">
\t\t<div class="message-main js-quickEditTarget">

{attribution}

\t<div class="message-content js-messageContent">
{notices}\t<div class="message-userContent lbContainer js-lbContainer "
\t\tdata-lb-id="post-{post.pid}"
\t\tdata-lb-caption-desc="{esc(u.name)} &middot; {esc(board.date_str(post.unix))} {board.p["at"]} {board.clock_str(post.unix)}">

\t\t<article class="message-body js-selectToQuote">
\t\t\t{ad}
\t\t\t<div itemprop="text">
\t\t\t\t<div class="bbWrapper">{post.body}</div>
\t\t\t</div>
\t\t\t<div class="js-selectToQuoteEnd">&nbsp;</div>
\t\t</article>
{attach}
\t</div>{edited}{sig}
\t</div>

\t<footer class="message-footer">
\t\t<div class="reactionsBar js-reactionsList {'is-active' if post.reactions else ''}">{react}
\t\t</div>
\t\t<div class="js-historyTarget message-historyTarget toggleTarget" data-href="trigger-href"></div>
\t</footer>
\t\t</div>
\t\t</div>
\t</div>
</article>
'''


class Thread:
    def __init__(self, board, tid, slug, title, forum_path, starter, start_unix, prefix=None, prefix_link=False, node=12):
        self.board, self.tid, self.slug, self.title, self.forum_path = board, tid, slug, title, forum_path
        self.starter, self.start_unix, self.prefix, self.prefix_link, self.node = starter, start_unix, prefix, prefix_link, node

    def url(self):
        return f"{self.board.root}threads/{self.slug}.{self.tid}/"

    def page_url(self, n):
        return self.url() if n == 1 else f"{self.url()}page-{n}"


def page_nav(board, thread, page, total):
    if total <= 1:
        return ""
    p = board.p
    items = []
    for n in range(1, total + 1):
        if total > 6 and 3 < n < total and abs(n - page) > 1:
            if n == 4 or (n == page + 2):
                items.append(f'\t\t<li class="pageNav-page pageNav-page--skip pageNav-page--skipEnd">\n\t\t\t<a data-xf-init="tooltip" title="{p["goto"]}" data-xf-click="menu" role="button" tabindex="0" aria-expanded="false" aria-haspopup="true">…</a>\n'
                             f'\t\t\t<div class="menu menu--pageJump" data-menu="menu" aria-hidden="true"><div class="menu-content"><h4 class="menu-header">{p["goto"]}</h4>'
                             f'<div class="menu-row" data-xf-init="page-jump" data-page-url="{thread.url()}page-%page%"><div class="inputGroup inputGroup--numbers">'
                             f'<input type="number" pattern="\\d*" class="input input--number js-numberBoxTextInput input input--numberNarrow js-pageJumpPage" value="{page}" min="1" max="{total}" step="1" required="required" /></div></div></div></div>\n\t\t</li>')
            continue
        cls = "pageNav-page"
        if n == page:
            cls += " pageNav-page--current "
        elif abs(n - page) == 1:
            cls += " pageNav-page--later" if n > page else " pageNav-page--earlier"
        items.append(f'\t\t<li class="{cls}"><a href="{thread.page_url(n)}">{n}</a></li>')
    prev = next_ = ""
    if page > 1:
        prev = f'\t<a href="{thread.page_url(page - 1)}" class="pageNav-jump pageNav-jump--prev">{p["prev"]}</a>\n'
    if page < total:
        next_ = f'\t<a href="{thread.page_url(page + 1)}" class="pageNav-jump pageNav-jump--next">{p["next"]}</a>\n'
    nl = "\n"
    return f'''<nav class="pageNavWrapper pageNavWrapper--mixed ">
<div class="pageNav  ">
{prev}\t<ul class="pageNav-main">
{nl.join(items)}
\t</ul>
{next_}</div>
<div class="pageNavSimple">
\t<a class="pageNavSimple-el pageNavSimple-el--current" data-xf-init="tooltip" title="{p["goto"]}" data-xf-click="menu" role="button" tabindex="0">
\t\t{page} {p["of"]} {total}
\t</a>
</div>
</nav>'''


def breadcrumbs(board, thread, bottom=False):
    items = []
    path = [(board.p["forums"], board.root)] + [(name, f"{board.root}forums/{slug}/") for name, slug in thread.forum_path]
    for i, (name, href) in enumerate(path, 1):
        items.append(f'''\t<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem">
\t\t<a href="{href}" itemprop="item">
\t\t\t<span itemprop="name">{esc(name)}</span>
\t\t</a>
\t\t<meta itemprop="position" content="{i}" />
\t</li>''')
    cls = "p-breadcrumbs p-breadcrumbs--bottom" if bottom else "p-breadcrumbs "
    return f'<ul class="{cls}"\n\titemscope itemtype="https://schema.org/BreadcrumbList">\n' + "\n".join(items) + "\n</ul>"


def title_html(thread):
    if not thread.prefix:
        return esc(thread.title)
    label = f'<span class="label label--green" dir="auto">{esc(thread.prefix)}</span>'
    if thread.prefix_link:
        label = f'<a href="{thread.board.root}forums/{thread.forum_path[-1][1]}?prefix_id=4" class="labelLink" rel="nofollow">{label}</a>'
    return f'{label}<span class="label-append">&nbsp;</span>{esc(thread.title)}'


def similar_block(board, items):
    rows = []
    for tid, slug, title, who, unix, replies in items:
        rows.append(f'''\t<div class="structItem structItem--thread js-inlineModContainer js-threadListItem-{tid}" data-author="{esc(who.name)}">
\t\t<div class="structItem-cell structItem-cell--main" data-xf-init="touch-proxy">
\t\t\t<div class="structItem-title"><a href="{board.root}threads/{slug}.{tid}/" class="" data-tp-primary="on">{esc(title)}</a></div>
\t\t\t<div class="structItem-minor"><ul class="structItem-parts">
\t\t\t\t<li>{name_html(board, who)}</li>
\t\t\t\t<li class="structItem-startDate"><a href="{board.root}threads/{slug}.{tid}/" rel="nofollow">{board.time_el(unix)}</a></li>
\t\t\t</ul></div>
\t\t</div>
\t\t<div class="structItem-cell structItem-cell--meta" title="First message reaction score: 2">
\t\t\t<dl class="pairs pairs--justified"><dt>{board.p["replies"]}</dt><dd>{replies}</dd></dl>
\t\t</div>
\t\t<div class="structItem-cell structItem-cell--latest">
\t\t\t<a href="{board.root}threads/{slug}.{tid}/latest" rel="nofollow">{board.time_el(unix + 86400, extra_class="structItem-latestDate")}</a>
\t\t\t<div class="structItem-minor">{name_html(board, who)}</div>
\t\t</div>
\t</div>''')
    return f'''<div class="block" data-widget-id="7" data-widget-key="xfes_thread_view_below_quick_reply_similar_threads" data-widget-definition="xfes_similar_threads">
\t<div class="block-container">
\t\t<h3 class="block-header">{board.p["similar"]}</h3>
\t\t<div class="block-body"><div class="structItemContainer">
''' + "\n".join(rows) + "\n\t\t</div></div>\n\t</div>\n</div>"


def html_open(board, template, container, content, charset="utf-8"):
    attrs = [f'id="XF" lang="{board.p["lang"]}" dir="LTR"']
    if board.version >= (2, 3):
        attrs.append(f'data-xf="{board.version[0]}.{board.version[1]}"')
    attrs += ['data-app="public"', f'data-template="{template}"', f'data-container-key="{container}"']
    if content:
        attrs.append(f'data-content-key="{content}"')
    attrs += ['data-logged-in="false"', 'data-cookie-prefix="xf_"', f'class="has-no-js template-{template}"']
    sep = "\n\t"
    return f'<!DOCTYPE html>\n<html {sep.join(attrs)}\n\t>\n<head>\n\t<meta charset="{charset}" />'


def head_rest(board, title, canonical, nxt=None, prv=None, description=""):
    links = f'\t<link rel="canonical" href="{canonical}" />\n'
    if nxt:
        links += f'\t<link rel="next" href="{nxt}" />\n'
    if prv:
        links += f'\t<link rel="prev" href="{prv}" />\n'
    return f'''\t<meta http-equiv="X-UA-Compatible" content="IE=Edge" />
\t<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
\t<title>{esc(title)} | {esc(board.name)}</title>
\t<meta name="description" content="{esc(description)}" />
\t<meta property="og:site_name" content="{esc(board.name)}" />
\t<meta property="og:type" content="website" />
\t<meta property="og:title" content="{esc(title)}" />
\t<meta property="og:url" content="{canonical}" />
{links}\t<link rel="stylesheet" href="{board.root}css.php?css=public%3Anormalize.css%2Cpublic%3Acore.less%2Cpublic%3Aapp.less&amp;s=1&amp;l=1&amp;d=1700000000" />
\t<script src="{board.root}js/xf/preamble.min.js?_v=4b7b4dbb"></script>
\t<script>XF.ready(() => {{ XF.config.url = {{ fullBase: "{board.root}" }}; }});</script>
</head>
<body data-template="thread_view">
<div class="p-pageWrapper" id="top">
<header class="p-header" id="header">
\t<div class="p-header-inner"><div class="p-header-content">
\t\t<div class="p-header-logo p-header-logo--image"><a href="{board.root}"><img src="{board.root}styles/default/xenforo/logo.png" alt="{esc(board.name)}" width="100" height="36" /></a></div>
\t</div></div>
</header>
<div class="p-navSticky p-navSticky--primary" data-xf-init="sticky-header">
\t<nav class="p-nav"><div class="p-nav-inner"><div class="p-nav-scroller hScroller"><div class="hScroller-scroll">
\t\t<ul class="p-nav-list js-offCanvasNavSource">
\t\t\t<li><div class="p-navEl is-selected"><a href="{board.root}" class="p-navEl-link">{board.p["forums"]}</a></div></li>
\t\t\t<li><div class="p-navEl "><a href="{board.root}whats-new/" class="p-navEl-link">What's new</a></div></li>
\t\t\t<li><div class="p-navEl "><a href="{board.root}members/" class="p-navEl-link">Members</a></div></li>
\t\t</ul>
\t</div></div></div></nav>
</div>
<div class="p-body">
\t<div class="p-body-inner">
'''


def tail(board):
    return f'''\t</div>
</div>
<footer class="p-footer" id="footer">
\t<div class="p-footer-inner">
\t\t<div class="p-footer-row"><div class="p-footer-row-opposite"><ul class="p-footer-linkList">
\t\t\t<li><a href="{board.root}misc/contact" data-xf-click="overlay">Contact us</a></li>
\t\t\t<li><a href="{board.root}help/terms/">Terms and rules</a></li>
\t\t</ul></div></div>
\t\t<div class="p-footer-copyright">Community platform by XenForo<sup>&reg;</sup> <span class="copyright">&copy; 2010-2024 XenForo Ltd.</span></div>
\t</div>
</footer>
</div> <!-- closing p-pageWrapper -->
<div class="u-bottomFixer js-bottomFixTarget"></div>
<script>XF.config.jsState = {{}};</script>
</body>
</html>
'''


def thread_page(thread, page, total, posts, double=False, similar=None, ads_between=False, charset="utf-8"):
    board = thread.board
    canonical = thread.page_url(page)
    nxt = thread.page_url(page + 1) if page < total else None
    prv = thread.page_url(page - 1) if page > 1 else None
    out = [html_open(board, "thread_view", f"node-{thread.node}", f"thread-{thread.tid}", charset),
           head_rest(board, thread.title, canonical, nxt, prv, description=thread.title)]
    out.append(breadcrumbs(board, thread))
    out.append('''<noscript class="js-jsWarning"><div class="blockMessage blockMessage--important blockMessage--iconic u-noJsOnly">JavaScript is disabled. For a better experience, please enable JavaScript in your browser before proceeding.</div></noscript>''')
    out.append(f'''<div class="p-body-header">
\t<div class="p-title ">
\t\t<h1 class="p-title-value">{title_html(thread)}</h1>
\t</div>
\t<div class="p-description">
\t\t<ul class="listInline listInline--bullet">
\t\t\t<li>
\t\t\t\t<i class="fa--xf far fa-user" aria-hidden="true" title="{board.p["starter"]}"></i>
\t\t\t\t<span class="u-srOnly">{board.p["starter"]}</span>
\t\t\t\t{name_html(board, thread.starter)}
\t\t\t</li>
\t\t\t<li>
\t\t\t\t<i class="fa--xf far fa-clock" aria-hidden="true" title="{board.p["start"]}"></i>
\t\t\t\t<span class="u-srOnly">{board.p["start"]}</span>
\t\t\t\t<a href="{thread.url()}" class="u-concealed">{board.time_el(thread.start_unix)}</a>
\t\t\t</li>
\t\t</ul>
\t</div>
</div>
<div class="p-body-main  ">
<div class="p-body-content">
<div class="p-body-pageContent">''')
    nav = page_nav(board, thread, page, total)
    out.append(f'<div class="block block--messages" data-xf-init="" data-type="post" data-href="{board.root}inline-mod/" data-search-target="*">')
    out.append(f'\t<span class="u-anchorTarget" id="posts"></span>\n\t<div class="block-outer"><div class="block-outer-main">{nav}</div></div>')
    out.append(f'\t<div class="block-outer js-threadStatusField"></div>\n\t<div class="block-container lbContainer" data-xf-init="lightbox select-to-quote" data-message-selector=".js-post" data-lb-id="thread-{thread.tid}" data-lb-universal="0">\n\t<div class="block-body js-replyNewMessageContainer">')
    for i, post in enumerate(posts, 1):
        out.append(post_html(board, thread, post, double))
        if ads_between and i % 2 == 0:
            out.append(AD_BETWEEN.format(n=i))
    out.append('\t</div>\n\t</div>')
    out.append(f'\t<div class="block-outer block-outer--after"><div class="block-outer-main">{nav}</div></div>\n</div>')
    if similar:
        out.append(similar_block(board, similar))
    out.append('</div>\n</div>\n</div>')
    out.append(breadcrumbs(board, thread, bottom=True))
    out.append(tail(board))
    return "\n".join(out)


def write(name, text, encoding="utf-8"):
    # XenForo links are root-relative; only the canonical link and og:url are absolute.
    for root in ("https://spokeandchain.example.org/", "https://veloklub.example.ru/",
                 "https://radforum-sued.example.de/", "https://garazh.example.ru/"):
        for attr in ("href", "src", "data-href", "data-preview-url", "data-page-url"):
            text = text.replace(f'{attr}="{root}', f'{attr}="/')
        text = text.replace('<link rel="canonical" href="/', f'<link rel="canonical" href="{root}') if root in text else text
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(text.encode(encoding))


# ---------------------------------------------------------------------------------------
# English board, XenForo 2.2: the multi-page thread.
EN = Board("Spoke & Chain", "https://spokeandchain.example.org/", "en", 0, (2, 2))
maren = User("Maren Oduya", 17, "Well-known member", extras=[
    ("Joined", "Mar 14, 2019"), ("Messages", "2,418"), ("Reaction score", "3,906"), ("Points", "113"),
    ("Location", "Bristol, UK", "location"), ("Country", "United Kingdom", "country"), ("Main bike", "1978 Raleigh Competition", "main_bike")])
tomas = User("tomas.k", 204, "Member", extras=[("Joined", "Nov 2, 2021"), ("Messages", "87"), ("Reaction score", "41")])
admin = User("Spoke Admin", 1, "Administrator", banners=["Staff member"], style=3, extras=[
    ("Joined", "Jan 5, 2010"), ("Messages", "15,002"), ("Reaction score", "22,310"), ("Points", "1,065")])
yuki = User("ゆき (Yuki)", 311, "New member", extras=[("Joined", "Jan 3, 2024"), ("Messages", "12")])
oleg = User("Олег", 98, "Well-known member", extras=[("Joined", "Jul 8, 2016"), ("Messages", "1,130"), ("Reaction score", "640"),
                                                      ("Location", "Tallinn", "location"), ("Riding style", ["Touring", "Commuting"], "riding_style")])
guest = User("Peddler42", 0, "Guest")
mod = User("Gearhead Lu", 52, "Moderator", banners=["Staff member", "Moderator"], style=4, extras=[
    ("Joined", "Feb 9, 2012"), ("Messages", "9,871"), ("Reaction score", "12,544"), ("Points", "613")])

bike = Thread(EN, 4821, "restoring-a-1978-raleigh-road-bike", "Restoring a 1978 Raleigh road bike",
              [("Workshop", "workshop.12")], maren, 1709478300, prefix="Guide", node=12)
SIG_MAREN = 'Slow is smooth, smooth is fast. <a href="https://maren-rides.example.com/" target="_blank" class="link link--external" rel="nofollow ugc noopener">My build log</a>'
T0 = 1709478300  # 2024-03-03 15:05 UTC

p1 = [
    Post(70101, maren, T0, 'Picked up a 1978 Raleigh Competition frame at a jumble sale for £25. Reynolds 531 tubing, original decals mostly intact.<br />\n<br />\n'
         'Plan for this thread:<br />\n<ul>\n<li data-xf-list-type="ul">strip and assess the frame</li>\n<li data-xf-list-type="ul">rebuild the bottom bracket</li>\n<li data-xf-list-type="ul">new bar tape &amp; cables</li>\n</ul>\n'
         'Photos to follow once the rust converter has done its job.',
         number=1, signature=SIG_MAREN, ad=True, attachments=["frame-before.jpg"], reactions=["tomas.k", "Gearhead Lu"]),
    Post(70114, tomas, T0 + 3 * 3600 + 120, 'Nice find! Check the bottom bracket shell threading before you buy parts &mdash; some of these were Italian thread, not British.',
         number=2),
    Post(70120, admin, T0 + 5 * 3600 + 600,
         quote(EN, "Picked up a 1978 Raleigh Competition frame at a jumble sale for £25.", "Maren Oduya", 70101, 17)
         + '\nTwenty-five pounds for 531? That is a steal. Pinning this as a guide thread.',
         number=3, edited=T0 + 5 * 3600 + 1500),
    Post(70133, yuki, T0 + 26 * 3600, 'ありがとう！私も古いランドナーを直しています 🚲🔧 同じ年式のフレームです。<br />\n(Thanks! I am fixing an old randonneur too.)', number=4),
    Post(70140, oleg, T0 + 27 * 3600 + 45,
         quote(EN, quote(EN, "Check the bottom bracket shell threading before you buy parts", "tomas.k", 70114, 204)
               + "\n\t\t\tSeconding this. Mine was marked 36 x 24 TPI.", "Spoke Admin", 70120, 1)
         + '\nОтличный проект. Measure twice: my Raleigh from the same year was British thread after all.<br />\n'
         + code_block("BSA: 1.370\" x 24 TPI\nITA: 36 mm x 24 TPI"),
         number=5, signature='<b>Олег</b> — Tallinn, mostly by bike'),
]
p2 = [
    Post(70152, maren, T0 + 2 * 86400, 'Frame stripped. Decals survive on the down tube only, the seat tube is bare metal.', number=6, signature=SIG_MAREN),
    Post(70158, guest, T0 + 2 * 86400 + 3000, 'Lurker here. Anyone know if the original Brooks saddle was standard on the Competition?', number=7),
    Post(70161, tomas, T0 + 2 * 86400 + 4000, "", deleted=(mod, "duplicate post", T0 + 2 * 86400 + 4500)),
    Post(70166, admin, T0 + 2 * 86400 + 7200,
         quote(EN, "The saddle was a Brooks B17 on most of them, as far as I know.", title=False)
         + '\nSomeone asked this in the old forum too; the catalogue scan says B17.', number=9),
    Post(70170, tomas, T0 + 3 * 86400, 'New member here, my first reply got held by the spam filter, sorry if this shows twice.', number=10, moderated=True),
    Post(70175, mod, T0 + 3 * 86400 + 600, 'Approved. Please keep photos under 2 MB each.', number=11, shown="Yesterday at 3:15 PM"),
]
p3 = [
    Post(70190, maren, T0 + 6 * 86400, 'Finished! Rode it 40 km on Sunday without a creak. Thanks all for the help.', number=12, signature=SIG_MAREN,
         edited=T0 + 6 * 86400 + 9000, attachments=["finished-1.jpg", "finished-2.jpg"]),
    Post(70193, yuki, T0 + 6 * 86400 + 500, 'すごい！ Beautiful result 😍', number=13),
    Post(70198, mod, T0 + 7 * 86400, 'Closing this as solved — great guide, Maren.', number=14),
]
SIMILAR = [(4790, "bb-shell-threads-explained", "BB shell threads explained", tomas, T0 - 90 * 86400, 14),
           (4402, "what-saddle-for-vintage-road", "What saddle for a vintage road bike?", oleg, T0 - 200 * 86400, 31)]
write("thread-p1.html", thread_page(bike, 1, 3, p1, similar=SIMILAR, ads_between=True))
write("thread-p2.html", thread_page(bike, 2, 3, p2, ads_between=True))
write("thread-p3.html", thread_page(bike, 3, 3, p3, similar=SIMILAR))

# ---------------------------------------------------------------------------------------
# Russian board, XenForo 2.1, theme renders the author block twice.
RU = Board("ВелоКлуб", "https://veloklub.example.ru/", "ru", 3, (2, 1))
ru_a = User("Кирилл_В", 3, "Завсегдатай", banners=["Команда форума"], style=3, extras=[
    ("Регистрация", "12 Мар 2015"), ("Сообщения", "4,210"), ("Реакции", "1,877"), ("Баллы", "213"), ("Откуда", "Казань", "location")])
ru_b = User("Аня 🚴", 145, "Участник", extras=[("Сообщения", "64"), ("Реакции", "19")])
ru_c = User("dmitry_m", 88, extras=[("Регистрация", "2 Сен 2018"), ("Сообщения", "512"), ("Баллы", "28")])
ru_thread = Thread(RU, 912, "kak-vybrat-velosiped-dlja-goroda", "Как выбрать велосипед для города",
                   [("Общение", "obschenie.5"), ("Советы новичкам", "sovety.9")], ru_a, 1700000000, node=9)
R0 = 1700600000
ru_posts = [
    Post(5501, ru_b, R0, 'Спасибо всем за советы! Взяла гибрид с планетарной втулкой 🙂', number=21),
    Post(5504, ru_a, R0 + 3600,
         quote(RU, "Взяла гибрид с планетарной втулкой", "Аня 🚴", 5501, 145)
         + '\nОтличный выбор для города. Не забудьте про крылья и фонарь.', number=22),
    Post(5509, ru_c, R0 + 7200,
         quote(RU, "Крылья обязательно, у нас слякоть полгода.", title='<a href="https://veloklub.example.ru/goto/post?id=5480" class="bbCodeBlock-sourceJump" rel="nofollow" data-xf-click="attribution">Кирилл_В сказал(а):</a>')
         + '\nСогласен. Ещё советую замок потяжелее — в центре воруют.', number=23, edited=R0 + 9000),
]
write("ru-thread-p2.html", thread_page(ru_thread, 2, 2, ru_posts, double=True))

# ---------------------------------------------------------------------------------------
# German board, XenForo 2.3 (data-timestamp), prefix as a link, edited post, signature.
DE = Board("Radforum Süd", "https://radforum-sued.example.de/", "de", 1, (2, 3))
de_a = User("Jürgen Weiß", 21, "Bekanntes Mitglied", extras=[
    ("Registriert", "4. Mai 2014"), ("Beiträge", "3.517"), ("Reaktionspunkte", "2.904"), ("Punkte", "113"), ("icon:Ort", "München", "location")])
de_b = User("Fahrradfreundin", 407, "Neues Mitglied", extras=[("Registriert", "19. Feb. 2024"), ("Beiträge", "9")])
de_thread = Thread(DE, 3310, "kettenschaltung-springt-unter-last", "Kettenschaltung springt unter Last",
                   [("Technik", "technik.3"), ("Schaltung & Antrieb", "schaltung.7")], de_b, 1712300000, prefix="Gelöst", prefix_link=True, node=7)
D0 = 1712300000
de_posts = [
    Post(88001, de_b, D0, 'Hallo zusammen, meine Kette springt am mittleren Ritzel, sobald ich bergauf antrete. Neue Kette ist erst 300 km alt.', number=1),
    Post(88007, de_a, D0 + 5400,
         quote(DE, "meine Kette springt am mittleren Ritzel", "Fahrradfreundin", 88001, 407)
         + '\nKlingt nach verschlissenem Ritzelpaket. Eine neue Kette auf alter Kassette springt fast immer.',
         number=2, edited=D0 + 6000, signature='Grüße aus München — Jürgen'),
    Post(88012, de_b, D0 + 86400, 'Danke, Kassette getauscht, alles läuft wieder! Thema kann als gelöst markiert werden.', number=3),
]
write("de-thread-23.html", thread_page(de_thread, 1, 1, de_posts))

# ---------------------------------------------------------------------------------------
# XenForo 2.0 page served as windows-1251.
CP = Board("Гаражный форум", "https://garazh.example.ru/", "ru", 3, (2, 0))
cp_a = User("Механик", 7, "Старожил", extras=[("Регистрация", "5 Янв 2011"), ("Сообщения", "9,999")])
cp_b = User("Светлана", 61, "Участник", extras=[("Сообщения", "15")])
cp_thread = Thread(CP, 77, "skripit-pedal", "Скрипит педаль", [("Ремонт", "remont.2")], cp_b, 1600000000, node=2)
cp_posts = [
    Post(1201, cp_b, 1600000000, 'Подскажите, скрипит левая педаль при каждом обороте. Смазка не помогла.', number=1),
    Post(1202, cp_a, 1600003600, quote(CP, "скрипит левая педаль", "Светлана", 1201, 61)
         + '\nПроверьте затяжку шатуна и резьбу педали — «скрип» часто оттуда.', number=2, signature='Механик — чиню с 1998 года'),
]
write("cp1251-thread.html", thread_page(cp_thread, 1, 1, cp_posts, charset="windows-1251"), encoding="cp1251")

# ---------------------------------------------------------------------------------------
# Benchmark page: 20 posts, about 100 KB.
bench_users = [maren, tomas, admin, yuki, oleg, mod]
LOREM = ("The derailleur hanger was bent a few degrees inward, which explains the ghost shifting on the smallest cog. "
         "I straightened it with the alignment tool, re-indexed the cable tension and rode a test loop of the park. ")
bench_posts = []
for i in range(20):
    u = bench_users[i % len(bench_users)]
    body = LOREM.strip() + "<br />\n<br />\n" + f"Update {i + 1}: torque on the crank bolts checked at 40 Nm."
    if i % 4 == 1:
        body = quote(EN, LOREM.strip(), bench_users[(i - 1) % 6].name, 80100 + i - 1, bench_users[(i - 1) % 6].uid) + "\n" + body
    if i % 5 == 2:
        body += "<br />\n" + code_block("cable tension: +1/4 turn\nlimit screw H: -1/2 turn")
    bench_posts.append(Post(80100 + i, u, T0 + i * 1800, body, number=21 + i,
                            signature=SIG_MAREN if u is maren else None, edited=(T0 + i * 1800 + 600) if i % 6 == 0 else None,
                            attachments=["hanger.jpg"] if i % 7 == 3 else (), reactions=["tomas.k", "Олег"] if i % 3 == 0 else None))
bench_thread = Thread(EN, 5100, "derailleur-ghost-shifting-diary", "Derailleur ghost shifting diary", [("Workshop", "workshop.12")], maren, T0, node=12)
write("bench-20.html", thread_page(bench_thread, 2, 7, bench_posts, ads_between=True))


# ---------------------------------------------------------------------------------------
# Forum listings (forum_view): sub-forums and threads.
def listing_page(board, forum_title, forum_slug, page, total, subforums, threads, path):
    p = board.p
    fake = Thread(board, 0, "", forum_title, path, None, 0)
    base = f"{board.root}forums/{forum_slug}/"
    page_url = base if page == 1 else f"{base}page-{page}"

    class ForumNav:
        def url(self):
            return base

        def page_url(self, n):
            return base if n == 1 else f"{base}page-{n}"

    nav = page_nav(board, ForumNav(), page, total)
    nodes = []
    for nid, slug, title, desc in subforums:
        nodes.append(f'''\t<div class="node node--id{nid} node--depth2 node--forum node--read">
\t\t<div class="node-body">
\t\t\t<span class="node-icon" aria-hidden="true"><i class="fa--xf far fa-comments" aria-hidden="true"></i></span>
\t\t\t<div class="node-main js-nodeMain">
\t\t\t\t<h3 class="node-title"><a href="{board.root}forums/{slug}.{nid}/" data-xf-init="element-tooltip" data-shortcut="node-description">{esc(title)}</a></h3>
\t\t\t\t<div class="node-description node-description--tooltip js-nodeDescTooltip">{esc(desc)}</div>
\t\t\t</div>
\t\t\t<div class="node-stats"><dl class="pairs pairs--rows"><dt>Threads</dt><dd>48</dd></dl><dl class="pairs pairs--rows"><dt>Messages</dt><dd>1.1K</dd></dl></div>
\t\t</div>
\t</div>''')
    rows = []
    for tid, slug, title, prefix, who, start, replies, views, last, last_who, sticky, pages in threads:
        status = ""
        if sticky:
            status = '\t\t\t<ul class="structItem-statuses"><li><i class="structItem-status structItem-status--sticky" aria-hidden="true" title="Sticky"></i><span class="u-srOnly">Sticky</span></li></ul>\n'
        label = ""
        if prefix:
            label = f'<a href="{base}?prefix_id=2" class="labelLink" rel="nofollow"><span class="label label--blue" dir="auto">{esc(prefix)}</span></a>\n\t\t\t\t'
        pj = ""
        if pages > 1:
            links = "".join(f'<a href="{board.root}threads/{slug}.{tid}/page-{n}">{n}</a>' for n in range(2, pages + 1))
            pj = f'\n\t\t\t\t<span class="structItem-pageJump">{links}</span>'
        rows.append(f'''\t<div class="structItem structItem--thread{' structItem--sticky' if sticky else ''} js-inlineModContainer js-threadListItem-{tid}" data-author="{esc(who.name)}">
\t\t<div class="structItem-cell structItem-cell--icon"><div class="structItem-iconContainer">{avatar_html(board, who)}</div></div>
\t\t<div class="structItem-cell structItem-cell--main" data-xf-init="touch-proxy">
{status}\t\t\t<div class="structItem-title">
\t\t\t\t{label}<a href="{board.root}threads/{slug}.{tid}/" class="" data-tp-primary="on" data-xf-init="preview-tooltip" data-preview-url="{board.root}threads/{slug}.{tid}/preview">{esc(title)}</a>
\t\t\t</div>
\t\t\t<div class="structItem-minor">
\t\t\t\t<ul class="structItem-parts">
\t\t\t\t\t<li>{name_html(board, who)}</li>
\t\t\t\t\t<li class="structItem-startDate"><a href="{board.root}threads/{slug}.{tid}/" rel="nofollow">{board.time_el(start)}</a></li>
\t\t\t\t</ul>{pj}
\t\t\t</div>
\t\t</div>
\t\t<div class="structItem-cell structItem-cell--meta" title="First message reaction score: 3">
\t\t\t<dl class="pairs pairs--justified"><dt>{p["replies"]}</dt><dd>{replies}</dd></dl>
\t\t\t<dl class="pairs pairs--justified structItem-minor"><dt>{p["views"]}</dt><dd>{views}</dd></dl>
\t\t</div>
\t\t<div class="structItem-cell structItem-cell--latest">
\t\t\t<a href="{board.root}threads/{slug}.{tid}/latest" rel="nofollow">{board.time_el(last, extra_class="structItem-latestDate")}</a>
\t\t\t<div class="structItem-minor">{name_html(board, last_who)}</div>
\t\t</div>
\t</div>''')
    nxt = f"{base}page-{page + 1}" if page < total else None
    prv = (base if page == 2 else f"{base}page-{page - 1}") if page > 1 else None
    out = [html_open(board, "forum_view", f"node-{path[-1][1].split('.')[-1]}", None),
           head_rest(board, forum_title, page_url, nxt, prv).replace('data-template="thread_view"', 'data-template="forum_view"'),
           breadcrumbs(board, fake),
           f'<div class="p-body-header">\n\t<div class="p-title ">\n\t\t<h1 class="p-title-value">{esc(forum_title)}</h1>\n\t</div>\n</div>',
           '<div class="p-body-main  "><div class="p-body-content"><div class="p-body-pageContent">']
    if nodes:
        out.append('<div class="block block--nodes">\n<div class="block-container"><div class="block-body">\n' + "\n".join(nodes) + '\n</div></div>\n</div>')
    out.append(f'<div class="block" data-xf-init="" data-type="thread" data-href="{board.root}inline-mod/">')
    out.append(f'\t<div class="block-outer"><div class="block-outer-main">{nav}</div></div>')
    out.append('\t<div class="block-container"><div class="block-body">\n\t<div class="structItemContainer">')
    out.append('\t<div class="structItemContainer-group structItemContainer-group--sticky">')
    out += [r for r, t in zip(rows, threads) if t[10]]
    out.append('\t</div>\n\t<div class="structItemContainer-group js-threadList">')
    out += [r for r, t in zip(rows, threads) if not t[10]]
    out.append('\t</div>\n\t</div>\n\t</div></div>')
    out.append(f'\t<div class="block-outer block-outer--after"><div class="block-outer-main">{nav}</div></div>\n</div>')
    out.append('</div></div></div>')
    out.append(tail(board))
    return "\n".join(out)


write("forum-workshop-p1.html", listing_page(
    EN, "Workshop", "workshop.12", 1, 3,
    [(30, "wheels-and-tyres", "Wheels & Tyres", "Truing, tubeless, punctures"), (31, "frames-and-forks", "Frames & Forks", "Steel, alloy, carbon repairs")],
    [(4821, "restoring-a-1978-raleigh-road-bike", "Restoring a 1978 Raleigh road bike", "Guide", maren, T0, 13, "2,940", T0 + 7 * 86400, mod, True, 3),
     (5100, "derailleur-ghost-shifting-diary", "Derailleur ghost shifting diary", None, maren, T0, 139, "12K", T0 + 9 * 86400, tomas, False, 7),
     (4790, "bb-shell-threads-explained", "BB shell threads explained", None, tomas, T0 - 90 * 86400, "1.2K", "88.5K", T0 - 2 * 86400, oleg, False, 61)],
    [("Workshop", "workshop.12")]))
write("forum-de-23-p2.html", listing_page(
    DE, "Schaltung & Antrieb", "schaltung.7", 2, 2, [],
    [(3310, "kettenschaltung-springt-unter-last", "Kettenschaltung springt unter Last", "Gelöst", de_b, D0, 2, "311", D0 + 86400, de_b, False, 1),
     (3290, "nabenschaltung-oel-wechseln", "Nabenschaltung: Öl wechseln?", None, de_a, D0 - 30 * 86400, "1K", "1.021", D0 - 86400, de_b, False, 51)],
    [("Technik", "technik.3"), ("Schaltung & Antrieb", "schaltung.7")]))
print("fixtures written")

package export

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"sort"
	"strings"
	"time"

	"github.com/forumarc/forumarc/store"
)

// Markdown writes one Markdown file per thread into dir: a heading per post with its
// author and date, quotes as block quotes naming their author, then the post's text.
// Post text is written from body_text (readable text, quotes excluded) with Markdown
// syntax characters escaped, so a post can never inject links, images or HTML.
func Markdown(dir Dir, posts iter.Seq2[*store.PostRecord, error]) (Counts, error) {
	return perThread(dir, "md", posts, WriteThreadMarkdown)
}

// WriteThreadMarkdown writes one thread as Markdown.
func WriteThreadMarkdown(w io.Writer, thread []*store.PostRecord) error {
	if len(thread) == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	first := thread[0]
	title := deref(first.Thread.Title)
	if title == "" {
		title = "Untitled thread"
	}
	if p := deref(first.Thread.Prefix); p != "" {
		title = "[" + p + "] " + title
	}
	fmt.Fprintf(bw, "# %s\n\n", mdEscape(title))
	if len(first.Thread.ForumPath) > 0 {
		parts := make([]string, len(first.Thread.ForumPath))
		for i, s := range first.Thread.ForumPath {
			parts[i] = mdEscape(s)
		}
		fmt.Fprintf(bw, "%s  \n", strings.Join(parts, " › "))
	}
	if u := deref(first.Thread.URL); u != "" {
		fmt.Fprintf(bw, "Archived from <%s>, %d posts.\n\n", mdURL(u), len(thread))
	}
	anchors := map[string]bool{}
	for _, p := range thread {
		anchors[p.ID] = true
	}
	for _, p := range thread {
		bw.WriteString("---\n\n")
		label := "Post " + p.ID
		if p.Number != nil {
			label = fmt.Sprintf("#%d", *p.Number)
		}
		author := deref(p.Author.Name)
		if author == "" {
			author = "(unknown)"
		}
		fmt.Fprintf(bw, "<a id=\"post-%s\"></a>\n\n## %s · %s", mdAttr(p.ID), label, mdEscape(author))
		if p.PostedAt != nil {
			fmt.Fprintf(bw, " · %s", p.PostedAt.UTC().Format("2006-01-02 15:04 UTC"))
		} else if p.PostedText != nil {
			fmt.Fprintf(bw, " · %s", mdEscape(*p.PostedText))
		}
		bw.WriteString("\n\n")
		var side []string
		if t := deref(p.Author.Title); t != "" {
			side = append(side, mdEscape(t))
		}
		if j := deref(p.Author.Joined); j != "" {
			side = append(side, "joined "+mdEscape(j))
		}
		if p.Author.Messages != nil {
			side = append(side, fmt.Sprintf("%d messages", *p.Author.Messages))
		}
		if l := deref(p.Author.Location); l != "" {
			side = append(side, mdEscape(l))
		}
		keys := make([]string, 0, len(p.Author.Extras))
		for k := range p.Author.Extras {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			side = append(side, mdEscape(k)+": "+mdEscape(p.Author.Extras[k]))
		}
		if len(side) > 0 {
			fmt.Fprintf(bw, "*%s*\n\n", strings.Join(side, " · "))
		}
		if p.EditedAt != nil {
			fmt.Fprintf(bw, "*Edited %s*\n\n", p.EditedAt.UTC().Format(time.RFC3339))
		}
		if p.Archive.DeletedAt != nil {
			fmt.Fprintf(bw, "*Deleted from the forum by %s*\n\n", p.Archive.DeletedAt.UTC().Format(time.RFC3339))
		}
		for _, q := range p.Quotes {
			who := deref(q.Author)
			if who == "" {
				who = "Someone"
			}
			line := mdEscape(who) + " wrote"
			if q.PostID != nil && anchors[*q.PostID] {
				line = fmt.Sprintf("[%s](#post-%s)", line, mdAttr(*q.PostID))
			}
			fmt.Fprintf(bw, "> %s:\n>\n", line)
			for _, l := range strings.Split(q.Text, "\n") {
				fmt.Fprintf(bw, "> %s\n", mdEscape(l))
			}
			bw.WriteString("\n")
		}
		writeParagraphs(bw, p.BodyText)
		if s := deref(p.SignatureText); s != "" {
			bw.WriteString("\n*Signature:*  \n")
			writeParagraphs(bw, s)
		}
		if p.URL != nil {
			fmt.Fprintf(bw, "\n[Original](<%s>)\n", mdURL(*p.URL))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// writeParagraphs writes text line by line with hard line breaks, keeping blank lines
// as paragraph breaks.
func writeParagraphs(w *bufio.Writer, text string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		w.WriteString(mdEscape(l))
		if i < len(lines)-1 && l != "" && lines[i+1] != "" {
			w.WriteString("  ")
		}
		w.WriteString("\n")
	}
}

// mdSpecial are the characters escaped everywhere: emphasis, code, links, images,
// raw HTML and entity starts.
var mdSpecial = strings.NewReplacer(`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "&", `\&`, "|", `\|`, "~", `\~`)

// mdEscape makes one line of text literal Markdown: special characters escaped, and
// characters that only matter at the start of a line (headings, lists, quotes) too.
func mdEscape(s string) string {
	s = mdSpecial.Replace(s)
	trim := strings.TrimLeft(s, " \t")
	if trim == "" {
		return trim
	}
	lead := s[:len(s)-len(trim)]
	switch trim[0] {
	case '#', '-', '+', '=':
		return lead + `\` + trim
	}
	// "1. " and "1) " start ordered lists.
	i := 0
	for i < len(trim) && trim[i] >= '0' && trim[i] <= '9' {
		i++
	}
	if i > 0 && i < len(trim) && (trim[i] == '.' || trim[i] == ')') {
		return lead + trim[:i] + `\` + trim[i:]
	}
	return s
}

// mdURL makes a URL safe inside <...> autolink brackets.
func mdURL(u string) string {
	return strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "\n", "").Replace(u)
}

// mdAttr keeps an anchor id to characters that need no quoting.
func mdAttr(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "_%x", r)
		}
	}
	return b.String()
}

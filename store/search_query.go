package store

import (
	"fmt"
	"strings"
	"unicode"
)

// SearchQuery reads a query as a person types it and returns the FTS5 expression to
// pass to Search. Operators used on purpose keep their meaning: AND, OR, NOT and
// NEAR(…) in capitals, "quoted phrases", a * ending a word (prefix), ^ starting one,
// (grouping) and the body_text: column filter. Everything else is read as words: a
// word holding characters FTS5 takes for syntax (e-bike, don't, frame., c++, 50%,
// #frame, @marta, U.S.A, 5/32, a:b) is searched as the phrase of its words, as
// --literal does; a word with nothing indexable in it (-, *, an emoji) is left out;
// an unclosed quote ends at the end of the query and a parenthesis without its pair
// is ignored. What still cannot be read, an operator without a word on each side, is
// ErrBadQuery saying so in plain words, as is a query with nothing to search for.
func SearchQuery(typed string) (string, error) {
	if strings.TrimSpace(typed) == "" {
		return "", fmt.Errorf("search: %w: empty query", ErrBadQuery)
	}
	p := queryParser{toks: balanceParens(lexQuery(typed)), typed: typed}
	if len(p.toks) == 0 {
		return "", nothingToSearch(typed)
	}
	n, err := p.or()
	if err != nil {
		return "", err
	}
	if n == nil {
		return "", nothingToSearch(typed)
	}
	return n.fts(), nil
}

// LiteralSearchQuery quotes every word of typed, so FTS5 reads none of them as
// syntax: no operators, phrases or prefixes (search --literal). A query with nothing
// indexable in it is ErrBadQuery.
func LiteralSearchQuery(typed string) (string, error) {
	if strings.TrimSpace(typed) == "" {
		return "", fmt.Errorf("search: %w: empty query", ErrBadQuery)
	}
	if !indexable(typed) {
		return "", nothingToSearch(typed)
	}
	words := strings.Fields(typed)
	for i, w := range words {
		words[i] = ftsString(w)
	}
	return strings.Join(words, " "), nil
}

func nothingToSearch(typed string) error {
	return fmt.Errorf("search: %w %q: nothing to search for: only letters and digits are indexed, "+
		"not punctuation, symbols or emoji", ErrBadQuery, typed)
}

// indexable reports whether s holds a character the unicode61 tokenizer keeps in a
// token (letters, digits, private-use characters); the rest only separates tokens.
func indexable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) {
			return true
		}
	}
	return false
}

// ftsString is s as an FTS5 string (a phrase of the tokens in s).
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// bareword reports whether FTS5 reads s unquoted as one string: ASCII letters and
// digits, '_', 0x1A and anything above ASCII. The operator keywords are not.
func bareword(s string) bool {
	if s == "" || s == "AND" || s == "OR" || s == "NOT" || s == "NEAR" {
		return false
	}
	for _, r := range s {
		if !(r > 127 || r == '_' || r == 0x1a || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// The tokens of a typed query.
type qtokKind int

const (
	qtTerm  qtokKind = iota // a word or "phrase", with its column, ^ and * marks
	qtNear                  // NEAR(…)
	qtOp                    // AND, OR, NOT
	qtOpen                  // (
	qtClose                 // )
)

type qtok struct {
	kind qtokKind
	text string // term: the word or phrase as typed, unquoted; op: the operator
	// quoted: the term was a "phrase"; prefix: it ended with *; initial: ^ began it;
	// col: a column filter before it (also before a group or NEAR).
	quoted, prefix, initial bool
	col                     string
	near                    []qtok // qtNear: its terms
	dist                    string // qtNear: the distance after the comma, if any
}

// ftsColumns are posts_fts's columns, the only names a column filter may give.
var ftsColumns = []string{"body_text"}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

// lexQuery splits a typed query into tokens. A chunk is a run of characters up to
// white space or a parenthesis; a double quote opens a phrase only at its start.
func lexQuery(s string) []qtok {
	rs := []rune(s)
	var toks []qtok
	col := ""
	initial := false
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isSpace(r):
			i++
			continue
		case r == '(':
			toks = append(toks, qtok{kind: qtOpen, col: col})
			col, initial = "", false
			i++
			continue
		case r == ')':
			toks = append(toks, qtok{kind: qtClose})
			col, initial = "", false
			i++
			continue
		case r == '"':
			text, next, _ := readPhrase(rs, i)
			t := qtok{kind: qtTerm, text: text, quoted: true, col: col, initial: initial}
			if next < len(rs) && rs[next] == '*' {
				t.prefix = true
				next++
			}
			toks = append(toks, t)
			col, initial = "", false
			i = next
			continue
		}
		j := i
		for j < len(rs) && !isSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' {
			j++
		}
		chunk := string(rs[i:j])
		// A column filter or a ^ marks the term right after it.
		if c, ok := columnPrefix(chunk); ok && col == "" && !initial {
			if n := i + len([]rune(c)) + 1; n < j || n == j && j < len(rs) && rs[j] == '(' {
				col, i = c, n
				continue
			}
		}
		if r == '^' && !initial && i+1 < j && (rs[i+1] == '"' || bareword(string(rs[i+1]))) {
			initial = true
			i++
			continue
		}
		if chunk == "NEAR" && !initial {
			if t, next, ok := readNear(rs, j); ok {
				t.col = col
				toks = append(toks, t)
				col, i = "", next
				continue
			}
		}
		if (chunk == "AND" || chunk == "OR" || chunk == "NOT") && col == "" && !initial {
			toks = append(toks, qtok{kind: qtOp, text: chunk})
			i = j
			continue
		}
		t := qtok{kind: qtTerm, text: chunk, col: col, initial: initial}
		if len(chunk) > 1 && strings.HasSuffix(chunk, "*") {
			t.text, t.prefix = strings.TrimSuffix(chunk, "*"), true
		}
		toks = append(toks, t)
		col, initial = "", false
		i = j
	}
	return toks
}

// columnPrefix reports a chunk beginning with a column name and ':'.
func columnPrefix(chunk string) (string, bool) {
	name, _, ok := strings.Cut(chunk, ":")
	if !ok {
		return "", false
	}
	for _, c := range ftsColumns {
		if strings.EqualFold(name, c) {
			return name, true
		}
	}
	return "", false
}

// readPhrase reads the phrase whose opening quote is at rs[i]; "" inside it is a
// quote. It returns the text, the index after the closing quote and whether there was
// one: an unclosed phrase runs to the end.
func readPhrase(rs []rune, i int) (string, int, bool) {
	var b strings.Builder
	for j := i + 1; j < len(rs); j++ {
		if rs[j] == '"' {
			if j+1 < len(rs) && rs[j+1] == '"' {
				b.WriteRune('"')
				j++
				continue
			}
			return b.String(), j + 1, true
		}
		b.WriteRune(rs[j])
	}
	return b.String(), len(rs), false
}

// readNear reads "(terms[, N])" after a NEAR keyword ending before rs[j]. It is not a
// NEAR group (ok false) unless the parenthesis follows and is closed.
func readNear(rs []rune, j int) (qtok, int, bool) {
	k := j
	for k < len(rs) && isSpace(rs[k]) {
		k++
	}
	if k >= len(rs) || rs[k] != '(' {
		return qtok{}, 0, false
	}
	// The closing parenthesis: the first one outside a phrase.
	end := -1
	for m := k + 1; m < len(rs) && end < 0; m++ {
		switch rs[m] {
		case '"':
			_, next, closed := readPhrase(rs, m)
			if !closed {
				return qtok{}, 0, false
			}
			m = next - 1
		case ')':
			end = m
		}
	}
	if end < 0 {
		return qtok{}, 0, false
	}
	inner := rs[k+1 : end]
	t := qtok{kind: qtNear}
	// ", N" at the end is the distance.
	if c := lastUnquotedComma(inner); c >= 0 {
		d := strings.TrimSpace(string(inner[c+1:]))
		if d != "" && strings.Trim(d, "0123456789") == "" {
			t.dist = d
			inner = inner[:c]
		}
	}
	for m := 0; m < len(inner); {
		switch {
		case isSpace(inner[m]):
			m++
		case inner[m] == '"':
			text, next, _ := readPhrase(inner, m)
			term := qtok{kind: qtTerm, text: text, quoted: true}
			if next < len(inner) && inner[next] == '*' {
				term.prefix = true
				next++
			}
			t.near = append(t.near, term)
			m = next
		default:
			n := m
			for n < len(inner) && !isSpace(inner[n]) {
				n++
			}
			term := qtok{kind: qtTerm, text: string(inner[m:n])}
			if len(term.text) > 1 && strings.HasSuffix(term.text, "*") {
				term.text, term.prefix = strings.TrimSuffix(term.text, "*"), true
			}
			t.near = append(t.near, term)
			m = n
		}
	}
	return t, end + 1, true
}

func lastUnquotedComma(rs []rune) int {
	last := -1
	for m := 0; m < len(rs); m++ {
		switch rs[m] {
		case '"':
			_, next, _ := readPhrase(rs, m)
			m = next - 1
		case ',':
			last = m
		}
	}
	return last
}

// balanceParens drops parentheses without their pair: typed text (a smiley, "1)")
// rather than grouping.
func balanceParens(toks []qtok) []qtok {
	keep := make([]bool, len(toks))
	var open []int
	for i, t := range toks {
		switch t.kind {
		case qtOpen:
			open = append(open, i)
		case qtClose:
			if len(open) > 0 {
				keep[open[len(open)-1]], keep[i] = true, true
				open = open[:len(open)-1]
			}
		default:
			keep[i] = true
		}
	}
	out := toks[:0:0]
	for i, t := range toks {
		if keep[i] {
			out = append(out, t)
		} else if t.kind == qtOpen && t.col != "" {
			// The column filter stays on what follows.
			if i+1 < len(toks) && toks[i+1].col == "" {
				toks[i+1].col = t.col
			}
		}
	}
	return out
}

// qnode is a parsed query. A nil *qnode is a part with nothing indexable in it,
// left out of the expression.
type qnode struct {
	op   string // "" for a term or NEAR group, else AND, OR, NOT
	term *qtok
	kids []*qnode
	col  string // a column filter on a group
}

// queryParser reads tokens with FTS5's precedence, tightest first: words side by
// side (an implicit AND), NOT, AND, OR.
type queryParser struct {
	toks  []qtok
	pos   int
	typed string
}

func (p *queryParser) peekOp(op string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == qtOp && p.toks[p.pos].text == op
}

// startsOperand reports whether the next token can begin an operand.
func (p *queryParser) startsOperand() bool {
	if p.pos >= len(p.toks) {
		return false
	}
	k := p.toks[p.pos].kind
	return k == qtTerm || k == qtNear || k == qtOpen
}

// opError is the plain explanation of an operator without a word on one side.
func (p *queryParser) opError(op string, side string) error {
	var why string
	switch {
	case op == "NOT" && side == "left":
		why = "NOT needs a word on its left (frame NOT steel: posts with frame but not steel); " +
			"posts without a word cannot be searched for alone"
	default:
		why = fmt.Sprintf("%s needs a word or phrase on each side (frame %s steel)", op, op)
	}
	return fmt.Errorf("search: %w %q: %s; to search for the word %q itself, write it in lower case or in double quotes (\"%s\")",
		ErrBadQuery, p.typed, why, strings.ToLower(op), op)
}

// operand reads one operand of op ("" at the start of the query or of a group),
// reporting the operator that lacks it when there is none.
func (p *queryParser) operand(read func() (*qnode, error), op, side string) (*qnode, error) {
	if !p.startsOperand() {
		next := ""
		if p.pos < len(p.toks) && p.toks[p.pos].kind == qtOp {
			next = p.toks[p.pos].text
		}
		switch {
		case next == "NOT" || op == "" && next != "":
			// "a OR NOT b": NOT is what lacks a word.
			return nil, p.opError(next, "left")
		case op != "":
			return nil, p.opError(op, side)
		}
		return nil, nothingToSearch(p.typed)
	}
	return read()
}

func (p *queryParser) or() (*qnode, error) {
	left, err := p.operand(p.and, "", "left")
	if err != nil {
		return nil, err
	}
	for p.peekOp("OR") {
		p.pos++
		right, err := p.operand(p.and, "OR", "right")
		if err != nil {
			return nil, err
		}
		left = join("OR", left, right)
	}
	return left, nil
}

func (p *queryParser) and() (*qnode, error) {
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.peekOp("AND") {
		p.pos++
		if p.peekOp("NOT") { // "frame AND NOT steel" is frame NOT steel
			p.pos++
			right, err := p.operand(p.seq, "NOT", "right")
			if err != nil {
				return nil, err
			}
			if left, err = p.andNot(left, right); err != nil {
				return nil, err
			}
			continue
		}
		right, err := p.operand(p.not, "AND", "right")
		if err != nil {
			return nil, err
		}
		left = join("AND", left, right)
	}
	return left, nil
}

func (p *queryParser) not() (*qnode, error) {
	left, err := p.operand(p.seq, "", "left")
	if err != nil {
		return nil, err
	}
	for p.peekOp("NOT") {
		p.pos++
		right, err := p.operand(p.seq, "NOT", "right")
		if err != nil {
			return nil, err
		}
		if left, err = p.andNot(left, right); err != nil {
			return nil, err
		}
	}
	return left, nil
}

// andNot is left NOT right; an empty right leaves left, an empty left is an error.
func (p *queryParser) andNot(left, right *qnode) (*qnode, error) {
	if left == nil {
		return nil, p.opError("NOT", "left")
	}
	if right == nil {
		return left, nil
	}
	return &qnode{op: "NOT", kids: []*qnode{left, right}}, nil
}

// seq reads operands side by side, an implicit AND.
func (p *queryParser) seq() (*qnode, error) {
	var n *qnode
	for p.startsOperand() {
		u, err := p.unary()
		if err != nil {
			return nil, err
		}
		n = join("AND", n, u)
	}
	return n, nil
}

func (p *queryParser) unary() (*qnode, error) {
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case qtOpen:
		if p.pos < len(p.toks) && p.toks[p.pos].kind == qtClose {
			p.pos++ // "()" holds nothing
			return nil, nil
		}
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		p.pos++ // the matching ")": parentheses are balanced
		if inner == nil {
			return nil, nil
		}
		if t.col != "" {
			return &qnode{kids: []*qnode{inner}, col: t.col}, nil
		}
		return inner, nil
	case qtNear:
		var kept []qtok
		for _, term := range t.near {
			if indexable(term.text) {
				kept = append(kept, term)
			}
		}
		if len(kept) == 0 {
			return nil, nil
		}
		t.near = kept
		return &qnode{term: &t}, nil
	}
	if !indexable(t.text) {
		return nil, nil
	}
	return &qnode{term: &t}, nil
}

// join combines two operands with op, leaving out empty ones.
func join(op string, a, b *qnode) *qnode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.op == op && op != "NOT" && a.col == "":
		a.kids = append(a.kids, b)
		return a
	}
	return &qnode{op: op, kids: []*qnode{a, b}}
}

// fts writes the node as an FTS5 expression, operators spelled out and compound
// operands in parentheses.
func (n *qnode) fts() string {
	switch {
	case n.term != nil:
		return n.term.fts()
	case n.op == "":
		inner := n.kids[0].fts()
		if n.kids[0].op != "" || n.kids[0].col != "" {
			inner = "(" + inner + ")"
		}
		return n.col + ":" + inner
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.fts()
		if k.op != "" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+n.op+" ")
}

func (t *qtok) fts() string {
	var b strings.Builder
	if t.col != "" {
		b.WriteString(t.col + ":")
	}
	if t.kind == qtNear {
		b.WriteString("NEAR(")
		for i, term := range t.near {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(term.fts())
		}
		if t.dist != "" {
			b.WriteString(", " + t.dist)
		}
		b.WriteByte(')')
		return b.String()
	}
	if t.initial {
		b.WriteByte('^')
	}
	if !t.quoted && bareword(t.text) {
		b.WriteString(t.text)
	} else {
		b.WriteString(ftsString(t.text))
	}
	if t.prefix {
		b.WriteByte('*')
	}
	return b.String()
}

package scraper

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// Engine reads the pages of one forum software. Each engine lives in its own file and
// registers itself from init, so adding an engine touches no shared code.
type Engine interface {
	// Info names the engine and the fields it can yield, for `forumarc engines`.
	Info() EngineInfo
	// Detect reports whether doc was rendered by this engine. It runs for every
	// engine on every page, so it must only look at a few compiled selectors.
	Detect(doc *goquery.Document) bool
	// Extract reads a thread page. It performs no I/O.
	Extract(doc *goquery.Document, in Input) (*Page, error)
}

// ListingReader is implemented by engines that can read board and forum index pages,
// which whole-board crawls need.
type ListingReader interface {
	ExtractListing(doc *goquery.Document, in Input) (*Listing, error)
}

// PageLinker is implemented by engines whose thread page URLs can be built from a
// page number, letting resumed crawls jump straight to the newest page.
type PageLinker interface {
	// PageURL returns the URL of page n of the thread whose page 1 is threadURL.
	PageURL(threadURL string, n int) (string, bool)
}

// EngineInfo describes an engine for users choosing --engine.
type EngineInfo struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Fields      []string `json:"fields"`
}

// Input carries what an extractor needs besides the document. FetchedAt anchors
// relative dates ("5 minutes ago"); Location is the zone for times printed without one.
type Input struct {
	URL       *url.URL
	FetchedAt time.Time
	Location  *time.Location
}

// Listing is a board or forum index page: the sub-boards and threads it links to.
type Listing struct {
	Engine  string        `json:"engine"`
	URL     string        `json:"url"`
	Title   *string       `json:"title"`
	Boards  []BoardLink   `json:"boards"`
	Threads []ThreadEntry `json:"threads"`
	Page    PageInfo      `json:"page"`
}

// BoardLink is a sub-board or forum linked from a listing.
type BoardLink struct {
	URL   string  `json:"url"`
	Title *string `json:"title"`
}

// ThreadEntry is a thread as a listing shows it. Replies and LastPostAt tell an
// incremental crawl whether the thread changed since the last run.
type ThreadEntry struct {
	URL          string     `json:"url"`
	ID           *string    `json:"id"`
	Title        *string    `json:"title"`
	Replies      *int64     `json:"replies"`
	LastPostAt   *time.Time `json:"last_post_at"`
	LastPostText *string    `json:"last_post_text"`
}

// registration is an engine with the EngineInfo it gave at Register. Info may build
// its struct on every call, and Detect would otherwise call it per engine per page.
type registration struct {
	engine Engine
	info   EngineInfo
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Engine{}
	// detectOrder holds the registered engines sorted by name, the order Detect tries
	// them in (generic never: it needs a profile). Register replaces the slice instead
	// of changing it in place, so a reader may keep the slice it loaded.
	detectOrder []registration
)

// DetectCoster is implemented by engines whose Detect is cheaper than a walk of the
// whole document (for example, one look at <html> attributes). Lower costs run first;
// engines without it count as 100.
type DetectCoster interface {
	DetectCost() int
}

// QuickDetector is implemented by engines that can sometimes recognise a page from
// its root or head alone. A true answer must be certain; false means "look further".
type QuickDetector interface {
	QuickDetect(doc *goquery.Document) bool
}

func detectCost(e Engine) int {
	if c, ok := e.(DetectCoster); ok {
		return c.DetectCost()
	}
	return 100
}

// Register makes an engine available by name. It panics on a duplicate name because
// that is a programming error caught by any test run.
func Register(e Engine) {
	registryMu.Lock()
	defer registryMu.Unlock()
	info := e.Info()
	if _, dup := registry[info.Name]; dup {
		panic("scraper: engine registered twice: " + info.Name)
	}
	registry[info.Name] = e
	next := append(slices.Clip(detectOrder), registration{engine: e, info: info})
	// Cheap detectors run first, so a page of a common engine is recognised before the
	// engines that must walk the whole tree get their turn.
	slices.SortFunc(next, func(a, b registration) int {
		if c := detectCost(a.engine) - detectCost(b.engine); c != 0 {
			return c
		}
		return strings.Compare(a.info.Name, b.info.Name)
	})
	detectOrder = next
}

// Lookup returns the engine with the given id.
func Lookup(name string) (Engine, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	e, ok := registry[name]
	return e, ok
}

// Engines lists registered engines sorted by name.
func Engines() []Engine {
	order := registered()
	out := make([]Engine, 0, len(order))
	for _, r := range order {
		out = append(out, r.engine)
	}
	return out
}

// registered returns the current registrations in detection order; callers must not
// modify the slice.
func registered() []registration {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return detectOrder
}

// Detect returns the first engine, in name order, that recognises doc. It uses the
// EngineInfo cached at Register and allocates nothing unless no engine matches.
func Detect(doc *goquery.Document) (Engine, error) {
	r, err := detect(doc)
	return r.engine, err
}

// detect is Detect returning the registration, whose cached name callers report.
func detect(doc *goquery.Document) (registration, error) {
	order := registered()
	// The generator meta names the software on most engines: try that engine first,
	// so a vBulletin page does not wait for every tree-walking detector before it.
	if hint := generatorHint(doc); hint != "" {
		for _, r := range order {
			if r.info.Name == hint && r.engine.Detect(doc) {
				return r, nil
			}
		}
	}
	// Certain answers from <html>/<head> alone come before any tree walk.
	for _, r := range order {
		if q, ok := r.engine.(QuickDetector); ok && q.QuickDetect(doc) {
			return r, nil
		}
	}
	for _, r := range order {
		if r.info.Name != "generic" && r.engine.Detect(doc) {
			return r, nil
		}
	}
	tried := make([]string, 0, len(order))
	for _, r := range order {
		if r.info.Name != "generic" {
			tried = append(tried, r.info.Name)
		}
	}
	return registration{}, &UnrecognizedError{Tried: tried}
}

// UnrecognizedError says no engine could read a page; callers show it as one line.
type UnrecognizedError struct {
	URL   string
	Tried []string
}

func (e *UnrecognizedError) Error() string {
	where := "page"
	if e.URL != "" {
		where = e.URL
	}
	return fmt.Sprintf("%s: forum engine not recognised (tried %s); force one with --engine NAME or describe the site with --profile FILE",
		where, strings.Join(e.Tried, ", "))
}

// generatorHints maps the start of a lower-cased <meta name="generator"> to an engine.
var generatorHints = []struct{ prefix, engine string }{
	{"vbulletin 3", "vbulletin3"}, {"vbulletin 4", "vbulletin4"}, {"vbulletin 5", "vbulletin5"},
	{"discourse", "discourse"}, {"mybb", "mybb"}, {"phpbb", "phpbb3"}, {"smf", "smf2"},
	{"simple machines", "smf2"}, {"xenforo", "xenforo2"}, {"invision", "invision"},
}

// generatorHint reads <meta name="generator"> from <head> without walking the body.
func generatorHint(doc *goquery.Document) string {
	head := ChildElement(HTMLNode(doc), "head")
	if head == nil {
		return ""
	}
	for c := head.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.Data != "meta" || !strings.EqualFold(NodeAttr(c, "name"), "generator") {
			continue
		}
		g := strings.ToLower(strings.TrimSpace(NodeAttr(c, "content")))
		for _, h := range generatorHints {
			if strings.HasPrefix(g, h.prefix) {
				return h.engine
			}
		}
	}
	return ""
}

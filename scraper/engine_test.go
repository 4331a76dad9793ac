package scraper

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// countingEngine counts Info calls and claims pages holding its marker class.
type countingEngine struct {
	name   string
	marker string
	infos  *int
}

func (c countingEngine) Info() EngineInfo {
	*c.infos++
	return EngineInfo{Name: c.name, Fields: []string{"posts"}}
}

func (c countingEngine) Detect(doc *goquery.Document) bool {
	return Has(doc, MustCompile("."+c.marker))
}

func (countingEngine) Extract(*goquery.Document, Input) (*Page, error) { return &Page{}, nil }

// withRegistry runs f against an empty registry and restores the real one after.
func withRegistry(t *testing.T, f func()) {
	t.Helper()
	registryMu.Lock()
	saved, savedOrder := registry, detectOrder
	registry, detectOrder = map[string]Engine{}, nil
	registryMu.Unlock()
	defer func() {
		registryMu.Lock()
		registry, detectOrder = saved, savedOrder
		registryMu.Unlock()
	}()
	f()
}

func TestDetectUsesInfoCachedAtRegister(t *testing.T) {
	withRegistry(t, func() {
		var calls int
		for _, n := range []string{"zeta", "alpha", "generic", "mid"} {
			Register(countingEngine{name: n, marker: n, infos: &calls})
		}
		if calls != 4 {
			t.Fatalf("Register called Info %d times, want 4", calls)
		}
		var names []string
		for _, e := range Engines() {
			names = append(names, e.(countingEngine).name)
		}
		if want := []string{"alpha", "generic", "mid", "zeta"}; !slices.Equal(names, want) {
			t.Errorf("Engines() = %v, want %v", names, want)
		}
		both, err := goquery.NewDocumentFromReader(strings.NewReader(`<p class="zeta mid generic"></p>`))
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			e, err := Detect(both)
			if err != nil || e.(countingEngine).name != "mid" {
				t.Fatalf("Detect = %v, %v; want mid (name order, generic skipped)", e, err)
			}
		}
		none, _ := goquery.NewDocumentFromReader(strings.NewReader(`<p class="other"></p>`))
		_, err = Detect(none)
		var ue *UnrecognizedError
		if !errors.As(err, &ue) || !slices.Equal(ue.Tried, []string{"alpha", "mid", "zeta"}) {
			t.Errorf("Detect(unknown) error = %v, want tried alpha, mid, zeta", err)
		}
		for _, forced := range []string{"", "zeta"} {
			p, _ := ExtractDocument(both, "https://f.example/t/1", Options{Engine: forced})
			if want := cmp.Or(forced, "mid"); p == nil || p.Engine != want {
				t.Errorf("ExtractDocument(engine %q) = %+v, want engine %s", forced, p, want)
			}
		}
		if calls != 4 {
			t.Errorf("Info called %d times after Detect and Extract, want 4 (only at Register)", calls)
		}
	})
}

func TestRegisterDuplicatePanics(t *testing.T) {
	withRegistry(t, func() {
		var calls int
		Register(countingEngine{name: "a", infos: &calls})
		defer func() {
			if recover() == nil {
				t.Error("second Register of the same name did not panic")
			}
		}()
		Register(countingEngine{name: "a", infos: &calls})
	})
}

func TestUnrecognizedNamesThePage(t *testing.T) {
	withRegistry(t, func() {
		var calls int
		Register(countingEngine{name: "only", marker: "only", infos: &calls})
		doc := queryDoc(t, `<p>a shop, not a forum</p>`)
		const u = "https://shop.example/item/1"
		_, err := ExtractDocument(doc, u, Options{})
		_, lerr := ExtractListingDocument(queryDoc(t, `<p>a shop</p>`), u, Options{})
		for _, e := range []error{err, lerr} {
			var ue *UnrecognizedError
			if !errors.As(e, &ue) || !strings.Contains(e.Error(), u) {
				t.Errorf("error %v does not name %s", e, u)
			}
		}
	})
}

package engines

import (
	"testing"

	"github.com/forumarc/forumarc/scraper"
)

// benchExtract measures scraper.Extract (charset, parse, detect or forced engine,
// extract, normalise) of one page: the figure BenchmarkExtract<Engine> reports.
func benchExtract(b *testing.B, raw []byte, pageURL string, opts scraper.Options) {
	b.Helper()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := scraper.Extract(raw, pageURL, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDetect measures scraper.Detect (every registered engine, in name order) on
// the same page parsed once, so it can be compared with benchExtract; detection must
// stay a few percent of extraction. It fails unless want wins.
func benchDetect(b *testing.B, raw []byte, want string) {
	b.Helper()
	doc, _, err := scraper.Parse(raw, "")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if e, err := scraper.Detect(doc); err != nil || e.Info().Name != want {
			b.Fatalf("detect = %v, %v; want %s", e, err, want)
		}
	}
}

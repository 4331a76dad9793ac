package export

import (
	"testing"

	"github.com/forumarc/forumarc/scraper"
)

// JSON-valued CSV cells keep <, > and & as they are, like the JSONL export.
func TestMustJSONNoHTMLEscape(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{[]string{"Parts & <Tools>"}, `["Parts & <Tools>"]`},
		{map[string]string{"a&b": "<i>"}, `{"a&b":"<i>"}`},
		{[]scraper.Quote{{Author: scraper.Str("R&D"), Text: "x > y"}}, `[{"author":"R&D","post_id":null,"text":"x > y"}]`},
	} {
		if got := mustJSON(tc.v); got != tc.want {
			t.Errorf("mustJSON(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

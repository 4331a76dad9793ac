package export

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// nastyStrings exercise every escaping rule of encoding/json.
var nastyStrings = []string{"", "plain", `quote " backslash \ slash /`, "<b>&amp;</b>", "tab\tnl\ncr\r bs\b ff\f",
	"\x00\x01\x1f\x7f", "bad utf8 \xff\xfe end", "\u2028 line \u2029 para", "Jiří Zoë 🚲 日本語", "\xed\xa0\x80 surrogate"}

// fill sets every field reachable from v (pointers allocated, slices and maps given
// entries) from the strings, so a field missing from appendRecord shows up.
func fill(v reflect.Value, n *int) {
	next := func() string { *n++; return nastyStrings[*n%len(nastyStrings)] }
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			*n++
			v.Set(reflect.ValueOf(time.Date(2025, 3, *n%28+1, 9, 30, 0, *n%3*1000, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.String:
		v.SetString(next())
	case reflect.Int, reflect.Int64:
		*n++
		v.SetInt(int64(*n * 1000003))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 3, 3)
		for i := range 3 {
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 4 {
			k, val := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n)
			fill(val, n)
			m.SetMapIndex(k, val)
		}
		v.Set(m)
	default:
		panic("fill: unhandled kind " + v.Kind().String() + " in " + v.Type().String())
	}
}

func stdJSON(t *testing.T, r *store.PostRecord) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendRecordMatchesEncodingJSON(t *testing.T) {
	records := []*store.PostRecord{{}} // every pointer nil, every slice and map nil
	for k := range 12 {
		r := &store.PostRecord{}
		n := k
		fill(reflect.ValueOf(r).Elem(), &n)
		records = append(records, r)
	}
	empty := &store.PostRecord{}
	empty.Quotes = []scraper.Quote{}
	empty.Thread.ForumPath = []string{}
	empty.Author.Extras = map[string]string{}
	empty.Archive.Revisions = []store.Revision{}
	records = append(records, empty)
	for i, r := range records {
		want := stdJSON(t, r)
		got := appendRecord(nil, r)
		if !bytes.Equal(got, want) {
			t.Errorf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

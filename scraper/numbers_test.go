package scraper

import (
	"strconv"
	"testing"
)

func TestParseCount(t *testing.T) {
	cases := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"7", 7},
		{"33,771", 33771},
		{"1,293", 1293},
		{"1 293", 1293},
		{"1\u00a0293", 1293},
		{"1\u202f293", 1293},
		{"1\u2009293", 1293},
		{"1.293", 1293},
		{"1'293", 1293},
		{"1.293.000", 1293000},
		{"12,345,678", 12345678},
		{"3.5k", 3500},
		{"3,5K", 3500},
		{"3.5 K", 3500},
		{"1.2M", 1200000},
		{"1,2 Mio.", 1200000},
		{"12 тыс.", 12000},
		{"1.25k", 1250},
		{"10k", 10000},
		{"-4", -4},
		{"−4", -4},
		{"+12", 12},
		{"-1,234", -1234},
		{"28 posts", 28},
		{"3495 posts", 3495},
		{"1 293 сообщения", 1293},
		{"2,394 Beiträge", 2394},
		{"0 NSP", 0},
		{" 60 ", 60},
		{"3.5k posts", 3500},
	}
	for _, c := range cases {
		got, ok := ParseCount(c.in)
		if !ok || got != c.want {
			t.Errorf("ParseCount(%q) = %d %v, want %d", c.in, got, ok, c.want)
		}
	}
	bad := []string{
		"", " ", "posts", "Posts: 20", "abc", "1,5", "12,34", "1.2.3", "1,234.567", "1,2345",
		"12abc", "k", "-", "+", "3.5kk", "1 2", "99999999999999999999", "1.5", "--4", ",123", "123,",
		"1..2k", "N/A", "—",
	}
	for _, s := range bad {
		if got, ok := ParseCount(s); ok {
			t.Errorf("ParseCount(%q) = %d, want failure", s, got)
		}
	}
}

func BenchmarkParseCount(b *testing.B) {
	in := []string{"33,771", "1 293", "3.5k", "28 posts", "0"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := ParseCount(in[i%len(in)]); !ok {
			b.Fatal("parse failed")
		}
	}
}

// FuzzParseCount checks that no input panics and that plain digit strings always read
// as themselves, with or without grouping.
func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"33,771", "1 293", "3.5k", "-4", "28 posts", "1,2 Mio."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := ParseCount(s)
		if v, err := strconv.ParseInt(s, 10, 64); err == nil && s[0] != '+' && (s[0] != '-' || len(s) > 1) {
			if !ok || n != v {
				t.Fatalf("ParseCount(%q) = %d %v, want %d", s, n, ok, v)
			}
		}
	})
}

package store

import (
	"os"
	"regexp"
	"testing"
)

// modernc.org/sqlite is generated against one exact modernc.org/libc; a newer libc
// pulled in by another module builds fine and can then misbehave at run time. Known
// pairs, from modernc.org/sqlite's go.mod.
var sqliteLibc = map[string]string{
	"v1.62.0": "v1.80.1",
}

func TestLibcMatchesSqlite(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	version := func(path string) string {
		m := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(path) + `\s+(v\S+)`).FindSubmatch(mod)
		if m == nil {
			t.Fatalf("go.mod does not require %s", path)
		}
		return string(m[1])
	}
	sq, libc := version("modernc.org/sqlite"), version("modernc.org/libc")
	want, known := sqliteLibc[sq]
	if !known {
		t.Fatalf("modernc.org/sqlite %s: add the libc version its go.mod requires to sqliteLibc", sq)
	}
	if libc != want {
		t.Errorf("go.mod has modernc.org/libc %s, but modernc.org/sqlite %s requires exactly %s: pin it", libc, sq, want)
	}
}

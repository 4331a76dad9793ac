package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageHintNamesTheCommand: a usage error's second line points at the help of the
// command that was misused, not always at 'forumarc --help'.
func TestUsageHintNamesTheCommand(t *testing.T) {
	db := demoDB(t)
	for _, c := range []struct {
		args []string
		line string // the first line, without "forumarc: "
		help string
	}{
		{[]string{"search", "--bogus", "x"}, "unknown flag: --bogus", "forumarc search"},
		{[]string{"search", "--limit", "0", "frame"}, "", "forumarc search"},
		{[]string{"query", "--format", "xml", "SELECT 1"}, `--format must be table, csv, json or jsonl, not "xml"`, "forumarc query"},
		{[]string{"jobs", "add"}, "jobs add: a job NAME is required", "forumarc jobs add"},
		{[]string{"jobs", "nosuch"}, `unknown command "nosuch" for "forumarc jobs"`, "forumarc jobs"},
		{[]string{"archive", "not-a-url"}, "", "forumarc archive"},
		{[]string{"nosuchcmd"}, `unknown command "nosuchcmd" for "forumarc"`, "forumarc"},
		{[]string{"--log-level", "loud", "stats"}, `--log-level must be debug, info, warn or error, not "loud"`, "forumarc stats"},
	} {
		r := cli(t, context.Background(), append([]string{"--db", db}, c.args...)...)
		name := strings.Join(c.args, " ")
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		hint := "Run '" + c.help + " --help' for usage."
		if r.code != exitUsage || len(lines) != 2 || lines[1] != hint || !strings.HasPrefix(lines[0], "forumarc: ") ||
			c.line != "" && lines[0] != "forumarc: "+c.line {
			t.Errorf("%s: exit %d, stderr %q; want exit 2, the error, then %q", name, r.code, r.stderr, hint)
		}
	}
}

// TestUnknownCommandErrorIsJSON: with --log-format json every stderr line is a JSON
// record, also for an unknown command, which cobra rejects before it parses any flag.
func TestUnknownCommandErrorIsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, args := range [][]string{
		{"--db", db, "--log-format", "json", "nosuchcmd"},
		{"--log-format=json", "nosuchcmd", "--db", db},
		{"--db", db, "--log-format", "json", "jobs", "nosuch"},
	} {
		r := cli(t, context.Background(), args...)
		recs := allJSON(t, strings.Join(args, " "), r.stderr)
		if r.code != exitUsage || len(recs) != 1 || recs[0]["level"] != "ERROR" || recs[0]["exit"] != float64(exitUsage) ||
			!strings.Contains(recs[0]["msg"].(string), "unknown command") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one JSON error record", args, r.code, r.stderr)
		}
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/forumarc/forumarc/scraper"
	_ "github.com/forumarc/forumarc/scraper/engines"
	"github.com/forumarc/forumarc/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// env is everything a command touches outside the process, so tests can run the whole
// CLI in-process against an httptest forum and a temporary database.
type env struct {
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	getenv    func(string) string
	isTTY     bool
	transport http.RoundTripper // nil = the network
	now       func() time.Time
	runJob    func(ctx context.Context, args []string) int // nil = run the crawl in-process (jobs.go); prints its own exit line
	job       string                                       // set for the in-process crawl of this job (exitReport)
}

// app holds the global flags and the wiring shared by commands.
type app struct {
	env
	dbPath    string
	logLevel  string
	logFormat string
	log       *slog.Logger
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// run is main without os.Exit: it parses args, runs the command and maps the result
// to an exit code.
func run(ctx context.Context, args []string, e env) int {
	if e.getenv == nil {
		e.getenv = func(string) string { return "" }
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.stdin == nil {
		e.stdin = strings.NewReader("")
	}
	scraper.Version = version
	a := &app{env: e}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetContext(ctx)
	cmd, err := root.ExecuteC()
	if err != nil && cmd != nil && isFlagError(err) {
		err = usageError{err}
	}
	command := "forumarc"
	if cmd != nil {
		command = cmd.CommandPath() // the hint names the help of the command that failed
	}
	format := a.logFormat
	if format == "text" && logFormatArg(args) == "json" {
		// Flags were not parsed (an unknown command, or a bad flag before
		// --log-format): the error line is still JSON, like every other line.
		format = "json"
	}
	return exitReport(err, e.stderr, format, e.job, command)
}

func isFlagError(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "flag needs an argument", "invalid argument", "unknown command", "accepts ", "requires at least", "requires exactly", "bad flag syntax", "if any flags in the group"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "forumarc",
		Short: "Archive forum threads into a local SQLite database",
		Long: `forumarc archives forum threads (XenForo, vBulletin, phpBB, SMF, MyBB, Invision,
Discourse and more) into a SQLite file you can query, search and export.

Start with 'forumarc demo' (no network needed), then 'forumarc archive URL'.`,
		Example: `  forumarc demo
  forumarc archive https://forum.example.com/threads/some-thread.541/
  forumarc query "SELECT author_name, posted_at, substr(body_text,1,60) FROM post_details LIMIT 10"`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.setup()
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	def := a.getenv("FORUMARC_DB")
	if def == "" {
		def = "forumarc.db"
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.dbPath, "db", def, "archive database file (env FORUMARC_DB)")
	pf.StringVar(&a.logLevel, "log-level", "", "log level: debug, info, warn, error (default info, or warn with progress bars)")
	pf.StringVar(&a.logFormat, "log-format", "text", "log line format when not on a terminal: text or json")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(a.extractCmd(), a.archiveCmd(), a.queryCmd(), a.demoCmd(), a.enginesCmd())
	root.AddCommand(a.useCmds()...)   // search, export, reparse, stats: use_cmds.go
	root.AddCommand(a.crawlCmds()...) // crawl, jobs, run-due, schedule, status: crawl_cmds.go
	return root
}

func (a *app) setup() error {
	level := slog.LevelInfo
	if a.isTTY {
		level = slog.LevelWarn // progress bars carry the detail on a terminal
	}
	switch strings.ToLower(a.logLevel) {
	case "":
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	case "warn", "warning":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return usagef("--log-level must be debug, info, warn or error, not %q", a.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch a.logFormat {
	case "text":
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	case "json":
		a.log = slog.New(slog.NewJSONHandler(a.stderr, opts))
	default:
		return usagef("--log-format must be text or json, not %q", a.logFormat)
	}
	return nil
}

// openDB opens the archive for writing, creating it on first use: for the commands
// that start an archive (archive, crawl, demo, jobs add).
func (a *app) openDB(ctx context.Context, opts ...store.Option) (*store.DB, error) {
	if err := checkWritable(a.dbPath); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, a.dbPath, opts...)
	if err != nil {
		return nil, dbError{err} // store.Open's errors name the archive
	}
	return db, nil
}

// openExisting opens an existing archive for writing and refuses, like openReadOnly, a
// path where there is none: for commands that only make sense on an archive in use
// (run-due, schedule, jobs remove, reparse), where creating an empty one would turn a
// mistyped --db into "nothing to do", exit 0, every time.
func (a *app) openExisting(ctx context.Context, opts ...store.Option) (*store.DB, error) {
	db, err := a.openDB(ctx, append(opts, store.Existing())...)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, a.noArchive()
	}
	return db, err
}

// openReadOnly opens an existing archive without ever writing to it.
func (a *app) openReadOnly(ctx context.Context) (*store.DB, error) {
	if _, err := os.Stat(a.dbPath); err != nil {
		return nil, a.noArchive()
	}
	db, err := store.OpenReadOnly(ctx, a.dbPath)
	if err != nil {
		return nil, dbError{err} // names the archive
	}
	return db, nil
}

// noArchive is the error of a command that needs an archive when --db names none.
func (a *app) noArchive() error {
	return dbError{fmt.Errorf("open %s: no archive there yet (run 'forumarc archive URL' or 'forumarc demo' first)", a.dbPath)}
}

// archiveExists reports whether path holds something other than nothing: a missing or
// empty file is where store.Open creates a new archive.
func archiveExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Size() > 0
}

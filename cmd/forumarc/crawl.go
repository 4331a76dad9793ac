package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

type crawlOptions struct {
	fetchFlags
	include, exclude []string
	since            string
	maxThreads       int
	maxPages         int
	depth            int
	concurrency      int
	perHost          int
	full             bool
}

func (a *app) crawlCmd() *cobra.Command {
	var o crawlOptions
	cmd := &cobra.Command{
		Use:   "crawl [flags] URL...",
		Short: "Archive whole boards or sites, incrementally and resumably",
		Long: `crawl starts from boards, forum indexes or site roots, discovers sub-boards and thread
listings (with their pagination), and archives every thread through the same path as
'archive'. It never leaves the sites it was given.

It is incremental: a thread whose listing entry (reply count, last post time) is unchanged
since it was last archived is not fetched at all, and a changed thread is resumed from its
last archived page with a conditional request. Posts edited since are kept with their
history (post_revisions); posts that vanished get deleted_at. Use --full now and then to
re-walk every thread from page 1 and catch edits on earlier pages: each page is asked for
conditionally, and a page the forum answers 304 for is read from the archive.

All crawl state lives in the database (the frontier table): after a crash or kill -9 the
same command resumes exactly where it stopped. Only one crawl runs per database.`,
		Example: `  forumarc crawl https://forum.example.com/forums/workshop.12/
  forumarc crawl --since 2024-01-01 --exclude '/members/' https://forum.example.com/
  forumarc crawl --concurrency 8 --per-host 2 --delay 500ms https://a.example/forum/ https://b.example/board/
  forumarc crawl --max-threads 100 --log-format json https://forum.example.com/forums/news.3/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.crawl(cmd.Context(), args, o)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.include, "include", nil, "only archive threads whose URL matches this regexp (repeatable)")
	f.StringArrayVar(&o.exclude, "exclude", nil, "skip boards and threads whose URL matches this regexp (repeatable)")
	f.StringVar(&o.since, "since", "", "skip threads with no activity since DATE (2024-01-31, RFC 3339, or an age like 30d or 12h)")
	f.IntVar(&o.maxThreads, "max-threads", 0, "archive at most N threads in this run; the rest stay queued (0 = all)")
	f.IntVar(&o.maxPages, "max-pages", 0, "fetch at most N pages per thread in this run (0 = all)")
	f.IntVar(&o.depth, "depth", 0, "follow sub-boards at most N levels below a start URL (0 = unlimited)")
	f.IntVar(&o.concurrency, "concurrency", 4, "requests in flight across all hosts")
	f.IntVar(&o.perHost, "per-host", 1, "requests in flight per host")
	f.BoolVar(&o.full, "full", false, "re-walk every thread from page 1, conditionally (catches edits and deletions on earlier pages)")
	return cmd
}

// parseSince reads --since as a date, a timestamp or an age.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if n := len(s); n > 1 && (s[n-1] == 'd' || s[n-1] == 'w') {
		if v, err := strconv.Atoi(s[:n-1]); err == nil && v >= 0 {
			unit := 24 * time.Hour
			if s[n-1] == 'w' {
				unit *= 7
			}
			return now.Add(-time.Duration(v) * unit), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usagef("--since: %q is not a date (2024-01-31), RFC 3339 time or age (30d, 12h)", s)
}

func compileAll(flag string, exprs []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, e := range exprs {
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, usagef("--%s %q: %v", flag, e, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func (a *app) crawl(ctx context.Context, urls []string, o crawlOptions) error {
	seeds := make([]string, 0, len(urls))
	for _, u := range urls {
		clean, err := scraper.ValidateURL(u)
		if err != nil {
			return usageError{err}
		}
		seeds = append(seeds, clean)
	}
	if o.maxThreads < 0 || o.maxPages < 0 || o.depth < 0 || o.concurrency < 1 || o.perHost < 1 {
		return usagef("--max-threads, --max-pages and --depth must be >= 0; --concurrency and --per-host >= 1")
	}
	since, err := parseSince(o.since, a.now())
	if err != nil {
		return err
	}
	include, err := compileAll("include", o.include)
	if err != nil {
		return err
	}
	exclude, err := compileAll("exclude", o.exclude)
	if err != nil {
		return err
	}
	loc, err := loadLocation(o.timezone)
	if err != nil {
		return err
	}
	profile, err := loadProfile(o.profile, o.engine)
	if err != nil {
		return err
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	lock, err := db.AcquireCrawlLock(ctx, "crawl "+strings.Join(urls, " "), 0)
	if err != nil {
		var le *store.LockedError
		if errors.As(err, &le) {
			return lockedError{err}
		}
		return dbError{err}
	}
	defer lock.Release(context.WithoutCancel(ctx))
	run, err := db.StartRun(ctx, "crawl", append(append([]string{}, urls...), o.describe()...))
	if err != nil {
		return dbError{err}
	}
	_ = lock.SetRun(ctx, run.ID())

	sorted := append([]string{}, seeds...)
	sort.Strings(sorted)
	key := store.CrawlKey(append(sorted, o.describe()...)...)
	front, resumed, err := db.OpenFrontier(ctx, key)
	if err != nil {
		return dbError{err}
	}
	f, err := a.fetcherPerHost(ctx, o.fetchFlags, o.perHost)
	if err != nil {
		return err
	}
	prog := newCrawlProgress(a.env)
	c := scraper.NewCrawler(f, run, front, db, seeds, scraper.CrawlConfig{
		Include: include, Exclude: exclude, Since: since, MaxThreads: o.maxThreads, MaxPages: o.maxPages,
		Depth: o.depth, Concurrency: o.concurrency, Full: o.full, Engine: o.engine, Profile: profile, Location: loc,
		Logger: a.log, OnEvent: prog.event,
	})
	if resumed {
		a.log.Info("resuming the interrupted crawl", "key", key)
	} else if err := c.Seed(ctx, seeds); err != nil {
		return dbError{err}
	}
	started := a.now()
	res, err := c.Run(ctx)
	prog.done()
	status := store.StatusOK
	switch {
	case ctx.Err() != nil:
		status = store.StatusInterrupted
	case err != nil || res.Errors > 0 || res.Left.Deferred > 0:
		status = store.StatusFailed
	}
	ferr := run.Finish(context.WithoutCancel(ctx), status)
	a.printCrawlSummary(res, run.Stats(), a.now().Sub(started), resumed)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return dbError{err}
	case ferr != nil:
		return dbError{ferr}
	case res.Errors > 0:
		return fmt.Errorf("%d pages failed (listed in crawl_errors; see 'forumarc status')", res.Errors)
	case res.Left.Deferred > 0:
		return fmt.Errorf("%d items deferred (a host paused after failures, or its robots.txt was unavailable); run the same command later to finish", res.Left.Deferred)
	}
	return nil
}

// describe lists the options that change what a crawl covers; with the seeds they
// make the crawl key, so resuming needs the same command.
func (o crawlOptions) describe() []string {
	var d []string
	for _, s := range o.include {
		d = append(d, "--include="+s)
	}
	for _, s := range o.exclude {
		d = append(d, "--exclude="+s)
	}
	if o.since != "" {
		d = append(d, "--since="+o.since)
	}
	if o.depth > 0 {
		d = append(d, fmt.Sprintf("--depth=%d", o.depth))
	}
	if o.full {
		d = append(d, "--full")
	}
	return d
}

func (a *app) printCrawlSummary(res scraper.CrawlResult, st store.RunStats, took time.Duration, resumed bool) {
	how := "crawl"
	if resumed {
		how = "crawl (resumed)"
	}
	fmt.Fprintf(a.stdout, "%s: %d listing pages, %d threads archived, %d unchanged threads skipped, %d pages, %d new posts, %d updated, %d marked deleted, %d errors in %s -> %s\n",
		how, res.Listings, res.Threads, res.ThreadsSkipped, st.PagesFetched, st.PostsNew, st.PostsUpdated, res.PostsDeleted, res.Errors, took.Round(100*time.Millisecond), a.dbPath)
	if left := res.Left.Pending + res.Left.Deferred + res.Left.Leased; left > 0 {
		fmt.Fprintf(a.stdout, "  %d items left queued for the next run (same command resumes)\n", left)
	}
}

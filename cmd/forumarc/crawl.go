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
	cmd, _ := a.newCrawlCmd()
	return cmd
}

// newCrawlCmd is the crawl command with the options its flags set, so jobs add can
// parse a job's arguments exactly as crawl will.
func (a *app) newCrawlCmd() (*cobra.Command, *crawlOptions) {
	var o crawlOptions
	cmd := &cobra.Command{
		Use:   "crawl [flags] URL...",
		Short: "Archive whole boards or sites, incrementally and resumably",
		Long: `crawl starts from boards, forum indexes or site roots, discovers sub-boards and thread
listings (with their pagination), and archives every thread through the same path as
'archive'. It never leaves the sites it was given; a start URL that redirects to another
host of the same site (example.com to www.example.com) is crawled there, with a warning and
a line in the summary.

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
	return cmd, &o
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

// crawlSetup is a crawl's options, checked, with the files they name loaded.
type crawlSetup struct {
	seeds            []string
	since            time.Time
	include, exclude []*regexp.Regexp
	loc              *time.Location
	profile          scraper.Engine
	fetch            scraper.FetchConfig
}

// checkCrawl validates every crawl option and loads the profile and cookies files,
// so that a bad option is a usage error before the archive is opened, a run is
// recorded or a request is sent. jobs add checks a job's arguments with it.
func (a *app) checkCrawl(urls []string, o crawlOptions) (crawlSetup, error) {
	var s crawlSetup
	for _, u := range urls {
		clean, err := scraper.ValidateURL(u)
		if err != nil {
			return s, usageError{err}
		}
		s.seeds = append(s.seeds, clean)
	}
	if o.maxThreads < 0 || o.maxPages < 0 || o.depth < 0 || o.concurrency < 1 || o.perHost < 1 {
		return s, usagef("--max-threads, --max-pages and --depth must be >= 0; --concurrency and --per-host >= 1")
	}
	var err error
	if s.since, err = parseSince(o.since, a.now()); err != nil {
		return s, err
	}
	if s.include, err = compileAll("include", o.include); err != nil {
		return s, err
	}
	if s.exclude, err = compileAll("exclude", o.exclude); err != nil {
		return s, err
	}
	if s.loc, err = loadLocation(o.timezone); err != nil {
		return s, err
	}
	if s.profile, err = loadProfile(o.profile, o.engine); err != nil {
		return s, err
	}
	if s.fetch, err = a.fetchConfig(o.fetchFlags, o.perHost); err != nil {
		return s, err
	}
	return s, nil
}

func (a *app) crawl(ctx context.Context, urls []string, o crawlOptions) error {
	set, err := a.checkCrawl(urls, o)
	if err != nil {
		return err
	}
	seeds, since, include, exclude, loc, profile := set.seeds, set.since, set.include, set.exclude, set.loc, set.profile
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
	if len(lock.Recovered) > 0 {
		a.log.Warn("took over the lock of a crawl that died; its run is marked interrupted", "runs", lock.Recovered)
	}
	run, err := db.StartRun(ctx, "crawl", append(append([]string{}, urls...), o.describe()...))
	if err != nil {
		return dbError{err}
	}
	a.logRecovered(run)
	_ = lock.SetRun(ctx, run.ID())

	sorted := append([]string{}, seeds...)
	sort.Strings(sorted)
	key := store.CrawlKey(append(sorted, o.describe()...)...)
	front, resumed, err := db.OpenFrontier(ctx, key)
	if err != nil {
		return a.endRunEarly(ctx, run, dbError{err})
	}
	f := scraper.NewFetcher(ctx, set.fetch)
	prog := newCrawlProgress(a.env)
	c := scraper.NewCrawler(f, run, front, db, seeds, scraper.CrawlConfig{
		Include: include, Exclude: exclude, Since: since, MaxThreads: o.maxThreads, MaxPages: o.maxPages,
		Depth: o.depth, Concurrency: o.concurrency, Full: o.full, Engine: o.engine, Profile: profile, Location: loc,
		Logger: a.log, OnEvent: prog.event,
	})
	if resumed {
		a.log.Info("resuming the interrupted crawl", "key", key)
	} else if err := c.Seed(ctx, seeds); err != nil {
		return a.endRunEarly(ctx, run, dbError{err})
	}
	started := a.now()
	res, err := c.Run(ctx)
	prog.done()
	status := store.StatusOK
	switch {
	case ctx.Err() != nil:
		status = store.StatusInterrupted
	case err != nil || res.Errors > 0 || res.Left.Deferred > 0 || res.Left.Failed > 0:
		status = store.StatusFailed
	}
	ferr := run.Finish(context.WithoutCancel(ctx), status)
	deferred := a.crawlDeferrals(ctx, run, front, res)
	a.printCrawlSummary(res, run.Stats(), a.now().Sub(started), resumed, deferred)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return dbError{err}
	case ferr != nil:
		return dbError{ferr}
	case res.Errors > 0:
		return fmt.Errorf("%d pages failed (listed in crawl_errors; see 'forumarc status')", res.Errors)
	case res.Left.Failed > 0:
		// A resumed pass that fails nothing new has still not archived everything.
		return fmt.Errorf("%d items of this crawl pass failed in an earlier run (see 'forumarc status'); the next run starts a new pass and tries them again", res.Left.Failed)
	case res.Left.Deferred > 0:
		why := "a host paused after failures, or its robots.txt was unavailable"
		if len(deferred) > 0 {
			why = deferred[0].Cause
			if len(deferred) > 1 {
				why += fmt.Sprintf(" (and %d more hosts; see 'forumarc status')", len(deferred)-1)
			}
		}
		return fmt.Errorf("%d items deferred: %s; run the same command later to finish", res.Left.Deferred, why)
	}
	return nil
}

// crawlDeferrals says why work was left for a later run. This run's own deferrals are
// recorded in crawl_errors (not counted as failed pages), so status shows them; when
// the run deferred nothing itself, the cause stored with the first item an earlier
// run deferred is given.
func (a *app) crawlDeferrals(ctx context.Context, run *store.Run, front *store.Frontier, res scraper.CrawlResult) []scraper.Deferral {
	keep := context.WithoutCancel(ctx)
	for _, d := range res.Deferred {
		// The row names the URL, so the cause need not repeat its site.
		msg := "deferred, retried next run: " + strings.TrimPrefix(d.Cause, scraper.SiteBase(d.URL)+": ")
		if err := run.RecordDeferral(keep, d.URL, msg); err != nil {
			a.log.Warn("cannot record a deferral", "url", d.URL, "err", err)
		}
	}
	if len(res.Deferred) > 0 || res.Left.Deferred == 0 {
		return res.Deferred
	}
	d, err := front.Deferred(keep)
	if err != nil {
		a.log.Warn("cannot read deferred work", "err", err)
	}
	if d == nil {
		return nil
	}
	return []scraper.Deferral{*d}
}

// endRunEarly finishes a run that stops before it crawled, so its crawl_runs row does
// not stay "running", and returns err.
func (a *app) endRunEarly(ctx context.Context, run *store.Run, err error) error {
	status := store.StatusFailed
	if ctx.Err() != nil {
		status = store.StatusInterrupted
	}
	if ferr := run.Finish(context.WithoutCancel(ctx), status); ferr != nil {
		a.log.Warn("cannot finish the run", "run", run.ID(), "err", ferr)
	}
	return err
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

func (a *app) printCrawlSummary(res scraper.CrawlResult, st store.RunStats, took time.Duration, resumed bool, deferred []scraper.Deferral) {
	how := "crawl"
	if resumed {
		how = "crawl (resumed)"
	}
	since := ""
	if res.ThreadsSince > 0 {
		since = fmt.Sprintf(", %d threads skipped by --since", res.ThreadsSince)
	}
	if res.Disallowed > 0 {
		since += fmt.Sprintf(", %d disallowed by robots.txt", res.Disallowed)
	}
	fmt.Fprintf(a.stdout, "%s: %d listing pages, %d threads archived, %d unchanged threads skipped%s, %d pages, %d new posts, %d updated, %d marked deleted, %d errors in %s -> %s\n",
		how, res.Listings, res.Threads, res.ThreadsSkipped, since, st.PagesFetched, st.PostsNew, st.PostsUpdated, res.PostsDeleted, res.Errors, took.Round(100*time.Millisecond), a.dbPath)
	for _, r := range res.Redirected {
		fmt.Fprintf(a.stdout, "  start URL redirected to another host of the same site, crawled there: %s (give that URL next time)\n", r)
	}
	if left := res.Left.Pending + res.Left.Deferred + res.Left.Leased; left > 0 {
		fmt.Fprintf(a.stdout, "  %d items left queued for the next run (same command resumes)\n", left)
	}
	for _, d := range deferred {
		fmt.Fprintf(a.stdout, "  work on %s deferred until %s: %s\n", d.Host, jobsTime(d.Until), d.Cause)
	}
	for _, f := range res.Failures {
		fmt.Fprintf(a.stdout, "  failed: %s: %s\n", f.URL, withoutURL(f.URL, f.Cause))
	}
	if more := res.Errors - len(res.Failures); more > 0 {
		fmt.Fprintf(a.stdout, "  ... and %d more failures (all in crawl_errors; see 'forumarc status')\n", more)
	}
	if earlier := res.Left.Failed - res.Errors; earlier > 0 {
		fmt.Fprintf(a.stdout, "  %d items of this crawl pass failed in an earlier run; the next pass tries them again\n", earlier)
	}
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// fetchFlags are the politeness and access flags shared by archive and crawl.
type fetchFlags struct {
	delay        time.Duration
	timeout      time.Duration
	userAgent    string
	cookies      string
	ignoreRobots bool
	engine       string
	profile      string
	timezone     string
	attempts     int
}

func (f *fetchFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.DurationVar(&f.delay, "delay", time.Second, "pause between requests to one host, randomised +/-50%")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout for one request")
	fl.StringVar(&f.userAgent, "user-agent", scraper.DefaultUserAgent(), "User-Agent header")
	fl.StringVar(&f.cookies, "cookies", "", "Netscape cookies.txt file for members-only threads")
	fl.BoolVar(&f.ignoreRobots, "ignore-robots", false, "do not obey robots.txt (only for sites you own or have permission for)")
	fl.StringVar(&f.engine, "engine", "", "force an engine instead of detecting it (see 'forumarc engines')")
	fl.StringVar(&f.profile, "profile", "", "site profile (YAML or JSON selectors) for a forum no engine reads; implies --engine generic")
	fl.StringVar(&f.timezone, "timezone", "UTC", "time zone for dates the forum prints without one (IANA name)")
	fl.IntVar(&f.attempts, "attempts", 3, "tries per page on 408, 429, 5xx and network errors")
}

func (a *app) fetcher(ctx context.Context, f fetchFlags) (*scraper.Fetcher, error) {
	cfg, err := a.fetchConfig(f, 1)
	if err != nil {
		return nil, err
	}
	return scraper.NewFetcher(ctx, cfg), nil
}

// fetchConfig checks the fetch flags and loads the cookies file, so that a bad value
// is a usage error before anything is recorded or fetched.
func (a *app) fetchConfig(f fetchFlags, perHost int) (scraper.FetchConfig, error) {
	if f.delay < 0 || f.timeout <= 0 || f.attempts < 1 {
		return scraper.FetchConfig{}, usagef("--delay must be >= 0, --timeout > 0 and --attempts >= 1")
	}
	cfg := scraper.FetchConfig{
		UserAgent: f.userAgent, Timeout: f.timeout, Delay: f.delay, Attempts: f.attempts,
		IgnoreRobots: f.ignoreRobots, Transport: a.transport, Logger: a.log, PerHost: perHost,
	}
	if f.cookies != "" {
		jar, err := scraper.LoadCookies(f.cookies)
		if err != nil {
			return scraper.FetchConfig{}, usageError{err}
		}
		cfg.Jar = jar
	}
	return cfg, nil
}

type archiveOptions struct {
	fetchFlags
	maxPages int
}

func (a *app) archiveCmd() *cobra.Command {
	var o archiveOptions
	cmd := &cobra.Command{
		Use:   "archive [flags] URL...",
		Short: "Archive every page of one or more threads",
		Long: `archive fetches a thread from the page given through its last page and stores every
post, with its author's sidebar and the raw page, in the archive database. Each page is
committed as soon as it is read, so an interrupted run keeps what it fetched, and running
archive again on the same thread resumes from the last archived page. A thread URL that
redirects to another host of the same site (example.com to www.example.com) is read
there, with a warning and a line in the summary; redirects of later pages to another
host are refused.

It is polite by default: it obeys robots.txt, sends one request at a time per host with
a randomised delay, identifies itself, and retries 408/429/5xx answers with backoff that
honours Retry-After.`,
		Example: `  forumarc archive https://forum.example.com/threads/some-thread.541/
  forumarc archive --db board.db --delay 2s https://forum.example.com/threads/a.1/ https://forum.example.com/threads/b.2/
  forumarc archive --cookies cookies.txt https://forum.example.com/threads/members-only.77/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.archive(cmd.Context(), args, o)
		},
	}
	o.register(cmd)
	cmd.Flags().IntVar(&o.maxPages, "max-pages", 0, "stop each thread after this many pages (0 = all)")
	return cmd
}

func (a *app) archive(ctx context.Context, urls []string, o archiveOptions) error {
	for _, u := range urls {
		if _, err := scraper.ValidateURL(u); err != nil {
			return usageError{err}
		}
	}
	if o.maxPages < 0 {
		return usagef("--max-pages must be >= 0")
	}
	loc, err := loadLocation(o.timezone)
	if err != nil {
		return err
	}
	profile, err := loadProfile(o.profile, o.engine)
	if err != nil {
		return err
	}
	f, err := a.fetcher(ctx, o.fetchFlags)
	if err != nil {
		return err
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	run, err := db.StartRun(ctx, "archive", urls)
	if err != nil {
		return dbError{err}
	}
	a.logRecovered(run)
	prog := newProgress(a.env, "archive")
	started := a.now()
	var sum archiveSummary
	var failed []error
	for _, u := range urls {
		bar := prog.thread(u)
		first := "" // the URL of the first page read, to tell a followed redirect
		arch := scraper.NewArchiver(f, run, scraper.ArchiveConfig{
			MaxPages: o.maxPages, Engine: o.engine, Profile: profile, Location: loc,
			Logger: a.log.With("thread", u),
			OnPage: func(ev scraper.PageEvent) {
				if first == "" {
					first = ev.URL
				}
				bar.page(ev)
			},
			// An address typed here that redirects to www. (or back) is the same forum.
			FollowSiteRedirect: true,
			NoLater:            true, // no later run takes the thread up: a refusal fails it
		})
		res, err := arch.Thread(ctx, u)
		bar.done(err)
		// A thread cut short still marked what it marked, and was read where it was.
		sum.deleted += res.Deleted
		if to := siteRedirected(u, first); to != "" {
			sum.redirected = append(sum.redirected, u+" -> "+to)
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				break
			}
			failed = append(failed, err)
			sum.failed = append(sum.failed, threadFailure(u, err))
			a.log.Debug("thread failed", "url", u, "err", err) // reported once: in the summary and as the exit message
			continue
		}
		a.log.Info("thread done", "url", u, "title", res.Title, "pages", res.Pages, "new", res.PostsNew, "updated", res.PostsUpdated,
			"deleted", res.Deleted)
	}
	prog.wait()
	status := "ok"
	switch {
	case ctx.Err() != nil:
		status = "interrupted"
	case len(failed) > 0:
		status = "failed"
	}
	// Finish with a fresh context: the run record must be closed even after Ctrl-C.
	ferr := run.Finish(context.WithoutCancel(ctx), status)
	a.printArchiveSummary(sum, run.Stats(), a.now().Sub(started))
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case ferr != nil:
		return dbError{ferr}
	case len(failed) == 1:
		return failed[0]
	case len(failed) > 1:
		return fmt.Errorf("%d of %d threads failed (see the summary and crawl_errors)", len(failed), len(urls))
	}
	return nil
}

var _ scraper.Sink = (*store.Run)(nil)

// archiveSummary is what archive's summary reports beyond the run's counters.
type archiveSummary struct {
	deleted    int      // posts found gone from the forum and marked deleted
	redirected []string // "given -> read at" for thread URLs followed to another host
	failed     []string // a line per thread that failed (threadFailure)
}

// printArchiveSummary ends an archive run, like crawl's summary: the counters, then a
// line per thread URL read on another host of its site and per failed thread. Errors
// is at least the failed threads it lists: a thread can fail without a crawl_errors
// row (the archive could not be written, the URL was refused before any request).
func (a *app) printArchiveSummary(sum archiveSummary, st store.RunStats, took time.Duration) {
	errs := max(st.Errors, len(sum.failed))
	fmt.Fprintf(a.stdout, "archive: %d pages, %d new posts, %d updated, %d marked deleted, %d errors in %s -> %s\n",
		st.PagesFetched, st.PostsNew, st.PostsUpdated, sum.deleted, errs, took.Round(100*time.Millisecond), a.dbPath)
	for _, r := range sum.redirected {
		fmt.Fprintf(a.stdout, "  thread URL redirected to another host of the same site, archived there: %s (give that URL next time)\n", r)
	}
	for _, f := range sum.failed {
		fmt.Fprintf(a.stdout, "  failed: %s\n", f)
	}
}

// threadFailure is a failed thread's summary line, on one line: the error, which
// names the page that failed (the URL given or a later page); one that names no page,
// such as a database error, is prefixed with the URL given.
func threadFailure(given string, err error) string {
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	if strings.HasPrefix(msg, "http://") || strings.HasPrefix(msg, "https://") {
		return msg
	}
	return given + ": " + msg
}

// withoutURL is msg without a leading "url: ", for a line that names url already (a
// scraper.FetchError's text starts with its URL). Only exactly that prefix is
// dropped, and only when something follows it.
func withoutURL(url, msg string) string {
	if url == "" {
		return msg
	}
	if rest, ok := strings.CutPrefix(msg, url+": "); ok && rest != "" {
		return rest
	}
	return msg
}

// siteRedirected returns the URL a thread was read at when that is on another host
// than the URL given: the Archiver follows the first request of a thread to another
// host of the same site (FollowSiteRedirect), and refuses every other change of host,
// so the first page read names where the redirect led. first is "" when no page was
// read.
func siteRedirected(given, first string) string {
	if first == "" {
		return ""
	}
	g, err1 := url.Parse(given)
	f, err2 := url.Parse(first)
	if err1 != nil || err2 != nil || hostKey(g) == hostKey(f) {
		return ""
	}
	return first
}

// hostKey is a URL's host as requests see it: the name in lower case, with the port
// unless it is the scheme's default.
func hostKey(u *url.URL) string {
	host, port := strings.ToLower(strings.TrimSuffix(u.Hostname(), ".")), u.Port()
	if port == "" || (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		return host
	}
	return host + ":" + port
}

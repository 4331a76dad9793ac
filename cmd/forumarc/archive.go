package main

import (
	"context"
	"errors"
	"fmt"
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
there, with a warning; redirects of later pages to another host are refused.

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
	var failed []error
	for _, u := range urls {
		bar := prog.thread(u)
		arch := scraper.NewArchiver(f, run, scraper.ArchiveConfig{
			MaxPages: o.maxPages, Engine: o.engine, Profile: profile, Location: loc,
			Logger: a.log.With("thread", u), OnPage: bar.page,
			// An address typed here that redirects to www. (or back) is the same forum.
			FollowSiteRedirect: true,
		})
		res, err := arch.Thread(ctx, u)
		bar.done(err)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				break
			}
			failed = append(failed, err)
			a.log.Debug("thread failed", "url", u, "err", err) // reported once: in the summary and as the exit message
			continue
		}
		a.log.Info("thread done", "url", u, "title", res.Title, "pages", res.Pages, "new", res.PostsNew, "updated", res.PostsUpdated)
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
	printSummary(a.stdout, "archive", run.Stats(), a.now().Sub(started), a.dbPath, failed)
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

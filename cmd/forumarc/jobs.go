package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/store"
)

// jobCmds are the scheduling commands (jobs, run-due, schedule) and status.
func (a *app) jobCmds() []*cobra.Command {
	return []*cobra.Command{a.jobsCmd(), a.runDueCmd(), a.scheduleCmd(), a.statusCmd()}
}

// jobFailedError marks scheduled jobs whose crawl failed: exit 1, like a crawl with
// failed pages, whatever code the jobs' crawls exited with (a job refused by the lock
// among them included).
type jobFailedError struct{ err error }

func (e jobFailedError) Error() string { return e.err.Error() }
func (e jobFailedError) Unwrap() error { return e.err }

// openJobsDB opens an existing archive for writing (openExisting) with the app's
// clock, so job times follow an injected clock in tests. run-due, schedule and jobs
// remove use it: on a path with no archive they exit 4, as jobs list does, instead of
// creating an empty one and finding no job in it.
func (a *app) openJobsDB(ctx context.Context) (*store.DB, error) {
	return a.openExisting(ctx, store.WithNow(a.now))
}

func (a *app) jobsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "Define scheduled crawls (add, list, remove); run them with run-due or schedule",
		Long: `Jobs are crawls stored in the archive with a schedule. 'forumarc run-due' runs the
jobs that are due once and exits (for cron, systemd timers, Kubernetes CronJobs);
'forumarc schedule' stays in the foreground and runs them as they come due (Docker).`,
		Example: `  forumarc jobs add general --every 6h https://forum.example.com/forums/general.2/
  forumarc jobs add nightly --cron "0 3 * * *" --max-threads 500 https://forum.example.com/
  forumarc jobs list
  forumarc jobs remove general`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.jobsAddCmd(), a.jobsListCmd(), a.jobsRemoveCmd())
	return cmd
}

func (a *app) jobsAddCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add NAME (--every INTERVAL | --cron EXPR) [crawl flags] URL...",
		Short: "Add a scheduled crawl: everything after NAME except --every/--cron is kept as the crawl's arguments",
		Long: `Add a job: a crawl of URL... with the given crawl flags, run on a schedule.

--every INTERVAL runs the job every INTERVAL (6h, 90m, 1d; at least 1m), first at
once, then at fixed times from then on (a slow run does not shift later runs).
--cron EXPR takes a five-field cron expression (minute hour day-of-month month
day-of-week: "0 */6 * * *", "30 2 * * 1-5"), or @yearly, @monthly, @weekly,
@daily, @hourly, or @every INTERVAL (at least 1m, as for --every; seconds and
six-field expressions are not accepted). Times are UTC unless the expression
starts with CRON_TZ=Zone or TZ=Zone ("CRON_TZ=Europe/Berlin 0 3 * * *").

The crawl flags and URLs are checked as 'forumarc crawl' checks them (a bad value
exits 2 and adds nothing), stored as given (with --profile and --cookies made
absolute) and passed to 'forumarc crawl' when the job runs. Put them after NAME; '--' ends the job's own flags if a crawl
argument could be mistaken for one. An existing name is refused (exit 1): remove
it first.`,
		Example: `  forumarc jobs add general --every 6h https://forum.example.com/forums/general.2/
  forumarc jobs add nightly --cron "0 3 * * *" --max-threads 500 --include '/threads/' https://forum.example.com/
  forumarc jobs add berlin --cron "CRON_TZ=Europe/Berlin 0 4 * * *" -- --since 2025-01-01 https://forum.example.com/`,
		// Crawl flags are not this command's: parse by hand so they are kept verbatim.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, raw []string) error {
			spec, help, err := a.parseJobAdd(raw)
			if help {
				return cmd.Help()
			}
			if err != nil {
				return err
			}
			if err := a.setup(); err != nil { // --log-* may have come after the command name
				return err
			}
			if err := a.validateCrawlArgs(spec.args); err != nil {
				return err
			}
			if spec.args, err = absPathArgs(spec.args); err != nil {
				return err
			}
			ctx := cmd.Context()
			// jobs add is how a scheduled setup starts, so it creates the archive, and
			// says so: a mistyped --db shows at once, not as jobs that never run.
			created := !archiveExists(a.dbPath)
			db, err := a.openDB(ctx, store.WithNow(a.now))
			if err != nil {
				return err
			}
			defer db.Close()
			j, err := db.AddJob(ctx, spec.name, spec.schedule, spec.args)
			if errors.Is(err, store.ErrJobExists) {
				return fmt.Errorf("job %q already exists; remove it first with 'forumarc jobs remove %s'", spec.name, spec.name)
			}
			if err != nil {
				return dbError{notWritable(a.dbPath, err)}
			}
			if created {
				fmt.Fprintf(cmd.OutOrStdout(), "created a new archive at %s\n", absPath(a.dbPath))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "added job %s (%s), next run %s\n", j.Name, j.Schedule, jobsTime(j.NextRunAt))
			return nil
		},
	}
	// Shown by --help only; parsing is parseJobAdd's.
	cmd.Flags().String("every", "", "run every INTERVAL (6h, 90m, 1d; at least 1m)")
	cmd.Flags().String("cron", "", `run at the times of a five-field cron expression ("0 */6 * * *"), @daily/@hourly/..., or "@every 2h" (at least 1m); UTC unless prefixed CRON_TZ=Zone`)
	return cmd
}

type jobSpec struct {
	name     string
	schedule store.Schedule
	args     []string
}

// parseJobAdd splits jobs add's raw arguments into the name, the schedule flags, the
// global flags (which cobra does not parse with DisableFlagParsing) and the crawl
// arguments, kept verbatim and in order.
func (a *app) parseJobAdd(raw []string) (spec jobSpec, help bool, err error) {
	var every, cronExpr string
	var haveEvery, haveCron bool
	globals := map[string]*string{"--db": &a.dbPath, "--log-level": &a.logLevel, "--log-format": &a.logFormat}
	var rest []string
	dashes := false
	for i := 0; i < len(raw); i++ {
		arg := raw[i]
		if dashes {
			rest = append(rest, arg)
			continue
		}
		if arg == "-h" || arg == "--help" {
			return spec, true, nil
		}
		if arg == "--" {
			dashes = true
			continue
		}
		flagName, value, hasValue := strings.Cut(arg, "=")
		target := (*string)(nil)
		switch flagName {
		case "--every":
			target, haveEvery = &every, true
		case "--cron":
			target, haveCron = &cronExpr, true
		default:
			target = globals[flagName]
		}
		if target != nil {
			if !hasValue {
				if i+1 >= len(raw) {
					return spec, false, usagef("flag needs an argument: %s", flagName)
				}
				i++
				value = raw[i]
			}
			*target = value
			continue
		}
		if spec.name == "" {
			if strings.HasPrefix(arg, "-") {
				return spec, false, usagef("jobs add: NAME must come before the crawl flags (got %s first)", arg)
			}
			spec.name = arg
			continue
		}
		rest = append(rest, arg)
	}
	if spec.name == "" {
		return spec, false, usagef("jobs add: a job NAME is required")
	}
	if isHTTPURL(spec.name) {
		return spec, false, usagef("jobs add: a job NAME is required before the URLs (got %s first)", spec.name)
	}
	if !store.ValidJobName(spec.name) {
		return spec, false, usagef("jobs add: invalid job name %q (letters, digits, '.', '_' and '-', at most 64)", spec.name)
	}
	if haveEvery && every == "" || haveCron && cronExpr == "" {
		return spec, false, usagef("jobs add: --every and --cron need a value")
	}
	spec.schedule, err = store.NewSchedule(every, cronExpr)
	if err != nil {
		return spec, false, usageError{fmt.Errorf("jobs add %s: %w", spec.name, err)}
	}
	spec.args = rest
	if spec.args == nil {
		spec.args = []string{}
	}
	return spec, false, nil
}

// validateCrawlArgs checks a job's crawl arguments before they are stored: parsed by
// the crawl command's flags and checked as crawl checks them (checkCrawl, which also
// loads the profile and cookies files), with at least one http(s) URL.
func (a *app) validateCrawlArgs(args []string) error {
	c, o := a.newCrawlCmd()
	fs := c.Flags()
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usagef("jobs add: crawl arguments: %v", err)
	}
	urls := fs.Args()
	for _, p := range urls {
		if !isHTTPURL(p) {
			return usagef("jobs add: %q is not an http(s) URL", p)
		}
	}
	if len(urls) == 0 {
		return usagef("jobs add: at least one http(s) URL to crawl is required")
	}
	_, err := a.checkCrawl(urls, *o)
	return err
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (a *app) jobsListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the jobs: schedule, next run, last run and how it ended",
		Example: `  forumarc jobs list
  forumarc jobs list --json | jq '.[] | select(.last_status == "failed") | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			db, err := a.openReadOnly(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			jobs, err := db.ListJobs(ctx)
			if err != nil {
				return dbError{err}
			}
			if asJSON {
				if jobs == nil {
					jobs = []store.Job{}
				}
				return jobsWriteJSON(cmd.OutOrStdout(), jobs)
			}
			if len(jobs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no jobs (add one with 'forumarc jobs add NAME --every 6h URL')")
				return nil
			}
			writeJobsTable(cmd.OutOrStdout(), jobs, a.now())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON (with each job's crawl arguments)")
	return cmd
}

func writeJobsTable(out io.Writer, jobs []store.Job, now time.Time) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSCHEDULE\tNEXT RUN\tLAST RUN\tLAST STATUS\tARGS")
	for _, j := range jobs {
		next := jobsTime(j.NextRunAt)
		if j.Due(now) {
			next += " (due)"
		}
		last, status := "never", "-"
		if j.LastRunAt != nil {
			last = jobsTime(*j.LastRunAt)
		}
		if j.LastStatus != nil {
			status = *j.LastStatus
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", j.Name, j.Schedule, next, last, status, strings.Join(j.Args, " "))
	}
	w.Flush()
}

func (a *app) jobsRemoveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME...",
		Short: "Remove jobs (their past runs stay in the archive); an unknown name exits 1",
		Example: `  forumarc jobs remove general
  forumarc jobs remove general nightly`,
		Aliases: []string{"rm"},
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, names []string) error {
			ctx := cmd.Context()
			db, err := a.openJobsDB(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			var missing []string
			for _, n := range names {
				err := db.RemoveJob(ctx, n)
				switch {
				case errors.Is(err, store.ErrNoJob):
					missing = append(missing, n)
				case err != nil:
					return dbError{err}
				default:
					fmt.Fprintf(cmd.OutOrStdout(), "removed job %s\n", n)
				}
			}
			if len(missing) > 0 {
				return fmt.Errorf("no job named %s (see 'forumarc jobs list')", strings.Join(missing, ", "))
			}
			return nil
		},
	}
}

func (a *app) runDueCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "run-due",
		Short: "Run every due job once, one after another, then exit (for cron, systemd timers, Kubernetes CronJobs)",
		Long: `Run each job whose next run time has come, one after the other, then exit.
Jobs not due are left alone, so it is safe to call run-due often (every few
minutes): each job still runs on its own schedule.

Each job that fails prints one line on stderr, "forumarc: job NAME: why"; so does
a job refused because another crawl took the archive while run-due ran (the line
names that crawl; the job stays due and the jobs after it are still tried). When
several jobs were due, a last line says how many of them failed and how many were
refused.

Exit codes: 0 all due jobs succeeded (or none was due), 1 some job failed
(whether or not others were refused), 3 no job failed but another crawl held the
archive: from the start (nothing was run) or when some job's turn came (that job
stays due), 4 the archive cannot be used, 130 interrupted (the job in progress
stays due and resumes next time, the jobs not reached stay due; when several jobs
were due, a last line says how each job run before ended, failed ones included,
and which were not run).`,
		Example: `  forumarc --db /data/forum.db run-due
  # crontab: try every 10 minutes
  # (stderr is all JSON records; stdout, the human summaries, is dropped)
  */10 * * * * forumarc --db /data/forum.db --log-format json run-due >/dev/null 2>>/var/log/forumarc.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDue(cmd.Context(), cmd.OutOrStdout()) },
	}
}

// runDue runs the due jobs sequentially.
func (a *app) runDue(ctx context.Context, out io.Writer) error {
	db, err := a.openJobsDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if holder, err := db.LockHolder(ctx); err != nil {
		return dbError{err}
	} else if holder != nil {
		return lockedError{fmt.Errorf("no job run: %w", holder)}
	}
	due, err := db.DueJobs(ctx, a.now())
	if err != nil {
		return dbError{err}
	}
	if len(due) == 0 {
		fmt.Fprintln(out, "no jobs due")
		return nil
	}
	var failed, refused, ran []string
	for i, j := range due {
		if err := ctx.Err(); err != nil {
			if len(ran) == 0 {
				return err
			}
			return a.dueInterrupted(ran, "", due[i:], len(due))
		}
		res := a.runStoredJob(ctx, db, j)
		fmt.Fprintf(out, "job %s: %s\n", j.Name, res.status)
		switch res.code {
		case exitOK:
		case exitLocked:
			// Another crawl took the archive after the check above; the job's crawl printed
			// the line naming it (exitReport), and the job stays due. The jobs after it
			// are still tried: that crawl may end before them.
			refused = append(refused, j.Name)
			res.status = "refused"
		case exitInterrupted:
			return a.dueInterrupted(ran, j.Name, due[i+1:], len(due))
		default:
			failed = append(failed, j.Name)
		}
		ran = append(ran, j.Name+" "+res.status)
	}
	return dueJobsFailed(failed, refused, len(due))
}

// dueInterrupted is how run-due ends when interrupted (exit 130), during job current
// or, when current is "", between jobs: ran holds "NAME STATUS" of the jobs that ended
// before, notRun the jobs not reached (they stay due, as does current). With several
// jobs due, one line says all of that (the job lines on stdout may go to /dev/null in
// a crontab, and without it a failed job before the interrupt would go unreported);
// with one, the interrupted crawl's own line says it all.
func (a *app) dueInterrupted(ran []string, current string, notRun []store.Job, due int) error {
	if due == 1 {
		return reportedError{context.Canceled}
	}
	var msg string
	if current != "" {
		msg = fmt.Sprintf("run-due: interrupted during job %s (%d of %d due jobs), which stays due and resumes next time",
			current, len(ran)+1, due)
		if len(ran) > 0 {
			msg += "; ran before it: " + strings.Join(ran, ", ")
		}
	} else {
		msg = fmt.Sprintf("run-due: interrupted after %d of %d due jobs: %s", len(ran), due, strings.Join(ran, ", "))
	}
	if len(notRun) > 0 {
		names := make([]string, len(notRun))
		for i, j := range notRun {
			names[i] = j.Name
		}
		msg += "; not run, still due: " + strings.Join(names, ", ")
	}
	if a.logFormat == "json" {
		slog.New(slog.NewJSONHandler(a.stderr, nil)).Warn(msg, "exit", exitInterrupted)
	} else {
		fmt.Fprintln(a.stderr, "forumarc: "+msg)
	}
	return reportedError{context.Canceled}
}

// dueJobsFailed is how run-due ends when jobs failed or were refused by the lock: exit
// 1 when any failed, else 3. Each such job's crawl has printed its own line
// ("forumarc: job NAME: ..."): with one job due that line says it all, and nothing
// more is printed; with several, one line more counts the failed and the refused of
// how many, which a reader of cron mail cannot tell from the job lines alone.
func dueJobsFailed(failed, refused []string, due int) error {
	switch {
	case len(failed) == 0 && len(refused) == 0:
		return nil
	case due == 1 && len(failed) == 1:
		return reportedError{jobFailedError{fmt.Errorf("job %s failed", failed[0])}}
	case due == 1:
		return reportedError{lockedError{fmt.Errorf("job %s not run: another crawl holds the archive", refused[0])}}
	}
	var parts []string
	if len(failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d due jobs failed (%s)", len(failed), due, strings.Join(failed, ", ")))
	}
	switch {
	case len(refused) > 0 && len(failed) > 0:
		parts = append(parts, fmt.Sprintf("%d refused: another crawl holds the archive (%s)", len(refused), strings.Join(refused, ", ")))
	case len(refused) > 0:
		parts = append(parts, fmt.Sprintf("%d of %d due jobs refused: another crawl holds the archive (%s)", len(refused), due, strings.Join(refused, ", ")))
	}
	err := fmt.Errorf("run-due: %s; see the lines above", strings.Join(parts, ", "))
	if len(failed) > 0 {
		return jobFailedError{err}
	}
	return lockedError{err}
}

// jobResult is how one run of a job ended.
type jobResult struct {
	code   int
	status string
	runID  int64
}

// jobCrawlArgs is the command line a job runs: the global flags of this process, then
// crawl and the job's stored arguments.
func (a *app) jobCrawlArgs(j store.Job) []string {
	args := []string{"--db", a.dbPath}
	if a.logLevel != "" {
		args = append(args, "--log-level", a.logLevel)
	}
	if a.logFormat != "" && a.logFormat != "text" {
		args = append(args, "--log-format", a.logFormat)
	}
	args = append(args, "crawl")
	return append(args, j.Args...)
}

// runStoredJob runs one job's crawl through the runner and records the outcome on the
// job. A crawl refused by the lock records nothing (the job stays due); an interrupted
// one stays due so the next run resumes its frontier; otherwise the job moves to its
// next time.
func (a *app) runStoredJob(ctx context.Context, db *store.DB, j store.Job) jobResult {
	keep := context.WithoutCancel(ctx) // record the outcome even when interrupted
	before, err := db.LastRunID(keep)
	if err != nil {
		a.log.Warn("cannot read runs before job", "job", j.Name, "err", err)
	}
	runner := a.runJob
	if runner == nil {
		e := a.env
		e.job = j.Name // its exit line names the job (exitReport)
		runner = func(ctx context.Context, args []string) int { return run(ctx, args, e) }
	}
	started := a.now()
	a.log.Info("job starting", "job", j.Name, "schedule", j.Schedule.String(), "args", j.Args)
	code := runner(ctx, a.jobCrawlArgs(j))
	res := jobResult{code: code, status: jobStatus(code)}
	var info store.RunInfo // the job's run, for the counts in "job finished"
	if runs, err := db.RunsAfter(keep, before); err == nil {
		for _, r := range runs {
			if r.Command == "crawl" || res.runID == 0 {
				res.runID, info = r.ID, r
			}
			if r.Command == "crawl" {
				break
			}
		}
	}
	if code == exitLocked {
		a.log.Debug("job not run: another crawl holds the archive", "job", j.Name) // the crawl's exit line said so
		return res
	}
	next := j.NextAfter(a.now())
	if code == exitInterrupted {
		next = j.NextRunAt
	}
	if err := db.MarkJobRun(keep, j.Name, started, res.status, res.runID, next); err != nil {
		if errors.Is(err, store.ErrNoJob) {
			a.log.Info("job removed while it ran", "job", j.Name)
		} else {
			a.log.Error("cannot record job run", "job", j.Name, "err", err)
		}
	}
	level := "info"
	if code != exitOK {
		level = "warn"
	}
	attrs := []any{"job", j.Name, "status", res.status, "exit", code, "run", res.runID,
		"pages", info.PagesFetched, "new", info.PostsNew, "updated", info.PostsUpdated, "errors", info.Errors,
		"next", jobsTime(next), "took", a.now().Sub(started).Round(time.Second).String()}
	if level == "info" {
		a.log.Info("job finished", attrs...)
	} else {
		a.log.Warn("job finished", attrs...)
	}
	return res
}

// jobStatus names a crawl exit code for jobs.last_status.
func jobStatus(code int) string {
	switch code {
	case exitOK:
		return store.StatusOK
	case exitFailed:
		return store.StatusFailed
	case exitInterrupted:
		return store.StatusInterrupted
	case exitLocked:
		return "locked"
	case exitUsage:
		return "failed (usage error, exit 2)"
	case exitDatabase:
		return "failed (archive error, exit 4)"
	}
	return fmt.Sprintf("failed (exit %d)", code)
}

func jobsTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func jobsWriteJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

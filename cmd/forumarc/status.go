package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

// statusReport is `forumarc status --json`.
type statusReport struct {
	Archive  string            `json:"archive"`
	Running  *runningCrawl     `json:"running"` // null when no crawl runs
	Frontier statusFrontier    `json:"frontier"`
	Runs     []store.RunInfo   `json:"runs"`
	Errors   []store.ErrorInfo `json:"errors"`
	DueJobs  []store.Job       `json:"due_jobs"`
	Jobs     int               `json:"jobs"`
}

// statusFrontier sizes the frontier; with no crawl running, rows a stopped run left
// leased are counted as pending (and in left_by_stopped_run), not as leased.
type statusFrontier struct {
	scraper.FrontierCounts
	LeftByStoppedRun int `json:"left_by_stopped_run"`
}

type runningCrawl struct {
	Command   string `json:"command"`
	RunID     int64  `json:"run_id"`
	PID       int    `json:"pid"`
	Host      string `json:"host"`
	StartedAt string `json:"started_at"`
}

func (a *app) statusCmd() *cobra.Command {
	var (
		asJSON  bool
		runs    int
		errorsN int
	)
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the running crawl, the last runs, recent errors, the frontier and due jobs",
		Long: `Show what the archive's crawls are doing: the crawl running now (if any), the
last runs with their counts, the most recent page errors, how much work the
frontier holds and which jobs are due. Opens the archive read-only, so it is safe
to run while a crawl runs.`,
		Example: `  forumarc status
  forumarc --db /data/forum.db status --runs 20 --errors 50
  forumarc status --json | jq .running`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runs < 0 || errorsN < 0 {
				return usagef("--runs and --errors must not be negative")
			}
			rep, err := a.status(cmd.Context(), runs, errorsN)
			if err != nil {
				return err
			}
			if asJSON {
				return jobsWriteJSON(cmd.OutOrStdout(), rep)
			}
			writeStatus(cmd.OutOrStdout(), rep, a.now())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.Flags().IntVar(&runs, "runs", 10, "how many recent runs to show")
	cmd.Flags().IntVar(&errorsN, "errors", 10, "how many recent errors to show")
	return cmd
}

func (a *app) status(ctx context.Context, runs, errorsN int) (*statusReport, error) {
	db, err := a.openReadOnly(ctx)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rep := &statusReport{Archive: db.Path(), Runs: []store.RunInfo{}, Errors: []store.ErrorInfo{}, DueJobs: []store.Job{}}
	if rep.Runs, err = db.RecentRuns(ctx, runs); err != nil {
		return nil, dbError{err}
	}
	if rep.Errors, err = db.RecentErrors(ctx, errorsN); err != nil {
		return nil, dbError{err}
	}
	crawlTables, err := db.HasCrawlTables(ctx)
	if err != nil {
		return nil, dbError{err}
	}
	if crawlTables { // an archive from before crawls has no lock, frontier or jobs
		holder, err := db.LockHolder(ctx)
		if err != nil {
			return nil, dbError{err}
		}
		if holder != nil {
			rep.Running = &runningCrawl{Command: holder.Command, RunID: holder.RunID, PID: holder.PID, Host: holder.Host, StartedAt: holder.StartedAt}
		}
		if rep.Frontier.FrontierCounts, err = db.FrontierCounts(ctx); err != nil {
			return nil, dbError{err}
		}
		if holder == nil {
			// Leases count as in progress only while a crawl holds the lock; a stopped
			// or killed run's leases are taken again by the next run.
			rep.Frontier.LeftByStoppedRun = rep.Frontier.Leased
			rep.Frontier.Pending += rep.Frontier.Leased
			rep.Frontier.Leased = 0
		}
		if err := markDeadRuns(ctx, db, rep.Runs); err != nil {
			return nil, err
		}
		jobs, err := db.ListJobs(ctx)
		if err != nil {
			return nil, dbError{err}
		}
		rep.Jobs = len(jobs)
		if rep.DueJobs, err = db.DueJobs(ctx, a.now()); err != nil {
			return nil, dbError{err}
		}
	}
	if rep.Runs == nil {
		rep.Runs = []store.RunInfo{}
	}
	if rep.Errors == nil {
		rep.Errors = []store.ErrorInfo{}
	}
	if rep.DueJobs == nil {
		rep.DueJobs = []store.Job{}
	}
	return rep, nil
}

// markDeadRuns shows those of runs whose process died as interrupted, finished when it
// was last seen alive, as they will be recorded: the crawl run a dead process's lock
// names (DeadLockRun; the next crawl records it when it takes the lock over), and the
// archive and reparse runs (and crawl runs the lock no longer names) DeadRuns finds
// (the next run to start records them). It only reads: every command that lists runs
// (status, stats) calls it, so they show such runs alike before anything records them.
func markDeadRuns(ctx context.Context, db *store.DB, runs []store.RunInfo) error {
	var dead []store.DeadRun
	crawlTables, err := db.HasCrawlTables(ctx)
	if err != nil {
		return dbError{err}
	}
	if crawlTables { // an archive from before crawls has no lock
		d, err := db.DeadLockRun(ctx)
		if err != nil {
			return dbError{err}
		}
		if d != nil {
			dead = append(dead, *d) // first: its finished_at is the lock's last heartbeat
		}
	}
	others, err := db.DeadRuns(ctx)
	if err != nil {
		return dbError{err}
	}
	for _, d := range append(dead, others...) {
		for i, r := range runs {
			if r.ID == d.RunID && r.Status == store.StatusRunning {
				runs[i].Status = store.StatusInterrupted
				runs[i].FinishedAt = &d.LastSeen
			}
		}
	}
	return nil
}

// logRecovered says which runs of processes that died starting a run marked
// interrupted.
func (a *app) logRecovered(run *store.Run) {
	if n := len(run.Recovered); n > 0 {
		a.log.Warn("marked the runs of processes that died interrupted", "count", n, "runs", run.Recovered)
	}
}

func writeStatus(out io.Writer, rep *statusReport, now time.Time) {
	fmt.Fprintf(out, "Archive: %s\n", rep.Archive)
	if r := rep.Running; r != nil {
		fmt.Fprintf(out, "Running: %s (run %d, pid %d on %s, started %s)\n", r.Command, r.RunID, r.PID, r.Host, r.StartedAt)
	} else {
		fmt.Fprintln(out, "Running: no crawl")
	}
	f := rep.Frontier
	left := ""
	if f.LeftByStoppedRun > 0 {
		left = fmt.Sprintf(" (%d left by a stopped run)", f.LeftByStoppedRun)
	}
	fmt.Fprintf(out, "Frontier: %d pending%s, %d deferred, %d in progress, %d done, %d failed\n",
		f.Pending, left, f.Deferred, f.Leased, f.Done, f.Failed)

	fmt.Fprintln(out, "\nLast runs:")
	if len(rep.Runs) == 0 {
		fmt.Fprintln(out, "  none yet")
	} else {
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "  ID\tCOMMAND\tSTARTED\tFINISHED\tSTATUS\tPAGES\tNEW\tUPDATED\tERRORS")
		for _, r := range rep.Runs {
			finished := "-"
			if r.FinishedAt != nil {
				finished = jobsTime(*r.FinishedAt)
			}
			fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.ID, r.Command, jobsTime(r.StartedAt), finished,
				r.Status, r.PagesFetched, r.PostsNew, r.PostsUpdated, r.Errors)
		}
		w.Flush()
	}

	fmt.Fprintln(out, "\nRecent errors:")
	if len(rep.Errors) == 0 {
		fmt.Fprintln(out, "  none")
	} else {
		w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "  AT\tRUN\tURL\tERROR")
		for _, e := range rep.Errors {
			fmt.Fprintf(w, "  %s\t%d\t%s\t%s\n", jobsTime(e.At), e.RunID, e.URL, oneLine(e.Message, 120))
		}
		w.Flush()
	}

	fmt.Fprintf(out, "\nJobs: %d defined, %d due\n", rep.Jobs, len(rep.DueJobs))
	for _, j := range rep.DueJobs {
		fmt.Fprintf(out, "  %s (%s) due since %s (%s ago)\n", j.Name, j.Schedule, jobsTime(j.NextRunAt),
			now.Sub(j.NextRunAt).Round(time.Second))
	}
}

// oneLine shortens a message to one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/store"
)

func (a *app) statsCmd() *cobra.Command {
	var format string
	var top int
	cmd := &cobra.Command{
		Use:   "stats [--format text|json] [--top N]",
		Short: "Summarise the archive: sites, threads, posts, authors, activity",
		Long: `stats prints what the archive holds: sites, threads, posts, authors, raw pages, post
revisions, file size, posts per month, the most active authors and threads, and the last
crawl. The archive is opened read-only, so stats works while a crawl is writing.`,
		Example: `  forumarc stats
  forumarc stats --format json | jq '.posts_per_month[-3:]'
  forumarc stats --top 25`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.stats(cmd.Context(), cmd.OutOrStdout(), format, top)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&top, "top", 10, "how many authors and threads to list")
	return cmd
}

func (a *app) stats(ctx context.Context, w io.Writer, format string, top int) error {
	if format != "text" && format != "json" {
		return usagef("--format must be text or json, not %q", format)
	}
	if top < 1 {
		return usagef("--top must be at least 1")
	}
	db, err := a.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Stats(ctx, top)
	if err != nil {
		return err
	}
	if err := lastRunAsStatus(ctx, db, st); err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(st)
	}
	return writeStats(w, st)
}

// lastRunAsStatus shows the last run as status does: one left "running" by a process
// that died is interrupted, finished when it was last seen alive (markDeadRuns).
func lastRunAsStatus(ctx context.Context, db *store.DB, st *store.Stats) error {
	if st.LastRun == nil || st.LastRun.Status != store.StatusRunning {
		return nil
	}
	runs, err := db.RecentRuns(ctx, 1)
	if err != nil {
		return dbError{err}
	}
	if err := markDeadRuns(ctx, db, runs); err != nil {
		return err
	}
	if len(runs) == 1 { // the newest run now, as Stats read it or one started since
		r := runs[0]
		st.LastRun = &store.RunSummary{Command: r.Command, Status: r.Status, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	}
	return nil
}

// writeStats writes the text report; a failed write (a full disk, a closed pipe) is
// its error: the buffer keeps the first one and Flush returns it.
func writeStats(out io.Writer, st *store.Stats) error {
	bw := bufio.NewWriter(out)
	if err := writeStatsText(bw, st); err != nil {
		return err
	}
	return bw.Flush()
}

func writeStatsText(w io.Writer, st *store.Stats) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "archive\t%s (%s, schema %d)\n", st.Path, humanBytes(st.SizeBytes), st.SchemaVersion)
	fmt.Fprintf(tw, "sites\t%d\nthreads\t%d\nposts\t%d\nauthors\t%d\npages\t%d\nrevisions\t%d\n",
		st.Sites, st.Threads, st.Posts, st.Authors, st.Pages, st.Revisions)
	if st.FirstPostAt != nil && st.LastPostAt != nil {
		fmt.Fprintf(tw, "posts dated\t%s to %s\n", st.FirstPostAt.Format("2006-01-02"), st.LastPostAt.Format("2006-01-02"))
	}
	if st.LastRun != nil {
		fmt.Fprintf(tw, "last run\t%s, %s, started %s\n", st.LastRun.Command, st.LastRun.Status, st.LastRun.StartedAt.Format("2006-01-02 15:04 UTC"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(st.PerSite) > 0 {
		fmt.Fprintln(w, "\nsites:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		for _, s := range st.PerSite {
			engine := ""
			if s.Engine != nil {
				engine = *s.Engine
			}
			fmt.Fprintf(tw, "\t%d posts\t%d threads\t  %s (%s)\t\n", s.Posts, s.Threads, s.URL, engine)
		}
		tw.Flush()
	}
	if len(st.PostsPerMonth) > 0 {
		fmt.Fprintln(w, "\nposts per month:")
		var most int64
		for _, m := range st.PostsPerMonth {
			most = max(most, m.Posts)
		}
		for _, m := range st.PostsPerMonth {
			bar := int(m.Posts * 40 / max(most, 1))
			if m.Posts > 0 && bar == 0 {
				bar = 1
			}
			fmt.Fprintf(w, "  %s %8d %s\n", m.Month, m.Posts, strings.Repeat("█", bar))
		}
	}
	if len(st.TopAuthors) > 0 {
		fmt.Fprintln(w, "\nmost active authors:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, au := range st.TopAuthors {
			name := "(unknown)"
			if au.Name != nil {
				name = *au.Name
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\n", au.Posts, name, au.Site)
		}
		tw.Flush()
	}
	if len(st.TopThreads) > 0 {
		fmt.Fprintln(w, "\nmost active threads:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, t := range st.TopThreads {
			title := t.URL
			if t.Title != nil {
				title = *t.Title
			}
			fmt.Fprintf(tw, "  %d\t%s\t%s\n", t.Posts, title, t.URL)
		}
		tw.Flush()
	}
	return nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

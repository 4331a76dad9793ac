package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/store"
)

type reparseOptions struct {
	selectionFlags
	engine   string
	timezone string
	dryRun   bool
	format   string
}

func (a *app) reparseCmd() *cobra.Command {
	var o reparseOptions
	cmd := &cobra.Command{
		Use:   "reparse [--engine NAME] [--dry-run] [selection flags]",
		Short: "Re-extract posts from the raw pages already archived (no network)",
		Long: `reparse runs the current extractors over the raw pages stored in the archive, so
extractor improvements reach what was archived before. Nothing is fetched.

Posts whose text changed are updated, their previous version kept in post_revisions exactly
as a re-crawl would; posts the old extractor missed are added; unchanged posts are left
alone. Times recorded are the pages' fetch times. Each change is printed, then a summary;
stored posts that the extractor no longer finds are reported, never deleted. --dry-run
reports without writing. The run is recorded in crawl_runs with command "reparse".`,
		Example: `  forumarc reparse --dry-run
  forumarc reparse --site forum.example.com
  forumarc reparse --engine xenforo2 --thread https://forum.example.com/threads/x.541/
  forumarc reparse --format json | jq 'select(.kind == "changed")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.reparse(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	o.selectionFlags.add(f, false)
	f.StringVar(&o.engine, "engine", "", "force an engine instead of detecting it per page (see 'forumarc engines')")
	f.StringVar(&o.timezone, "timezone", "UTC", "time zone for dates shown without one (IANA name), as given to archive")
	f.BoolVar(&o.dryRun, "dry-run", false, "report what would change without writing")
	f.StringVar(&o.format, "format", "text", "output: text, or json (one JSON object per change, then a summary)")
	return cmd
}

// reparseSummary is the last line of reparse's output.
type reparseSummary struct {
	Kind      string   `json:"kind"` // "summary"
	DryRun    bool     `json:"dry_run"`
	Pages     int      `json:"pages"`
	Failed    int      `json:"failed_pages"`
	New       int      `json:"new_posts"`
	Updated   int      `json:"changed_posts"`
	Unchanged int      `json:"unchanged_posts"`
	Metadata  int      `json:"metadata_updated_posts"`
	Threads   int      `json:"threads_updated"`
	Missing   []string `json:"no_longer_found"`
}

type reparseLine struct {
	Kind     string   `json:"kind"`
	ThreadID int64    `json:"thread_rowid"`
	Page     string   `json:"page_url"`
	PostID   string   `json:"post_id,omitempty"`
	Fields   []string `json:"fields,omitempty"`
	OldText  string   `json:"old_text,omitempty"`
	NewText  string   `json:"new_text,omitempty"`
	Error    string   `json:"error,omitempty"`
}

func (a *app) reparse(ctx context.Context, w io.Writer, o reparseOptions) (err error) {
	if o.format != "text" && o.format != "json" {
		return usagef("--format must be text or json, not %q", o.format)
	}
	loc, err := loadLocation(o.timezone)
	if err != nil {
		return err
	}
	if o.engine != "" {
		if _, ok := scraper.Lookup(o.engine); !ok {
			return usagef("--engine: unknown engine %q (see 'forumarc engines')", o.engine)
		}
	}
	sel, err := o.selection()
	if err != nil {
		return err
	}
	if _, err := os.Stat(a.dbPath); err != nil {
		return dbError{fmt.Errorf("open %s: no archive there yet", a.dbPath)}
	}
	db, err := a.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	pages, err := db.ListPages(ctx, sel)
	if err != nil {
		return err
	}
	run, err := db.StartReparse(ctx, os.Args[1:], o.dryRun)
	if err != nil {
		return err
	}
	a.logRecovered(run)
	defer func() {
		if o.dryRun {
			return
		}
		status := store.StatusOK
		switch {
		case errors.Is(err, context.Canceled):
			status = store.StatusInterrupted
		case err != nil:
			status = store.StatusFailed
		}
		if ferr := run.Finish(context.WithoutCancel(ctx), status); ferr != nil && err == nil {
			err = ferr
		}
	}()

	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	emit := func(l reparseLine) {
		if o.format == "json" {
			_ = enc.Encode(l)
			return
		}
		switch l.Kind {
		case "error":
			fmt.Fprintf(w, "failed   %s: %s\n", l.Page, l.Error)
		case "missing":
			fmt.Fprintf(w, "missing  post %s (thread %d): stored but no longer extracted; kept\n", l.PostID, l.ThreadID)
		case "metadata":
			fmt.Fprintf(w, "updated  post %s  %s: %s re-read\n", l.PostID, l.Page, strings.Join(l.Fields, ", "))
		case "thread":
			fmt.Fprintf(w, "thread   %d: title, prefix or forum path updated from %s\n", l.ThreadID, l.Page)
		default:
			fmt.Fprintf(w, "%-8s post %s  %s\n", l.Kind, l.PostID, l.Page)
			if l.Kind == "changed" {
				fmt.Fprintf(w, "    was: %s\n    now: %s\n", preview(l.OldText), preview(l.NewText))
			}
		}
	}
	sum := reparseSummary{Kind: "summary", DryRun: o.dryRun, Missing: []string{}}
	extracted := map[string]bool{}
	for i, pg := range pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		body, err := db.PageBody(ctx, pg.RowID)
		if err == nil {
			ct := ""
			if pg.Encoding != "" {
				ct = "text/html; charset=" + pg.Encoding
			}
			var p *scraper.Page
			p, err = scraper.Extract(body, pg.URL, scraper.Options{Engine: o.engine, ContentType: ct,
				FetchedAt: pg.FetchedAt, Location: loc})
			if err == nil {
				var res store.ReparseResult
				res, err = run.ReparsePage(ctx, pg, p, o.dryRun)
				if err == nil {
					sum.Pages++
					sum.New += res.New
					sum.Updated += res.Updated
					sum.Unchanged += res.Unchanged
					sum.Metadata += res.Metadata
					if res.ThreadUpdate {
						sum.Threads++
						emit(reparseLine{Kind: "thread", ThreadID: pg.ThreadRowID, Page: pg.URL})
					}
					for _, c := range res.Changes {
						emit(reparseLine{Kind: c.Kind, ThreadID: pg.ThreadRowID, Page: pg.URL, PostID: c.PostID,
							OldText: c.OldText, NewText: c.NewText, Fields: c.Fields})
					}
					for _, post := range p.Posts {
						extracted[post.ID] = true
					}
				}
			}
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			sum.Failed++
			emit(reparseLine{Kind: "error", ThreadID: pg.ThreadRowID, Page: pg.URL, Error: oneLineErr(err)})
			a.log.Warn("reparse failed", "url", pg.URL, "err", err)
		}
		// After a thread's last page: stored posts none of its pages yielded.
		if i == len(pages)-1 || pages[i+1].ThreadRowID != pg.ThreadRowID {
			if pg.ThreadRowID != 0 && len(extracted) > 0 {
				ids, err := db.ThreadPostIDs(ctx, pg.ThreadRowID)
				if err != nil {
					return err
				}
				for _, id := range ids {
					if !extracted[id] {
						sum.Missing = append(sum.Missing, id)
						emit(reparseLine{Kind: "missing", ThreadID: pg.ThreadRowID, Page: pg.URL, PostID: id})
					}
				}
			}
			clear(extracted)
		}
	}
	if o.format == "json" {
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		verb := "reparsed"
		if o.dryRun {
			verb = "dry run: would reparse"
		}
		fmt.Fprintf(w, "%s %d pages: %d new posts, %d changed, %d unchanged", verb, sum.Pages, sum.New, sum.Updated, sum.Unchanged)
		if sum.Metadata > 0 {
			fmt.Fprintf(w, " (%d with dates, authors or quotes re-read)", sum.Metadata)
		}
		if sum.Failed > 0 {
			fmt.Fprintf(w, ", %d pages failed", sum.Failed)
		}
		if len(sum.Missing) > 0 {
			fmt.Fprintf(w, ", %d stored posts no longer found (kept)", len(sum.Missing))
		}
		fmt.Fprintln(w)
	}
	if len(pages) == 0 {
		a.notice("forumarc: no archived pages match the selection")
	}
	if sum.Failed > 0 {
		return fmt.Errorf("reparse: %d of %d pages could not be re-extracted", sum.Failed, len(pages))
	}
	return nil
}

func oneLineErr(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// preview shortens a post text to one line for the change report.
func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		s = string(r[:99]) + "…"
	}
	return s
}

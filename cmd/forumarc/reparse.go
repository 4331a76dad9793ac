package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
alone. Times recorded are the pages' fetch times. Each change is printed, then a summary.

Stored posts that no current copy of their thread's pages shows are reported and kept,
never deleted: "deleted" when a crawl found them gone from the forum earlier (with the
older copy of the page, kept in page_versions, that still shows them, if one does),
"gone" when they are not marked deleted but only an older copy shows them, and
"missing" when no stored copy yields them: the extractor no longer finds them. None of
these changes the exit code: it is 1 when some pages could not be re-extracted, else 0.
--dry-run reports without writing. The run is recorded in crawl_runs with command "reparse".`,
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
	Kind      string `json:"kind"` // "summary"
	DryRun    bool   `json:"dry_run"`
	Pages     int    `json:"pages"`
	Failed    int    `json:"failed_pages"`
	New       int    `json:"new_posts"`
	Updated   int    `json:"changed_posts"`
	Unchanged int    `json:"unchanged_posts"`
	Metadata  int    `json:"metadata_updated_posts"`
	Threads   int    `json:"threads_updated"`
	// Missing are the stored posts no stored copy of their pages yields, not marked
	// deleted: what the extractor no longer finds.
	Missing []string `json:"no_longer_found"`
	// Deleted are the stored posts a crawl found gone from the forum that no current
	// copy of their pages shows (an older copy may).
	Deleted []string `json:"deleted_on_forum"`
	// Older are the posts not marked deleted that only an older copy of a page shows.
	Older []string `json:"only_in_older_copies"`
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
	// For "deleted": when a crawl found the post gone from the forum.
	DeletedAt string `json:"deleted_at,omitempty"`
	// For "deleted" and "gone": the newest older copy of a page (page_versions) that
	// the extractor reads the post from, and when that copy was fetched.
	CopyURL       string `json:"older_copy_url,omitempty"`
	CopyFetchedAt string `json:"older_copy_fetched_at,omitempty"`
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
	// An archive file this user may not write is refused here, once, with exit 4
	// (notWritableError), the dry run included: it makes each change and rolls it back.
	unwritable := func(err error) error {
		var nw *notWritableError
		if errors.As(err, &nw) && o.dryRun {
			nw.hint = "reparse --dry-run needs to write too (it makes each change and rolls it back)"
		}
		return err
	}
	db, err := a.openExisting(ctx)
	if err != nil {
		return unwritable(err)
	}
	defer db.Close()
	pages, err := db.ListPages(ctx, sel)
	if err != nil {
		return err
	}
	run, err := db.StartReparse(ctx, os.Args[1:], o.dryRun)
	if err != nil {
		return unwritable(dbError{notWritable(a.dbPath, err)})
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
		case "deleted":
			shown := "no stored copy of its page shows it"
			if l.CopyURL != "" {
				shown = "an older copy of " + l.CopyURL + " fetched " + textStamp(l.CopyFetchedAt) + " shows it"
			}
			fmt.Fprintf(w, "deleted  post %s (thread %d): deleted on the forum (found gone %s); %s; kept\n",
				l.PostID, l.ThreadID, textStamp(l.DeletedAt), shown)
		case "gone":
			fmt.Fprintf(w, "gone     post %s (thread %d): not on the current copies of the thread's pages, not marked deleted; an older copy of %s fetched %s shows it; kept\n",
				l.PostID, l.ThreadID, l.CopyURL, textStamp(l.CopyFetchedAt))
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
	sum := reparseSummary{Kind: "summary", DryRun: o.dryRun, Missing: []string{}, Deleted: []string{}, Older: []string{}}
	extract := func(pg *store.StoredPage, body []byte) (*scraper.Page, error) {
		ct := ""
		if pg.Encoding != "" {
			ct = "text/html; charset=" + pg.Encoding
		}
		// ExtractAny: pages archived from a thread API (Discourse JSON) are read as
		// JSON again, not through the HTML engines.
		p, err := scraper.ExtractAny(body, pg.URL, scraper.Options{Engine: o.engine, ContentType: ct,
			FetchedAt: pg.FetchedAt, Location: loc})
		if err == nil && p.Page.Number < 1 {
			p.Page.Number = pg.Number // an API chunk: its number is the stored page's
		}
		return p, err
	}
	extracted := map[string]bool{}
	threadFailed := false // some page of the current thread could not be re-extracted
	for i, pg := range pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		body, err := db.PageBody(ctx, pg.RowID)
		if err == nil {
			var p *scraper.Page
			p, err = extract(&pg, body)
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
			threadFailed = true
			// The line names the page already: drop the error's own leading URL.
			msg := oneLineErr(err)
			if rest, ok := strings.CutPrefix(msg, pg.URL+": "); ok && rest != "" {
				msg = rest
			}
			emit(reparseLine{Kind: "error", ThreadID: pg.ThreadRowID, Page: pg.URL, Error: msg})
			a.log.Warn("reparse failed", "url", pg.URL, "err", err)
		}
		// After a thread's last page: stored posts none of its pages yielded.
		if i == len(pages)-1 || pages[i+1].ThreadRowID != pg.ThreadRowID {
			if pg.ThreadRowID != 0 && len(extracted) > 0 {
				if err := a.reportUnextracted(ctx, db, pg, extracted, threadFailed, extract, emit, &sum); err != nil {
					return err
				}
			}
			clear(extracted)
			threadFailed = false
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
		if len(sum.Deleted) > 0 {
			fmt.Fprintf(w, ", %d deleted on the forum earlier (kept)", len(sum.Deleted))
		}
		if len(sum.Older) > 0 {
			fmt.Fprintf(w, ", %d shown only by older copies of their pages (kept)", len(sum.Older))
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

// reportUnextracted reports the stored posts of a thread that none of its pages (pg is
// the last) yielded. A post a crawl found gone from the forum is "deleted": its page
// was re-fetched since and the copy that showed it went to page_versions, so the
// current copies are not expected to show it. The others are looked for in those older
// copies too: one found there is "gone" (the forum stopped showing it, no crawl marked
// it deleted), one found nowhere "missing", what an extractor regression looks like.
// When some page of the thread failed (failedPage), the posts not marked deleted are
// "missing" without looking: they may be on that page's current copy.
func (a *app) reportUnextracted(ctx context.Context, db *store.DB, pg store.StoredPage, extracted map[string]bool, failedPage bool,
	extract func(*store.StoredPage, []byte) (*scraper.Page, error), emit func(reparseLine), sum *reparseSummary) error {
	posts, err := db.ThreadPosts(ctx, pg.ThreadRowID)
	if err != nil {
		return err
	}
	var unseen, lookFor []store.ThreadPost
	for _, p := range posts {
		if !extracted[p.ID] {
			unseen = append(unseen, p)
			if !failedPage || p.DeletedAt != nil {
				lookFor = append(lookFor, p)
			}
		}
	}
	if len(unseen) == 0 {
		return nil
	}
	copies := map[string]*store.StoredPage{}
	if len(lookFor) > 0 {
		if copies, err = a.olderCopies(ctx, db, pg.ThreadRowID, lookFor, extract); err != nil {
			return err
		}
	}
	for _, p := range unseen {
		l := reparseLine{Kind: "missing", ThreadID: pg.ThreadRowID, Page: pg.URL, PostID: p.ID}
		c := copies[p.ID]
		if c != nil {
			l.CopyURL, l.CopyFetchedAt = c.URL, c.FetchedAt.UTC().Format(time.RFC3339)
		}
		switch {
		case p.DeletedAt != nil:
			l.Kind, l.DeletedAt = "deleted", p.DeletedAt.UTC().Format(time.RFC3339)
			sum.Deleted = append(sum.Deleted, p.ID)
		case c != nil:
			l.Kind = "gone"
			sum.Older = append(sum.Older, p.ID)
		default:
			sum.Missing = append(sum.Missing, p.ID)
		}
		emit(l)
	}
	return nil
}

// olderCopies returns, for each of the posts given that the current extractors read
// from an earlier copy of one of the thread's pages (page_versions), the newest such
// copy (without its bytes). Copies fetched after the last of the posts was found
// deleted cannot show them and are not read, unless a post is not marked deleted. An
// earlier copy that cannot be read or extracted is skipped: it only tells the reports
// apart.
func (a *app) olderCopies(ctx context.Context, db *store.DB, threadRowID int64, posts []store.ThreadPost,
	extract func(*store.StoredPage, []byte) (*scraper.Page, error)) (map[string]*store.StoredPage, error) {
	want := make(map[string]bool, len(posts))
	var until time.Time // zero: read them all
	live := false
	for _, p := range posts {
		want[p.ID] = true
		live = live || p.DeletedAt == nil
		if p.DeletedAt != nil && p.DeletedAt.After(until) {
			until = *p.DeletedAt
		}
	}
	if live {
		until = time.Time{}
	}
	found := map[string]*store.StoredPage{}
	for v, err := range db.ThreadPageCopies(ctx, threadRowID, until) {
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			a.log.Warn("older page copy unreadable", "thread", threadRowID, "err", err)
			continue
		}
		p, err := extract(v, v.Body)
		if err != nil {
			a.log.Debug("older page copy not extracted", "url", v.URL, "version", v.VersionID, "err", err)
			continue
		}
		c := *v
		c.Body = nil
		for _, post := range p.Posts {
			if want[post.ID] && found[post.ID] == nil {
				found[post.ID] = &c
			}
		}
		if len(found) == len(want) {
			break
		}
	}
	return found, ctx.Err()
}

// textStamp shows an RFC 3339 time of a report line as the other commands show times.
func textStamp(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return jobsTime(t)
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

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/store"
	"github.com/forumarc/forumarc/store/export"
)

type exportOptions struct {
	selectionFlags
	format       string
	output       string
	force        bool
	remoteImages bool
}

func (a *app) exportCmd() *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export --format FORMAT [-o PATH] [selection flags]",
		Short: "Export archived posts as JSONL, CSV, HTML, Markdown or WARC",
		Long: `export writes a selection of the archive (everything by default) in one of these formats:

  jsonl     one post per line: the 'forumarc extract' post object plus its thread, site and
            archive fields; archive.revisions lists the post's earlier versions, oldest first
            ([] when it never changed). To a file (-o) or stdout.
  csv       one row per post, author fields flattened, a header row; revision_count is the
            number of earlier versions kept. To a file or stdout.
  html      one self-contained file per thread in the directory -o: all pages merged, author
            sidebars, quotes linked to the quoted post, edited posts marked. Archived HTML is
            sanitised: no scripts, no event handlers, no remote loads (remote images become
            links unless --remote-images).
  markdown  one .md file per thread in the directory -o.
  warc      the stored raw pages as WARC/1.1 response records (gzip per record, .warc.gz),
            for pywb, warcio and other web-archive tools. To a file or stdout.

Ids: the forum's post and thread ids are jsonl's id and thread.id and the CSV's
post_external_id and thread_external_id; the archive's row ids (post_details' post_id and
thread_id) are archive.post_rowid/thread_rowid and the CSV's post_rowid/thread_rowid. No CSV
column is named post_id (it was the forum's id before; rename it in older scripts).

The archive is opened read-only, so export works while a crawl is writing. Existing files
are never overwritten without --force. File names come from thread titles made safe (letters
and digits only) plus the thread's row id.`,
		Example: `  forumarc export --format jsonl -o posts.jsonl
  forumarc export --format csv --site forum.example.com --since 2025-01 > 2025.csv
  forumarc export --format html --thread https://forum.example.com/threads/x.541/ -o threads/
  forumarc export --format markdown --forum Workshop -o notes/
  forumarc export --format warc -o forum.warc.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.export(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	o.selectionFlags.add(f, true)
	f.StringVar(&o.format, "format", "", "jsonl, csv, html, markdown or warc (required)")
	f.StringVarP(&o.output, "output", "o", "", "output file (jsonl, csv, warc; default stdout) or directory (html, markdown)")
	f.BoolVar(&o.force, "force", false, "overwrite existing output files")
	f.BoolVar(&o.remoteImages, "remote-images", false, "html: keep images that load from the web")
	return cmd
}

func (a *app) export(ctx context.Context, stdout io.Writer, o exportOptions) error {
	format := strings.ToLower(o.format)
	if format == "md" {
		format = "markdown"
	}
	switch format {
	case "jsonl", "csv", "warc":
	case "html", "markdown":
		if o.output == "" || o.output == "-" {
			return usagef("--format %s writes one file per thread: give a directory with -o", format)
		}
	case "":
		return usagef("--format is required: %s", strings.Join(export.Formats, ", "))
	default:
		return usagef("--format must be one of %s, not %q", strings.Join(export.Formats, ", "), o.format)
	}
	if format == "warc" && (o.output == "" || o.output == "-") && isTerminal(stdout) {
		return usagef("refusing to write a binary WARC file to the terminal: give a file with -o or redirect stdout")
	}
	if o.remoteImages && format != "html" {
		return usagef("--remote-images applies to --format html only")
	}
	sel, err := o.selection()
	if err != nil {
		return err
	}
	db, err := a.openReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	var c export.Counts
	switch format {
	case "html":
		c, err = export.HTML(export.Dir{Path: o.output, Force: o.force}, db.Posts(ctx, sel),
			export.HTMLOptions{RemoteImages: o.remoteImages, Generator: "forumarc " + version, Now: a.now})
	case "markdown":
		c, err = export.Markdown(export.Dir{Path: o.output, Force: o.force}, db.Posts(ctx, sel))
	default:
		c, err = a.exportStream(ctx, stdout, db, sel, format, o)
	}
	if err != nil {
		if errors.Is(err, export.ErrExists) {
			return usageError{err}
		}
		return err
	}
	where := o.output
	if where == "" || where == "-" {
		where = "stdout"
	}
	switch format {
	case "warc":
		a.notice(fmt.Sprintf("exported %d pages of %d threads to %s", c.Pages, c.Threads, where))
	case "html", "markdown":
		a.notice(fmt.Sprintf("exported %d posts in %d threads to %d files in %s", c.Posts, c.Threads, c.Files, where))
	default:
		a.notice(fmt.Sprintf("exported %d posts of %d threads to %s", c.Posts, c.Threads, where))
	}
	if c.Posts == 0 && c.Pages == 0 {
		a.notice("forumarc: nothing matched the selection")
	}
	return nil
}

// exportStream writes the single-stream formats to stdout or to -o: a file is written
// under a temporary name and moved into place when complete (see export.File).
func (a *app) exportStream(ctx context.Context, stdout io.Writer, db *store.DB, sel store.Selection,
	format string, o exportOptions) (export.Counts, error) {
	write := func(w io.Writer, name string) (export.Counts, error) {
		switch format {
		case "jsonl":
			return export.JSONL(w, db.Posts(ctx, sel))
		case "csv":
			return export.CSV(w, db.Posts(ctx, sel))
		default:
			return export.WARC(w, db.PageBodies(ctx, sel), export.WARCOptions{
				Software: "forumarc/" + version, Filename: name, Now: a.now,
				Uncompressed: name != "" && strings.HasSuffix(name, ".warc"),
			})
		}
	}
	if o.output == "" || o.output == "-" {
		return write(stdout, "")
	}
	return export.File{Path: o.output, Force: o.force}.Write(func(w io.Writer) (export.Counts, error) {
		return write(w, filepath.Base(o.output))
	})
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/scraper"
	"github.com/forumarc/forumarc/scraper/sampleforum"
)

func (a *app) demoCmd() *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Archive a built-in sample forum thread (no network needed)",
		Long: `demo starts a small sample forum (XenForo 2 style) on 127.0.0.1:38471 (another
port when that one is taken), archives its three-page build-log thread through the same
crawl path as 'archive', and prints a query to try next. It writes to ./forumarc.db unless
--db says otherwise. Running it again on the same archive adds nothing new: the thread is
already archived.`,
		Example: `  forumarc demo
  forumarc demo --db /tmp/demo.db && forumarc --db /tmp/demo.db query "SELECT count(*) FROM posts"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.demo(cmd.Context(), keep)
		},
	}
	cmd.Flags().BoolVar(&keep, "serve", false, "keep serving the sample forum after archiving, until Ctrl-C")
	return cmd
}

// demoAddr is where the sample forum listens. The port is part of the archived site's
// address (sites.base_url), so a fixed one makes a second demo into the same archive
// update the same site instead of adding a copy of it.
const demoAddr = "127.0.0.1:38471"

func (a *app) demo(ctx context.Context, keep bool) error {
	ln, err := net.Listen("tcp", demoAddr)
	if err != nil {
		// Taken (another demo --serve, or anything else): any free port still works,
		// but that forum is another site in the archive.
		a.log.Warn("demo port taken; using another, so this demo is a separate site in the archive", "port", demoAddr, "err", err)
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("demo: listen: %w", err)
		}
	}
	forum := sampleforum.Demo()
	srv := &http.Server{Handler: forum, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	thread := base + sampleforum.ThreadPath(forum.Thread(1))
	fmt.Fprintf(a.stdout, "sample forum running at %s\narchiving %s\n", base, thread)

	err = a.archive(ctx, []string{thread}, archiveOptions{fetchFlags: fetchFlags{
		delay: 0, timeout: 10 * time.Second, userAgent: scraper.DefaultUserAgent(), timezone: "UTC", attempts: 3,
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, `
Done. Try:
  forumarc --db %s query "SELECT post_number, author_name, posted_at, substr(body_text, 1, 50) AS text FROM post_details ORDER BY post_number LIMIT 10"
`, a.dbPath)
	if keep {
		fmt.Fprintf(a.stdout, "serving %s until Ctrl-C\n", base)
		<-ctx.Done()
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil
		}
	}
	return nil
}

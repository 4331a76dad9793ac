package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/forumarc/forumarc/scraper"
)

func (a *app) enginesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "engines",
		Short: "List the forum engines forumarc reads and the fields each yields",
		Example: `  forumarc engines
  forumarc engines --json | jq '.[].name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var infos []scraper.EngineInfo
			for _, e := range scraper.Engines() {
				infos = append(infos, e.Info())
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(infos)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ENGINE\tDESCRIPTION\tFIELDS")
			for _, i := range infos {
				fmt.Fprintf(w, "%s\t%s\t%s\n", i.Name, i.Description, strings.Join(i.Fields, ", "))
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

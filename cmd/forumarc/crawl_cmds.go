package main

import "github.com/spf13/cobra"

// crawlCmds are the board-crawl and scheduling commands.
func (a *app) crawlCmds() []*cobra.Command { return append(a.jobCmds(), a.crawlCmd()) }

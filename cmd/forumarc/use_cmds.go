package main

import "github.com/spf13/cobra"

// useCmds are the commands that read the archive: search, export, reparse, stats.
func (a *app) useCmds() []*cobra.Command { return nil }

// Package migrations embeds the numbered SQL scripts that build the archive schema.
// It is its own package because go:embed cannot reach outside a package directory.
package migrations

import "embed"

// FS holds NNNN_name.sql files, applied in order; PRAGMA user_version records the last.
//
//go:embed *.sql
var FS embed.FS

// Package migrations embeds the goose SQL migrations, the only source of the database schema.
package migrations

import "embed"

// FS holds the migration files 00001_*.sql and onwards.
//
//go:embed *.sql
var FS embed.FS

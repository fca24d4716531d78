package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// Go are the migrations written in Go: River's schema, which riverqueue/river ships as its own
// numbered migrations, moved to a pinned version of River's main line, so that `migrate` stays
// one command and one history.
func Go() []*goose.Migration {
	return []*goose.Migration{
		// 00006: River's schema at version 8 (River v0.51).
		goose.NewGoMigration(6, river(rivermigrate.DirectionUp, 8), river(rivermigrate.DirectionDown, -1)),
	}
}

// GoVersions describes the Go migrations, for the key of the tests' template database.
const GoVersions = "00006:river-8"

// river moves River's schema in dir to version target (-1 down: removes it). River runs each of
// its migrations in a transaction of its own (some cannot share one: an enum value added in one
// is used in a later one) and records each, so an interrupted run resumes where it stopped.
func river(dir rivermigrate.Direction, target int) *goose.GoFunc {
	return &goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
		m, err := rivermigrate.New(riverdatabasesql.New(db), nil)
		if err != nil {
			return err
		}
		if _, err := m.Migrate(ctx, dir, &rivermigrate.MigrateOpts{TargetVersion: target}); err != nil {
			return fmt.Errorf("river schema %s to %d: %w", dir, target, err)
		}
		return nil
	}}
}

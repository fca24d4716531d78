package postgres

import (
	"context"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/servicekatalog/servicekatalog/migrations"
)

// migrator returns a goose provider over the embedded migrations. The session advisory lock lets
// several replicas start at once: one migrates, the others wait and then find nothing to do. The
// lock is a session's, so the migrations run on a direct connection (DirectURL); close it after.
func (db *DB) migrator() (*goose.Provider, func(), error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, nil, err
	}
	conns, closeConns := db.sql, func() {}
	if db.direct != db.url {
		cfg, err := pgx.ParseConfig(db.direct)
		if err != nil {
			return nil, nil, fmt.Errorf("DATABASE_DIRECT_URL: %w", err)
		}
		conns = stdlib.OpenDB(*cfg)
		closeConns = func() { conns.Close() }
	}
	p, err := goose.NewProvider(goose.DialectPostgres, conns, migrations.FS, goose.WithSessionLocker(locker),
		goose.WithGoMigrations(migrations.Go()...))
	if err != nil {
		closeConns()
		return nil, nil, err
	}
	return p, closeConns, nil
}

// Migrate applies every pending migration and reports each to w.
func (db *DB) Migrate(ctx context.Context, w io.Writer) error {
	p, done, err := db.migrator()
	if err != nil {
		return err
	}
	defer done()
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		fmt.Fprintf(w, "applied %s (%s)\n", name(r.Source), r.Duration.Round(1000))
	}
	return nil
}

// MigrateDownTo undoes the migrations after version, newest first, and reports each to w.
func (db *DB) MigrateDownTo(ctx context.Context, version int64, w io.Writer) error {
	p, done, err := db.migrator()
	if err != nil {
		return err
	}
	defer done()
	results, err := p.DownTo(ctx, version)
	if err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	for _, r := range results {
		fmt.Fprintf(w, "undid %s (%s)\n", name(r.Source), r.Duration.Round(1000))
	}
	return nil
}

// MigrationStatus writes one line per migration: version, state, file.
func (db *DB) MigrationStatus(ctx context.Context, w io.Writer) error {
	p, done, err := db.migrator()
	if err != nil {
		return err
	}
	defer done()
	statuses, err := p.Status(ctx)
	if err != nil {
		return err
	}
	for _, s := range statuses {
		at := ""
		if !s.AppliedAt.IsZero() {
			at = s.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		fmt.Fprintf(w, "%05d %-8s %-20s %s\n", s.Source.Version, s.State, at, name(s.Source))
	}
	return nil
}

// MigrationsCurrent reports whether no migration is pending.
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, done, err := db.migrator()
	if err != nil {
		return false, err
	}
	defer done()
	pending, err := p.HasPending(ctx)
	return !pending, err
}

// name is how a migration is reported: its file, or the Go migration's number.
func name(src *goose.Source) string {
	if src.Path != "" {
		return src.Path
	}
	return fmt.Sprintf("%05d (Go: migrations/river.go)", src.Version)
}

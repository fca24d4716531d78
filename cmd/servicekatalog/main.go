// Command servicekatalog is the Servicekatalog API server and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/servicekatalog/servicekatalog/internal/config"
	"github.com/servicekatalog/servicekatalog/internal/devdb"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

const usage = `servicekatalog — shared-service catalogue and SLA governance

Usage:
  servicekatalog serve                      migrate, load reference data (and demo data on first start), serve the API
  servicekatalog migrate [up|status]        apply or list database migrations
  servicekatalog migrate down-to N          undo the migrations after version N, newest first
  servicekatalog seed [--demo]              load reference data (and the demo data)
  servicekatalog token --user U [--ttl 8h]  print a dev-issuer token for an existing user
  servicekatalog token --user U --create --role R --tenant T
                                            create the user and role assignment first
  servicekatalog catalog validate [dir]     check the catalogue files (default: catalog/); no database needed
  servicekatalog catalog sync [dir]         sync the catalogue into the database (default: the built-in one)
  servicekatalog audit verify               verify every audit hash chain (exit 1 if broken)
  servicekatalog mails [--to A] [--subject S] [--at-least N] [M]
                                            list the mails the development mail sink kept (to A), or show mail M
  servicekatalog sheet show FILE SHEET      print a workbook's sheet, row by row (the usage mapping's sheet)
  servicekatalog sheet set FILE 'SHEET!CELL=VALUE'...
                                            fill in cells of a workbook and save it, as a spreadsheet program does
  servicekatalog devdb start|stop [--dir D] run the private PostgreSQL cluster (prints its URL)
  servicekatalog version                    print the version

Configuration comes from the environment; see README.md. Without DATABASE_URL a private
PostgreSQL cluster under DATA_DIR (default .data) is started.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "servicekatalog:", err)
		os.Exit(1)
	}
}

// errUsage reports a malformed command line.
var errUsage = errors.New("see 'servicekatalog help'")

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	case "version":
		fmt.Fprintf(out, "servicekatalog %s (%s)\n", version, runtime.Version())
		return nil
	case "devdb":
		return devdbCmd(ctx, rest, out)
	case "sheet":
		return sheetCmd(rest, out)
	case "catalog":
		if len(rest) > 0 && rest[0] == "validate" {
			return catalogValidate(rest[1:], out)
		}
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log, closeLog := newLogger(cfg, os.Stderr, logFlushEvery)
	defer closeLog()
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrateCmd(ctx, cfg, rest, out)
	case "seed":
		return seedCmd(ctx, cfg, log, rest, out)
	case "token":
		return tokenCmd(ctx, cfg, log, rest, out)
	case "audit":
		return auditCmd(ctx, cfg, log, rest, out)
	case "catalog":
		return catalogSync(ctx, cfg, log, rest, out)
	case "mails":
		return mailsCmd(ctx, cfg, rest, out)
	}
	return fmt.Errorf("unknown command %q: %w", cmd, errUsage)
}

// database opens DATABASE_URL, or the private cluster under DATA_DIR, starting it if needed.
// The returned function closes the pool and stops the cluster if this process owns it: it
// started it, or, when own is set (serve), it adopted one left running by a server that ended
// without stopping it. Other commands leave a running cluster to its owner.
func database(ctx context.Context, cfg config.Config, log *slog.Logger, own bool) (*postgres.DB, func(), error) {
	url := cfg.DatabaseURL
	stopCluster := func() {}
	if url == "" {
		dir := filepath.Join(cfg.DataDir, "pg")
		cl, err := devdb.Open(dir)
		if err != nil {
			return nil, nil, err
		}
		var started bool
		if url, started, err = cl.Start(ctx); err != nil {
			return nil, nil, fmt.Errorf("private PostgreSQL: %w", err)
		}
		owner := started
		if started || own {
			if owner, err = cl.Own(); err != nil {
				return nil, nil, err
			}
		}
		switch {
		case started:
			log.Info("started private PostgreSQL", "dir", dir, "url", config.MaskURL(url))
		case owner:
			log.Info("adopted private PostgreSQL left running; it stops with this server", "dir", dir, "url", config.MaskURL(url))
		}
		if owner {
			stopCluster = func() {
				if err := cl.Release(context.Background()); err != nil {
					log.Warn("stop private PostgreSQL", "err", err)
				}
			}
		}
	}
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: cfg.DBMaxConns, MaxIdle: cfg.DBMaxIdle,
		StatementTimeout: cfg.DBStatementT, DirectURL: cfg.DatabaseDirectURL, ReplicaURL: cfg.DatabaseReplicaURL})
	if err != nil {
		stopCluster()
		return nil, nil, err
	}
	return db, func() { db.Close(); stopCluster() }, nil
}

// cliPrincipal is who the audit records of command-line changes name: the operating-system user.
func cliPrincipal() identity.Principal {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return identity.System("cli:" + name)
}

func devdbCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("devdb", flag.ContinueOnError)
	dir := fs.String("dir", filepath.Join(".data", "pg"), "cluster directory")
	if len(args) == 0 {
		return fmt.Errorf("devdb needs start or stop: %w", errUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cl, err := devdb.Open(*dir)
	if err != nil {
		return err
	}
	switch args[0] {
	case "start":
		url, _, err := cl.Start(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, url)
		return nil
	case "stop":
		return cl.Stop(ctx)
	}
	return fmt.Errorf("devdb %s: %w", strings.Join(args, " "), errUsage)
}

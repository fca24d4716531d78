package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"time"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/config"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/seed"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

func migrateCmd(ctx context.Context, cfg config.Config, args []string, out io.Writer) error {
	sub := "up"
	if len(args) > 0 {
		sub = args[0]
	}
	db, closeDB, err := database(ctx, cfg, slog.New(slog.DiscardHandler), false)
	if err != nil {
		return err
	}
	defer closeDB()
	switch sub {
	case "up":
		if err := db.Migrate(ctx, out); err != nil {
			return err
		}
		fmt.Fprintln(out, "migrations are current")
		return nil
	case "status":
		return db.MigrationStatus(ctx, out)
	case "down-to":
		if len(args) != 2 {
			return fmt.Errorf("migrate down-to needs the version to keep, e.g. migrate down-to 5: %w", errUsage)
		}
		v, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || v < 0 {
			return fmt.Errorf("migrate down-to %q: not a version number: %w", args[1], errUsage)
		}
		return db.MigrateDownTo(ctx, v, out)
	}
	return fmt.Errorf("migrate %s: %w", sub, errUsage)
}

func seedCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "also load the demo data (refused in production)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *demo && cfg.Production() {
		return fmt.Errorf("seed --demo is refused when APP_ENV=production")
	}
	a, closeAll, err := wire(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeAll()
	ctx = identity.WithPrincipal(ctx, cliPrincipal())
	n, err := seed.Reference(ctx, a.Directory)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "reference data: %d municipalities created\n", n)
	if *demo {
		if err := seed.Demo(ctx, a.Directory); err != nil {
			return err
		}
		if err := seed.IssueDemoTasks(ctx, a.Tasks); err != nil {
			return err
		}
		fmt.Fprintln(out, "demo data: loaded (units, owner units, one demo user per role, the tasks of seeds 000 and 002)")
	}
	return nil
}

func tokenCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	username := fs.String("user", "", "username of the user the token is for")
	ttl := fs.Duration("ttl", 8*time.Hour, "lifetime of the token (at most 24h)")
	create := fs.Bool("create", false, "create the user and role assignment first")
	role := fs.String("role", "", "with --create: the role to assign")
	tenantFlag := fs.String("tenant", "", "with --create: the tenant, e.g. municipality:101, unit:midt, council, platform")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *username == "" {
		return fmt.Errorf("token needs --user: %w", errUsage)
	}
	if *ttl <= 0 || *ttl > 24*time.Hour {
		return fmt.Errorf("--ttl must be between 1s and 24h")
	}
	if !cfg.DevIssuer() {
		return fmt.Errorf("tokens come from the OIDC issuer %s; the dev issuer is off", cfg.OIDCIssuer)
	}
	a, closeAll, err := wire(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeAll()
	if *create {
		t, err := tenant.Parse(*tenantFlag)
		if err != nil {
			return fmt.Errorf("--tenant: %w", err)
		}
		if !tenant.Holds(t.Kind, tenant.Role(*role)) {
			return fmt.Errorf("--role %q cannot be held in %s (valid: %v)", *role, t, tenant.RolesFor(t.Kind))
		}
		actx := identity.WithPrincipal(ctx, cliPrincipal())
		if err := a.Directory.Tenant(actx, t); err != nil {
			return fmt.Errorf("--tenant %s: %w", t, err)
		}
		if err := seed.EnsureUser(actx, a.Directory, *username, tenant.Role(*role), t, false); err != nil {
			return err
		}
	}
	u, err := a.Directory.UserByUsername(ctx, *username)
	if err != nil {
		return fmt.Errorf("user %q: %w (create it with --create --role R --tenant T)", *username, err)
	}
	if !u.Active {
		return fmt.Errorf("user %q is deactivated", *username)
	}
	tok, err := a.DevIssuer.Mint(u.Subject, *ttl, a.Clock.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(out, tok)
	return nil
}

func auditCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return fmt.Errorf("audit needs verify: %w", errUsage)
	}
	a, closeAll, err := wire(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := a.Audit.Verify(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return err
	}
	if !rep.OK() {
		b := rep.Broken[0]
		return fmt.Errorf("audit chain %s is broken at record %d: %s", b.Tenant, b.Seq, b.Reason)
	}
	return nil
}

// catalogValidate checks the catalogue files in a directory and lists every problem.
func catalogValidate(args []string, out io.Writer) error {
	dir := "catalog"
	if len(args) > 0 {
		dir = args[0]
	}
	if _, err := os.Stat(dir); err != nil {
		return err
	}
	cat, problems := catalog.Load(os.DirFS(dir))
	for _, p := range problems {
		fmt.Fprintln(out, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %d problems", dir, len(problems))
	}
	fmt.Fprintf(out, "%s: valid: %d families, %d levels, %d calendars, %d standard services, %d vocabularies\n",
		dir, len(cat.Families), len(cat.Levels), len(cat.Calendars), len(cat.Services), len(cat.Vocabularies))
	return nil
}

// catalogSync syncs a catalogue directory (or the built-in catalogue) into the database.
func catalogSync(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "sync" {
		return fmt.Errorf("catalog needs validate or sync: %w", errUsage)
	}
	var fsys fs.FS = catalogfiles.Files
	if len(args) > 1 {
		fsys = os.DirFS(args[1])
	}
	a, closeAll, err := wire(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := a.Catalog.SyncFiles(identity.WithPrincipal(ctx, cliPrincipal()), fsys)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "catalogue synced:", rep)
	return nil
}

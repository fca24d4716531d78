package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path/filepath"
	"strconv"
	"time"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/app"
	"github.com/servicekatalog/servicekatalog/internal/config"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/httpapi"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/jobs"
	"github.com/servicekatalog/servicekatalog/internal/mailsink"
	"github.com/servicekatalog/servicekatalog/internal/seed"
)

// wire opens and migrates the database and builds the application. Serving, it first waits for
// the database to answer, however long that takes, and owns the private cluster it finds left
// running; otherwise (the admin commands) it fails at once and leaves a running cluster alone.
func wire(ctx context.Context, cfg config.Config, log *slog.Logger, serving bool) (*app.App, func(), error) {
	mailer, closeSink, err := mailSender(cfg, log, serving)
	if err != nil {
		return nil, nil, err
	}
	db, closeDatabase, err := database(ctx, cfg, log, serving)
	if err != nil {
		closeSink()
		return nil, nil, err
	}
	closeDB := func() { closeDatabase(); closeSink() }
	for serving {
		err := db.Ping(ctx)
		if err == nil {
			break
		}
		log.Warn("the database does not answer; retrying", "err", err)
		select {
		case <-ctx.Done():
			closeDB()
			return nil, nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if err := db.Migrate(ctx, migrationLog{log}); err != nil {
		closeDB()
		return nil, nil, err
	}
	a, err := app.New(ctx, db, app.Options{
		Log: log, Clock: cfg.Clock(), PublicURL: cfg.PublicURL, Audience: cfg.OIDCAudience, Algs: cfg.JWTAlgs,
		OIDCIssuer: cfg.OIDCIssuer, OIDCJWKSURL: cfg.OIDCJWKSURL, TrustedProxies: cfg.TrustedProxies, ReopenDays: cfg.ReopenDays,
		RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst, Version: version, SweepInterval: cfg.SweepInterval,
		Jobs: jobs.Options{ClientID: cfg.JobsClientID, Workers: workers(cfg, serving), JobTimeout: cfg.JobTimeout,
			RescueAfter: cfg.JobRescueAfter, PollInterval: cfg.JobPollInterval, Logger: log},
		Senders: map[delivery.Channel]delivery.Sender{delivery.Mail: mailer}, MailDomain: cfg.MailDomain(),
		WebhookTimeout: cfg.WebhookTimeout, AllowPrivateWebhooks: cfg.WebhookAllowPrivate,
	})
	if err != nil {
		closeDB()
		return nil, nil, err
	}
	return a, closeDB, nil
}

// mailSender is the SMTP server mail leaves through: SMTP_HOST, or, serving in development
// without one, a sink in this process that keeps each mail under DATA_DIR/mail.
func mailSender(cfg config.Config, log *slog.Logger, serving bool) (*delivery.MailSender, func(), error) {
	smtp := delivery.SMTP{Host: cfg.SMTPHost, Port: cfg.SMTPPort, TLS: cfg.SMTPTLS, Username: cfg.SMTPUsername,
		Password: cfg.SMTPPassword, From: cfg.MailFrom, Domain: cfg.MailDomain(), Timeout: cfg.SMTPTimeout}
	closeSink := func() {}
	if smtp.Host == "" {
		host, port, err := net.SplitHostPort(cfg.MailSinkAddr)
		if err != nil {
			return nil, nil, fmt.Errorf("MAIL_SINK_ADDR: %w", err)
		}
		smtp.Host, smtp.TLS = host, "none"
		if smtp.Port, err = strconv.Atoi(port); err != nil {
			return nil, nil, fmt.Errorf("MAIL_SINK_ADDR: %w", err)
		}
		if serving {
			dir := filepath.Join(cfg.DataDir, "mail")
			sink, err := mailsink.Start(cfg.MailSinkAddr, dir)
			if err != nil {
				return nil, nil, fmt.Errorf("the mail sink on MAIL_SINK_ADDR: %w", err)
			}
			closeSink = func() { sink.Close() }
			log.Info("mail goes to the sink in this process (no SMTP_HOST): list it with ./bin/servicekatalog mails",
				"addr", sink.Addr(), "dir", dir)
		}
	}
	m, err := delivery.NewMailSender(smtp)
	if err != nil {
		closeSink()
		return nil, nil, err
	}
	return m, closeSink, nil
}

// pprofMux serves the runtime's profiles, as net/http/pprof registers them.
func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return m
}

// workers is how many jobs this process works: the admin commands only enqueue.
func workers(cfg config.Config, serving bool) int {
	if !serving {
		return 0
	}
	return cfg.Workers
}

type migrationLog struct{ log *slog.Logger }

func (m migrationLog) Write(p []byte) (int, error) {
	m.log.Info("migration", "result", string(p[:len(p)-1]))
	return len(p), nil
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	log.Info("starting", "version", version, "config", cfg.String())
	// Listen at once: /livez answers while the database is awaited, /readyz says 503 until the API
	// is wired, so an orchestrator can tell "starting" from "dead".
	handler := &httpapi.Switch{}
	srv := &http.Server{
		Addr: cfg.Addr, Handler: handler,
		// Requests in flight keep their context when shutdown starts, so that they can finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	httpapi.Configure(srv)
	tcp, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	ln := httpapi.Listener(tcp)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.PprofAddr != "" {
		profiles, err := net.Listen("tcp", cfg.PprofAddr)
		if err != nil {
			return fmt.Errorf("PPROF_ADDR: %w", err)
		}
		defer profiles.Close()
		go http.Serve(profiles, pprofMux())
		log.Info("profiles", "url", "http://"+profiles.Addr().String()+"/debug/pprof/")
	}
	// The requests in flight finish before the database closes.
	closeAll := func() {}
	defer func() {
		shutdown(srv, cfg, log)
		closeAll()
	}()
	log.Info("listening", "addr", ln.Addr().String())

	a, closeDB, err := wire(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	closeAll = func() {
		stopJobs(a, cfg, log)
		closeDB()
	}
	if err := loadData(ctx, cfg, a, log); err != nil {
		return err
	}
	listenCtx, stopListening := context.WithCancel(ctx)
	defer stopListening()
	go a.Listen(listenCtx, log)
	go a.Audit.Sequence(listenCtx, log, cfg.AuditSealInterval)
	if cfg.Workers > 0 {
		go a.Notices.Dispatch(listenCtx, log, cfg.NoticeDispatchInterval)
	}
	// The jobs outlive the signal until stopJobs lets the ones in hand finish.
	if err := a.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	log.Info("background work", "workers", cfg.Workers, "client_id", cfg.JobsClientID)
	handler.Ready(a.API.Handler())
	log.Info("serving", "addr", ln.Addr().String(), "swagger", cfg.PublicURL+"/swagger/index.html")
	if a.DevIssuer != nil {
		fmt.Printf("\nServicekatalog is up on %s\n  Swagger UI: %s/swagger/index.html\n"+
			"  A token:    ./bin/servicekatalog token --user secretariat   (demo users: spoc.101, first_line.101, unit_admin.midt, council, auditor ...)\n"+
			"  Stop with Ctrl-C.\n\n", ln.Addr(), cfg.PublicURL)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return nil
	}
}

// shutdown stops accepting connections and lets the requests in flight finish.
func shutdown(srv *http.Server, cfg config.Config, log *slog.Logger) {
	log.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("shutdown", "err", err)
	}
}

// loadData makes sure the reference data exists and, on the first start of a non-production
// database, loads the demo data.
func loadData(ctx context.Context, cfg config.Config, a *app.App, log *slog.Logger) error {
	ctx = identity.WithPrincipal(ctx, cliPrincipal())
	n, err := seed.Reference(ctx, a.Directory)
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	if n > 0 {
		log.Info("loaded reference municipalities", "created", n)
	}
	rep, err := a.Catalog.SyncFiles(ctx, catalogfiles.Files)
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	log.Info("synced the catalogue", "result", rep.String())
	if n == 0 || cfg.Production() || !cfg.SeedDemo {
		return nil
	}
	if err := seed.Demo(ctx, a.Directory); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if err := seed.IssueDemoTasks(ctx, a.Tasks); err != nil {
		return err
	}
	log.Info("loaded demo data (units, owners, one demo user per role, the tasks of seeds 000 and 002)")
	return nil
}

// stopJobs lets the jobs in hand finish within the shutdown timeout, then cancels the rest: they
// run again elsewhere or after the restart.
func stopJobs(a *app.App, cfg config.Config, log *slog.Logger) {
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := a.Jobs.Stop(sctx); err != nil {
		log.Error("stopping the background work", "err", err)
	}
}

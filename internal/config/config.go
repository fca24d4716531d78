// Package config loads the one typed configuration of the service from the environment.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/servicekatalog/servicekatalog/internal/clock"
)

// Config is every setting the service reads. The env tags are the documentation's source of
// truth: README's configuration table lists the same names.
type Config struct {
	Env  string `env:"APP_ENV" envDefault:"development"` // development | production
	Addr string `env:"ADDR" envDefault:":8080"`
	// PublicURL is how clients reach the service; it names the dev issuer and Swagger links.
	PublicURL string `env:"PUBLIC_URL" envDefault:"http://localhost:8080"`

	DatabaseURL string `env:"DATABASE_URL"`
	// DatabaseDirectURL bypasses a transaction pooler for LISTEN and the migrations' session lock.
	DatabaseDirectURL string `env:"DATABASE_DIRECT_URL"`
	// DatabaseReplicaURL is a streaming replica for the reports' reads, while it has caught up.
	DatabaseReplicaURL string        `env:"DATABASE_REPLICA_URL"`
	DataDir            string        `env:"DATA_DIR" envDefault:".data"` // private PostgreSQL when DATABASE_URL is unset
	DBMaxConns         int           `env:"DB_MAX_CONNS" envDefault:"20"`
	DBMaxIdle          int           `env:"DB_MAX_IDLE_CONNS"` // 0: DB_MAX_CONNS
	DBStatementT       time.Duration `env:"DB_STATEMENT_TIMEOUT" envDefault:"15s"`

	OIDCIssuer   string   `env:"OIDC_ISSUER"`   // empty: the built-in dev issuer (refused in production)
	OIDCJWKSURL  string   `env:"OIDC_JWKS_URL"` // empty: <issuer>/.well-known/jwks.json
	OIDCAudience string   `env:"OIDC_AUDIENCE" envDefault:"servicekatalog"`
	JWTAlgs      []string `env:"JWT_ALGORITHMS" envDefault:"ES256,RS256" envSeparator:","`

	TrustedProxies  []string      `env:"TRUSTED_PROXIES" envSeparator:","` // empty: client address is the peer
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`
	LogFormat       string        `env:"LOG_FORMAT" envDefault:"json"` // json | text
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info"`
	SeedDemo        bool          `env:"SEED_DEMO" envDefault:"true"`        // seed demo data on first start (not in production)
	ReopenDays      int           `env:"TICKET_REOPEN_DAYS" envDefault:"14"` // how long after resolution a municipality may reopen
	RateLimit       float64       `env:"RATE_LIMIT" envDefault:"20"`         // each caller's sustained requests per second
	RateBurst       int           `env:"RATE_LIMIT_BURST" envDefault:"100"`  // and how many at once
	// Workers is how many background jobs (deliveries, sweeps) this instance works at once; 0
	// makes it API-only: it enqueues, and other instances work.
	Workers int `env:"WORKERS" envDefault:"10"`
	// JobsClientID names this process among the instances working jobs; empty: host and pid.
	JobsClientID    string        `env:"JOBS_CLIENT_ID"`
	JobTimeout      time.Duration `env:"JOB_TIMEOUT" envDefault:"1m"`       // a job's context is cancelled after this long
	JobRescueAfter  time.Duration `env:"JOB_RESCUE_AFTER" envDefault:"5m"`  // a job still running this long (its process died) runs again
	JobPollInterval time.Duration `env:"JOB_POLL_INTERVAL" envDefault:"1s"` // besides LISTEN/NOTIFY
	SweepInterval   time.Duration `env:"SWEEP_INTERVAL" envDefault:"1m"`    // subscriptions ended, SLA events, idempotency keys purged
	// AuditSealInterval is how often the audit sequencer looks for records other instances
	// committed; this instance's own are sealed as they commit.
	AuditSealInterval time.Duration `env:"AUDIT_SEAL_INTERVAL" envDefault:"50ms"`
	// NoticeDispatchInterval is how often a working instance looks for events other instances
	// announced (an API-only one's) or that failed; this instance's own go as they commit.
	NoticeDispatchInterval time.Duration `env:"NOTICE_DISPATCH_INTERVAL" envDefault:"250ms"`
	// SMTPHost is the mail server notices leave through; empty (not in production): an SMTP sink
	// in the process, on MAIL_SINK_ADDR, that keeps every mail under DATA_DIR/mail.
	SMTPHost     string        `env:"SMTP_HOST"`
	SMTPPort     int           `env:"SMTP_PORT" envDefault:"587"`
	SMTPTLS      string        `env:"SMTP_TLS" envDefault:"starttls"` // starttls | tls | none
	SMTPUsername string        `env:"SMTP_USERNAME"`
	SMTPPassword string        `env:"SMTP_PASSWORD"`
	SMTPTimeout  time.Duration `env:"SMTP_TIMEOUT" envDefault:"20s"`
	MailFrom     string        `env:"MAIL_FROM" envDefault:"Servicekatalog <noreply@servicekatalog.localhost>"`
	MailSinkAddr string        `env:"MAIL_SINK_ADDR" envDefault:"127.0.0.1:2525"`
	// WebhookTimeout bounds each webhook attempt; WebhookAllowPrivate lets webhooks reach
	// loopback, private and link-local addresses and plain http, for development (refused in
	// production).
	WebhookTimeout      time.Duration `env:"WEBHOOK_TIMEOUT" envDefault:"10s"`
	WebhookAllowPrivate bool          `env:"WEBHOOK_ALLOW_PRIVATE" envDefault:"false"`
	// PprofAddr, when set, serves net/http/pprof there, for profiling under load; loopback only,
	// as a profile shows the process's memory.
	PprofAddr string `env:"PPROF_ADDR"`
	// ClockStart, when set, is the time the service's clock shows as it starts; it then runs at
	// real speed. For demonstrations and the README's recorded walk-through; refused in production.
	ClockStart time.Time `env:"CLOCK_START"`
}

// Load reads the environment and checks the combinations that cannot work.
func Load() (Config, error) {
	var c Config
	if err := env.Parse(&c); err != nil {
		return c, nameVariables(err)
	}
	if c.Env != "development" && c.Env != "production" && c.Env != "test" {
		return c, fmt.Errorf("APP_ENV: %q is not development, production or test", c.Env)
	}
	if c.Production() {
		if c.OIDCIssuer == "" {
			return c, fmt.Errorf("OIDC_ISSUER is required when APP_ENV=production (the dev issuer is refused)")
		}
		if c.DatabaseURL == "" {
			return c, fmt.Errorf("DATABASE_URL is required when APP_ENV=production")
		}
		if !c.ClockStart.IsZero() {
			return c, fmt.Errorf("CLOCK_START is refused when APP_ENV=production")
		}
		if c.WebhookAllowPrivate {
			return c, fmt.Errorf("WEBHOOK_ALLOW_PRIVATE is refused when APP_ENV=production: webhooks must not reach into the platform's network")
		}
		if c.SMTPHost == "" {
			return c, fmt.Errorf("SMTP_HOST is required when APP_ENV=production (the mail sink is for development)")
		}
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return c, fmt.Errorf("LOG_FORMAT: %q is not json or text", c.LogFormat)
	}
	if !(c.RateLimit > 0) || c.RateBurst < 1 {
		return c, fmt.Errorf("RATE_LIMIT (%v) must be above 0 and RATE_LIMIT_BURST (%d) at least 1", c.RateLimit, c.RateBurst)
	}
	if c.Workers < 0 || c.JobTimeout <= 0 || c.JobRescueAfter <= c.JobTimeout || c.JobPollInterval <= 0 || c.SweepInterval <= 0 || c.AuditSealInterval <= 0 ||
		c.NoticeDispatchInterval <= 0 {
		return c, fmt.Errorf("WORKERS (%d) must be 0 or more, JOB_TIMEOUT, JOB_POLL_INTERVAL, SWEEP_INTERVAL, AUDIT_SEAL_INTERVAL and NOTICE_DISPATCH_INTERVAL above 0, and JOB_RESCUE_AFTER (%s) longer than JOB_TIMEOUT (%s)",
			c.Workers, c.JobRescueAfter, c.JobTimeout)
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || !strings.Contains(a.Address, "@") {
		return c, fmt.Errorf("MAIL_FROM %q is not an address such as \"Servicekatalog <noreply@servicekatalog.example>\"", c.MailFrom)
	}
	if c.SMTPTimeout <= 0 || c.SMTPTimeout >= c.JobTimeout {
		return c, fmt.Errorf("SMTP_TIMEOUT (%s) must be above 0 and below JOB_TIMEOUT (%s)", c.SMTPTimeout, c.JobTimeout)
	}
	if c.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.PprofAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return c, fmt.Errorf("PPROF_ADDR %q must be a loopback address and port, such as 127.0.0.1:6060", c.PprofAddr)
		}
	}
	if c.JobsClientID == "" {
		host, _ := os.Hostname()
		c.JobsClientID = fmt.Sprintf("%s-%d", cmp.Or(host, "servicekatalog"), os.Getpid())
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c, nil
}

// Production reports whether the service runs in production mode.
func (c Config) Production() bool { return c.Env == "production" }

// Clock is the service's clock: the real one, or one starting at CLOCK_START.
func (c Config) Clock() clock.Clock {
	if c.ClockStart.IsZero() {
		return clock.System{}
	}
	return clock.Starting(c.ClockStart)
}

// DevIssuer reports whether tokens come from the built-in dev issuer.
func (c Config) DevIssuer() bool { return c.OIDCIssuer == "" }

// String prints the configuration with secrets masked.
func (c Config) String() string {
	return fmt.Sprintf("env=%s addr=%s public_url=%s database=%s oidc_issuer=%q audience=%s algs=%v trusted_proxies=%v rate_limit=%v/s burst %d",
		c.Env, c.Addr, c.PublicURL, MaskURL(c.DatabaseURL), c.OIDCIssuer, c.OIDCAudience, c.JWTAlgs, c.TrustedProxies, c.RateLimit, c.RateBurst)
}

// MaskURL hides the password of a connection URL.
func MaskURL(raw string) string {
	if raw == "" {
		return "(private cluster)"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// nameVariables rewrites the parser's Go field names into the environment variable names an
// operator sets.
func nameVariables(err error) error {
	msg := err.Error()
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		msg = strings.ReplaceAll(msg, `field "`+f.Name+`"`, f.Tag.Get("env"))
	}
	return errors.New(msg)
}

// MailDomain is the right-hand side of the platform's Message-IDs and List-Ids: the domain of
// MAIL_FROM, the domain the mail is sent from.
func (c Config) MailDomain() string {
	a, err := mail.ParseAddress(c.MailFrom)
	if err != nil {
		return "servicekatalog.localhost"
	}
	return a.Address[strings.LastIndex(a.Address, "@")+1:]
}

// Package app wires the services and the HTTP API together over one database. The server
// command and the tests build the application the same way, through New.
package app

import (
	"cmp"
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/outage"
	"github.com/servicekatalog/servicekatalog/internal/session"
	"github.com/servicekatalog/servicekatalog/internal/slareport"

	"github.com/golang-jwt/jwt/v5"

	"github.com/servicekatalog/servicekatalog/internal/activation"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/authz"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/compliance"
	"github.com/servicekatalog/servicekatalog/internal/council"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/httpapi"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/incident"
	"github.com/servicekatalog/servicekatalog/internal/jobs"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/onboarding"
	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/ratelimit"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/task"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

// Options configure the application.
type Options struct {
	Log   *slog.Logger
	Clock clock.Clock
	// Jobs are the background work's settings; SweepInterval is how often the sweeps run.
	Jobs          jobs.Options
	SweepInterval time.Duration
	// Senders send the deliveries of each channel; Backoff, when set, replaces the retry schedule
	// (tests shorten it).
	Senders map[delivery.Channel]delivery.Sender
	Backoff func(ch delivery.Channel, n int, jitter *rand.Rand) time.Duration
	// MailDomain is the right-hand side of the Message-IDs of notices.
	MailDomain string
	// WebhookTimeout and AllowPrivateWebhooks tune webhook deliveries (delivery.Options).
	WebhookTimeout       time.Duration
	AllowPrivateWebhooks bool
	// PublicURL names the dev issuer (PublicURL + identity.DevIssuerPath).
	PublicURL string
	Audience  string
	Algs      []string
	// OIDCIssuer and OIDCJWKSURL select an external issuer; empty: the built-in dev issuer.
	OIDCIssuer     string
	OIDCJWKSURL    string
	TrustedProxies []string
	// ReopenDays is how long after resolution a municipality may reopen a ticket.
	ReopenDays int
	// RateLimit is each caller's sustained requests per second, RateBurst how many at once.
	RateLimit float64
	RateBurst int
	// Version is the build's version, as the service names itself.
	Version string
}

// App is the wired application.
type App struct {
	DB        *postgres.DB
	Audit     *audit.Log
	Authz     *authz.Authorizer
	Directory *directory.Service
	Catalog   *catalog.Service
	Offerings *offering.Service
	// Activation, Orders and Subscriptions serve ordering.
	Activation    *activation.Service
	Orders        *order.Service
	Subscriptions *subscription.Service
	Tickets       *ticket.Service
	Reviews       *review.Service
	Jobs          *jobs.Jobs
	Deliveries    *delivery.Service
	Mailboxes     *mailbox.Service
	Notices       *notice.Service
	Outages       *outage.Service
	Incidents     *incident.Service
	Compliance    *compliance.Service
	Cases         *council.Service
	Onboarding    *onboarding.Service
	Reports       *slareport.Service
	Tasks         *task.Service
	Usage         *usage.Service
	DevIssuer     *identity.DevIssuer // nil with an external issuer
	API           *httpapi.Server
	Clock         clock.Clock
}

// New builds the application over a migrated database.
func New(ctx context.Context, db *postgres.DB, o Options) (*App, error) {
	a := &App{DB: db, Clock: o.Clock}
	var err error
	if a.Authz, err = authz.New(ctx, db, o.Log); err != nil {
		return nil, err
	}
	a.Audit = audit.New(db, o.Clock)
	a.Jobs = jobs.New(db)
	a.Deliveries = delivery.NewService(db, a.Audit, a.Jobs, o.Clock, delivery.Options{Senders: o.Senders, Worker: o.Jobs.ClientID, Backoff: o.Backoff, RescueAfter: o.Jobs.RescueAfter,
		WebhookTimeout: o.WebhookTimeout, AllowPrivateWebhooks: o.AllowPrivateWebhooks})
	a.Directory = directory.NewService(db, a.Audit, a.Authz, o.Clock)
	a.Catalog = catalog.NewService(db, a.Audit, o.Clock)
	a.Mailboxes = mailbox.NewService(db, a.Audit, a.Catalog, a.Directory, a.Deliveries, o.Clock, o.PublicURL)
	a.Offerings = offering.NewService(db, a.Audit, a.Catalog, o.Clock)
	a.Onboarding = onboarding.NewService(db, a.Audit, a.Catalog, a.Directory, o.Clock)
	a.Activation = activation.NewService(db, a.Audit, a.Catalog, a.Mailboxes, a.Onboarding, o.Clock)
	a.Onboarding.UseProver(a.Activation.Proofs)
	a.Subscriptions = subscription.NewService(db, a.Audit, o.Clock)
	a.Notices = notice.NewService(db, a.Audit, a.Catalog, a.Directory, a.Subscriptions, a.Mailboxes, a.Deliveries, a.Jobs, o.Clock,
		notice.Options{PublicURL: o.PublicURL, MailDomain: cmp.Or(o.MailDomain, "servicekatalog.localhost")})
	a.Catalog.OnUpdate(a.Notices.TagsChanged)
	a.Outages = outage.NewService(db, a.Audit, a.Catalog, a.Offerings, a.Notices, a.Subscriptions, o.Clock)
	a.Subscriptions.UseCredits(a.Outages)
	a.Incidents = incident.NewService(db, a.Audit, a.Catalog, a.Offerings, a.Subscriptions, a.Notices, o.Clock)
	a.Orders = order.NewService(db, a.Audit, a.Directory, a.Catalog, a.Offerings, a.Subscriptions, a.Activation, a.Notices, o.Clock)
	if o.ReopenDays == 0 {
		o.ReopenDays = ticket.DefaultReopenDays
	}
	a.Tickets = ticket.NewService(db, a.Audit, a.Catalog, a.Subscriptions, a.Notices, o.Clock, o.ReopenDays)
	a.Tasks = task.NewService(db, a.Audit, a.Directory, a.Notices, o.Clock)
	a.Compliance = compliance.NewService(db, a.Audit, a.Catalog, a.Directory, a.Notices, o.Clock)
	a.Cases = council.NewService(db, a.Audit, o.Clock)
	a.Tasks.UseCheck(task.MailboxReady, func(ctx context.Context, _ task.Evidence, codes []string) (map[string]task.CheckResult, error) {
		ready, err := a.Mailboxes.Ready(ctx, codes)
		out := make(map[string]task.CheckResult, len(ready))
		for code, r := range ready {
			out[code] = task.CheckResult{Met: r.Ready, Detail: r.Detail}
		}
		return out, err
	})
	a.Usage = usage.NewService(db, a.Audit, a.Catalog, a.Directory, o.Clock)
	a.Tasks.UseCheck(task.MappingSubmitted, func(ctx context.Context, _ task.Evidence, codes []string) (map[string]task.CheckResult, error) {
		found, err := a.Usage.Proof(ctx, codes)
		out := make(map[string]task.CheckResult, len(found))
		for code, f := range found {
			out[code] = task.CheckResult{Met: f.Submitted, Detail: f.Detail}
		}
		return out, err
	})
	a.Tasks.UseCheck(task.GateEvidence, func(ctx context.Context, e task.Evidence, codes []string) (map[string]task.CheckResult, error) {
		found, err := a.Onboarding.Passed(ctx, strings.TrimPrefix(string(e), string(task.GateEvidence)), codes)
		out := make(map[string]task.CheckResult, len(found))
		for code, f := range found {
			out[code] = task.CheckResult{Met: f.Passed, Detail: f.Detail}
		}
		return out, err
	})
	a.Reports = slareport.NewService(a.Outages, a.Tickets, a.Subscriptions, db, o.Clock)
	a.Reviews = review.NewService(a.Directory, o.Clock, a.Offerings, a.Catalog)
	every := cmp.Or(o.SweepInterval, time.Minute)
	a.Jobs.Sweep("mailbox.links", every, a.Mailboxes.SendLinks)
	a.Jobs.Sweep("subscriptions.end", every, a.Subscriptions.Sweep)
	a.Jobs.Sweep("tickets.sla", every, a.Tickets.Sweep)
	a.Jobs.Sweep("availability.rollup", every, a.Outages.Sweep)
	a.Jobs.Sweep("tasks.remind", every, a.Tasks.Remind)
	a.Jobs.Sweep("compliance.remind", every, a.Compliance.Remind)
	a.Jobs.Sweep("incidents.remind", every, a.Incidents.Remind)
	a.Jobs.Sweep("usage.figures", every, a.Usage.Refresh)
	a.Jobs.Sweep("idempotency.purge", every, func(ctx context.Context) (int, error) {
		n, err := idempotency.Purge(ctx, db)
		return int(n), err
	})
	if o.Jobs.Logger == nil {
		o.Jobs.Logger = o.Log
	}
	if err := a.Jobs.Open(o.Jobs); err != nil {
		return nil, err
	}
	var keys jwt.Keyfunc
	issuer := o.OIDCIssuer
	if issuer == "" {
		if a.DevIssuer, err = identity.LoadDevIssuer(ctx, db, o.PublicURL+identity.DevIssuerPath, o.Audience); err != nil {
			return nil, err
		}
		issuer = a.DevIssuer.Issuer()
		keys, err = identity.DevKeys(a.DevIssuer)
	} else {
		keys, err = identity.RemoteKeys(ctx, o.OIDCIssuer, o.OIDCJWKSURL)
	}
	if err != nil {
		return nil, err
	}
	a.API, err = httpapi.New(httpapi.Deps{
		DB: db, Directory: a.Directory, Catalog: a.Catalog, Offerings: a.Offerings, Clock: o.Clock,
		Activation: a.Activation, Orders: a.Orders, Subscriptions: a.Subscriptions, Tickets: a.Tickets, Reviews: a.Reviews, Mailboxes: a.Mailboxes, Deliveries: a.Deliveries, Notices: a.Notices, Outages: a.Outages, Incidents: a.Incidents, Compliance: a.Compliance, Cases: a.Cases, Onboarding: a.Onboarding, Decisions: review.NewRegister(db, a.Directory, a.Audit), Reports: a.Reports, Tasks: a.Tasks, Usage: a.Usage, Sessions: session.New(db, a.Audit, o.Clock), Audit: a.Audit, Authz: a.Authz, DevIssuer: a.DevIssuer, Log: o.Log, Version: o.Version,
		Authn:          identity.NewAuthenticator(keys, issuer, o.Audience, o.Algs, a.Authz, o.Clock.Now),
		TrustedProxies: o.TrustedProxies, Limiter: ratelimit.New(o.RateLimit, o.RateBurst),
	})
	return a, err
}

// Listen keeps this instance's in-memory state (the authorisation snapshot, the catalogue and the
// published offerings, the municipalities) current with changes made on any instance, until ctx ends.
func (a *App) Listen(ctx context.Context, log *slog.Logger) {
	a.DB.Listen(ctx, log, map[string]func(context.Context) error{
		authz.Channel: a.Authz.Reload, catalog.Channel: a.Catalog.Forget, offering.Channel: a.Offerings.Forget,
		directory.MunicipalityChannel: a.Directory.ForgetMunicipalities,
	})
}

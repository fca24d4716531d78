// Package httpapi is the REST API: the gin router, its middleware, the handlers and the mapping of
// errors to RFC 9457 problem details. It never writes SQL; handlers decode, call a service and
// map the result.
package httpapi

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/outage"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/servicekatalog/servicekatalog/internal/activation"
	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/authz"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/compliance"
	"github.com/servicekatalog/servicekatalog/internal/council"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/incident"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/onboarding"
	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/ratelimit"
	"github.com/servicekatalog/servicekatalog/internal/review"
	"github.com/servicekatalog/servicekatalog/internal/session"
	"github.com/servicekatalog/servicekatalog/internal/slareport"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/task"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

// Deps are what the API is built from.
type Deps struct {
	DB             *postgres.DB
	Directory      *directory.Service
	Catalog        *catalog.Service
	Offerings      *offering.Service
	Activation     *activation.Service
	Orders         *order.Service
	Subscriptions  *subscription.Service
	Tickets        *ticket.Service
	Reviews        *review.Service
	Mailboxes      *mailbox.Service
	Deliveries     *delivery.Service
	Notices        *notice.Service
	Outages        *outage.Service
	Incidents      *incident.Service
	Compliance     *compliance.Service
	Cases          *council.Service
	Onboarding     *onboarding.Service
	Decisions      *review.Register
	Reports        *slareport.Service
	Sessions       *session.Sessions
	Tasks          *task.Service
	Usage          *usage.Service
	Clock          clock.Clock
	Audit          *audit.Log
	Authz          *authz.Authorizer
	Authn          *identity.Authenticator
	DevIssuer      *identity.DevIssuer // nil unless the dev issuer is on
	Log            *slog.Logger
	TrustedProxies []string
	Limiter        *ratelimit.Limiter
	Version        string // the build's version
}

// Server is the HTTP API.
type Server struct {
	Deps
	engine  *gin.Engine
	routes  []Route
	metrics *metrics
	ready   readiness
}

// Route is one registered route and what it requires.
type Route struct {
	Method   string
	Path     string // gin pattern, e.g. /api/v1/tenants/:tenant/users
	Resource string // casbin resource; empty for public routes
	Action   string
	Tenant   string // the path parameter naming the tenant the check is made in; empty: any of the caller's
	Creates  bool   // a creating POST: Idempotency-Key required
}

// Public reports whether the route needs no authentication.
func (r Route) Public() bool { return r.Resource == "" }

// New builds the router.
func New(d Deps) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(d.DB.SQL(), "servicekatalog"),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "servicekatalog_audit_unsealed_records",
			Help: "Audit records committed and not yet sealed into their chains (as last read by this instance's sequencer)."},
			func() float64 { return float64(d.Audit.Unsealed().Records) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "servicekatalog_audit_unsealed_oldest_age_seconds",
			Help: "How long the oldest unsealed audit record has waited."},
			func() float64 { return d.Audit.Unsealed().Age(time.Now()).Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "servicekatalog_notice_events_pending",
			Help: "Announced events whose deliveries are not yet made (as last read by this instance's dispatcher)."},
			func() float64 { return float64(d.Notices.Backlog().Pending) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "servicekatalog_notice_events_failed",
			Help: "Announced events the dispatchers gave up on after 10 attempts: see notice_events.last_error."},
			func() float64 { return float64(d.Notices.Backlog().Failed) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "servicekatalog_db_stale_reads_replica_total",
			Help: "Report reads answered by the replica (DATABASE_REPLICA_URL)."},
			func() float64 { n, _ := d.DB.StaleReads(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "servicekatalog_db_stale_reads_primary_total",
			Help: "Report reads the replica could have answered that the primary answered: the replica was behind, failed or resting."},
			func() float64 { _, n := d.DB.StaleReads(); return float64(n) }))
	s := &Server{Deps: d, engine: e, metrics: newMetrics(reg), ready: readiness{db: d.DB}}
	e.Use(s.recover(), s.requestContext(), s.observe())
	e.NoRoute(s.noRoute)
	e.NoMethod(s.noMethod)
	s.register()
	return s, nil
}

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes lists every registered route.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// perm is what a protected route requires.
type perm struct {
	resource, action, tenant string
	creates                  bool
}

func can(resource, action string) perm { return perm{resource: resource, action: action} }

// in scopes the check to the tenant named by path parameter param.
func (p perm) in(param string) perm { p.tenant = param; return p }

// creating marks a POST that creates something: it requires an Idempotency-Key.
func (p perm) creating() perm { p.creates = true; return p }

func (s *Server) public(method, path string, h gin.HandlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Path: path})
	s.engine.Handle(method, path, h)
}

func (s *Server) protected(method, path string, p perm, h gin.HandlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Resource: p.resource, Action: p.action,
		Tenant: p.tenant, Creates: p.creates})
	chain := []gin.HandlerFunc{s.admit(s.bearer, p, s.fail), s.strictQuery(method, path)}
	if p.creates {
		chain = append(chain, s.idempotencyKey())
	}
	s.engine.Handle(method, path, append(chain, h)...)
}

func (s *Server) noRoute(c *gin.Context) {
	s.fail(c, apperr.New(apperr.NotFound, "no such route: "+c.Request.Method+" "+c.Request.URL.Path))
}

// noMethod answers 405 and lists in Allow the methods the path does have.
func (s *Server) noMethod(c *gin.Context) {
	var allow []string
	for _, r := range s.routes {
		if matchPath(r.Path, c.Request.URL.Path) && !slices.Contains(allow, r.Method) {
			allow = append(allow, r.Method)
		}
	}
	slices.Sort(allow)
	c.Header("Allow", strings.Join(allow, ", "))
	s.fail(c, apperr.Newf(apperr.MethodNotAllowed, "%s is not allowed here; allowed: %s", c.Request.Method, strings.Join(allow, ", ")))
}

// matchPath reports whether a concrete path matches a gin pattern.
func matchPath(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, p := range ps {
		if strings.HasPrefix(p, "*") {
			return true
		}
		if i >= len(xs) || (!strings.HasPrefix(p, ":") && p != xs[i]) || (strings.HasPrefix(p, ":") && xs[i] == "") {
			return false
		}
	}
	return len(ps) == len(xs)
}

package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

const ctxTenant = "tenant"

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func requestID(c *gin.Context) string { return audit.OriginFrom(c.Request.Context()).RequestID }

// recover turns a panic into a logged 500 problem.
func (s *Server) recover() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		s.Log.Error("panic", "request_id", requestID(c), "route", c.FullPath(), "panic", err)
		s.fail(c, apperr.New(apperr.Internal, "internal error"))
	})
}

// requestContext gives every request an id (the caller's X-Request-ID when it is sane) and the
// origin that audit records carry.
func (s *Server) requestContext() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !safeRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		c.Header("X-Request-ID", id)
		ctx := audit.WithOrigin(c.Request.Context(), audit.Origin{RequestID: id, ClientIP: c.ClientIP()})
		c.Request = c.Request.WithContext(ctx)
		// gin ignores what it cannot parse in a query; a malformed one is refused instead.
		if _, err := url.ParseQuery(c.Request.URL.RawQuery); err != nil {
			s.fail(c, apperr.Param("", "the query string is malformed: "+err.Error()))
			return
		}
		c.Next()
	}
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  gin.HandlerFunc
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "servicekatalog_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "servicekatalog_http_request_duration_seconds", Help: "HTTP request latency by route and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route", "status"}),
	}
	reg.MustRegister(m.requests, m.duration)
	m.handler = gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return m
}

// observe counts and times every request and logs one line for it.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		elapsed := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := strconv.Itoa(c.Writer.Status())
		s.metrics.requests.WithLabelValues(c.Request.Method, route, status).Inc()
		s.metrics.duration.WithLabelValues(c.Request.Method, route, status).Observe(elapsed.Seconds())
		ctx := c.Request.Context()
		if !s.Log.Enabled(ctx, slog.LevelInfo) {
			return
		}
		attrs := [6]slog.Attr{slog.String("request_id", requestID(c)), slog.String("method", c.Request.Method),
			slog.String("route", route), slog.Int("status", c.Writer.Status()),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000)}
		n := 5
		if p, ok := identity.FromContext(ctx); ok {
			attrs[n], n = slog.String("principal", p.Subject), n+1
		}
		s.Log.LogAttrs(ctx, slog.LevelInfo, "request", attrs[:n]...)
	}
}

// admit lets a request through to its route's handler once authn knows the caller, the
// caller's rate-limit bucket has room and the route's casbin rule allows it. The principal goes
// into the request's context once, as every context given to a request copies the request, and
// on a refusal too, so that the access log names who was refused.
func (s *Server) admit(authn func(*gin.Context) (identity.Principal, error), p perm, fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		pr, err := authn(c)
		if err != nil {
			fail(c, err)
			return
		}
		if err = s.limit(c, pr); err == nil {
			err = s.authorize(c, p, &pr)
		}
		c.Request = c.Request.WithContext(identity.WithPrincipal(c.Request.Context(), pr))
		if err != nil {
			fail(c, err)
			return
		}
		c.Next()
	}
}

// bearer authenticates the caller by its bearer token or API key.
func (s *Server) bearer(c *gin.Context) (identity.Principal, error) {
	return s.Authn.Authenticate(c.GetHeader("Authorization"))
}

// limit takes the request from the caller's rate-limit bucket and says in the RateLimit headers
// (IETF draft) how much is left; over the limit it answers 429 with Retry-After.
func (s *Server) limit(c *gin.Context, p identity.Principal) error {
	d := s.Limiter.Allow(p.Subject, s.Clock.Now())
	c.Header("RateLimit-Limit", strconv.Itoa(d.Limit))
	c.Header("RateLimit-Remaining", strconv.Itoa(d.Remaining))
	c.Header("RateLimit-Reset", strconv.Itoa(ceilSeconds(d.Reset)))
	if !d.Allowed {
		c.Header("Retry-After", strconv.Itoa(ceilSeconds(d.RetryAfter)))
		return apperr.Newf(apperr.TooManyRequests, "over the rate limit of %d requests at once", d.Limit)
	}
	return nil
}

func ceilSeconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// authorize checks the route's casbin rule in the tenant the path names (or, for routes not
// scoped to a tenant, in any of the caller's), records which tenant the caller acts for, and
// gives pr the tenant and roles it acts with.
func (s *Server) authorize(c *gin.Context, p perm, pr *identity.Principal) error {
	var t tenant.ID
	if p.tenant != "" {
		var err error
		if t, err = pathTenant(c, p.tenant); err != nil {
			return err
		}
		c.Set(ctxTenant, t)
	}
	d := s.Authz.Authorize(pr.Subject, t, p.resource, p.action)
	if !d.Allowed {
		return apperr.New(apperr.Forbidden, refusal(s.Authz.RolesOf(pr.Subject), t, p))
	}
	pr.Acting, pr.Roles = d.Acting, d.Roles
	return nil
}

// refusal says why a caller is refused in words a person can act on: the roles it holds and
// where, and the tenant the path names, which is often the mistake (another municipality's code).
func refusal(held map[tenant.ID][]tenant.Role, path tenant.ID, p perm) string {
	var roles []string
	for t, rs := range held {
		for _, r := range rs {
			roles = append(roles, string(r)+" in "+t.String())
		}
	}
	slices.Sort(roles)
	where := ""
	if !path.IsZero() {
		where = " in " + path.String()
	}
	if len(roles) == 0 {
		return fmt.Sprintf("you hold no role, so you may not %s %s%s", p.action, p.resource, where)
	}
	return fmt.Sprintf("your roles (%s) do not allow %s on %s%s", strings.Join(roles, ", "), p.action, p.resource, where)
}

// pathTenant reads the tenant a route is scoped to from path parameter param. A malformed one
// names nothing that exists: 404.
func pathTenant(c *gin.Context, param string) (tenant.ID, error) {
	v := c.Param(param)
	var t tenant.ID
	var err error
	switch param {
	case "code":
		t = tenant.ForMunicipality(v)
		if !tenant.ValidMunicipalityCode(v) {
			err = apperr.NotFoundf("municipality")
		}
	case "unit":
		t = tenant.ForUnit(v)
		if !tenant.ValidUnitSlug(v) {
			err = apperr.NotFoundf("unit")
		}
	default:
		if t, err = tenant.Parse(v); err != nil {
			err = apperr.NotFoundf("tenant")
		}
	}
	return t, err
}

// tenantOf is the tenant of a tenant-scoped route, as checked by authorize.
func tenantOf(c *gin.Context) tenant.ID {
	t, _ := c.Get(ctxTenant)
	id, _ := t.(tenant.ID)
	return id
}

var safeIdempotencyKey = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// idempotencyKey requires the Idempotency-Key header on creating POSTs and hands it to the
// service through the context.
func (s *Server) idempotencyKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			s.fail(c, apperr.Header(apperr.Invalid, "Idempotency-Key", "is required on creating requests (any unique value, e.g. a UUID)"))
			return
		}
		if !safeIdempotencyKey.MatchString(key) {
			s.fail(c, apperr.Header(apperr.Invalid, "Idempotency-Key", "must be 1-255 visible ASCII characters"))
			return
		}
		p, _ := identity.FromContext(c.Request.Context())
		c.Request = c.Request.WithContext(idempotency.WithKey(c.Request.Context(), p.Subject, key, c.Request.Method+" "+c.Request.URL.Path))
		c.Next()
	}
}

// readiness is ready when the database answers and no migration is pending. Once migrations are
// current they stay current for this binary, so that check is made until it first succeeds.
type readiness struct {
	db       *postgres.DB
	migrated atomic.Bool
}

func (r *readiness) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := r.db.Ping(ctx); err != nil {
		return apperr.Wrap(apperr.Unavailable, "the database is unreachable", err)
	}
	if r.migrated.Load() {
		return nil
	}
	current, err := r.db.MigrationsCurrent(ctx)
	if err != nil {
		return apperr.Wrap(apperr.Unavailable, "the migration state cannot be read", err)
	}
	if !current {
		return apperr.New(apperr.Unavailable, "migrations are pending")
	}
	r.migrated.Store(true)
	return nil
}

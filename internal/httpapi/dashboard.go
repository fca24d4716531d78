package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/dashboard"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/session"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// The dashboard's paths and its session cookie.
const (
	dashboardPath = "/dashboard"
	signInPath    = dashboardPath + "/session"
	signOutPath   = dashboardPath + "/sign-out"
	sessionCookie = "servicekatalog_session"
)

// dashboardCSP lets the pages load their own stylesheet and nothing else, run no script, post
// forms only here, and never be framed.
const dashboardCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// page registers a page for people: the caller is who its session cookie (or, for programs, its
// bearer token) says, authorised by p's casbin rule as any API route is; a browser that is
// refused gets a page that says why, and the sign-in form when it is not signed in.
func (s *Server) page(method, path string, p perm, h gin.HandlerFunc) {
	s.routes = append(s.routes, Route{Method: method, Path: path, Resource: p.resource, Action: p.action, Tenant: p.tenant})
	s.engine.Handle(method, path, s.admit(s.pageCaller, p, s.failDashboard), s.strictQuery(method, path), h)
}

// pageCaller authenticates a page's caller by its session cookie, or, for programs, as any API
// caller.
func (s *Server) pageCaller(c *gin.Context) (identity.Principal, error) {
	if token, err := c.Cookie(sessionCookie); err == nil && c.GetHeader("Authorization") == "" {
		return s.Sessions.Resolve(ctx(c), token)
	}
	return s.bearer(c)
}

// failDashboard answers a refused or failed dashboard request: a browser not signed in gets the
// sign-in form, one refused a page saying why; any other caller the problem document.
func (s *Server) failDashboard(c *gin.Context, err error) {
	var ae *apperr.Error
	if !wantsPage(c) || !errors.As(err, &ae) || ae.Kind != apperr.Unauthorized && ae.Kind != apperr.Forbidden {
		s.fail(c, err)
		return
	}
	if ae.Kind == apperr.Unauthorized {
		msg := ""
		if _, e := c.Cookie(sessionCookie); e == nil || c.Request.Method == http.MethodPost {
			msg = ae.Msg
		}
		s.showSignIn(c, http.StatusUnauthorized, msg)
		c.Abort()
		return
	}
	setPageHeaders(c)
	showPage(c, http.StatusForbidden, Page{Title: "Ingen adgang", TitleEN: "No access",
		Lines:   []string{"Oversigten er for arkitekturrådet, sekretariatet og revisorer."},
		LinesEN: []string{"The dashboard is for the architecture council, the secretariat and auditors. " + ae.Msg}}, nil)
	c.Abort()
}

func setPageHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Content-Type-Options", "nosniff")
}

func (s *Server) showSignIn(c *gin.Context, status int, message string) {
	var buf bytes.Buffer
	if err := dashboard.RenderSignIn(&buf, dashboard.SignIn{Action: signInPath, Message: message}); err != nil {
		s.fail(c, err)
		return
	}
	setPageHeaders(c)
	c.Header("Content-Security-Policy", dashboardCSP)
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// showDashboard godoc
// @Summary  The council's dashboard: twelve months of the fleet's service levels
// @Description A page for people: per unit and month, the share of subscriptions that met their level, the
// @Description service credits and the ticket clocks met, as bar charts with their tables. Sign in on the page
// @Description with the token you use here (a session of 30 minutes); programs send the bearer token and get the
// @Description figures as JSON.
// @ID       getDashboard
// @Tags     service levels
// @Produce  text/html,json,application/problem+json
// @Success  200 {object} dashboard.View
// @Failure  400 {object} Problem "A query parameter the page does not take."
// @Security BearerAuth
// @Router   /dashboard [get]
func (s *Server) showDashboard(c *gin.Context) {
	rep, err := s.Reports.Fleet(ctx(c), "", "")
	if err != nil {
		s.fail(c, err)
		return
	}
	v := dashboard.Build(rep)
	if !wantsPage(c) {
		c.JSON(200, v)
		return
	}
	s.showDashboardPage(c, func(buf *bytes.Buffer, who string) error { return dashboard.Render(buf, v, who, signOutPath) })
}

// showAdoption godoc
// @Summary  The dashboard's adoption page: each peer group's spread of the adoption key figures
// @Description A page for people: per key figure (connection, adoption, goal fulfilment, over all domains) each peer
// @Description group's median and quartiles as a box, groups of fewer than five not shown, and every domain's adoption
// @Description median per group; municipalities are never ranked. peer= switches to the population bands or Danmarks
// @Description Statistik's groups. Programs send the bearer token and get the fleet view as JSON (as GET /api/v1/adoption).
// @ID       getAdoptionDashboard
// @Tags     usage mapping
// @Produce  text/html,json,application/problem+json
// @Param    peer query string false "The peer groups" Enums(region,population,municipality_group)
// @Success  200 {object} usage.Fleet
// @Failure  400 {object} Problem "A query parameter the page does not take."
// @Security BearerAuth
// @Router   /dashboard/adoption [get]
func (s *Server) showAdoption(c *gin.Context) {
	f, err := s.Usage.Fleet(ctx(c), c.Query("peer"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if !wantsPage(c) {
		c.JSON(200, f)
		return
	}
	s.showDashboardPage(c, func(buf *bytes.Buffer, who string) error {
		return dashboard.RenderAdoption(buf, dashboard.BuildAdoption(f, who, signOutPath))
	})
}

// showDashboardPage writes a dashboard page drawn by render for the caller.
func (s *Server) showDashboardPage(c *gin.Context, render func(buf *bytes.Buffer, who string) error) {
	p, _ := identity.FromContext(ctx(c))
	var buf bytes.Buffer
	if err := render(&buf, p.Name+" ("+strings.Join(roleNames(p.Roles), ", ")+")"); err != nil {
		s.fail(c, err)
		return
	}
	setPageHeaders(c)
	c.Header("Content-Security-Policy", dashboardCSP)
	c.Data(200, "text/html; charset=utf-8", buf.Bytes())
}

func roleNames(rs []tenant.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// signIn godoc
// @Summary  Sign in to the dashboard with a bearer token (the sign-in page's form)
// @Description Checks the token as the API does and that its holder may see the dashboard, then sets a session
// @Description cookie (HttpOnly, SameSite=Strict, 30 minutes) and sends the browser to the dashboard.
// @ID       signInToDashboard
// @Tags     service levels
// @Accept   x-www-form-urlencoded
// @Produce  text/html,json,application/problem+json
// @Param    token formData string true "The access token" maxLength(8192)
// @Success  303 "To the dashboard, signed in"
// @Failure  401 {object} Problem "The token was not accepted."
// @Failure  403 {object} Problem "The token's holder may not see the dashboard."
// @Failure  415 {object} Problem "Not the page's form."
// @Router   /dashboard/session [post]
func (s *Server) signIn(c *gin.Context) {
	token, err := formField(c, "token", 8192, "is required: paste the access token you use in Swagger UI")
	var p identity.Principal
	if err == nil {
		p, err = s.Authn.Authenticate("Bearer " + strings.TrimSpace(strings.TrimPrefix(token, "Bearer ")))
	}
	if err == nil && !s.Authz.Authorize(p.Subject, tenant.ID{}, "dashboard", "read").Allowed {
		err = apperr.New(apperr.Forbidden, "the token's holder may not see the dashboard")
	}
	var started string
	if err == nil {
		started, _, err = s.Sessions.Start(ctx(c), p)
	}
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			err = apperr.New(apperr.Unauthorized, "That token was not accepted: copy it again from where you got it, whole, or get a new one. / "+
				"Tokenet blev ikke godkendt: kopiér det igen, helt, eller få et nyt.")
		}
		s.failDashboard(c, err)
		return
	}
	setCookie(c, started, int(session.TTL/time.Second))
	c.Redirect(http.StatusSeeOther, dashboardPath)
}

// signOut godoc
// @Summary  Sign out of the dashboard
// @ID       signOutOfDashboard
// @Tags     service levels
// @Accept   x-www-form-urlencoded
// @Produce  text/html,application/problem+json
// @Success  200 {string} string "The sign-in page, signed out"
// @Failure  415 {object} Problem "Not the page's form."
// @Router   /dashboard/sign-out [post]
func (s *Server) signOut(c *gin.Context) {
	if !strings.HasPrefix(c.GetHeader("Content-Type"), "application/x-www-form-urlencoded") {
		s.fail(c, apperr.Header(apperr.UnsupportedMedia, "Content-Type", "sign out with the page's button (a form post)"))
		return
	}
	if token, err := c.Cookie(sessionCookie); err == nil {
		if err := s.Sessions.End(ctx(c), token); err != nil {
			s.fail(c, err)
			return
		}
	}
	setCookie(c, "", -1)
	s.showSignIn(c, http.StatusOK, "Du er logget ud. / You are signed out.")
}

// setCookie sets the session cookie for the dashboard's paths alone, out of scripts' reach and
// never sent from another site; Secure unless the request came over plain HTTP.
func setCookie(c *gin.Context, value string, maxAge int) {
	c.SetSameSite(http.SameSiteStrictMode)
	secure := c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"
	c.SetCookie(sessionCookie, value, maxAge, dashboardPath, "", secure, true)
}

var dashboardCSS = sync.OnceValue(func() *asset { return newAsset(dashboard.Stylesheet, "text/css; charset=utf-8") })

// dashboardStylesheet serves the pages' stylesheet; it is not part of the API document.
func (s *Server) dashboardStylesheet(c *gin.Context) { dashboardCSS().serve(c) }

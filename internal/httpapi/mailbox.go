package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// getMailbox godoc
// @Summary  The municipality's infrastructure mailbox
// @Description The verified address notices go to (null until one is confirmed) and an address waiting
// @Description for its confirmation link. Its ETag is what PUT takes.
// @ID       getMailbox
// @Tags     mailbox
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Success  200 {object} mailbox.Mailbox
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox [get]
func (s *Server) getMailbox(c *gin.Context) {
	m, err := s.Mailboxes.Get(ctx(c), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, m.Version, m)
}

// setMailbox godoc
// @Summary  Register the infrastructure mailbox (SPOC)
// @Description A functional address (not a person's) where notices are delivered. A confirmation link
// @Description goes to it; it receives notices and counts for the activation gate once someone there
// @Description has confirmed it. A verified address stays in use until then. Registering the pending
// @Description address again sends a new link. If-Match takes the mailbox's ETag (GET .../mailbox).
// @ID       setMailbox
// @Tags     mailbox
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code     path   string        true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    If-Match header string        true "The mailbox's ETag"
// @Param    body     body   mailbox.Input true "The address"
// @Success  200 {object} mailbox.Mailbox
// @Failure  400 {object} Problem "The address is not a plain address, or it is the verified one already."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox [put]
func (s *Server) setMailbox(c *gin.Context) {
	changed(s, c, func(version int, in mailbox.Input) (mailbox.Mailbox, int, error) {
		m, err := s.Mailboxes.Set(ctx(c), c.Param("code"), version, in)
		return m, m.Version, err
	})
}

// listRoutes godoc
// @Summary  The mailbox's routing rules
// @Description Each rule copies the notices with its tag to more addresses, e.g. SIKKERHED to the security team.
// @ID       listMailboxRoutes
// @Tags     mailbox
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Success  200 {object} List[mailbox.Route]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox/routes [get]
func (s *Server) listRoutes(c *gin.Context) {
	rs, err := s.Mailboxes.Routes(ctx(c), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, page.Page[mailbox.Route]{Items: rs})
}

// addRoute godoc
// @Summary  Add a routing rule (SPOC)
// @Description Notices with the tag also go to the addresses (1 to 20), besides the mailbox. A tag has one rule.
// @ID       addMailboxRoute
// @Tags     mailbox
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string           true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string           true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   mailbox.NewRoute true "The rule"
// @Success  201 {object} mailbox.Route
// @Failure  400 {object} Problem "The tag is not a notice tag, it has a rule already, or an address is not plain."
// @Header   201 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox/routes [post]
func (s *Server) addRoute(c *gin.Context) {
	creates(s, c, func(in mailbox.NewRoute) (mailbox.Route, int, error) {
		r, err := s.Mailboxes.AddRoute(ctx(c), c.Param("code"), in)
		return r, r.Version, err
	})
}

// updateRoute godoc
// @Summary  Change a routing rule's addresses (SPOC)
// @ID       updateMailboxRoute
// @Tags     mailbox
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code     path   string             true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id       path   string             true "Routing rule id" format(uuid)
// @Param    If-Match header string             true "The rule's ETag"
// @Param    body     body   mailbox.RoutePatch true "The new addresses"
// @Success  200 {object} mailbox.Route
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox/routes/{id} [patch]
func (s *Server) updateRoute(c *gin.Context) {
	id, err := idParam(c, "id", "routing rule")
	if err != nil {
		s.fail(c, err)
		return
	}
	changed(s, c, func(version int, in mailbox.RoutePatch) (mailbox.Route, int, error) {
		r, err := s.Mailboxes.UpdateRoute(ctx(c), c.Param("code"), id, version, in)
		return r, r.Version, err
	})
}

// deleteRoute godoc
// @Summary  Remove a routing rule (SPOC)
// @ID       deleteMailboxRoute
// @Tags     mailbox
// @Produce  application/problem+json
// @Param    code     path   string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id       path   string true "Routing rule id" format(uuid)
// @Param    If-Match header string true "The rule's ETag"
// @Success  204
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox/routes/{id} [delete]
func (s *Server) deleteRoute(c *gin.Context) {
	removed(s, c, "routing rule", func(id string, version int) error {
		return s.Mailboxes.DeleteRoute(ctx(c), c.Param("code"), id, version)
	})
}

// listCovers godoc
// @Summary  The mailbox's cover: deputies while someone is away
// @Description The cover periods that have not ended, soonest first. While one is in force, notices also go to its deputies,
// @Description and unacknowledged high-priority notices escalate to them.
// @ID       listMailboxCovers
// @Tags     mailbox
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Success  200 {object} List[mailbox.Cover]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox/covers [get]
func (s *Server) listCovers(c *gin.Context) {
	cs, err := s.Mailboxes.Covers(ctx(c), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, page.Page[mailbox.Cover]{Items: cs})
}

// addCover godoc
// @Summary  Add cover for an absence (SPOC)
// @Description From and to are local times in the time zone (e.g. 2026-12-21T08:00 in Europe/Copenhagen), at most 92 days apart.
// @Description A SPOC may set cover for an absent colleague.
// @ID       addMailboxCover
// @Tags     mailbox
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string           true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string           true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   mailbox.NewCover true "The cover"
// @Success  201 {object} mailbox.Cover
// @Failure  400 {object} Problem "The period is not valid (ends before it starts, is over 92 days, or is in the past), or a deputy is not a plain address."
// @Header   201 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox/covers [post]
func (s *Server) addCover(c *gin.Context) {
	creates(s, c, func(in mailbox.NewCover) (mailbox.Cover, int, error) {
		cv, err := s.Mailboxes.AddCover(ctx(c), c.Param("code"), in)
		return cv, cv.Version, err
	})
}

// deleteCover godoc
// @Summary  Remove a cover period (SPOC)
// @ID       deleteMailboxCover
// @Tags     mailbox
// @Produce  application/problem+json
// @Param    code     path   string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id       path   string true "Cover id" format(uuid)
// @Param    If-Match header string true "The cover's ETag"
// @Success  204
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox/covers/{id} [delete]
func (s *Server) deleteCover(c *gin.Context) {
	removed(s, c, "cover", func(id string, version int) error {
		return s.Mailboxes.DeleteCover(ctx(c), c.Param("code"), id, version)
	})
}

// ConfirmationView is what a confirmation link confirms.
type ConfirmationView struct {
	Municipality string    `json:"municipality" example:"101"`
	Name         string    `json:"name" example:"København"`
	Address      string    `json:"address" example:"it-drift@kk.example"`
	ExpiresAt    time.Time `json:"expires_at" format:"date-time"`
}

// confirmationPage godoc
// @Summary  The page a mailbox's confirmation link opens
// @Description Shows the address and the municipality, and a button that confirms. Opening it changes
// @Description nothing (mail scanners follow links); the button posts the form. JSON for other callers.
// @ID       getMailboxConfirmation
// @Tags     mailbox
// @Produce  text/html,json,application/problem+json
// @Param    token query string true "The token from the link in the mail" maxLength(200)
// @Success  200 {object} ConfirmationView
// @Failure  404 {object} Problem "The link is wrong, used, or more than 72 hours old."
// @Router   /mailbox/confirm [get]
func (s *Server) confirmationPage(c *gin.Context) {
	token := c.Query("token")
	conf, err := s.Mailboxes.Confirmation(ctx(c), token)
	if err != nil {
		s.failPage(c, err)
		return
	}
	da, en := delivery.When(conf.ExpiresAt)
	showPage(c, 200, Page{Title: "Bekræft infrastrukturpostkassen", TitleEN: "Confirm the infrastructure mailbox",
		Lines: []string{conf.Address + " er registreret som infrastrukturpostkasse for " + conf.Municipality.Name + " (" + conf.Municipality.Code + ").",
			"Tryk på knappen for at bekræfte, at adressen er jeres. Linket virker til " + da + "."},
		LinesEN: []string{conf.Address + " was registered as the infrastructure mailbox of " + conf.Municipality.Name + ".",
			"Press the button to confirm that the address is yours. The link works until " + en + "."},
		Action: mailbox.ConfirmPath, Hidden: map[string]string{"token": token}, Button: "Bekræft adressen / Confirm the address"},
		ConfirmationView{Municipality: conf.Municipality.Code, Name: conf.Municipality.Name, Address: conf.Address, ExpiresAt: conf.ExpiresAt})
}

// confirmMailbox godoc
// @Summary  Confirm a mailbox (the button of the confirmation page)
// @Description The address becomes the municipality's infrastructure mailbox: notices go to it, and it counts
// @Description for the activation gate. The link works once.
// @ID       confirmMailbox
// @Tags     mailbox
// @Accept   x-www-form-urlencoded
// @Produce  text/html,json,application/problem+json
// @Param    token formData string true "The token from the link" maxLength(200)
// @Success  200 {object} mailbox.Mailbox
// @Failure  400 {object} Problem "No token was posted."
// @Failure  404 {object} Problem "The link is wrong, used, or more than 72 hours old."
// @Failure  415 {object} Problem "The body is not the page's form."
// @Router   /mailbox/confirm [post]
func (s *Server) confirmMailbox(c *gin.Context) {
	token, err := formToken(c)
	if err != nil {
		s.failPage(c, err)
		return
	}
	m, err := s.Mailboxes.Confirm(identity.WithPrincipal(ctx(c), identity.System("confirmation link")), token)
	if err != nil {
		s.failPage(c, err)
		return
	}
	showPage(c, 200, Page{Title: "Adressen er bekræftet", TitleEN: "The address is confirmed",
		Lines:   []string{*m.Address + " er nu infrastrukturpostkasse for kommune " + m.Municipality + ". Driftsmeddelelser sendes hertil fra nu af."},
		LinesEN: []string{*m.Address + " is now the infrastructure mailbox of municipality " + m.Municipality + ". Notices are sent here from now on."}}, m)
}

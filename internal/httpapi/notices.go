package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// unitTenant is the unit of the path.
func unitTenant(c *gin.Context) tenant.ID { return tenant.ForUnit(c.Param("unit")) }

// publishUnitNotice godoc
// @Summary  Publish a notice to the municipalities that subscribe (unit admin)
// @Description Tags from the catalogue's notice-tags vocabulary go in the subject as [TAG]; high_priority adds "!" and
// @Description Importance: high, and each municipality must acknowledge it within the tags' shortest limit, or it
// @Description escalates. The scope names services or offerings of the unit (their subscribers receive it) or is all
// @Description (every customer). PLANLAGT needs planned_start and planned_end at least the affected levels' notice
// @Description (10 days or more) ahead, unless emergency with a reason. The body is Markdown; raw HTML is dropped.
// @ID       publishUnitNotice
// @Tags     notices
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string           true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    Idempotency-Key header string           true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   notice.NewNotice true "The notice"
// @Success  201 {object} notice.Notice
// @Failure  400 {object} Problem "A tag is not one, planned maintenance lacks its window or notice, or the scope names nothing."
// @Failure  409 {object} Problem "No municipality subscribes to what the notice names."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/notices [post]
func (s *Server) publishUnitNotice(c *gin.Context) {
	creates(s, c, func(in notice.NewNotice) (notice.Notice, int, error) {
		n, err := s.Notices.Publish(ctx(c), unitTenant(c), in)
		return n, 1, err
	})
}

// publishNotice godoc
// @Summary  Publish a notice about the common infrastructure (secretariat)
// @Description As a unit's notice, sent by the secretariat: scope all reaches every municipality.
// @ID       publishNotice
// @Tags     notices
// @Accept   json
// @Produce  json,application/problem+json
// @Param    Idempotency-Key header string           true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   notice.NewNotice true "The notice"
// @Success  201 {object} notice.Notice
// @Failure  400 {object} Problem "A tag is not one, planned maintenance lacks its window or notice, or the scope names nothing."
// @Failure  409 {object} Problem "No municipality subscribes to what the notice names."
// @Security BearerAuth
// @Router   /api/v1/notices [post]
func (s *Server) publishNotice(c *gin.Context) {
	creates(s, c, func(in notice.NewNotice) (notice.Notice, int, error) {
		n, err := s.Notices.Publish(ctx(c), tenant.PlatformID, in)
		return n, 1, err
	})
}

// followUpUnitNotice godoc
// @Summary  Update a notice's thread, or close it (unit admin)
// @Description An update or the closure goes to the thread's recipients with the thread's subject, threaded in their
// @Description mail (In-Reply-To, References, Thread-Index). A closed thread takes no more.
// @ID       followUpUnitNotice
// @Tags     notices
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string             true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id              path   string             true "A notice of the thread" format(uuid)
// @Param    Idempotency-Key header string             true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   notice.NewFollowUp true "The update"
// @Success  201 {object} notice.Notice
// @Failure  409 {object} Problem "The thread is closed."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/notices/{id}/follow-ups [post]
func (s *Server) followUpUnitNotice(c *gin.Context) { s.followUp(c, unitTenant(c)) }

// followUpNotice godoc
// @Summary  Update the thread of a secretariat notice, or close it (secretariat)
// @ID       followUpNotice
// @Tags     notices
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id              path   string             true "A notice of the thread" format(uuid)
// @Param    Idempotency-Key header string             true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   notice.NewFollowUp true "The update"
// @Success  201 {object} notice.Notice
// @Failure  409 {object} Problem "The thread is closed."
// @Security BearerAuth
// @Router   /api/v1/notices/{id}/follow-ups [post]
func (s *Server) followUpNotice(c *gin.Context) { s.followUp(c, tenant.PlatformID) }

func (s *Server) followUp(c *gin.Context, sender tenant.ID) {
	id, err := idParam(c, "id", "notice")
	if err != nil {
		s.fail(c, err)
		return
	}
	creates(s, c, func(in notice.NewFollowUp) (notice.Notice, int, error) {
		n, err := s.Notices.FollowUp(ctx(c), sender, id, in)
		return n, 1, err
	})
}

// listUnitNotices godoc
// @Summary  The unit's notices, oldest first
// @ID       listUnitNotices
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[notice.Notice]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/notices [get]
func (s *Server) listUnitNotices(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[notice.Notice], error) {
		return s.Notices.List(ctx(c), unitTenant(c), p)
	})
}

// listNotices godoc
// @Summary  Every notice, oldest first (secretariat, council)
// @ID       listNotices
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[notice.Notice]
// @Security BearerAuth
// @Router   /api/v1/notices [get]
func (s *Server) listNotices(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[notice.Notice], error) {
		return s.Notices.List(ctx(c), tenant.PlatformID, p)
	})
}

// SentNotice is a notice with how its deliveries stand.
type SentNotice struct {
	notice.Notice
	Deliveries map[delivery.State]int `json:"deliveries"`
}

// getUnitNotice godoc
// @Summary  One of the unit's notices, with how its deliveries stand
// @ID       getUnitNotice
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Notice id" format(uuid)
// @Success  200 {object} SentNotice
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/notices/{id} [get]
func (s *Server) getUnitNotice(c *gin.Context) { s.getSent(c, unitTenant(c)) }

// getNotice godoc
// @Summary  One notice, with how its deliveries stand (secretariat, council)
// @ID       getNotice
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    id path string true "Notice id" format(uuid)
// @Success  200 {object} SentNotice
// @Security BearerAuth
// @Router   /api/v1/notices/{id} [get]
func (s *Server) getNotice(c *gin.Context) { s.getSent(c, tenant.PlatformID) }

func (s *Server) getSent(c *gin.Context, sender tenant.ID) {
	id, err := idParam(c, "id", "notice")
	var n notice.Notice
	if err == nil {
		n, err = s.Notices.Get(ctx(c), sender, id)
	}
	var counts map[delivery.State]int
	if err == nil {
		counts, err = s.Deliveries.Counts(ctx(c), "notice", id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, SentNotice{Notice: n, Deliveries: counts})
}

// listUnitNoticeDeliveries godoc
// @Summary  The deliveries of one of the unit's notices: to whom, and how each stands
// @ID       listUnitNoticeDeliveries
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id     path  string true  "Notice id" format(uuid)
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[delivery.Delivery]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/notices/{id}/deliveries [get]
func (s *Server) listUnitNoticeDeliveries(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[delivery.Delivery], error) {
		id, err := idParam(c, "id", "notice")
		if err != nil {
			return page.Page[delivery.Delivery]{}, err
		}
		// The page first, so that a bad cursor is named before a missing notice.
		res, err := s.Deliveries.List(ctx(c), delivery.Filter{SubjectType: "notice", SubjectID: id, Sender: unitTenant(c).String()}, p)
		if err == nil {
			_, err = s.Notices.Get(ctx(c), unitTenant(c), id)
		}
		return res, err
	})
}

// inbox godoc
// @Summary  The municipality's notices, oldest first, with what must be acknowledged
// @ID       listMunicipalityNotices
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[notice.Received]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/notices [get]
func (s *Server) inbox(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[notice.Received], error) {
		return s.Notices.Inbox(ctx(c), c.Param("code"), p)
	})
}

// received godoc
// @Summary  One notice the municipality received
// @ID       getMunicipalityNotice
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Notice id" format(uuid)
// @Success  200 {object} notice.Received
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/notices/{id} [get]
func (s *Server) received(c *gin.Context) {
	id, err := idParam(c, "id", "notice")
	var r notice.Received
	if err == nil {
		r, err = s.Notices.Received(ctx(c), c.Param("code"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, r)
}

// acknowledge godoc
// @Summary  Acknowledge a high-priority notice (SPOC, first line)
// @Description Says the municipality has seen it; its escalation is cancelled. Acknowledging again changes nothing.
// @ID       acknowledgeNotice
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Notice id" format(uuid)
// @Success  200 {object} notice.Received
// @Failure  409 {object} Problem "The notice is not high priority."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/notices/{id}/acknowledge [post]
func (s *Server) acknowledge(c *gin.Context) {
	id, err := idParam(c, "id", "notice")
	var r notice.Received
	if err == nil {
		r, err = s.Notices.Acknowledge(ctx(c), c.Param("code"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, r)
}

// unacknowledged godoc
// @Summary  The council's overview: high-priority notices not acknowledged in time, per municipality
// @ID       listUnacknowledgedNotices
// @Tags     notices
// @Produce  json,application/problem+json
// @Success  200 {object} List[notice.Unacknowledged]
// @Security BearerAuth
// @Router   /api/v1/notice-overview [get]
func (s *Server) unacknowledged(c *gin.Context) {
	out, err := s.Notices.Overview(ctx(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, page.Page[notice.Unacknowledged]{Items: out})
}

// AckView is what an acknowledgement link is about.
type AckView struct {
	Notice         string     `json:"notice" format:"uuid"`
	Subject        string     `json:"subject" example:"[NEDBRUD] ! File service down (midt)"`
	Municipality   string     `json:"municipality" example:"101"`
	DueAt          time.Time  `json:"due_at" format:"date-time"`
	AcknowledgedAt *time.Time `json:"acknowledged_at" format:"date-time" extensions:"x-nullable"`
}

func ackView(l notice.Link) AckView {
	return AckView{Notice: l.Notice.ID, Subject: l.Notice.Subject, Municipality: l.Municipality.Code, DueAt: l.DueAt, AcknowledgedAt: l.Acknowledged}
}

// ackPage godoc
// @Summary  The page a notice's acknowledgement link opens
// @Description Shows the notice, the municipality and the deadline, and a button that acknowledges. Opening it changes
// @Description nothing (mail scanners follow links); the button posts the form. JSON for other callers.
// @ID       getNoticeAcknowledgement
// @Tags     notices
// @Produce  text/html,json,application/problem+json
// @Param    token query string true "The token from the link in the mail" maxLength(200)
// @Success  200 {object} AckView
// @Failure  404 {object} Problem "The link is wrong or more than 14 days old."
// @Router   /notices/acknowledge [get]
func (s *Server) ackPage(c *gin.Context) {
	token := c.Query("token")
	l, err := s.Notices.LinkInfo(ctx(c), token)
	if err != nil {
		s.failPage(c, err)
		return
	}
	due, dueEN := delivery.When(l.DueAt)
	p := Page{Title: "Kvittér for driftsmeddelelsen", TitleEN: "Acknowledge the notice",
		Lines:   []string{l.Notice.Subject, l.Notice.SenderName + " beder " + l.Municipality.Name + " kvittere for, at meddelelsen er set, senest " + due + "."},
		LinesEN: []string{l.Notice.SenderName + " asks " + l.Municipality.Name + " to acknowledge that the notice has been seen, by " + dueEN + "."},
		Action:  notice.AckPath, Hidden: map[string]string{"token": token}, Button: "Kvittér / Acknowledge"}
	if l.Acknowledged != nil {
		at, atEN := delivery.When(*l.Acknowledged)
		p.Lines = append(p.Lines, "Der er allerede kvitteret "+at+".")
		p.LinesEN = append(p.LinesEN, "It was acknowledged on "+atEN+".")
		p.Action = ""
	}
	showPage(c, 200, p, ackView(l))
}

// acknowledgeByLink godoc
// @Summary  Acknowledge a notice (the button of the acknowledgement page)
// @ID       acknowledgeNoticeByLink
// @Tags     notices
// @Accept   x-www-form-urlencoded
// @Produce  text/html,json,application/problem+json
// @Param    token formData string true "The token from the link" maxLength(200)
// @Success  200 {object} AckView
// @Failure  400 {object} Problem "No token was posted."
// @Failure  404 {object} Problem "The link is wrong or more than 14 days old."
// @Failure  415 {object} Problem "The body is not the page's form."
// @Router   /notices/acknowledge [post]
func (s *Server) acknowledgeByLink(c *gin.Context) {
	token, err := formToken(c)
	var l notice.Link
	if err == nil {
		l, err = s.Notices.AcknowledgeByLink(identity.WithPrincipal(ctx(c), identity.System("acknowledgement link")), token)
	}
	if err != nil {
		s.failPage(c, err)
		return
	}
	at, atEN := delivery.When(*l.Acknowledged)
	showPage(c, 200, Page{Title: "Tak – der er kvitteret", TitleEN: "Thank you – acknowledged",
		Lines:   []string{l.Notice.Subject, l.Municipality.Name + " har kvitteret " + at + ". Afsenderen kan se det i Servicekatalog."},
		LinesEN: []string{l.Municipality.Name + " acknowledged on " + atEN + ". The sender sees it in Servicekatalog."}}, ackView(l))
}

// listDeliveries godoc
// @Summary  Every delivery, oldest first; state=dead is the dead letter list (secretariat)
// @ID       listDeliveries
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    state  query string false "Only deliveries in this state" Enums(pending,retrying,delivered,dead)
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[delivery.Delivery]
// @Security BearerAuth
// @Router   /api/v1/deliveries [get]
func (s *Server) listDeliveries(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[delivery.Delivery], error) {
		return s.Deliveries.List(ctx(c), delivery.Filter{State: delivery.State(c.Query("state"))}, p)
	})
}

// getDelivery godoc
// @Summary  One delivery with every attempt (secretariat)
// @ID       getDelivery
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    id path string true "Delivery id" format(uuid)
// @Success  200 {object} delivery.Delivery
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/deliveries/{id} [get]
func (s *Server) getDelivery(c *gin.Context) {
	id, err := idParam(c, "id", "delivery")
	var d delivery.Delivery
	if err == nil {
		d, err = s.Deliveries.Get(ctx(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, d.Version, d)
}

// redrive godoc
// @Summary  Send a dead delivery again (secretariat)
// @Description The delivery is pending again, with the same Message-ID, and gets up to 10 more attempts.
// @ID       redriveDelivery
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    id       path   string true "Delivery id" format(uuid)
// @Param    If-Match header string true "The delivery's ETag"
// @Success  200 {object} delivery.Delivery
// @Failure  409 {object} Problem "The delivery is not dead."
// @Security BearerAuth
// @Router   /api/v1/deliveries/{id}/redrive [post]
func (s *Server) redrive(c *gin.Context) {
	id, err := idParam(c, "id", "delivery")
	var version int
	if err == nil {
		version, err = ifMatch(c)
	}
	var d delivery.Delivery
	if err == nil {
		d, err = s.Deliveries.Redrive(ctx(c), id, version)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, d.Version, d)
}

package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/outage"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// reportOutage godoc
// @Summary  Report an outage or maintenance of the unit's offerings (unit admin, or its monitoring with an API key)
// @Description The subscriptions to the offerings count it as downtime in their availability window. Planned
// @Description maintenance is excluded instead where it lies in the level's maintenance window and the linked
// @Description notice (the unit's own) was published at least the level's notice ahead. A degradation is
// @Description reported and is not downtime. Leave ended_at out while it lasts, and end it later.
// @ID       reportOutage
// @Tags     service levels
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string           true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    Idempotency-Key header string           true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   outage.NewOutage true "The outage"
// @Success  201 {object} outage.Outage
// @Failure  400 {object} Problem "A time in the future, an end before the start, or an offering or notice not the unit's."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/outages [post]
func (s *Server) reportOutage(c *gin.Context) {
	creates(s, c, func(in outage.NewOutage) (outage.Outage, int, error) {
		o, err := s.Outages.Report(ctx(c), c.Param("unit"), in)
		return o, o.Version, err
	})
}

// listOutages godoc
// @Summary  The unit's outages, oldest first
// @ID       listOutages
// @Tags     service levels
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[outage.Outage]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/outages [get]
func (s *Server) listOutages(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[outage.Outage], error) {
		return s.Outages.List(ctx(c), c.Param("unit"), p)
	})
}

// getOutage godoc
// @Summary  One of the unit's outages
// @ID       getOutage
// @Tags     service levels
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Outage id" format(uuid)
// @Success  200 {object} outage.Outage
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/outages/{id} [get]
func (s *Server) getOutage(c *gin.Context) {
	id, err := idParam(c, "id", "outage")
	var o outage.Outage
	if err == nil {
		o, err = s.Outages.Get(ctx(c), c.Param("unit"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, o.Version, o)
}

// endOutage godoc
// @Summary  End an outage that lasts (unit admin)
// @ID       endOutage
// @Tags     service levels
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit     path   string     true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id       path   string     true "Outage id" format(uuid)
// @Param    If-Match header string     true "The outage's ETag"
// @Param    body     body   outage.End true "When it ended"
// @Success  200 {object} outage.Outage
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  400 {object} Problem "The end is before the start or in the future."
// @Failure  409 {object} Problem "The outage has ended already."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/outages/{id}/end [post]
func (s *Server) endOutage(c *gin.Context) {
	changesOutage(s, c, func(id string, version int, in outage.End) (outage.Outage, error) {
		return s.Outages.End(ctx(c), c.Param("unit"), id, version, in)
	})
}

// correctOutage godoc
// @Summary  Correct an outage (unit admin): a new version, with the reason
// @Description Replaces what the outage says (times, kind, offerings, subscriptions, notice) and records why. The
// @Description months it covered and now covers are measured again; a month the council has closed changes
// @Description only this way. Every version is kept (see the versions).
// @ID       correctOutage
// @Tags     service levels
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit     path   string           true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id       path   string           true "Outage id" format(uuid)
// @Param    If-Match header string           true "The outage's ETag"
// @Param    body     body   outage.NewOutage true "The outage as it should read, and the reason"
// @Success  200 {object} outage.Outage
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  400 {object} Problem "No reason, or a field as in a report."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/outages/{id} [put]
func (s *Server) correctOutage(c *gin.Context) {
	changesOutage(s, c, func(id string, version int, in outage.NewOutage) (outage.Outage, error) {
		return s.Outages.Correct(ctx(c), c.Param("unit"), id, version, in)
	})
}

// changesOutage answers a change of the outage in the path, at the version of If-Match, from a
// body of type T.
func changesOutage[T any](s *Server, c *gin.Context, change func(id string, version int, in T) (outage.Outage, error)) {
	id, err := idParam(c, "id", "outage")
	var version int
	if err == nil {
		version, err = ifMatch(c)
	}
	var in T
	if err == nil {
		err = bind(c, &in)
	}
	var o outage.Outage
	if err == nil {
		o, err = change(id, version, in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, o.Version, o)
}

// listOutageVersions godoc
// @Summary  Every version of an outage: how it was reported, ended and corrected, by whom and why
// @ID       listOutageVersions
// @Tags     service levels
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Outage id" format(uuid)
// @Success  200 {array} outage.Version
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/outages/{id}/versions [get]
func (s *Server) listOutageVersions(c *gin.Context) {
	id, err := idParam(c, "id", "outage")
	var vs []outage.Version
	if err == nil {
		vs, err = s.Outages.Versions(ctx(c), c.Param("unit"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, vs)
}

// closeMonth godoc
// @Summary  Close a month (council): its figures change from then on only by corrections with a reason
// @ID       closeMonth
// @Tags     service levels
// @Accept   json
// @Produce  json,application/problem+json
// @Param    Idempotency-Key header string            true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   outage.CloseMonth true "The month, over, and a note"
// @Success  201 {object} outage.ClosedMonth
// @Failure  400 {object} Problem "Not a month, or not over yet."
// @Failure  409 {object} Problem "Closed already."
// @Security BearerAuth
// @Router   /api/v1/closed-months [post]
func (s *Server) closeMonth(c *gin.Context) {
	creates(s, c, func(in outage.CloseMonth) (outage.ClosedMonth, int, error) {
		m, err := s.Outages.Close(ctx(c), in)
		return m, 1, err
	})
}

// listClosedMonths godoc
// @Summary  The months the council has closed
// @ID       listClosedMonths
// @Tags     service levels
// @Produce  json,application/problem+json
// @Success  200 {array} outage.ClosedMonth
// @Security BearerAuth
// @Router   /api/v1/closed-months [get]
func (s *Server) listClosedMonths(c *gin.Context) {
	ms, err := s.Outages.ClosedMonths(ctx(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, ms)
}

// getAvailability godoc
// @Summary  A subscription's availability in a month, against its level
// @Description As kept from the outages its unit reported (recomputed whenever one changes, and every sweep while
// @Description one lasts): agreed, excluded, downtime and uptime seconds, SLI against the SLO, the error budget
// @Description left, the outages and the longest, whether the level was met and the credit earned. A month not
// @Description over counts in full: its figures are what it comes to if nothing more goes down.
// @ID       getSubscriptionAvailability
// @Tags     service levels
// @Produce  json,application/problem+json
// @Param    code  path  string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id    path  string true "Subscription id" format(uuid)
// @Param    month query string true "The month, e.g. 2026-10" minLength(7) maxLength(7)
// @Success  200 {object} availability.Report
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/subscriptions/{id}/availability [get]
func (s *Server) getAvailability(c *gin.Context) {
	s.availability(c, c.Param("code"), "")
}

// getUnitAvailability godoc
// @Summary  The availability of a subscription the unit delivers, in a month
// @Description The figures the municipality sees, as kept from the unit's own outages.
// @ID       getUnitSubscriptionAvailability
// @Tags     service levels
// @Produce  json,application/problem+json
// @Param    unit  path  string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id    path  string true "Subscription id" format(uuid)
// @Param    month query string true "The month, e.g. 2026-10" minLength(7) maxLength(7)
// @Success  200 {object} availability.Report
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/subscriptions/{id}/availability [get]
func (s *Server) getUnitAvailability(c *gin.Context) {
	s.availability(c, "", c.Param("unit"))
}

// availability answers a subscription's month: a municipality's (code) or a unit's (unit).
func (s *Server) availability(c *gin.Context, code, unit string) {
	id, err := idParam(c, "id", "subscription")
	var m availability.Month
	if err == nil {
		if m, err = availability.ParseMonth(c.Query("month")); err != nil {
			err = apperr.Param("month", "must be a month such as 2026-10")
		}
	}
	var r availability.Report
	if err == nil {
		r, err = s.Outages.Availability(ctx(c), code, unit, id, m)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, r)
}

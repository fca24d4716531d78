package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// listOfferings godoc
// @Summary  List published offerings
// @Description Every unit's offerings that have a live (published or retiring) version. Readable by every role.
// @ID       listOfferings
// @Tags     offerings
// @Produce  json,application/problem+json
// @Param    service_id query string false "Standard service id"
// @Param    unit       query string false "Unit slug"
// @Param    level      query string false "Only offerings at this level"
// @Param    limit      query int    false "Page size, 1-200" default(50)
// @Param    cursor     query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[offering.Offering]
// @Security BearerAuth
// @Router   /api/v1/offerings [get]
func (s *Server) listOfferings(c *gin.Context) {
	f := offering.Filter{ServiceID: c.Query("service_id"), Unit: c.Query("unit"), Level: c.Query("level")}
	listed(s, c, func(p page.Request) (page.Page[offering.Offering], error) {
		return s.Offerings.ListPublished(ctx(c), f, p)
	})
}

// getOffering godoc
// @Summary  Read an offering, published or under review (everyone; drafts: the unit and the council)
// @Description Its live version; the council and the offering unit also see the version in the making.
// @ID       getOffering
// @Tags     offerings,review
// @Produce  json,application/problem+json
// @Param    id path string true "Offering id" format(uuid)
// @Success  200 {object} offering.Offering
// @Security BearerAuth
// @x-order  2
// @Router   /api/v1/offerings/{id} [get]
func (s *Server) getOffering(c *gin.Context) {
	id, err := idParam(c, "id", "offering")
	if err != nil {
		s.fail(c, err)
		return
	}
	o, err := s.Offerings.Get(ctx(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, o)
}

// decideOffering godoc
// @Summary  Approve or reject an offering's submitted version (council)
// @Description Approved, the version is published and the previous live version superseded;
// @Description rejected, it returns to draft with the reason. The decision is recorded.
// @ID       decideOffering
// @Tags     review
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id   path string       true "Offering id" format(uuid)
// @Param    body body review.Input true "approved or rejected, with the reason"
// @Success  200 {object} offering.Version
// @Failure  409 {object} Problem "The offering has no version submitted for review."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @x-order  3
// @Router   /api/v1/offerings/{id}/decision [post]
func (s *Server) decideOffering(c *gin.Context) {
	decided(s, c, "offering", func(id string, in review.Input) (offering.Version, int, error) {
		v, err := s.Offerings.Decide(ctx(c), id, in)
		return v, v.Version, err
	})
}

// listUnitOfferings godoc
// @Summary  List a unit's offerings in every state
// @ID       listUnitOfferings
// @Tags     offerings
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[offering.Offering]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/offerings [get]
func (s *Server) listUnitOfferings(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[offering.Offering], error) {
		return s.Offerings.ListForUnit(ctx(c), c.Param("unit"), p)
	})
}

// createOffering godoc
// @Summary  Start an offering of a standard service (unit admin)
// @Description Creates the offering with a first draft version. A unit offers each standard service once.
// @ID       createOffering
// @Tags     offerings
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    Idempotency-Key header string true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   offering.NewOffering true "Service and terms"
// @Success  201 {object} offering.Offering
// @Failure  400 {object} Problem "The standard service does not exist, a level is not one it may be offered at, or a price is not an amount; errors names each."
// @Failure  409 {object} Problem "The unit offers this standard service already: change that offering with a new version."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/offerings [post]
func (s *Server) createOffering(c *gin.Context) {
	creates(s, c, func(in offering.NewOffering) (offering.Offering, int, error) {
		o, err := s.Offerings.Create(ctx(c), c.Param("unit"), in)
		version := 0
		if o.Pending != nil {
			version = o.Pending.Version
		}
		return o, version, err
	})
}

// getUnitOffering godoc
// @Summary  Get one of a unit's offerings with its versions and decisions
// @ID       getUnitOffering
// @Tags     offerings
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Offering id" format(uuid)
// @Success  200 {object} offering.Offering
// @Header   200 {string} ETag "The version of the version in the making (for If-Match on its draft), else of the live one"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/offerings/{id} [get]
func (s *Server) getUnitOffering(c *gin.Context) {
	id, err := idParam(c, "id", "offering")
	if err != nil {
		s.fail(c, err)
		return
	}
	o, err := s.Offerings.ForUnit(ctx(c), c.Param("unit"), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	switch {
	case o.Pending != nil:
		versioned(c, 200, o.Pending.Version, o)
	case o.Live != nil:
		versioned(c, 200, o.Live.Version, o)
	default:
		c.JSON(200, o)
	}
}

// editDraft godoc
// @Summary  Edit the terms of an offering's draft (unit admin)
// @ID       editOfferingDraft
// @Tags     offerings
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit     path   string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id       path   string true "Offering id" format(uuid)
// @Param    If-Match header string true "ETag of the draft read"
// @Param    body     body   offering.Terms true "The new terms"
// @Success  200 {object} offering.Version
// @Failure  409 {object} Problem "The offering has no draft to edit (it is submitted, published or retired)."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/offerings/{id}/draft [patch]
func (s *Server) editDraft(c *gin.Context) {
	id, err := idParam(c, "id", "offering")
	if err != nil {
		s.fail(c, err)
		return
	}
	changed(s, c, func(version int, in offering.Terms) (offering.Version, int, error) {
		v, err := s.Offerings.EditDraft(ctx(c), c.Param("unit"), id, version, in)
		return v, v.Version, err
	})
}

// offeringAction runs a state transition on one of the unit's offerings.
func (s *Server) offeringAction(c *gin.Context, act func(unit, id string) (offering.Version, error)) {
	id, err := idParam(c, "id", "offering")
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := act(c.Param("unit"), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, v.Version, v)
}

// submitOffering godoc
// @Summary  Submit an offering's draft to the council (unit admin)
// @ID       submitOffering
// @Tags     offerings
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Offering id" format(uuid)
// @Success  200 {object} offering.Version
// @Failure  409 {object} Problem "The offering has no draft to submit."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/offerings/{id}/submit [post]
func (s *Server) submitOffering(c *gin.Context) {
	s.offeringAction(c, func(unit, id string) (offering.Version, error) { return s.Offerings.Submit(ctx(c), unit, id) })
}

// newOfferingVersion godoc
// @Summary  Start a new version of a published offering (unit admin)
// @Description A draft copied from the live terms; the live version stays published until the council approves the new one.
// @ID       newOfferingVersion
// @Tags     offerings
// @Produce  json,application/problem+json
// @Param    unit            path   string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id              path   string true "Offering id" format(uuid)
// @Param    Idempotency-Key header string true "Unique key; a retry returns the first answer"
// @Success  201 {object} offering.Version
// @Failure  409 {object} Problem "The offering has nothing published to start from, or a version is in the making already."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/offerings/{id}/versions [post]
func (s *Server) newOfferingVersion(c *gin.Context) {
	id, err := idParam(c, "id", "offering")
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.Offerings.NewVersion(ctx(c), c.Param("unit"), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, v.Version, v)
}

// retireOffering godoc
// @Summary  Retire a published offering (unit admin)
// @Description The date must give at least the termination notice of the levels offered.
// @ID       retireOffering
// @Tags     offerings
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string               true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string               true "Offering id" format(uuid)
// @Param    body body offering.RetireInput true "When it ends"
// @Success  200 {object} offering.Version
// @Failure  400 {object} Problem "The retirement date gives subscribers less than the levels' termination notice."
// @Failure  409 {object} Problem "The offering has no published version to retire."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/offerings/{id}/retire [post]
func (s *Server) retireOffering(c *gin.Context) {
	var in offering.RetireInput
	if err := bind(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	s.offeringAction(c, func(unit, id string) (offering.Version, error) { return s.Offerings.Retire(ctx(c), unit, id, in) })
}

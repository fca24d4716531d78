package httpapi

import (
	"encoding/csv"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// listUnitWaivers godoc
// @Summary  List a unit's waivers
// @ID       listUnitWaivers
// @Tags     offerings
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[offering.Waiver]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/waivers [get]
func (s *Server) listUnitWaivers(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[offering.Waiver], error) {
		return s.Offerings.ListWaivers(ctx(c), c.Param("unit"), p)
	})
}

// requestWaiver godoc
// @Summary  Ask the council to waive a mandatory service at a level (unit admin)
// @ID       requestWaiver
// @Tags     offerings
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    Idempotency-Key header string true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   offering.NewWaiver true "Service, level, reason and expiry"
// @Success  201 {object} offering.Waiver
// @Failure  400 {object} Problem "The service is not mandatory at that level, or the expiry is not after today and within two years."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/waivers [post]
func (s *Server) requestWaiver(c *gin.Context) {
	creates(s, c, func(in offering.NewWaiver) (offering.Waiver, int, error) {
		w, err := s.Offerings.RequestWaiver(ctx(c), c.Param("unit"), in)
		return w, w.Version, err
	})
}

// listWaivers godoc
// @Summary  List every unit's waivers (council)
// @ID       listWaivers
// @Tags     review
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[offering.Waiver]
// @Security BearerAuth
// @Router   /api/v1/waivers [get]
func (s *Server) listWaivers(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[offering.Waiver], error) {
		return s.Offerings.ListWaivers(ctx(c), "", p)
	})
}

// getWaiver godoc
// @Summary  Read a waiver request (its unit and the council)
// @Description The council sees every waiver; a unit its own.
// @ID       getWaiver
// @Tags     offerings,review
// @Produce  json,application/problem+json
// @Param    id path string true "Waiver id" format(uuid)
// @Success  200 {object} offering.Waiver
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @x-order  6
// @Router   /api/v1/waivers/{id} [get]
func (s *Server) getWaiver(c *gin.Context) {
	id, err := idParam(c, "id", "waiver")
	if err != nil {
		s.fail(c, err)
		return
	}
	w, err := s.Offerings.Waiver(ctx(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, w.Version, w)
}

// decideWaiver godoc
// @Summary  Grant or reject a waiver request (council)
// @ID       decideWaiver
// @Tags     review
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id   path string       true "Waiver id" format(uuid)
// @Param    body body review.Input true "approved (granted) or rejected, with the reason"
// @Success  200 {object} offering.Waiver
// @Failure  409 {object} Problem "The waiver request is decided already."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @x-order  7
// @Router   /api/v1/waivers/{id}/decision [post]
func (s *Server) decideWaiver(c *gin.Context) {
	decided(s, c, "waiver", func(id string, in review.Input) (offering.Waiver, int, error) {
		w, err := s.Offerings.DecideWaiver(ctx(c), id, in)
		return w, w.Version, err
	})
}

// fleetConformance godoc
// @Summary  Conformance of every unit (council)
// @Description Per unit × mandatory standard service × required level: published, waived or missing.
// @Description format=csv for a spreadsheet.
// @ID       fleetConformance
// @Tags     review
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Param    format query string false "csv for CSV" Enums(csv)
// @Success  200 {object} offering.Conformance
// @Security BearerAuth
// @Router   /api/v1/conformance [get]
func (s *Server) fleetConformance(c *gin.Context) { s.conformance(c, "") }

// unitConformance godoc
// @Summary  Conformance of one unit
// @ID       unitConformance
// @Tags     offerings
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    format query string false "csv for CSV" Enums(csv)
// @Success  200 {object} offering.Conformance
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/conformance [get]
func (s *Server) unitConformance(c *gin.Context) { s.conformance(c, c.Param("unit")) }

func (s *Server) conformance(c *gin.Context, unit string) {
	format := c.Query("format")
	if format != "" && format != "csv" {
		s.fail(c, apperr.Param("format", "must be csv or absent"))
		return
	}
	rep, err := s.Offerings.Conformance(ctx(c), unit)
	if err != nil {
		s.fail(c, err)
		return
	}
	if format != "csv" {
		c.JSON(200, rep)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="conformance.csv"`)
	c.Status(200)
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"unit", "service_id", "level", "status", "offering_id", "waiver_id", "waived_until"})
	for _, r := range rep.Rows {
		w.Write([]string{r.Unit, r.ServiceID, r.Level, r.Status, r.OfferingID, r.WaiverID, r.WaivedTill})
	}
	w.Flush()
}

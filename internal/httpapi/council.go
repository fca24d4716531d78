package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/council"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// submitCase godoc
// @Summary  Put a recommendation (indstilling) to the council (secretariat): background, recommendation, attachments
// @Description The case goes on the agenda of the meeting it names, numbered in the order submitted. Attachments are
// @Description named by reference and SHA-256; the documents stay in the secretariat's records system.
// @ID       submitCase
// @Tags     council
// @Accept   json
// @Produce  json,application/problem+json
// @Param    Idempotency-Key header string          true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   council.NewCase true "The case"
// @Success  201 {object} council.Case
// @Header   201 {string} ETag "The version, for If-Match"
// @Failure  400 {object} Problem "A meeting in the past, or a field missing."
// @Security BearerAuth
// @Router   /api/v1/council/cases [post]
func (s *Server) submitCase(c *gin.Context) {
	creates(s, c, func(in council.NewCase) (council.Case, int, error) {
		cs, err := s.Cases.Submit(ctx(c), in)
		return cs, cs.Version, err
	})
}

// listCases godoc
// @Summary  The council's cases, in the order submitted: of a meeting, in a state
// @ID       listCases
// @Tags     council
// @Produce  json,application/problem+json
// @Param    meeting_on query string false "Only the cases of this meeting" format(date)
// @Param    state      query string false "Only the cases in this state" Enums(submitted,decided)
// @Param    limit      query int    false "Page size, 1-200" default(50)
// @Param    cursor     query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[council.Case]
// @Security BearerAuth
// @Router   /api/v1/council/cases [get]
func (s *Server) listCases(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[council.Case], error) {
		return s.Cases.List(ctx(c), c.Query("meeting_on"), council.State(c.Query("state")), p)
	})
}

// getCase godoc
// @Summary  One of the council's cases, with its decision once made
// @ID       getCase
// @Tags     council
// @Produce  json,application/problem+json
// @Param    id path string true "Case id" format(uuid)
// @Success  200 {object} council.Case
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/council/cases/{id} [get]
func (s *Server) getCase(c *gin.Context) {
	id, err := idParam(c, "id", "case")
	var cs council.Case
	if err == nil {
		cs, err = s.Cases.Get(ctx(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, cs.Version, cs)
}

// decideCase godoc
// @Summary  Decide a case (council): approved as recommended or rejected, the decision in words, the discussion's notes
// @ID       decideCase
// @Tags     council
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id       path   string              true "Case id" format(uuid)
// @Param    If-Match header string              true "The case's ETag"
// @Param    body     body   council.NewDecision true "The decision"
// @Success  200 {object} council.Case
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "The case is decided already."
// @Security BearerAuth
// @Router   /api/v1/council/cases/{id}/decision [post]
func (s *Server) decideCase(c *gin.Context) {
	changed(s, c, func(version int, in council.NewDecision) (council.Case, int, error) {
		id, err := idParam(c, "id", "case")
		if err != nil {
			return council.Case{}, 0, err
		}
		cs, err := s.Cases.Decide(ctx(c), id, version, in)
		return cs, cs.Version, err
	})
}

// listDecisions godoc
// @Summary  The register of the council's decisions: offering reviews, catalogue proposals, waivers, compliance reviews, cases, gates
// @Description Every decision, oldest first, with who decided, the object decided on and the audit record written with
// @Description it. As CSV or XLSX, every decision the filters keep.
// @ID       listDecisions
// @Tags     council
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    subject_type query string false "Only decisions on this kind of object" Enums(offering_version,proposal,waiver,compliance_attestation,council_case,programme_gate)
// @Param    from         query string false "Decided from (inclusive), RFC 3339" format(date-time)
// @Param    to           query string false "Decided before (exclusive), RFC 3339" format(date-time)
// @Param    format       query string false "csv or xlsx" Enums(csv,xlsx)
// @Param    limit        query int    false "Page size, 1-200" default(50)
// @Param    cursor       query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[review.Entry]
// @Security BearerAuth
// @Router   /api/v1/council/decisions [get]
func (s *Server) listDecisions(c *gin.Context) {
	f := review.RegisterFilter{SubjectType: c.Query("subject_type")}
	err := instants(c, map[string]*time.Time{"from": &f.From, "to": &f.To})
	var format string
	if err == nil {
		format, err = exportFormat(c)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if format == "" {
		listed(s, c, func(p page.Request) (page.Page[review.Entry], error) { return s.Decisions.List(ctx(c), f, p) })
		return
	}
	all, err := s.Decisions.All(ctx(c), f)
	s.exported(c, format, all, err)
}

package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/onboarding"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// startProgramme godoc
// @Summary  Start a municipality's onboarding programme with the unit (unit admin), from the catalogue's template
// @Description The programme's milestones are decision gates, decided in order: taking the service into use
// @Description (contact, terms, risk assessment before use, activation, users informed) and establishing its management
// @Description (management organisation, agreements and management plan, handover). Each gate names the documents
// @Description it requires and the roles that decide it.
// @ID       startProgramme
// @Tags     onboarding
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string       true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    Idempotency-Key header string       true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   onboarding.NewProgramme true "The municipality"
// @Success  201 {object} onboarding.Programme
// @Failure  409 {object} Problem "The municipality has a programme with the unit already."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/programmes [post]
func (s *Server) startProgramme(c *gin.Context) {
	creates(s, c, func(in onboarding.NewProgramme) (onboarding.Programme, int, error) {
		p, err := s.Onboarding.Start(ctx(c), c.Param("unit"), in)
		return p, 1, err
	})
}

// listUnitProgrammes godoc
// @Summary  The unit's onboarding programmes, oldest first
// @ID       listUnitProgrammes
// @Tags     onboarding
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[onboarding.Programme]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/programmes [get]
func (s *Server) listUnitProgrammes(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[onboarding.Programme], error) {
		return s.Onboarding.List(ctx(c), "", c.Param("unit"), p)
	})
}

// listMunicipalityProgrammes godoc
// @Summary  The municipality's onboarding programmes, oldest first
// @ID       listMunicipalityProgrammes
// @Tags     onboarding
// @Produce  json,application/problem+json
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[onboarding.Programme]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/programmes [get]
func (s *Server) listMunicipalityProgrammes(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[onboarding.Programme], error) {
		return s.Onboarding.List(ctx(c), c.Param("code"), "", p)
	})
}

// listProgrammes godoc
// @Summary  Every onboarding programme (council, secretariat, auditor), oldest first
// @ID       listProgrammes
// @Tags     onboarding
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[onboarding.Programme]
// @Security BearerAuth
// @Router   /api/v1/programmes [get]
func (s *Server) listProgrammes(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[onboarding.Programme], error) {
		return s.Onboarding.List(ctx(c), "", "", p)
	})
}

// getProgramme godoc
// @Summary  One onboarding programme: every gate with its state, documents, decisions and what it lacks
// @Description For the programme's municipality and unit, the council, the secretariat and auditors.
// @ID       getProgramme
// @Tags     onboarding
// @Produce  json,application/problem+json
// @Param    id path string true "Programme id" format(uuid)
// @Success  200 {object} onboarding.Programme
// @Security BearerAuth
// @Router   /api/v1/programmes/{id} [get]
func (s *Server) getProgramme(c *gin.Context) {
	id, err := idParam(c, "id", "programme")
	var p onboarding.Programme
	if err == nil {
		p, err = s.Onboarding.Get(ctx(c), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, p)
}

// addProgrammeDocument godoc
// @Summary  Attach a document to a gate (the programme's municipality or unit): reference, SHA-256, date, approver
// @ID       addProgrammeDocument
// @Tags     onboarding
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id              path   string                 true "Programme id" format(uuid)
// @Param    Idempotency-Key header string                 true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   onboarding.NewDocument true "The document"
// @Success  201 {object} onboarding.Programme
// @Failure  400 {object} Problem "A gate or a document type the programme does not have."
// @Security BearerAuth
// @Router   /api/v1/programmes/{id}/documents [post]
func (s *Server) addProgrammeDocument(c *gin.Context) {
	creates(s, c, func(in onboarding.NewDocument) (onboarding.Programme, int, error) {
		id, err := idParam(c, "id", "programme")
		if err != nil {
			return onboarding.Programme{}, 0, err
		}
		p, err := s.Onboarding.AddDocument(ctx(c), id, in)
		return p, 1, err
	})
}

// decideGate godoc
// @Summary  Decide a gate in your role (signatory, unit admin, council, as the template names)
// @Description Gates are decided in order. An approval needs the gate's documents; a refusal (rejected) records the
// @Description basis and what the gate lacks, and the gate can be decided again. The gate passes when each of its
// @Description deciders has approved. Every decision joins the council's register.
// @ID       decideGate
// @Tags     onboarding
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id              path   string                 true "Programme id" format(uuid)
// @Param    Idempotency-Key header string                 true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   onboarding.NewDecision true "The decision"
// @Success  201 {object} onboarding.Programme
// @Failure  403 {object} Problem "You do not decide this gate."
// @Failure  409 {object} Problem "The gate waits for earlier gates, is passed, or lacks documents."
// @Security BearerAuth
// @Router   /api/v1/programmes/{id}/decisions [post]
func (s *Server) decideGate(c *gin.Context) {
	creates(s, c, func(in onboarding.NewDecision) (onboarding.Programme, int, error) {
		id, err := idParam(c, "id", "programme")
		if err != nil {
			return onboarding.Programme{}, 0, err
		}
		p, err := s.Onboarding.Decide(ctx(c), id, in)
		return p, 1, err
	})
}

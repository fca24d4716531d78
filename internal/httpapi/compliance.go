package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/compliance"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// complianceFilter reads the filters of a compliance matrix.
func complianceFilter(c *gin.Context) compliance.Filter {
	return compliance.Filter{Standing: compliance.Standing(c.Query("standing")), Review: compliance.Review(c.Query("review"))}
}

// getCompliance godoc
// @Summary  The unit's security compliance: every control with its standing, attestation and review
// @Description Every control of the catalogue's control sets (ISO 27001:2022 Annex A, NIS2 Art. 21, GDPR Art. 32,
// @Description STM-2024 and the common obligations: shared logging, CERT, 24/7 monitoring) with where it stands
// @Description today: missing, current, expiring_soon (30 days or fewer) or expired; counts by standing.
// @ID       getCompliance
// @Tags     security
// @Produce  json,application/problem+json
// @Param    unit     path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    standing query string false "Only the controls that stand so" Enums(missing,current,expiring_soon,expired)
// @Param    review   query string false "Only the controls whose attestation's review stands so" Enums(pending,accepted,changes_requested)
// @Success  200 {object} compliance.Matrix
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/compliance [get]
func (s *Server) getCompliance(c *gin.Context) {
	m, err := s.Compliance.Matrix(ctx(c), c.Param("unit"), complianceFilter(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, m)
}

// attestControl godoc
// @Summary  Attest a control (unit admin): status, evidence, who attests and until when
// @Description A new attestation, or one replacing the current at its ETag (If-Match: * replaces whatever is current);
// @Description the council reviews it anew.
// @Description Evidence is named by reference and SHA-256 (the document stays in the unit's records system).
// @ID       attestControl
// @Tags     security
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit     path   string                    true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id       path   string                    true "The control's id, e.g. COMMON-LOG or ISO-A.8.8"
// @Param    If-Match header string                    true "The attestation's ETag, or * for a control not attested yet (or to replace whatever is current)"
// @Param    body     body   compliance.NewAttestation true "The attestation"
// @Success  200 {object} compliance.Attestation
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  400 {object} Problem "No evidence, no reason for not_applicable, or dates out of order."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/compliance/{id} [put]
func (s *Server) attestControl(c *gin.Context) {
	changed(s, c, func(version int, in compliance.NewAttestation) (compliance.Attestation, int, error) {
		a, err := s.Compliance.Attest(ctx(c), c.Param("unit"), c.Param("id"), version, in)
		return a, a.Version, err
	})
}

// reviewAttestation godoc
// @Summary  Review a unit's attestation (council): approved accepts it, rejected requests changes
// @Description The reason says what is accepted or what must change; the review is one of the council's decisions.
// @ID       reviewAttestation
// @Tags     security
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit     path   string       true "The unit's slug, e.g. midt or hovedstaden"
// @Param    id       path   string       true "The control's id, e.g. COMMON-LOG"
// @Param    If-Match header string       true "The attestation's ETag"
// @Param    body     body   review.Input true "The review"
// @Success  200 {object} compliance.Attestation
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "The attestation is reviewed already."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/compliance/{id}/review [post]
func (s *Server) reviewAttestation(c *gin.Context) {
	changed(s, c, func(version int, in review.Input) (compliance.Attestation, int, error) {
		a, err := s.Compliance.Review(ctx(c), c.Param("unit"), c.Param("id"), version, in)
		return a, a.Version, err
	})
}

// fleetCompliance godoc
// @Summary  The fleet's compliance (council, secretariat, auditor): units × controls, with what is missing or expiring
// @Description Every unit's matrix; standing= lists what is missing, expiring soon or expired across the units, and
// @Description review=pending what waits for the council. As CSV (the matrix) or XLSX (the matrix and every attestation).
// @ID       fleetCompliance
// @Tags     security
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    standing query string false "Only the controls that stand so" Enums(missing,current,expiring_soon,expired)
// @Param    review   query string false "Only the controls whose attestation's review stands so" Enums(pending,accepted,changes_requested)
// @Param    format   query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} compliance.Fleet
// @Security BearerAuth
// @Router   /api/v1/compliance [get]
func (s *Server) fleetCompliance(c *gin.Context) {
	format, err := exportFormat(c)
	var f compliance.Fleet
	if err == nil {
		f, err = s.Compliance.Fleet(ctx(c), complianceFilter(c))
	}
	s.exported(c, format, f, err)
}

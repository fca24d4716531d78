package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/activation"
)

// getActivation godoc
// @Summary  Where a municipality stands at the activation gate
// @Description The mailbox, the terms acceptance, the risk assessments, and what is missing to order
// @Description from every service family (or from family, repeated).
// @ID       getActivation
// @Tags     orders
// @Produce  json,application/problem+json
// @Param    code   path  string   true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    family query []string false "Only these families" collectionFormat(multi)
// @Success  200 {object} activation.Status
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/activation [get]
func (s *Server) getActivation(c *gin.Context) {
	st, err := s.Activation.Status(ctx(c), c.Param("code"), c.QueryArray("family"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, st)
}

// acceptTerms godoc
// @Summary  Accept the terms of use (signatory)
// @ID       acceptTerms
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string                true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string                true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   activation.TermsInput true "The terms version accepted"
// @Success  201 {object} activation.TermsAcceptance
// @Failure  400 {object} Problem "terms_version is not the current terms of use."
// @Failure  403 {object} Problem "Only a signatory of the municipality may accept the terms."
// @Failure  409 {object} Problem "The municipality has accepted these terms already."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/terms-acceptances [post]
func (s *Server) acceptTerms(c *gin.Context) {
	creates(s, c, func(in activation.TermsInput) (activation.TermsAcceptance, int, error) {
		a, err := s.Activation.AcceptTerms(ctx(c), c.Param("code"), in)
		return a, 1, err
	})
}

// registerROS godoc
// @Summary  Register a risk assessment (ROS) for a service family (SPOC)
// @ID       registerRiskAssessment
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string                       true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string                       true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   activation.NewRiskAssessment true "The assessment"
// @Success  201 {object} activation.RiskAssessment
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/risk-assessments [post]
func (s *Server) registerROS(c *gin.Context) {
	creates(s, c, func(in activation.NewRiskAssessment) (activation.RiskAssessment, int, error) {
		a, err := s.Activation.RegisterRiskAssessment(ctx(c), c.Param("code"), in)
		return a, 1, err
	})
}

package httpapi

import (
	"github.com/gin-gonic/gin"
)

// Health is the answer of the health endpoints.
type Health struct {
	Status string `json:"status" example:"ok"`
}

// livez godoc
// @Summary  Liveness
// @Description The process is up. Needs no database.
// @ID       livez
// @Tags     operations
// @Produce  json,application/problem+json
// @Success  200 {object} Health
// @Router   /livez [get]
func (s *Server) livez(c *gin.Context) { c.JSON(200, Health{Status: "ok"}) }

// readyz godoc
// @Summary  Readiness
// @Description Ready to serve: the database answers and no migration is pending.
// @ID       readyz
// @Tags     operations
// @Produce  json,application/problem+json
// @Success  200 {object} Health
// @Failure  503 {object} Problem "The database does not answer or migrations are pending; the service is not ready."
// @Router   /readyz [get]
func (s *Server) readyz(c *gin.Context) {
	if err := s.ready.check(ctx(c)); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, Health{Status: "ready"})
}

// devDiscovery godoc
// @Summary  Dev issuer discovery document
// @Description The built-in development issuer's OpenID configuration. Absent in production.
// @ID       devIssuerDiscovery
// @Tags     identity
// @Produce  json,application/problem+json
// @Success  200 {object} map[string]any
// @Router   /dev-issuer/.well-known/openid-configuration [get]
func (s *Server) devDiscovery(c *gin.Context) { c.JSON(200, s.DevIssuer.Discovery()) }

// devJWKS godoc
// @Summary  Dev issuer public keys
// @Description The built-in development issuer's JWKS. Absent in production.
// @ID       devIssuerJWKS
// @Tags     identity
// @Produce  application/jwk-set+json
// @Success  200 {object} map[string]any
// @Router   /dev-issuer/.well-known/jwks.json [get]
func (s *Server) devJWKS(c *gin.Context) {
	c.Data(200, "application/jwk-set+json", s.DevIssuer.JWKS())
}

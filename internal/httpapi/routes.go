package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	_ "github.com/servicekatalog/servicekatalog/api-docs" // registers the generated OpenAPI document
	"github.com/servicekatalog/servicekatalog/internal/identity"
)

// V1 is the prefix of the versioned API.
const V1 = "/api/v1"

// register declares every route with the casbin rule it needs. policies/routes.csv holds the
// expected role × route matrix that the route tests check this table against.
func (s *Server) register() {
	s.public(http.MethodGet, "/livez", s.livez)
	s.public(http.MethodGet, "/readyz", s.readyz)
	s.public(http.MethodGet, "/metrics", s.metrics.handler)
	s.public(http.MethodGet, "/swagger/*any", ginSwagger.WrapHandler(swaggerFiles.Handler,
		ginSwagger.PersistAuthorization(true), ginSwagger.DefaultModelsExpandDepth(1)))
	if s.DevIssuer != nil {
		s.public(http.MethodGet, identity.DevIssuerPath+"/.well-known/openid-configuration", s.devDiscovery)
		s.public(http.MethodGet, identity.DevIssuerPath+"/.well-known/jwks.json", s.devJWKS)
	}

	s.protected(http.MethodGet, V1+"/me", can("me", "read"), s.me)

	s.protected(http.MethodGet, V1+"/municipalities", can("municipality", "read"), s.listMunicipalities)
	s.protected(http.MethodGet, V1+"/municipalities/:code", can("municipality", "read"), s.getMunicipality)
	s.protected(http.MethodPatch, V1+"/municipalities/:code", can("municipality", "update"), s.updateMunicipality)

	s.protected(http.MethodGet, V1+"/units", can("unit", "read"), s.listUnits)
	s.protected(http.MethodPost, V1+"/units", can("unit", "create").creating(), s.createUnit)
	s.protected(http.MethodGet, V1+"/units/:unit", can("unit", "read"), s.getUnit)
	s.protected(http.MethodPatch, V1+"/units/:unit", can("unit", "update"), s.updateUnit)

	t := V1 + "/tenants/:tenant"
	s.protected(http.MethodGet, t+"/users", can("user", "read").in("tenant"), s.listUsers)
	s.protected(http.MethodPost, t+"/users", can("user", "create").in("tenant").creating(), s.createUser)
	s.protected(http.MethodGet, t+"/users/:id", can("user", "read").in("tenant"), s.getUser)
	s.protected(http.MethodPatch, t+"/users/:id", can("user", "update").in("tenant"), s.updateUser)

	s.protected(http.MethodGet, t+"/role-assignments", can("role_assignment", "read").in("tenant"), s.listAssignments)
	s.protected(http.MethodPost, t+"/role-assignments", can("role_assignment", "create").in("tenant").creating(), s.createAssignment)
	s.protected(http.MethodDelete, t+"/role-assignments/:id", can("role_assignment", "delete").in("tenant"), s.deleteAssignment)

	s.protected(http.MethodGet, t+"/api-keys", can("api_key", "read").in("tenant"), s.listKeys)
	s.protected(http.MethodPost, t+"/api-keys", can("api_key", "create").in("tenant").creating(), s.createKey)
	s.protected(http.MethodDelete, t+"/api-keys/:id", can("api_key", "revoke").in("tenant"), s.revokeKey)

	s.protected(http.MethodGet, V1+"/audit", can("audit", "read"), s.listAudit)
	s.protected(http.MethodGet, V1+"/audit/verify", can("audit", "verify"), s.verifyAudit)
}

// ctx is the request's context, carrying principal, origin and idempotency key.
func ctx(c *gin.Context) context.Context { return c.Request.Context() }

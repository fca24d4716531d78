package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// Me is the caller and the roles it holds.
type Me struct {
	Kind    string              `json:"kind" example:"user"`
	ID      string              `json:"id" format:"uuid"`
	Name    string              `json:"name" example:"spoc.101"`
	Subject string              `json:"subject" example:"user:7d0f…"`
	Roles   map[string][]string `json:"roles"` // tenant → roles
}

// me godoc
// @Summary  Who am I
// @Description The authenticated caller and the roles it holds in each tenant.
// @ID       getMe
// @Tags     identity
// @Produce  json,application/problem+json
// @Success  200 {object} Me
// @Failure  401 {object} Problem "No credentials, or a token that is expired, not yet valid or signed by another issuer."
// @Failure  403 {object} Problem "The caller holds no role in any tenant."
// @Security BearerAuth
// @Router   /api/v1/me [get]
func (s *Server) me(c *gin.Context) {
	p, _ := identity.FromContext(ctx(c))
	roles := map[string][]string{}
	for t, rs := range s.Authz.RolesOf(p.Subject) {
		names := make([]string, len(rs))
		for i, r := range rs {
			names[i] = string(r)
		}
		roles[t.String()] = names
	}
	c.JSON(200, Me{Kind: p.Kind, ID: p.ID, Name: p.Name, Subject: p.Subject, Roles: roles})
}

// listMunicipalities godoc
// @Summary  List owner municipalities
// @ID       listMunicipalities
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    region     query string false "Region name, e.g. Region Midtjylland"
// @Param    owner_unit query string false "Slug of the owner unit"
// @Param    q          query string false "Part of the name (case-insensitive)"
// @Param    limit      query int    false "Page size, 1-200" default(50)
// @Param    cursor     query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[directory.Municipality]
// @Security BearerAuth
// @Router   /api/v1/municipalities [get]
func (s *Server) listMunicipalities(c *gin.Context) {
	f := directory.MunicipalityFilter{Region: c.Query("region"), OwnerUnit: c.Query("owner_unit"), Query: c.Query("q")}
	listed(s, c, func(p page.Request) (page.Page[directory.Municipality], error) {
		return s.Directory.ListMunicipalities(ctx(c), f, p)
	})
}

// getMunicipality godoc
// @Summary  Get a municipality
// @ID       getMunicipality
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Success  200 {object} directory.Municipality
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code} [get]
func (s *Server) getMunicipality(c *gin.Context) {
	m, err := s.Directory.Municipality(ctx(c), c.Param("code"))
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, m.Version, m)
}

// updateMunicipality godoc
// @Summary  Change a municipality (secretariat)
// @Description Rename, (de)activate or set the owner unit it buys from.
// @ID       updateMunicipality
// @Tags     directory
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code     path   string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    If-Match header string true "ETag of the version read"
// @Param    body     body   directory.MunicipalityPatch true "Fields to change"
// @Success  200 {object} directory.Municipality
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code} [patch]
func (s *Server) updateMunicipality(c *gin.Context) {
	changed(s, c, func(version int, in directory.MunicipalityPatch) (directory.Municipality, int, error) {
		m, err := s.Directory.UpdateMunicipality(ctx(c), c.Param("code"), version, in)
		return m, m.Version, err
	})
}

// listUnits godoc
// @Summary  List service units
// @ID       listUnits
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[directory.Unit]
// @Security BearerAuth
// @Router   /api/v1/units [get]
func (s *Server) listUnits(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[directory.Unit], error) { return s.Directory.ListUnits(ctx(c), p) })
}

// createUnit godoc
// @Summary  Create a service unit (secretariat)
// @ID       createUnit
// @Tags     directory
// @Accept   json
// @Produce  json,application/problem+json
// @Param    Idempotency-Key header string true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body body directory.NewUnit true "The unit"
// @Success  201 {object} directory.Unit
// @Failure  409 {object} Problem "A unit with this slug exists, or a request with the same Idempotency-Key is still in flight."
// @Security BearerAuth
// @Router   /api/v1/units [post]
func (s *Server) createUnit(c *gin.Context) {
	creates(s, c, func(in directory.NewUnit) (directory.Unit, int, error) {
		u, err := s.Directory.CreateUnit(ctx(c), in)
		return u, u.Version, err
	})
}

// getUnit godoc
// @Summary  Get a service unit
// @ID       getUnit
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Success  200 {object} directory.Unit
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit} [get]
func (s *Server) getUnit(c *gin.Context) {
	u, err := s.Directory.Unit(ctx(c), c.Param("unit"))
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, u.Version, u)
}

// updateUnit godoc
// @Summary  Change a service unit (secretariat)
// @ID       updateUnit
// @Tags     directory
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit     path   string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    If-Match header string true "ETag of the version read"
// @Param    body     body   directory.UnitPatch true "Fields to change"
// @Success  200 {object} directory.Unit
// @Security BearerAuth
// @Router   /api/v1/units/{unit} [patch]
func (s *Server) updateUnit(c *gin.Context) {
	changed(s, c, func(version int, in directory.UnitPatch) (directory.Unit, int, error) {
		u, err := s.Directory.UpdateUnit(ctx(c), c.Param("unit"), version, in)
		return u, u.Version, err
	})
}

// listUsers godoc
// @Summary  List the users of a tenant
// @ID       listUsers
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    tenant path  string true  "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[directory.User]
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/users [get]
func (s *Server) listUsers(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[directory.User], error) {
		return s.Directory.ListUsers(ctx(c), tenantOf(c), p)
	})
}

// createUser godoc
// @Summary  Create a user in a tenant (secretariat; a SPOC in its municipality)
// @ID       createUser
// @Tags     directory
// @Accept   json
// @Produce  json,application/problem+json
// @Param    tenant          path   string true "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    Idempotency-Key header string true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   directory.NewUser true "The user"
// @Success  201 {object} directory.User
// @Failure  404 {object} Problem "The tenant in the path does not exist."
// @Failure  409 {object} Problem "The username or subject is taken, or a request with the same Idempotency-Key is still in flight."
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/users [post]
func (s *Server) createUser(c *gin.Context) {
	creates(s, c, func(in directory.NewUser) (directory.User, int, error) {
		u, err := s.Directory.CreateUser(ctx(c), tenantOf(c), in)
		return u, u.Version, err
	})
}

// getUser godoc
// @Summary  Get a user of a tenant
// @ID       getUser
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    tenant path string true "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    id     path string true "User id" format(uuid)
// @Success  200 {object} directory.User
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/users/{id} [get]
func (s *Server) getUser(c *gin.Context) {
	id, err := idParam(c, "id", "user")
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.Directory.User(ctx(c), tenantOf(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, u.Version, u)
}

// updateUser godoc
// @Summary  Change or deactivate a user of a tenant
// @Description A SPOC may change only first-line users of its municipality. Deactivating a user
// @Description stops its tokens at once.
// @ID       updateUser
// @Tags     directory
// @Accept   json
// @Produce  json,application/problem+json
// @Param    tenant   path   string true "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    id       path   string true "User id" format(uuid)
// @Param    If-Match header string true "ETag of the version read"
// @Param    body     body   directory.UserPatch true "Fields to change"
// @Success  200 {object} directory.User
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/users/{id} [patch]
func (s *Server) updateUser(c *gin.Context) {
	id, err := idParam(c, "id", "user")
	if err != nil {
		s.fail(c, err)
		return
	}
	changed(s, c, func(version int, in directory.UserPatch) (directory.User, int, error) {
		u, err := s.Directory.UpdateUser(ctx(c), tenantOf(c), id, version, in)
		return u, u.Version, err
	})
}

// listAssignments godoc
// @Summary  List the role assignments in a tenant
// @ID       listRoleAssignments
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    tenant path  string true  "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[directory.RoleAssignment]
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/role-assignments [get]
func (s *Server) listAssignments(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[directory.RoleAssignment], error) {
		return s.Directory.ListAssignments(ctx(c), tenantOf(c), p)
	})
}

// createAssignment godoc
// @Summary  Give a user a role in a tenant
// @Description The secretariat assigns any role valid for the tenant's kind; a SPOC assigns only
// @Description first_line, in its own municipality, to users of that municipality. Takes effect on
// @Description the next request, on every instance.
// @ID       createRoleAssignment
// @Tags     directory
// @Accept   json
// @Produce  json,application/problem+json
// @Param    tenant          path   string true "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    Idempotency-Key header string true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   directory.NewAssignment true "User and role"
// @Success  201 {object} directory.RoleAssignment
// @Failure  400 {object} Problem "The user does not exist, the role cannot be held in this tenant, or the caller may not give it (a SPOC gives first_line only)."
// @Failure  404 {object} Problem "The tenant in the path does not exist."
// @Failure  409 {object} Problem "The user holds this role in this tenant already."
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/role-assignments [post]
func (s *Server) createAssignment(c *gin.Context) {
	creates(s, c, func(in directory.NewAssignment) (directory.RoleAssignment, int, error) {
		a, err := s.Directory.Assign(ctx(c), tenantOf(c), in)
		return a, a.Version, err
	})
}

// deleteAssignment godoc
// @Summary  Remove a role assignment
// @ID       deleteRoleAssignment
// @Tags     directory
// @Produce  application/problem+json
// @Param    tenant   path   string true "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    id       path   string true "Role assignment id" format(uuid)
// @Param    If-Match header string true "ETag of the version read (\"1\")"
// @Success  204
// @Failure  403 {object} Problem "The caller may not remove this assignment (a SPOC removes first_line only)."
// @Failure  409 {object} Problem "It is the platform's last secretariat assignment, which cannot be removed."
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/role-assignments/{id} [delete]
func (s *Server) deleteAssignment(c *gin.Context) {
	id, err := idParam(c, "id", "role assignment")
	var version int
	if err == nil {
		version, err = ifMatch(c)
	}
	if err == nil {
		err = s.Directory.Unassign(ctx(c), tenantOf(c), id, version)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(204)
}

// NewAPIKey is a created API key; the secret is shown in this response only.
type NewAPIKey struct {
	directory.APIKey
	// Secret is the key to send as "Authorization: Bearer <secret>". It is not stored and is
	// absent when the creation is replayed.
	Secret string `json:"secret,omitempty" example:"skat_Ab3dE..."`
}

// listKeys godoc
// @Summary  List the API keys of a tenant
// @ID       listApiKeys
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    tenant path  string true  "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[directory.APIKey]
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/api-keys [get]
func (s *Server) listKeys(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[directory.APIKey], error) {
		return s.Directory.ListKeys(ctx(c), tenantOf(c), p)
	})
}

// createKey godoc
// @Summary  Create an API key for a machine client of a tenant
// @Description The key is bound to the tenant and a subset of the roles the caller may grant there,
// @Description expires (default 90 days, at most 365) and can be revoked. Its secret is returned once.
// @ID       createApiKey
// @Tags     directory
// @Accept   json
// @Produce  json,application/problem+json
// @Param    tenant          path   string true "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    Idempotency-Key header string true "Unique key; a retry returns the key without its secret"
// @Param    body            body   directory.NewKey true "Name, roles and lifetime"
// @Success  201 {object} NewAPIKey
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/api-keys [post]
func (s *Server) createKey(c *gin.Context) {
	creates(s, c, func(in directory.NewKey) (NewAPIKey, int, error) {
		k, err := s.Directory.CreateKey(ctx(c), tenantOf(c), in)
		return NewAPIKey{APIKey: k.APIKey, Secret: k.Secret}, k.Version, err
	})
}

// revokeKey godoc
// @Summary  Revoke an API key
// @ID       revokeApiKey
// @Tags     directory
// @Produce  json,application/problem+json
// @Param    tenant   path   string true "The tenant: municipality:CODE (e.g. municipality:101), unit:SLUG (e.g. unit:midt), council or platform"
// @Param    id       path   string true "API key id" format(uuid)
// @Param    If-Match header string true "ETag of the version read"
// @Success  200 {object} directory.APIKey
// @Failure  409 {object} Problem "The key is revoked already."
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/api-keys/{id} [delete]
func (s *Server) revokeKey(c *gin.Context) {
	id, err := idParam(c, "id", "API key")
	var version int
	if err == nil {
		version, err = ifMatch(c)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	k, err := s.Directory.RevokeKey(ctx(c), tenantOf(c), id, version)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, k.Version, k)
}

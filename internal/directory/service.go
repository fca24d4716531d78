package directory

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/authz"
	"github.com/servicekatalog/servicekatalog/internal/cache"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Access is the authorisation cache that must see role changes at once.
type Access interface {
	Reload(ctx context.Context) error
}

// Service is the directory's use cases.
type Service struct {
	db     *postgres.DB
	store  store
	audit  *audit.Log
	access Access
	clock  clock.Clock
}

// NewService returns the directory service.
func NewService(db *postgres.DB, log *audit.Log, access Access, c clock.Clock) *Service {
	return &Service{db: db, store: store{db, c, &cache.Cache[Municipality]{Channel: MunicipalityChannel}}, audit: log, access: access, clock: c}
}

// inAccessTx runs fn in a transaction that changes who may do what: it announces the change to
// other instances on commit and reloads this instance's cache before returning, so the change
// holds from the caller's next request.
func (s *Service) inAccessTx(ctx context.Context, fn func(ctx context.Context) error) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return authz.Notify(ctx, s.db)
	})
	if err != nil {
		return err
	}
	return s.access.Reload(ctx)
}

// Tenant checks that t names an existing tenant.
func (s *Service) Tenant(ctx context.Context, t tenant.ID) error {
	return s.store.tenantExists(ctx, t)
}

// --- municipalities

// MunicipalityFilter selects municipalities.
type MunicipalityFilter struct {
	Region    string
	OwnerUnit string
	Query     string // part of the name, case-insensitive
}

// ListMunicipalities returns one page of municipalities by code.
func (s *Service) ListMunicipalities(ctx context.Context, f MunicipalityFilter, p page.Request) (page.Page[Municipality], error) {
	return s.store.listMunicipalities(ctx, f, p)
}

// Municipality returns one municipality.
func (s *Service) Municipality(ctx context.Context, code string) (Municipality, error) {
	return s.store.municipality(ctx, code, false)
}

// Municipalities returns the municipalities of codes by code, in one query; an unknown code is
// left out.
func (s *Service) Municipalities(ctx context.Context, codes []string) (map[string]Municipality, error) {
	ms, err := s.store.municipalities(ctx, codes)
	out := make(map[string]Municipality, len(ms))
	for _, m := range ms {
		out[m.Code] = m
	}
	return out, err
}

// ForgetMunicipalities empties this instance's memory of municipalities (on a notification on
// MunicipalityChannel).
func (s *Service) ForgetMunicipalities(context.Context) error {
	s.store.municipalitiesByCode.Forget()
	return nil
}

// MunicipalityPatch changes a municipality; nil fields stay as they are.
type MunicipalityPatch struct {
	Name *string `json:"name" validate:"omitnil,min=1,max=200" extensions:"x-nullable"`
	// OwnerUnit is the unit the municipality buys from; "" clears it.
	OwnerUnit *string `json:"owner_unit" validate:"omitnil,max=40" extensions:"x-nullable"`
	Active    *bool   `json:"active" extensions:"x-nullable"`
	// Population and MunicipalityGroup are filled in for the fair comparison of municipalities.
	Population        *int `json:"population" validate:"omitnil,min=1,max=10000000" example:"660000" extensions:"x-nullable"`
	MunicipalityGroup *int `json:"municipality_group" validate:"omitnil,min=1,max=5" example:"1" extensions:"x-nullable"`
}

// UpdateMunicipality applies patch if the municipality is still at version.
func (s *Service) UpdateMunicipality(ctx context.Context, code string, version int, in MunicipalityPatch) (Municipality, error) {
	if err := validation.Check(in); err != nil {
		return Municipality{}, err
	}
	var out Municipality
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		m, err := s.store.municipality(ctx, code, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(m.Version, version); err != nil {
			return err
		}
		before := m
		if in.Name != nil {
			m.Name = strings.TrimSpace(*in.Name)
		}
		if in.OwnerUnit != nil {
			m.OwnerUnit = nil
			if *in.OwnerUnit != "" {
				if _, err := s.store.unit(ctx, *in.OwnerUnit, false); err != nil {
					return apperr.Field("/owner_unit", "no such unit")
				}
				m.OwnerUnit = in.OwnerUnit
			}
		}
		if in.Active != nil {
			m.Active = *in.Active
		}
		if in.Population != nil {
			m.Population = in.Population
		}
		if in.MunicipalityGroup != nil {
			m.MunicipalityGroup = in.MunicipalityGroup
		}
		if err := s.store.saveMunicipality(ctx, &m); err != nil {
			return err
		}
		out = m
		return s.audit.Record(ctx, audit.Change{Tenant: m.Tenant(), Action: "municipality.update",
			ObjectType: "municipality", ObjectID: code, Diff: audit.Diff(before, m)})
	})
	return out, err
}

// EnsureMunicipalities creates the municipalities that do not exist yet (reference data) and
// returns how many it created.
func (s *Service) EnsureMunicipalities(ctx context.Context, ms []Municipality) (int, error) {
	created := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		for _, m := range ms {
			ok, err := s.store.insertMunicipalityIfMissing(ctx, &m)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			created++
			if err := s.audit.Record(ctx, audit.Change{Tenant: m.Tenant(), Action: "municipality.create",
				ObjectType: "municipality", ObjectID: m.Code, Diff: audit.Diff(nil, m)}); err != nil {
				return err
			}
		}
		return nil
	})
	return created, err
}

// --- units

// ListUnits returns one page of units by slug.
func (s *Service) ListUnits(ctx context.Context, p page.Request) (page.Page[Unit], error) {
	return s.store.listUnits(ctx, p)
}

// Unit returns one unit.
func (s *Service) Unit(ctx context.Context, slug string) (Unit, error) {
	return s.store.unit(ctx, slug, false)
}

// NewUnit is a unit to create.
type NewUnit struct {
	Slug    string `json:"slug" validate:"required,max=40" example:"midt"`
	Name    string `json:"name" validate:"required,max=200" example:"Fælles Drift Midt"`
	Region  string `json:"region" validate:"required,max=100" example:"Region Midtjylland"`
	Contact string `json:"contact" validate:"max=320" example:"servicedesk@midt.example"`
	Demo    bool   `json:"-"`
}

// CreateUnit creates a service unit.
func (s *Service) CreateUnit(ctx context.Context, in NewUnit) (Unit, error) {
	if err := validation.Check(in); err != nil {
		return Unit{}, err
	}
	return idempotency.Run(ctx, s.db, "unit.create", in, func(ctx context.Context) (Unit, error) {
		if !tenant.ValidUnitSlug(in.Slug) {
			return Unit{}, apperr.Field("/slug", "must be 2-40 lowercase letters, digits or hyphens, starting with a letter")
		}
		now := s.clock.Now()
		u := Unit{Slug: in.Slug, Name: strings.TrimSpace(in.Name), Region: in.Region, Contact: in.Contact,
			Demo: in.Demo, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := s.store.insert(ctx, &u, "unit "+in.Slug+" exists already"); err != nil {
			return u, err
		}
		return u, s.audit.Record(ctx, audit.Change{Tenant: u.Tenant(), Action: "unit.create",
			ObjectType: "unit", ObjectID: u.Slug, Diff: audit.Diff(nil, u)})
	})
}

// UnitPatch changes a unit; nil fields stay as they are.
type UnitPatch struct {
	Name    *string `json:"name" validate:"omitnil,min=1,max=200" extensions:"x-nullable"`
	Region  *string `json:"region" validate:"omitnil,min=1,max=100" extensions:"x-nullable"`
	Contact *string `json:"contact" validate:"omitnil,max=320" extensions:"x-nullable"`
}

// UpdateUnit applies patch if the unit is still at version.
func (s *Service) UpdateUnit(ctx context.Context, slug string, version int, in UnitPatch) (Unit, error) {
	if err := validation.Check(in); err != nil {
		return Unit{}, err
	}
	var out Unit
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		u, err := s.store.unit(ctx, slug, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(u.Version, version); err != nil {
			return err
		}
		before := u
		setIf(&u.Name, in.Name)
		setIf(&u.Region, in.Region)
		setIf(&u.Contact, in.Contact)
		if err := s.store.saveUnit(ctx, &u); err != nil {
			return err
		}
		out = u
		return s.audit.Record(ctx, audit.Change{Tenant: u.Tenant(), Action: "unit.update",
			ObjectType: "unit", ObjectID: slug, Diff: audit.Diff(before, u)})
	})
	return out, err
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
}

// --- users

// ListUsers returns one page of the users belonging to tenant t, by username.
func (s *Service) ListUsers(ctx context.Context, t tenant.ID, p page.Request) (page.Page[User], error) {
	if err := s.store.tenantExists(ctx, t); err != nil {
		return page.Page[User]{}, err
	}
	return s.store.listUsers(ctx, t, p)
}

// User returns a user of tenant t.
func (s *Service) User(ctx context.Context, t tenant.ID, id string) (User, error) {
	return s.store.userOf(ctx, t, id, false)
}

// NewUser is a user to create.
type NewUser struct {
	Username string `json:"username" validate:"required,min=2,max=100" example:"anna.jensen"`
	Name     string `json:"name" validate:"required,max=200" example:"Anna Jensen"`
	Email    string `json:"email" validate:"required,email,max=320" example:"anna@kk.example"`
	// Subject is the user's OIDC sub claim; it defaults to the username (as the dev issuer signs).
	Subject string `json:"subject" validate:"max=255"`
	Demo    bool   `json:"-"`
}

// CreateUser creates a user belonging to tenant t.
func (s *Service) CreateUser(ctx context.Context, t tenant.ID, in NewUser) (User, error) {
	if err := validation.Check(in); err != nil {
		return User{}, err
	}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if in.Subject == "" {
		in.Subject = in.Username
	}
	var out User
	err := s.inAccessTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = idempotency.Run(ctx, s.db, "user.create", in, func(ctx context.Context) (User, error) {
			if !validUsername(in.Username) {
				return User{}, apperr.Field("/username", "must be 2-100 characters: lowercase letters, digits and . _ @ -")
			}
			if err := s.store.tenantExists(ctx, t); err != nil {
				return User{}, err
			}
			now := s.clock.Now()
			u := User{ID: uuid.NewString(), Username: in.Username, Subject: in.Subject, Name: strings.TrimSpace(in.Name),
				Email: in.Email, HomeTenant: t.String(), Active: true, Demo: in.Demo, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := s.store.insert(ctx, &u, "the username or subject is taken"); err != nil {
				return u, err
			}
			return u, s.audit.Record(ctx, audit.Change{Tenant: t, Action: "user.create",
				ObjectType: "user", ObjectID: u.ID, Diff: audit.Diff(nil, u)})
		})
		return err
	})
	return out, err
}

func validUsername(u string) bool {
	if len(u) < 2 || len(u) > 100 {
		return false
	}
	for i, r := range u {
		ok := (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || (i > 0 && strings.ContainsRune("._@-", r))
		if !ok {
			return false
		}
	}
	return true
}

// UserPatch changes a user; nil fields stay as they are.
type UserPatch struct {
	Name   *string `json:"name" validate:"omitnil,min=1,max=200" extensions:"x-nullable"`
	Email  *string `json:"email" validate:"omitnil,email,max=320" extensions:"x-nullable"`
	Active *bool   `json:"active" extensions:"x-nullable"` // false deactivates: the user's tokens stop working at once
}

// UpdateUser applies patch to a user of tenant t if it is still at version.
func (s *Service) UpdateUser(ctx context.Context, t tenant.ID, id string, version int, in UserPatch) (User, error) {
	if err := validation.Check(in); err != nil {
		return User{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out User
	err := s.inAccessTx(ctx, func(ctx context.Context) error {
		u, err := s.store.userOf(ctx, t, id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(u.Version, version); err != nil {
			return err
		}
		roles, err := s.store.assignmentsOfUser(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := checkUserEdit(actor, t, roles); err != nil {
			return err
		}
		before := u
		setIf(&u.Name, in.Name)
		setIf(&u.Email, in.Email)
		if in.Active != nil {
			u.Active = *in.Active
		}
		if err := s.store.saveUser(ctx, &u); err != nil {
			return err
		}
		out = u
		return s.audit.Record(ctx, audit.Change{Tenant: t, Action: "user.update",
			ObjectType: "user", ObjectID: id, Diff: audit.Diff(before, u)})
	})
	return out, err
}

// UserByUsername finds a user by username, for the command line.
func (s *Service) UserByUsername(ctx context.Context, username string) (User, error) {
	return s.store.userByUsername(ctx, username)
}

// UsersWithRole returns the active users who hold role in tenant t, e.g. a municipality's SPOCs.
func (s *Service) UsersWithRole(ctx context.Context, t tenant.ID, role tenant.Role) ([]User, error) {
	return s.store.usersWithRole(ctx, t, role)
}

// InRegion returns the codes of the active municipalities of region.
func (s *Service) InRegion(ctx context.Context, region string) ([]string, error) {
	return s.store.alike(ctx, "region = ?", region)
}

// WithPopulation returns the codes of the active municipalities of from to below to
// inhabitants (no upper bound when to is 0).
func (s *Service) WithPopulation(ctx context.Context, from, to int) ([]string, error) {
	if to == 0 {
		return s.store.alike(ctx, "population >= ?", from)
	}
	return s.store.alike(ctx, "population >= ? AND population < ?", from, to)
}

// InGroup returns the codes of the active municipalities of Danmarks Statistik's group g.
func (s *Service) InGroup(ctx context.Context, g int) ([]string, error) {
	return s.store.alike(ctx, "municipality_group = ?", g)
}

// MunicipalityCodes returns the codes of every active municipality.
func (s *Service) MunicipalityCodes(ctx context.Context) ([]string, error) {
	return s.store.municipalityCodes(ctx)
}

// ActorNames gives the names people read for actors: a user's name, "API key <name>" for a key.
// Actors that are neither are left out.
func (s *Service) ActorNames(ctx context.Context, actors []string) (map[string]string, error) {
	var users, keys []string
	for _, a := range actors {
		kind, id, _ := strings.Cut(a, ":")
		if uuid.Validate(id) != nil {
			continue
		}
		switch kind + ":" {
		case identity.UserSubject(""):
			users = append(users, id)
		case identity.KeySubject(""):
			keys = append(keys, id)
		}
	}
	userNames, keyNames, err := s.store.names(ctx, users, keys)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for id, name := range userNames {
		out[identity.UserSubject(id)] = name
	}
	for id, name := range keyNames {
		out[identity.KeySubject(id)] = "API key " + name
	}
	return out, nil
}

// --- role assignments

// ListAssignments returns one page of the role assignments in tenant t, oldest first.
func (s *Service) ListAssignments(ctx context.Context, t tenant.ID, p page.Request) (page.Page[RoleAssignment], error) {
	if err := s.store.tenantExists(ctx, t); err != nil {
		return page.Page[RoleAssignment]{}, err
	}
	return s.store.listAssignments(ctx, t, p)
}

// NewAssignment gives a user a role in the tenant of the request.
type NewAssignment struct {
	UserID string `json:"user_id" validate:"required,uuid" format:"uuid"`
	Role   string `json:"role" validate:"required" enums:"spoc,first_line,signatory,unit_admin,second_line,council,secretariat,auditor" example:"first_line"`
}

// Assign gives a user a role in tenant t.
func (s *Service) Assign(ctx context.Context, t tenant.ID, in NewAssignment) (RoleAssignment, error) {
	if err := validation.Check(in); err != nil {
		return RoleAssignment{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out RoleAssignment
	err := s.inAccessTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = idempotency.Run(ctx, s.db, "role_assignment.create", in, func(ctx context.Context) (RoleAssignment, error) {
			if err := s.store.tenantExists(ctx, t); err != nil {
				return RoleAssignment{}, err
			}
			u, err := s.store.user(ctx, in.UserID, true)
			if apperr.Is(err, apperr.NotFound) {
				return RoleAssignment{}, apperr.Field("/user_id", "no such user")
			} else if err != nil {
				return RoleAssignment{}, err
			}
			if err := checkAssign(actor, t, tenant.Role(in.Role), u); err != nil {
				return RoleAssignment{}, err
			}
			a := RoleAssignment{ID: uuid.NewString(), UserID: u.ID, Username: u.Username, Role: in.Role,
				Tenant: t.String(), CreatedBy: actor.Subject, CreatedAt: s.clock.Now(), Version: 1}
			if err := s.store.insert(ctx, &a, "the user holds this role in this tenant already"); err != nil {
				return a, err
			}
			return a, s.audit.Record(ctx, audit.Change{Tenant: t, Action: "role_assignment.create",
				ObjectType: "role_assignment", ObjectID: a.ID, Diff: audit.Diff(nil, a)})
		})
		return err
	})
	return out, err
}

// Unassign removes a role assignment of tenant t if it is still at version.
func (s *Service) Unassign(ctx context.Context, t tenant.ID, id string, version int) error {
	actor, _ := identity.FromContext(ctx)
	return s.inAccessTx(ctx, func(ctx context.Context) error {
		a, err := s.store.assignmentOf(ctx, t, id)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(a.Version, version); err != nil {
			return err
		}
		others, err := s.store.countOtherSecretariats(ctx, a.ID)
		if err != nil {
			return err
		}
		if err := checkUnassign(actor, a, others); err != nil {
			return err
		}
		if err := s.store.deleteAssignment(ctx, a.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Tenant: t, Action: "role_assignment.delete",
			ObjectType: "role_assignment", ObjectID: a.ID, Diff: audit.Diff(a, nil)})
	})
}

// --- API keys

// ListKeys returns one page of the API keys of tenant t, oldest first.
func (s *Service) ListKeys(ctx context.Context, t tenant.ID, p page.Request) (page.Page[APIKey], error) {
	if err := s.store.tenantExists(ctx, t); err != nil {
		return page.Page[APIKey]{}, err
	}
	return s.store.listKeys(ctx, t, p)
}

// NewKey is an API key to create.
type NewKey struct {
	Name  string   `json:"name" validate:"required,max=200" example:"monitoring"`
	Roles []string `json:"roles" validate:"required,max=8" enums:"spoc,first_line,signatory,unit_admin,second_line,council,secretariat,auditor" example:"unit_admin"`
	// ExpiresInDays is the key's lifetime, 1-365 days (default 90).
	ExpiresInDays int `json:"expires_in_days" validate:"omitempty,min=1,max=365" example:"90"`
}

// CreateKey creates an API key for tenant t and returns it with its secret.
func (s *Service) CreateKey(ctx context.Context, t tenant.ID, in NewKey) (CreatedKey, error) {
	if err := validation.Check(in); err != nil {
		return CreatedKey{}, err
	}
	actor, _ := identity.FromContext(ctx)
	if in.ExpiresInDays == 0 {
		in.ExpiresInDays = DefaultKeyDays
	}
	slices.Sort(in.Roles)
	var out CreatedKey
	err := s.inAccessTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = idempotency.Run(ctx, s.db, "api_key.create", in, func(ctx context.Context) (CreatedKey, error) {
			if err := checkKeyRoles(actor, t, in.Roles); err != nil {
				return CreatedKey{}, err
			}
			if err := s.store.tenantExists(ctx, t); err != nil {
				return CreatedKey{}, err
			}
			secret, err := newSecret()
			if err != nil {
				return CreatedKey{}, err
			}
			h := identity.HashAPIKey(secret)
			now := s.clock.Now()
			k := APIKey{ID: uuid.NewString(), Tenant: t.String(), Name: strings.TrimSpace(in.Name), Roles: in.Roles,
				Prefix: secret[:len(identity.APIKeyPrefix)+6], SecretHash: h[:], ExpiresAt: now.AddDate(0, 0, in.ExpiresInDays),
				CreatedBy: actor.Subject, CreatedAt: now, Version: 1}
			if err := s.store.insert(ctx, &k, "API key clash; retry"); err != nil {
				return CreatedKey{}, err
			}
			return CreatedKey{APIKey: k, Secret: secret}, s.audit.Record(ctx, audit.Change{Tenant: t,
				Action: "api_key.create", ObjectType: "api_key", ObjectID: k.ID, Diff: audit.Diff(nil, k)})
		})
		return err
	})
	return out, err
}

func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return identity.APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// RevokeKey revokes an API key of tenant t if it is still at version; it stops working at once.
func (s *Service) RevokeKey(ctx context.Context, t tenant.ID, id string, version int) (APIKey, error) {
	var out APIKey
	err := s.inAccessTx(ctx, func(ctx context.Context) error {
		k, err := s.store.keyOf(ctx, t, id)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(k.Version, version); err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return apperr.New(apperr.Conflict, "the API key is revoked already")
		}
		before := k
		now := s.clock.Now()
		k.RevokedAt = &now
		if err := s.store.saveKey(ctx, &k); err != nil {
			return err
		}
		out = k
		return s.audit.Record(ctx, audit.Change{Tenant: t, Action: "api_key.revoke",
			ObjectType: "api_key", ObjectID: id, Diff: audit.Diff(before, k)})
	})
	return out, err
}

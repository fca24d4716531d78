// Package directory keeps the organisations and people of the platform: owner municipalities,
// service units, users, their role assignments and the API keys of machine clients.
//
// Only this package writes its tables. Two packages read them directly, for speed: authz loads
// users, role assignments and API keys into its cache (reloaded on its Channel), and offering
// reads the unit slugs for the conformance report. Everything else goes through Service. The
// infrastructure mailbox is the mailbox package's.
package directory

import (
	"strconv"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Municipality is an owner municipality, identified by its official 3-digit code.
type Municipality struct {
	Code       string  `json:"code" example:"101"`
	Name       string  `json:"name" example:"København"`
	Region     string  `json:"region" example:"Region Hovedstaden"`
	RegionCode string  `json:"region_code" example:"1084"`
	OwnerUnit  *string `json:"owner_unit" example:"hovedstaden" extensions:"x-nullable"` // the unit it buys from
	// Population and MunicipalityGroup (Danmarks Statistik's five groups) are what the fair
	// comparison groups municipalities by besides their region; null until filled in.
	Population        *int      `json:"population" example:"660000" extensions:"x-nullable"`
	MunicipalityGroup *int      `json:"municipality_group" example:"1" minimum:"1" maximum:"5" extensions:"x-nullable"`
	Active            bool      `json:"active"`
	Version           int       `json:"version"`
	CreatedAt         time.Time `json:"created_at" format:"date-time"`
	UpdatedAt         time.Time `json:"updated_at" format:"date-time"`
}

// Tenant is the municipality's tenant.
func (m Municipality) Tenant() tenant.ID { return tenant.ForMunicipality(m.Code) }

// Unit is a shared service unit.
type Unit struct {
	Slug      string    `json:"slug" example:"midt"`
	Name      string    `json:"name" example:"Fælles Drift Midt"`
	Region    string    `json:"region" example:"Region Midtjylland"`
	Contact   string    `json:"contact" example:"servicedesk@midt.example"`
	Demo      bool      `json:"demo"` // true for the demo data of make run
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" format:"date-time"`
}

// Tenant is the unit's tenant.
func (u Unit) Tenant() tenant.ID { return tenant.ForUnit(u.Slug) }

// User is a person who signs in through the OIDC issuer.
type User struct {
	ID         string    `json:"id" format:"uuid"`
	Username   string    `json:"username" example:"anna.first_line.101"`
	Subject    string    `json:"subject"` // the OIDC sub claim
	Name       string    `json:"name" example:"Anna Jensen"`
	Email      string    `json:"email" example:"anna@kk.example"`
	HomeTenant string    `json:"home_tenant" example:"municipality:101"`
	Active     bool      `json:"active"`
	Demo       bool      `json:"demo"`
	Version    int       `json:"version"`
	CreatedAt  time.Time `json:"created_at" format:"date-time"`
	UpdatedAt  time.Time `json:"updated_at" format:"date-time"`
}

// RoleAssignment says that a user holds a role in a tenant.
type RoleAssignment struct {
	ID        string    `json:"id" format:"uuid"`
	UserID    string    `json:"user_id" format:"uuid"`
	Username  string    `json:"username" gorm:"->"`
	Role      string    `json:"role" example:"first_line"`
	Tenant    string    `json:"tenant" example:"municipality:101"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
	Version   int       `json:"version"`
}

// APIKey is a machine client's credential, bound to one tenant and some of its roles. Only the
// hash of its secret is stored.
type APIKey struct {
	ID         string             `json:"id" format:"uuid"`
	Tenant     string             `json:"tenant" example:"unit:midt"`
	Name       string             `json:"name" example:"monitoring"`
	Roles      postgres.TextArray `json:"roles" swaggertype:"array,string" example:"unit_admin"`
	Prefix     string             `json:"prefix" example:"skat_Ab3dE"` // the key's first characters, to recognise it
	SecretHash []byte             `json:"-"`
	ExpiresAt  time.Time          `json:"expires_at" format:"date-time"`
	RevokedAt  *time.Time         `json:"revoked_at" extensions:"x-nullable" format:"date-time"`
	CreatedBy  string             `json:"created_by"`
	CreatedAt  time.Time          `json:"created_at" format:"date-time"`
	Version    int                `json:"version"`
}

// CreatedKey is a new API key with its secret, which is shown this once and never stored. A
// replayed creation (same Idempotency-Key) returns the key without its secret.
type CreatedKey struct {
	APIKey
	Secret string `json:"-"`
}

// The limits of API key lifetimes.
const (
	DefaultKeyDays = 90
	MaxKeyDays     = 365
)

// checkAssign applies the rules of who may give which role to whom: the role must exist in the
// tenant's kind; the secretariat may assign any; a SPOC only first_line, in its own municipality,
// to users of that municipality.
func checkAssign(actor identity.Principal, t tenant.ID, role tenant.Role, u User) error {
	if !tenant.Holds(t.Kind, role) {
		return apperr.Field("/role", "must be one of "+joinRoles(tenant.RolesFor(t.Kind))+" in a "+string(t.Kind)+" tenant")
	}
	if !u.Active {
		return apperr.Field("/user_id", "the user is deactivated")
	}
	if manager(actor) {
		return nil
	}
	if role != tenant.FirstLine {
		return apperr.Field("/role", "a SPOC may assign first_line only")
	}
	if u.HomeTenant != t.String() {
		return apperr.Field("/user_id", "the user does not belong to this municipality")
	}
	return nil
}

// checkUnassign: a SPOC may remove first_line only; nobody may remove the last secretariat.
func checkUnassign(actor identity.Principal, a RoleAssignment, remainingSecretariats int64) error {
	if !manager(actor) && tenant.Role(a.Role) != tenant.FirstLine {
		return apperr.New(apperr.Forbidden, "a SPOC may remove first_line assignments only")
	}
	if tenant.Role(a.Role) == tenant.Secretariat && remainingSecretariats == 0 {
		return apperr.New(apperr.Conflict, "this is the last secretariat assignment; assign another first")
	}
	return nil
}

// checkKeyRoles: roles exist in the tenant's kind, and a tenant's own administrator cannot give a
// key more than it holds itself (a SPOC may also give first_line).
func checkKeyRoles(actor identity.Principal, t tenant.ID, roles []string) error {
	if len(roles) == 0 {
		return apperr.Field("/roles", "must name at least one role")
	}
	seen := map[string]bool{}
	for i, r := range roles {
		ptr := "/roles/" + strconv.Itoa(i)
		switch {
		case seen[r]:
			return apperr.Field(ptr, "is listed twice")
		case !tenant.Holds(t.Kind, tenant.Role(r)):
			return apperr.Field(ptr, "must be one of "+joinRoles(tenant.RolesFor(t.Kind))+" in a "+string(t.Kind)+" tenant")
		case !manager(actor) && !actor.HasRole(tenant.Role(r)) &&
			!(actor.HasRole(tenant.SPOC) && tenant.Role(r) == tenant.FirstLine):
			return apperr.Field(ptr, "you cannot grant a role you do not hold")
		}
		seen[r] = true
	}
	return nil
}

// checkUserEdit: a SPOC may edit only users whose every role is first_line in its municipality.
func checkUserEdit(actor identity.Principal, t tenant.ID, roles []RoleAssignment) error {
	if manager(actor) {
		return nil
	}
	for _, a := range roles {
		if tenant.Role(a.Role) != tenant.FirstLine || a.Tenant != t.String() {
			return apperr.New(apperr.Forbidden, "a SPOC may edit only first-line users of its municipality")
		}
	}
	return nil
}

// manager reports whether the actor manages every tenant (secretariat or the command line).
func manager(p identity.Principal) bool {
	return p.Acting == tenant.PlatformID && p.HasRole(tenant.Secretariat)
}

func joinRoles(rs []tenant.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

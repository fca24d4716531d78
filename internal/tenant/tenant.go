// Package tenant names the organisations that hold roles (casbin domains) and the roles each kind
// of organisation can hold. A tenant is written the same way everywhere: municipality:101,
// unit:midt, council or platform.
package tenant

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kind is the kind of organisation.
type Kind string

// The kinds of tenant.
const (
	Municipality Kind = "municipality"
	Unit         Kind = "unit"
	Council      Kind = "council"
	Platform     Kind = "platform"
)

// ID identifies one tenant.
type ID struct {
	Kind Kind
	Key  string // municipality code or unit slug; empty for council and platform
}

// The two singleton tenants.
var (
	CouncilID  = ID{Kind: Council}
	PlatformID = ID{Kind: Platform}
)

var (
	municipalityCode = regexp.MustCompile(`^[0-9]{3}$`)
	unitSlug         = regexp.MustCompile(`^[a-z][a-z0-9-]{1,39}$`)
)

// ForMunicipality is the tenant of municipality code.
func ForMunicipality(code string) ID { return ID{Kind: Municipality, Key: code} }

// ForUnit is the tenant of unit slug.
func ForUnit(slug string) ID { return ID{Kind: Unit, Key: slug} }

// Parse reads a tenant written as municipality:101, unit:midt, council or platform.
func Parse(s string) (ID, error) {
	switch s {
	case "council":
		return CouncilID, nil
	case "platform":
		return PlatformID, nil
	}
	kind, key, ok := strings.Cut(s, ":")
	switch {
	case ok && kind == string(Municipality) && municipalityCode.MatchString(key):
		return ForMunicipality(key), nil
	case ok && kind == string(Unit) && unitSlug.MatchString(key):
		return ForUnit(key), nil
	}
	return ID{}, fmt.Errorf("must be municipality:<3-digit code>, unit:<slug>, council or platform")
}

// ValidMunicipalityCode reports whether code has the form of an official municipality code.
func ValidMunicipalityCode(code string) bool { return municipalityCode.MatchString(code) }

// ValidUnitSlug reports whether slug has the form of a unit slug.
func ValidUnitSlug(slug string) bool { return unitSlug.MatchString(slug) }

func (t ID) String() string {
	if t.Key == "" {
		return string(t.Kind)
	}
	return string(t.Kind) + ":" + t.Key
}

// IsZero reports whether t is unset.
func (t ID) IsZero() bool { return t.Kind == "" }

// Global reports whether roles held in t reach across all tenants (the council reads everything,
// the platform's secretariat manages every tenant).
func (t ID) Global() bool { return t.Kind == Council || t.Kind == Platform }

// Role is a casbin subject role.
type Role string

// The roles of DOMAIN.md.
const (
	SPOC        Role = "spoc"
	FirstLine   Role = "first_line"
	Signatory   Role = "signatory"
	UnitAdmin   Role = "unit_admin"
	SecondLine  Role = "second_line"
	CouncilRole Role = "council"
	Secretariat Role = "secretariat"
	Auditor     Role = "auditor"
)

// Roles lists every role, in the order of DOMAIN.md.
var Roles = []Role{SPOC, FirstLine, Signatory, UnitAdmin, SecondLine, CouncilRole, Secretariat, Auditor}

var rolesByKind = map[Kind][]Role{
	Municipality: {SPOC, FirstLine, Signatory},
	Unit:         {UnitAdmin, SecondLine},
	Council:      {CouncilRole},
	Platform:     {Secretariat, Auditor},
}

// RolesFor lists the roles a tenant of kind k can hold.
func RolesFor(k Kind) []Role { return rolesByKind[k] }

// Holds reports whether role r can be held in a tenant of kind k.
func Holds(k Kind, r Role) bool { return slices.Contains(rolesByKind[k], r) }

// KindOf returns the kind of tenant that holds role r.
func KindOf(r Role) (Kind, bool) {
	for k, roles := range rolesByKind {
		if slices.Contains(roles, r) {
			return k, true
		}
	}
	return "", false
}

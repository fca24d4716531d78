package httpapi_test

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/authz"
	"github.com/servicekatalog/servicekatalog/internal/httpapi"
	"github.com/servicekatalog/servicekatalog/policies"
)

type expectation struct {
	method, path string
	allowed      map[string]bool // role (or "anonymous") → allowed
}

func matrix(t *testing.T) (roles []string, rows map[string]expectation) {
	t.Helper()
	r := csv.NewReader(strings.NewReader(policies.Routes))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	roles = recs[0][2:]
	rows = map[string]expectation{}
	for _, rec := range recs[1:] {
		e := expectation{method: rec[0], path: rec[1], allowed: map[string]bool{}}
		for i, v := range rec[2:] {
			if v != "y" && v != "-" {
				t.Fatalf("routes.csv %s %s: %q is neither y nor -", rec[0], rec[1], v)
			}
			e.allowed[roles[i]] = v == "y"
		}
		rows[rec[0]+" "+rec[1]] = e
	}
	return roles, rows
}

// caller is the demo user each role calls as, and the tenant it names in tenant paths.
// Council, secretariat and auditor roles reach every tenant, so only the others are scoped.
var callers = map[string]struct {
	user, tenant string
	scoped       bool
}{
	"spoc":        {"spoc.101", "municipality:101", true},
	"first_line":  {"first_line.101", "municipality:101", true},
	"signatory":   {"signatory.101", "municipality:101", true},
	"unit_admin":  {"unit_admin.hovedstaden", "unit:hovedstaden", true},
	"second_line": {"second_line.hovedstaden", "unit:hovedstaden", true},
	"council":     {"council", "municipality:101", false},
	"secretariat": {"secretariat", "municipality:101", false},
	"auditor":     {"auditor", "municipality:101", false},
}

// otherTenant is a tenant of the same kind that the caller holds no role in.
var otherTenant = map[string]string{"municipality:101": "municipality:751", "unit:hovedstaden": "unit:midt"}

// allowedRole is the first role of the matrix (after anonymous) that may call route r.
func allowedRole(t *testing.T, roles []string, rows map[string]expectation, r httpapi.Route) string {
	t.Helper()
	for _, candidate := range roles[1:] {
		if rows[r.Method+" "+r.Path].allowed[candidate] {
			return candidate
		}
	}
	t.Fatalf("%s %s: no role may call it", r.Method, r.Path)
	return ""
}

// concrete fills a route's parameters with the caller's tenant: its unit or municipality code.
func concrete(path, tenant string) string {
	unit, code := "hovedstaden", "101"
	if strings.HasPrefix(tenant, "unit:") {
		unit = strings.TrimPrefix(tenant, "unit:")
	}
	if strings.HasPrefix(tenant, "municipality:") {
		code = strings.TrimPrefix(tenant, "municipality:")
	}
	r := strings.NewReplacer(":tenant", tenant, ":code", code, ":unit", unit, ":id", uuid.NewString(),
		"*any", "index.html")
	return r.Replace(path)
}

func TestEveryRouteHasARuleAndAnExpectation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	_, rows := matrix(t)
	rules, err := authz.Policy()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range env.App.API.Routes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		if _, ok := rows[key]; !ok {
			t.Errorf("route %s has no row in policies/routes.csv", key)
		}
		if r.Public() {
			continue
		}
		if !slices.ContainsFunc(rules, func(p []string) bool { return p[1] == r.Resource && p[2] == r.Action }) {
			t.Errorf("route %s needs %s/%s, which no rule in policies/policy.csv grants", key, r.Resource, r.Action)
		}
		if r.Creates && r.Method != "POST" {
			t.Errorf("route %s is marked creating but is not a POST", key)
		}
	}
	for key := range rows {
		if !seen[key] {
			t.Errorf("policies/routes.csv row %s names no route", key)
		}
	}
}

func TestRoleRouteMatrix(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	roles, rows := matrix(t)
	tokens := map[string]string{}
	for role, c := range callers {
		tokens[role] = env.Token(c.user)
	}
	for _, r := range env.App.API.Routes() {
		exp := rows[r.Method+" "+r.Path]
		for _, role := range roles {
			t.Run(r.Method+" "+r.Path+" as "+role, func(t *testing.T) {
				tenant := "municipality:101"
				if c, ok := callers[role]; ok {
					tenant = c.tenant
				}
				resp := env.Do(apptest.Request{Method: r.Method, Path: concrete(r.Path, tenant), Token: tokens[role]})
				denied := resp.Status == 401 || resp.Status == 403
				switch {
				case exp.allowed[role] && denied:
					t.Errorf("want allowed, got %d %s", resp.Status, resp.Body)
				case !exp.allowed[role] && role == "anonymous" && resp.Status != 401:
					t.Errorf("want 401, got %d", resp.Status)
				case !exp.allowed[role] && role != "anonymous" && resp.Status != 403:
					t.Errorf("want 403, got %d %s", resp.Status, resp.Body)
				}
				if denied {
					resp.Problem(t)
				}
				if resp.Status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			})
		}
	}
}

// TestWrongTenantIsRefused: a role that is allowed on a tenant-scoped route in its own tenant is
// refused in another tenant of the same kind.
func TestWrongTenantIsRefused(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	_, rows := matrix(t)
	for _, r := range env.App.API.Routes() {
		if r.Tenant == "" {
			continue
		}
		for role, c := range callers {
			other := otherTenant[c.tenant]
			if !c.scoped || !rows[r.Method+" "+r.Path].allowed[role] {
				continue
			}
			t.Run(r.Method+" "+r.Path+" as "+role, func(t *testing.T) {
				resp := env.Do(apptest.Request{Method: r.Method, Path: concrete(r.Path, other), Token: env.Token(c.user)})
				if resp.Status != 403 {
					t.Errorf("%s in %s: want 403, got %d %s", role, other, resp.Status, resp.Body)
				}
			})
		}
	}
}

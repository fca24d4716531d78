// Package authz decides whether a caller may do an action on a resource in a tenant. The casbin
// policy (policies/) says what each role may do; role assignments and API keys in the database say
// who holds which role where. Both live in an in-memory snapshot that is rebuilt when assignments
// change, here at once and on other instances through PostgreSQL LISTEN/NOTIFY.
package authz

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/policies"
)

// Channel is the LISTEN/NOTIFY channel that announces changed role assignments, users or keys.
const Channel = "servicekatalog_authz"

// Grant is one role held by a casbin subject in a tenant.
type Grant struct {
	Subject string
	Role    tenant.Role
	Tenant  tenant.ID
}

// Authorizer answers authorisation questions from the current snapshot.
type Authorizer struct {
	db     *postgres.DB
	policy [][]string
	log    *slog.Logger

	reload sync.Mutex // reloads run one at a time, so a later one never installs older data
	state  atomic.Pointer[snapshot]
}

type snapshot struct {
	enforcer *casbin.SyncedCachedEnforcer
	users    map[string]identity.User // by token subject
	keys     map[[32]byte]identity.APIKey
	grants   map[string]map[tenant.ID][]tenant.Role // casbin subject → tenant → roles
}

// Policy parses policies/policy.csv into casbin rules (role, resource, action).
func Policy() ([][]string, error) {
	r := csv.NewReader(strings.NewReader(policies.Policy))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	var rules [][]string
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("policy.csv: %w", err)
	}
	for i, rec := range recs {
		if len(rec) != 4 || rec[0] != "p" {
			return nil, fmt.Errorf("policy.csv: rule %d: want p, role, resource, action", i+1)
		}
		rules = append(rules, rec[1:])
	}
	return rules, nil
}

// New loads the policy and the first snapshot from db.
func New(ctx context.Context, db *postgres.DB, log *slog.Logger) (*Authorizer, error) {
	rules, err := Policy()
	if err != nil {
		return nil, err
	}
	a := &Authorizer{db: db, policy: rules, log: log}
	return a, a.Reload(ctx)
}

// Reload rebuilds the snapshot from the database.
func (a *Authorizer) Reload(ctx context.Context) error {
	a.reload.Lock()
	defer a.reload.Unlock()
	users, keys, grants, err := a.load(ctx)
	if err != nil {
		return err
	}
	s, err := newSnapshot(a.policy, grants)
	if err != nil {
		return err
	}
	s.users, s.keys = users, keys
	a.state.Store(s)
	return nil
}

func newSnapshot(policy [][]string, grants []Grant) (*snapshot, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, err
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, err
	}
	if _, err := e.AddPolicies(policy); err != nil {
		return nil, err
	}
	s := &snapshot{enforcer: e, grants: map[string]map[tenant.ID][]tenant.Role{}}
	g := make([][]string, 0, len(grants))
	for _, gr := range grants {
		g = append(g, []string{gr.Subject, string(gr.Role), gr.Tenant.String()})
		if s.grants[gr.Subject] == nil {
			s.grants[gr.Subject] = map[tenant.ID][]tenant.Role{}
		}
		s.grants[gr.Subject][gr.Tenant] = append(s.grants[gr.Subject][gr.Tenant], gr.Role)
	}
	if len(g) > 0 {
		if _, err := e.AddGroupingPolicies(g); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (a *Authorizer) load(ctx context.Context) (map[string]identity.User, map[[32]byte]identity.APIKey, []Grant, error) {
	conn := a.db.Conn(ctx)
	var urows []struct {
		ID, Subject, Username string
		Active                bool
	}
	if err := conn.Raw(`SELECT id, subject, username, active FROM users`).Scan(&urows).Error; err != nil {
		return nil, nil, nil, err
	}
	users := make(map[string]identity.User, len(urows))
	for _, u := range urows {
		users[u.Subject] = identity.User{ID: u.ID, Username: u.Username, Active: u.Active}
	}
	var arows []struct{ UserID, Role, Tenant string }
	if err := conn.Raw(`SELECT ra.user_id, ra.role, ra.tenant FROM role_assignments ra
		JOIN users u ON u.id = ra.user_id WHERE u.active`).Scan(&arows).Error; err != nil {
		return nil, nil, nil, err
	}
	grants := make([]Grant, 0, len(arows))
	for _, r := range arows {
		t, err := tenant.Parse(r.Tenant)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("role assignment tenant %q: %w", r.Tenant, err)
		}
		grants = append(grants, Grant{identity.UserSubject(r.UserID), tenant.Role(r.Role), t})
	}
	var krows []struct {
		ID, Name, Tenant string
		Roles            postgres.TextArray
		SecretHash       []byte
		ExpiresAt        time.Time
		RevokedAt        *time.Time
	}
	if err := conn.Raw(`SELECT id, name, tenant, roles, secret_hash, expires_at, revoked_at FROM api_keys`).
		Scan(&krows).Error; err != nil {
		return nil, nil, nil, err
	}
	keys := make(map[[32]byte]identity.APIKey, len(krows))
	for _, k := range krows {
		t, err := tenant.Parse(k.Tenant)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("api key tenant %q: %w", k.Tenant, err)
		}
		key := identity.APIKey{ID: k.ID, Name: k.Name, Tenant: t, ExpiresAt: k.ExpiresAt, Revoked: k.RevokedAt != nil}
		for _, r := range k.Roles {
			key.Roles = append(key.Roles, tenant.Role(r))
			if !key.Revoked {
				grants = append(grants, Grant{identity.KeySubject(k.ID), tenant.Role(r), t})
			}
		}
		var h [32]byte
		copy(h[:], k.SecretHash)
		keys[h] = key
	}
	return users, keys, grants, nil
}

// UserBySubject implements identity.Directory.
func (a *Authorizer) UserBySubject(subject string) (identity.User, bool) {
	u, ok := a.state.Load().users[subject]
	return u, ok
}

// APIKeyByHash implements identity.Directory.
func (a *Authorizer) APIKeyByHash(hash [32]byte) (identity.APIKey, bool) {
	k, ok := a.state.Load().keys[hash]
	return k, ok
}

// Decision is the outcome of an authorisation check.
type Decision struct {
	Allowed bool
	Acting  tenant.ID     // the tenant whose role allowed it
	Roles   []tenant.Role // the roles the subject holds there
}

// Authorize decides whether subject may do act on obj. With a path tenant, a role held in that
// tenant counts, and so does one held in the council or platform tenant (their roles reach every
// tenant). Without one (a route not scoped to a tenant) any tenant the subject holds roles in counts.
func (a *Authorizer) Authorize(subject string, path tenant.ID, obj, act string) Decision {
	s := a.state.Load()
	held := s.grants[subject]
	try := func(t tenant.ID) bool {
		ok, err := s.enforcer.Enforce(subject, t.String(), obj, act)
		return err == nil && ok
	}
	if !path.IsZero() {
		if _, ok := held[path]; ok && try(path) {
			return Decision{true, path, held[path]}
		}
		for _, t := range []tenant.ID{tenant.CouncilID, tenant.PlatformID} {
			if _, ok := held[t]; ok && try(t) {
				return Decision{true, t, held[t]}
			}
		}
		return Decision{}
	}
	for _, t := range sortedTenants(held) {
		if try(t) {
			return Decision{true, t, held[t]}
		}
	}
	return Decision{}
}

// RolesOf lists the roles subject holds, per tenant.
func (a *Authorizer) RolesOf(subject string) map[tenant.ID][]tenant.Role {
	return a.state.Load().grants[subject]
}

func sortedTenants(m map[tenant.ID][]tenant.Role) []tenant.ID {
	out := make([]tenant.ID, 0, len(m))
	for t := range m {
		out = append(out, t)
	}
	slices.SortFunc(out, func(x, y tenant.ID) int { return strings.Compare(x.String(), y.String()) })
	return out
}

// Notify announces, within the transaction of ctx, that authorisation data changed.
func Notify(ctx context.Context, db *postgres.DB) error { return db.Notify(ctx, Channel) }

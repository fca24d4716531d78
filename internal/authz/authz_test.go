package authz

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

func snapshotWith(t testing.TB, grants ...Grant) *Authorizer {
	t.Helper()
	rules, err := Policy()
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSnapshot(rules, grants)
	if err != nil {
		t.Fatal(err)
	}
	a := &Authorizer{policy: rules}
	a.state.Store(s)
	return a
}

func TestAuthorize(t *testing.T) {
	m101, m751, midt := tenant.ForMunicipality("101"), tenant.ForMunicipality("751"), tenant.ForUnit("midt")
	a := snapshotWith(t,
		Grant{"user:spoc", tenant.SPOC, m101},
		Grant{"user:fl", tenant.FirstLine, m101},
		Grant{"user:admin", tenant.UnitAdmin, midt},
		Grant{"user:council", tenant.CouncilRole, tenant.CouncilID},
		Grant{"user:sec", tenant.Secretariat, tenant.PlatformID},
		Grant{"user:aud", tenant.Auditor, tenant.PlatformID},
	)
	tests := []struct {
		name       string
		sub        string
		path       tenant.ID
		obj, act   string
		allowed    bool
		wantActing tenant.ID
	}{
		{"spoc creates users in its own municipality", "user:spoc", m101, "user", "create", true, m101},
		{"spoc cannot create users in another municipality", "user:spoc", m751, "user", "create", false, tenant.ID{}},
		{"first line cannot create users", "user:fl", m101, "user", "create", false, tenant.ID{}},
		{"unit admin creates API keys for its unit", "user:admin", midt, "api_key", "create", true, midt},
		{"unit admin cannot create API keys for a municipality", "user:admin", m101, "api_key", "create", false, tenant.ID{}},
		{"council reads users of any tenant", "user:council", m751, "user", "read", true, tenant.CouncilID},
		{"council changes nothing", "user:council", m751, "user", "create", false, tenant.ID{}},
		{"secretariat assigns roles anywhere", "user:sec", midt, "role_assignment", "create", true, tenant.PlatformID},
		{"auditor reads the audit log without a path tenant", "user:aud", tenant.ID{}, "audit", "read", true, tenant.PlatformID},
		{"spoc cannot read the audit log", "user:spoc", tenant.ID{}, "audit", "read", false, tenant.ID{}},
		{"anyone with a role reads municipalities", "user:fl", tenant.ID{}, "municipality", "read", true, m101},
		{"an unknown subject is denied", "user:nobody", m101, "me", "read", false, tenant.ID{}},
		{"an unknown action is denied", "user:sec", tenant.ID{}, "user", "obliterate", false, tenant.ID{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := a.Authorize(tc.sub, tc.path, tc.obj, tc.act)
			if d.Allowed != tc.allowed || d.Acting != tc.wantActing {
				t.Errorf("Authorize = %+v, want allowed=%v acting=%v", d, tc.allowed, tc.wantActing)
			}
		})
	}
}

// fleet is the benchmark's population: 100 tenants × 20 users, each holding one role.
func fleet(t testing.TB) *Authorizer {
	var grants []Grant
	for i := 0; i < 100; i++ {
		tn := tenant.ForMunicipality(fmt.Sprintf("%03d", 100+i))
		roles := tenant.RolesFor(tenant.Municipality)
		for u := 0; u < 20; u++ {
			grants = append(grants, Grant{fmt.Sprintf("user:%d-%d", i, u), roles[u%len(roles)], tn})
		}
	}
	return snapshotWith(t, grants...)
}

// BenchmarkAuthorize measures one check on the request path with 100 tenants × 20 users and
// reports the median and p99 of single checks, for allowed and denied requests.
func BenchmarkAuthorize(b *testing.B) {
	a := fleet(b)
	for _, bc := range []struct {
		name string
		obj  string
		act  string
	}{
		{"allow", "user", "read"}, // spoc (u%3==0) may read users
		{"deny", "audit", "read"}, // nobody here may read the audit log
	} {
		b.Run(bc.name, func(b *testing.B) {
			durs := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ti, u := i%100, (i/100)%7*3 // users 0,3,...,18 hold spoc
				sub := fmt.Sprintf("user:%d-%d", ti, u)
				tn := tenant.ForMunicipality(fmt.Sprintf("%03d", 100+ti))
				start := time.Now()
				d := a.Authorize(sub, tn, bc.obj, bc.act)
				durs = append(durs, time.Since(start))
				if d.Allowed != (bc.name == "allow") {
					b.Fatalf("%s %s %s: %+v", sub, bc.obj, bc.act, d)
				}
			}
			b.StopTimer()
			slices.Sort(durs)
			b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "median-ns/check")
			b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns/check")
		})
	}
}

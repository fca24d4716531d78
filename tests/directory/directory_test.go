package directory_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/directory"
)

func TestSecretariatAssignsARoleThatHoldsFromTheNextRequest(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.Token("secretariat")
	u := env.CreateUser(t, sec, "unit:midt", "ole.drift")
	tok := env.Token("ole.drift")

	if got := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: tok}).Status; got != 403 {
		t.Fatalf("before the assignment: /me = %d, want 403", got)
	}
	resp := env.Assign(sec, "unit:midt", u.ID, "second_line")
	if resp.Status != 201 {
		t.Fatalf("assign: %d %s", resp.Status, resp.Body)
	}
	var a directory.RoleAssignment
	resp.Decode(t, &a)
	if a.Role != "second_line" || a.Tenant != "unit:midt" || a.Username != "ole.drift" {
		t.Errorf("assignment = %+v", a)
	}
	if got := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: tok}).Status; got != 200 {
		t.Errorf("after the assignment: /me = %d, want 200", got)
	}

	recs := env.AuditOf(t, "role_assignment.create", a.ID)
	if len(recs) != 1 {
		t.Fatalf("audit records for the assignment = %d, want 1", len(recs))
	}
	r := recs[0]
	if r.Tenant != "unit:midt" || r.Actor != "user:"+env.User("secretariat").ID || r.ActorTenant != "platform" ||
		strings.Join(r.Roles, ",") != "secretariat" || r.RequestID != resp.Header.Get("X-Request-ID") || r.ClientIP != "127.0.0.1" {
		t.Errorf("audit record = %+v", r)
	}
	if !strings.Contains(string(r.Diff), `"role":"second_line"`) {
		t.Errorf("audit diff = %s", r.Diff)
	}
}

func TestSpocAssignsFirstLineOnlyInItsMunicipality(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	spoc := env.Token("spoc.101")
	own := env.CreateUser(t, spoc, "municipality:101", "mette.support")
	foreign := env.User("first_line.751")

	tests := []struct {
		name    string
		tenant  string
		userID  string
		role    string
		status  int
		pointer string
	}{
		{"first_line to its own user", "municipality:101", own.ID, "first_line", 201, ""},
		{"spoc to its own user", "municipality:101", own.ID, "spoc", 400, "/role"},
		{"signatory to its own user", "municipality:101", own.ID, "signatory", 400, "/role"},
		{"a role that does not exist in a municipality", "municipality:101", own.ID, "unit_admin", 400, "/role"},
		{"first_line to another municipality's user", "municipality:101", foreign.ID, "first_line", 400, "/user_id"},
		{"an unknown user", "municipality:101", uuid.NewString(), "first_line", 400, "/user_id"},
		{"in another municipality", "municipality:751", foreign.ID, "first_line", 403, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.Assign(spoc, tc.tenant, tc.userID, tc.role)
			if resp.Status != tc.status {
				t.Fatalf("status = %d, want %d: %s", resp.Status, tc.status, resp.Body)
			}
			if tc.pointer != "" {
				p := resp.Problem(t)
				if !strings.Contains(fmt.Sprint(p["errors"]), "pointer:"+tc.pointer) {
					t.Errorf("problem %v does not name %s", p, tc.pointer)
				}
			}
		})
	}
	if again := env.Assign(spoc, "municipality:101", own.ID, "first_line"); again.Status != 409 {
		t.Errorf("assigning the same role twice = %d, want 409", again.Status)
	}
}

func TestSpocCannotRemoveOrEditOtherRoles(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	spoc := env.Token("spoc.101")
	sig := env.User("signatory.101")
	list := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/municipality:101/role-assignments", Token: spoc})
	var page apptest.List[directory.RoleAssignment]
	list.Decode(t, &page)
	var sigAssignment string
	for _, a := range page.Items {
		if a.UserID == sig.ID {
			sigAssignment = a.ID
		}
	}
	resp := env.Do(apptest.Request{Method: "DELETE", Path: "/api/v1/tenants/municipality:101/role-assignments/" + sigAssignment,
		Token: spoc, Header: map[string]string{"If-Match": `"1"`}})
	if resp.Status != 403 {
		t.Errorf("spoc removing a signatory = %d, want 403", resp.Status)
	}
	resp = env.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/tenants/municipality:101/users/" + sig.ID,
		Token: spoc, Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"active": false}})
	if resp.Status != 403 {
		t.Errorf("spoc deactivating a signatory = %d, want 403", resp.Status)
	}
	if got := len(env.AuditOf(t, "user.update", sig.ID)); got != 0 {
		t.Errorf("a refused change wrote %d audit records", got)
	}
}

func TestAnotherTenantsObjectIsNotFound(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	foreign := env.User("spoc.751")
	for _, who := range []string{"spoc.101", "secretariat", "council"} {
		resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/municipality:101/users/" + foreign.ID, Token: env.Token(who)})
		if resp.Status != 404 {
			t.Errorf("%s reading a 751 user through 101: %d, want 404", who, resp.Status)
		}
		resp.Problem(t)
	}
}

func TestDeactivatedUserIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	spoc := env.Token("spoc.101")
	fl := env.User("first_line.101")
	flTok := env.Token("first_line.101")
	path := "/api/v1/tenants/municipality:101/users/" + fl.ID

	get := env.Do(apptest.Request{Method: "GET", Path: path, Token: spoc})
	etag := get.Header.Get("ETag")
	if etag != `"1"` {
		t.Fatalf("ETag = %q", etag)
	}
	tests := []struct {
		name    string
		ifMatch string
		status  int
	}{
		{"without If-Match", "", 428},
		{"with a stale ETag", `"7"`, 412},
		{"with a weak ETag", `W/"1"`, 412},
		{"with the current ETag", etag, 200},
		{"with the now stale ETag", etag, 412},
	}
	for _, tc := range tests {
		h := map[string]string{}
		if tc.ifMatch != "" {
			h["If-Match"] = tc.ifMatch
		}
		resp := env.Do(apptest.Request{Method: "PATCH", Path: path, Token: spoc, Header: h, Body: map[string]any{"active": false}})
		if resp.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, resp.Status, tc.status, resp.Body)
		}
		if tc.status == 200 && resp.Header.Get("ETag") != `"2"` {
			t.Errorf("%s: ETag = %q, want \"2\"", tc.name, resp.Header.Get("ETag"))
		}
	}
	resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: flTok})
	if resp.Status != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("deactivated user's token: %d %q, want 401 with WWW-Authenticate", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.Token("secretariat")
	body := map[string]any{"slug": "oest", "name": "Fælles IT Øst", "region": "Region Sjælland"}
	post := func(k string, b any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units", Token: sec,
			Header: map[string]string{"Idempotency-Key": k}, Body: b})
	}
	first := post("unit-oest", body)
	if first.Status != 201 || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %v", first.Status, first.Header)
	}
	replay := post("unit-oest", body)
	if replay.Status != 201 || replay.Header.Get("Idempotent-Replayed") != "true" || string(replay.Body) != string(first.Body) {
		t.Errorf("replay: %d %q %s", replay.Status, replay.Header.Get("Idempotent-Replayed"), replay.Body)
	}
	other := post("unit-oest", map[string]any{"slug": "vest", "name": "Vest", "region": "Region Syddanmark"})
	if other.Status != 422 {
		t.Errorf("same key, other body: %d, want 422", other.Status)
	}
	if missing := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units", Token: sec, Body: body}); missing.Status != 400 {
		t.Errorf("no key: %d, want 400", missing.Status)
	}
	if got := len(env.AuditOf(t, "unit.create", "oest")); got != 1 {
		t.Errorf("audit records for the unit = %d, want 1", got)
	}
}

func TestConcurrentDuplicatesCreateExactlyOne(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.Token("secretariat")
	statuses := env.DoAtOnce(apptest.Repeat(apptest.Request{Method: "POST", Path: "/api/v1/tenants/municipality:751/users", Token: sec,
		Header: map[string]string{"Idempotency-Key": "same"},
		Body:   map[string]any{"username": "karen.aarhus", "name": "Karen", "email": "karen@aarhus.example"}}, 8)...)
	for _, s := range statuses {
		if s != 201 && s != 409 {
			t.Errorf("statuses = %v, want only 201 (first or replay) and 409 (in flight)", statuses)
			break
		}
	}
	u := env.User("karen.aarhus")
	if got := len(env.AuditOf(t, "user.create", u.ID)); got != 1 {
		t.Errorf("audit records = %d, want exactly one user created", got)
	}
}

func TestAPIKeyLifecycle(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Token("unit_admin.midt")
	path := "/api/v1/tenants/unit:midt/api-keys"
	refused := env.Do(apptest.Request{Method: "POST", Path: path, Token: admin, Header: apptest.Key(),
		Body: map[string]any{"name": "overreach", "roles": []string{"second_line", "council"}}})
	if refused.Status != 400 {
		t.Errorf("key with a role foreign to a unit: %d, want 400", refused.Status)
	}
	created := env.Do(apptest.Request{Method: "POST", Path: path, Token: admin, Header: apptest.Key(),
		Body: map[string]any{"name": "monitoring", "roles": []string{"unit_admin"}, "expires_in_days": 30}})
	if created.Status != 201 {
		t.Fatalf("create key: %d %s", created.Status, created.Body)
	}
	var k struct {
		directory.APIKey
		Secret string `json:"secret"`
	}
	created.Decode(t, &k)
	if !strings.HasPrefix(k.Secret, "skat_") || !strings.HasPrefix(k.Secret, k.Prefix) {
		t.Fatalf("secret %q, prefix %q", k.Secret, k.Prefix)
	}
	if strings.Contains(string(env.Do(apptest.Request{Method: "GET", Path: path, Token: admin}).Body), k.Secret) {
		t.Error("the key list shows the secret")
	}
	me := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: k.Secret})
	if me.Status != 200 || !strings.Contains(string(me.Body), `"unit:midt":["unit_admin"]`) {
		t.Errorf("/me with the key: %d %s", me.Status, me.Body)
	}
	if got := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/unit:nord/api-keys", Token: k.Secret}).Status; got != 403 {
		t.Errorf("key in another unit: %d, want 403", got)
	}
	revoke := env.Do(apptest.Request{Method: "DELETE", Path: path + "/" + k.ID, Token: admin, Header: map[string]string{"If-Match": `"1"`}})
	if revoke.Status != 200 {
		t.Fatalf("revoke: %d %s", revoke.Status, revoke.Body)
	}
	after := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: k.Secret})
	if after.Status != 401 || !strings.Contains(string(after.Body), "revoked") {
		t.Errorf("revoked key: %d %s", after.Status, after.Body)
	}
	if got := len(env.AuditOf(t, "api_key.revoke", k.ID)); got != 1 {
		t.Errorf("revocation audit records = %d", got)
	}
}

func TestTheLastSecretariatCannotBeRemoved(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.Token("secretariat")
	var l apptest.List[directory.RoleAssignment]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/platform/role-assignments", Token: sec}).Decode(t, &l)
	for _, a := range l.Items {
		if a.Role != "secretariat" {
			continue
		}
		resp := env.Do(apptest.Request{Method: "DELETE", Path: "/api/v1/tenants/platform/role-assignments/" + a.ID, Token: sec,
			Header: map[string]string{"If-Match": `"1"`}})
		if resp.Status != 409 {
			t.Errorf("removing the last secretariat: %d, want 409", resp.Status)
		}
	}
}

func TestPaginationWalksEveryMunicipalityOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	tok := env.Token("first_line.101")
	seen := map[string]bool{}
	next := "/api/v1/municipalities?limit=30"
	pages := 0
	for next != "" {
		var l apptest.List[directory.Municipality]
		resp := env.Do(apptest.Request{Method: "GET", Path: next, Token: tok})
		if resp.Status != 200 {
			t.Fatalf("%s: %d %s", next, resp.Status, resp.Body)
		}
		resp.Decode(t, &l)
		for _, m := range l.Items {
			if seen[m.Code] {
				t.Errorf("%s seen twice", m.Code)
			}
			seen[m.Code] = true
		}
		next = ""
		if l.Next != nil {
			next = *l.Next
		}
		pages++
	}
	if len(seen) != 98 || pages != 4 {
		t.Errorf("walked %d municipalities in %d pages, want 98 in 4", len(seen), pages)
	}
	for _, bad := range []string{"limit=0", "limit=201", "limit=x", "cursor=%%%", "cursor=bm90LWpzb24"} {
		resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities?" + bad, Token: tok})
		if resp.Status != 400 {
			t.Errorf("%s: %d, want 400", bad, resp.Status)
		}
	}
}

// TestTheSecretariatUpdatesAUnit: a unit's name, region and contact change on the version read,
// audited in the unit's chain; what is not named stays.
func TestTheSecretariatUpdatesAUnit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec := env.Token("secretariat")
	read := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt", Token: sec})
	var before directory.Unit
	read.Decode(t, &before)
	resp := env.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/units/midt", Token: sec,
		Header: map[string]string{"If-Match": read.Header.Get("ETag")}, Body: map[string]any{"name": "Fælles IT Midtjylland", "contact": "drift@midt.example"}})
	apptest.MustStatus(t, "update", resp, 200)
	var after directory.Unit
	resp.Decode(t, &after)
	if after.Name != "Fælles IT Midtjylland" || after.Contact != "drift@midt.example" || after.Region != before.Region || after.Version != before.Version+1 {
		t.Errorf("before %+v, after %+v", before, after)
	}
	apptest.MustStatus(t, "stale", env.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/units/midt", Token: sec,
		Header: map[string]string{"If-Match": read.Header.Get("ETag")}, Body: map[string]any{"name": "Midt"}}), 412)
	apptest.MustStatus(t, "a unit admin", env.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/units/midt", Token: env.Token("unit_admin.midt"),
		Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"name": "Midt"}}), 403)
	if recs := env.AuditOf(t, "unit.update", "midt"); len(recs) != 1 || recs[0].Tenant != "unit:midt" {
		t.Errorf("audit: %+v", recs)
	}
}

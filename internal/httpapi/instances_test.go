package httpapi_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/offering"
)

// TestRoleChangesReachOtherInstances: a role removed through one instance is refused by another
// instance on the same database within 2 s (PostgreSQL LISTEN/NOTIFY).
func TestRoleChangesReachOtherInstances(t *testing.T) {
	a := apptest.New(t)
	b := a.Replica(t)
	spoc := a.Token("spoc.101")
	fl := a.Token("first_line.101")
	flUser := a.User("first_line.101")
	me := apptest.Request{Method: "GET", Path: "/api/v1/me", Token: fl}
	if got := b.Do(me).Status; got != 200 {
		t.Fatalf("instance b before: %d", got)
	}
	var l apptest.List[directory.RoleAssignment]
	a.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/municipality:101/role-assignments", Token: spoc}).Decode(t, &l)
	for _, ra := range l.Items {
		if ra.UserID != flUser.ID {
			continue
		}
		resp := a.Do(apptest.Request{Method: "DELETE", Path: "/api/v1/tenants/municipality:101/role-assignments/" + ra.ID,
			Token: spoc, Header: map[string]string{"If-Match": `"1"`}})
		if resp.Status != 204 {
			t.Fatalf("remove first_line: %d %s", resp.Status, resp.Body)
		}
	}
	if got := a.Do(me).Status; got != 403 {
		t.Errorf("instance a right after: %d, want 403", got)
	}
	start := time.Now()
	for b.Do(me).Status != 403 {
		if time.Since(start) > 2*time.Second {
			t.Fatal("instance b still allows the removed role after 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("instance b refused the removed role after %v", time.Since(start).Round(time.Millisecond))

	// Isolation probe on both instances: another tenant's path is refused, another tenant's object
	// is not found.
	foreign := a.User("spoc.751")
	for name, env := range map[string]*apptest.Env{"a": a, "b": b} {
		if got := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/municipality:751/users", Token: spoc}).Status; got != 403 {
			t.Errorf("instance %s: another municipality's users: %d, want 403", name, got)
		}
		if got := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/municipality:101/users/" + foreign.ID, Token: spoc}).Status; got != 404 {
			t.Errorf("instance %s: another municipality's user through our path: %d, want 404", name, got)
		}
	}
}

// TestCatalogueSyncsReachOtherInstances: an instance keeps catalogue entries in memory once
// read; a sync through another instance empties its cache within 2 s.
func TestCatalogueSyncsReachOtherInstances(t *testing.T) {
	a := apptest.New(t)
	b := a.Replica(t)
	read := apptest.Request{Method: "GET", Path: "/api/v1/catalog/levels/standard", Token: b.Token("council")}
	name := func() string {
		var l catalog.Level
		b.Do(read).Decode(t, &l)
		return l.Name.EN
	}
	if got := name(); got != "Standard" {
		t.Fatalf("instance b before: %q", got)
	}
	rep, err := a.App.Catalog.SyncFiles(a.System(), apptest.CatalogueWith(func(path string, body []byte) []byte {
		if path == "levels/standard.yaml" {
			return []byte(strings.Replace(string(body), "en: Standard}", "en: Standard (2027)}", 1))
		}
		return body
	}))
	if err != nil || rep.Updated != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	start := time.Now()
	for name() != "Standard (2027)" {
		if time.Since(start) > 2*time.Second {
			t.Fatal("instance b still serves the level from before the sync after 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("instance b serves the synced level after %v", time.Since(start).Round(time.Millisecond))
}

// TestOfferingChangesReachOtherInstances: published offerings are kept in memory once read; a
// retirement through another instance reaches it within 2 s.
func TestOfferingChangesReachOtherInstances(t *testing.T) {
	a := apptest.New(t)
	b := a.Replica(t)
	o := a.Publish(t, "midt", "CMP-01", map[string]string{"standard": "690.00"})
	read := apptest.Request{Method: "GET", Path: "/api/v1/offerings/" + o.ID, Token: b.Token("spoc.751")}
	state := func() offering.State {
		var got offering.Offering
		b.Do(read).Decode(t, &got)
		return got.Live.State
	}
	if got := state(); got != offering.Published {
		t.Fatalf("instance b before: %q", got)
	}
	later := a.Clock.Now().AddDate(0, 0, 200).Format(time.DateOnly)
	apptest.MustStatus(t, "retire", a.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings/" + o.ID + "/retire",
		Token: a.Token("unit_admin.midt"), Body: map[string]any{"retire_on": later}}), 200)
	start := time.Now()
	for state() != offering.Retired {
		if time.Since(start) > 2*time.Second {
			t.Fatal("instance b still serves the offering as published 2 s after its retirement")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("instance b serves the retirement after %v", time.Since(start).Round(time.Millisecond))
}

// TestMunicipalityChangesReachOtherInstances: municipalities are kept in memory once read (an
// order reads its municipality's owner unit); a change through another instance reaches it within
// 2 s, and the changing instance answers with the change at once.
func TestMunicipalityChangesReachOtherInstances(t *testing.T) {
	a := apptest.New(t)
	b := a.Replica(t)
	read := func(env *apptest.Env) directory.Municipality {
		var m directory.Municipality
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101", Token: env.Token("spoc.101")}).Decode(t, &m)
		return m
	}
	before := read(b)
	if before.OwnerUnit == nil || *before.OwnerUnit != "hovedstaden" {
		t.Fatalf("instance b before: owner unit %v", before.OwnerUnit)
	}
	read(a)
	apptest.MustStatus(t, "change the owner unit", a.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/municipalities/101",
		Token: a.Token("secretariat"), Header: map[string]string{"If-Match": `"` + strconv.Itoa(before.Version) + `"`},
		Body: map[string]any{"owner_unit": "midt"}}), 200)
	if got := read(a); got.OwnerUnit == nil || *got.OwnerUnit != "midt" {
		t.Errorf("instance a right after its change: owner unit %v", got.OwnerUnit)
	}
	start := time.Now()
	for got := read(b); got.OwnerUnit == nil || *got.OwnerUnit != "midt"; got = read(b) {
		if time.Since(start) > 2*time.Second {
			t.Fatal("instance b still serves the owner unit from before the change after 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("instance b serves the change after %v", time.Since(start).Round(time.Millisecond))
}

// Package seed loads reference data (the municipalities) and the labelled demo data of make run:
// one service unit per region, each municipality owner of its region's unit, and one demo user
// per role for a few tenants. Both are idempotent: what exists is left alone.
package seed

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// Municipalities reads the embedded reference list.
func Municipalities() ([]directory.Municipality, error) {
	r := csv.NewReader(strings.NewReader(catalog.Municipalities))
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	if strings.Join(head, ",") != "code,name,region,region_code" {
		return nil, fmt.Errorf("municipalities.csv: unexpected header %v", head)
	}
	var out []directory.Municipality
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("municipalities.csv: %w", err)
		}
		if !tenant.ValidMunicipalityCode(rec[0]) {
			return nil, fmt.Errorf("municipalities.csv: bad code %q", rec[0])
		}
		out = append(out, directory.Municipality{Code: rec[0], Name: rec[1], Region: rec[2], RegionCode: rec[3],
			Active: true, Version: 1})
	}
}

// Reference makes sure every reference municipality exists and returns how many it created.
// ctx must carry the principal the audit records name.
func Reference(ctx context.Context, dir *directory.Service) (int, error) {
	ms, err := Municipalities()
	if err != nil {
		return 0, err
	}
	return dir.EnsureMunicipalities(ctx, ms)
}

// DemoUnits are the five regional units of the demo data, keyed by the region they serve.
var DemoUnits = []directory.NewUnit{
	{Slug: "nord", Name: "Fælles IT Nord (demo)", Region: "Region Nordjylland", Contact: "servicedesk@nord.example"},
	{Slug: "midt", Name: "Fælles IT Midt (demo)", Region: "Region Midtjylland", Contact: "servicedesk@midt.example"},
	{Slug: "syd", Name: "Fælles IT Syd (demo)", Region: "Region Syddanmark", Contact: "servicedesk@syd.example"},
	{Slug: "sjaelland", Name: "Fælles IT Sjælland (demo)", Region: "Region Sjælland", Contact: "servicedesk@sjaelland.example"},
	{Slug: "hovedstaden", Name: "Fælles IT Hovedstaden (demo)", Region: "Region Hovedstaden", Contact: "servicedesk@hovedstaden.example"},
}

// DemoMunicipalities get one demo user per municipal role.
var DemoMunicipalities = []string{"101", "751", "461"}

// DemoUsername is the username of the demo user holding role in tenant t, e.g. spoc.101,
// unit_admin.midt, council.
func DemoUsername(role tenant.Role, t tenant.ID) string {
	if t.Key == "" {
		return string(role)
	}
	return string(role) + "." + t.Key
}

// Demo loads the demo data. ctx must carry the principal the audit records name.
func Demo(ctx context.Context, dir *directory.Service) error {
	for _, u := range DemoUnits {
		u.Demo = true
		if _, err := dir.CreateUnit(ctx, u); err != nil && !apperr.Is(err, apperr.Conflict) {
			return fmt.Errorf("demo unit %s: %w", u.Slug, err)
		}
	}
	if err := demoOwners(ctx, dir); err != nil {
		return err
	}
	tenants := []tenant.ID{tenant.CouncilID, tenant.PlatformID}
	for _, code := range DemoMunicipalities {
		tenants = append(tenants, tenant.ForMunicipality(code))
	}
	for _, u := range DemoUnits {
		tenants = append(tenants, tenant.ForUnit(u.Slug))
	}
	for _, t := range tenants {
		for _, role := range tenant.RolesFor(t.Kind) {
			if err := EnsureUser(ctx, dir, DemoUsername(role, t), role, t, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoOwners makes each municipality without an owner unit a customer of its region's unit.
func demoOwners(ctx context.Context, dir *directory.Service) error {
	byRegion := map[string]string{}
	for _, u := range DemoUnits {
		byRegion[u.Region] = u.Slug
	}
	p := page.Request{Limit: page.MaxLimit}
	for {
		res, err := dir.ListMunicipalities(ctx, directory.MunicipalityFilter{}, p)
		if err != nil {
			return err
		}
		for _, m := range res.Items {
			unit, ok := byRegion[m.Region]
			if m.OwnerUnit != nil || !ok {
				continue
			}
			if _, err := dir.UpdateMunicipality(ctx, m.Code, m.Version, directory.MunicipalityPatch{OwnerUnit: &unit}); err != nil {
				return fmt.Errorf("owner of %s: %w", m.Code, err)
			}
		}
		if res.Next == "" {
			return nil
		}
		if p, err = page.Parse("200", res.Next); err != nil {
			return err
		}
	}
}

// EnsureUser makes sure a user with username exists in tenant t (created there if missing) and
// holds role in t.
func EnsureUser(ctx context.Context, dir *directory.Service, username string, role tenant.Role, t tenant.ID, demo bool) error {
	u, err := dir.UserByUsername(ctx, username)
	if apperr.Is(err, apperr.NotFound) {
		name := username
		if demo {
			name += " (demo)"
		}
		u, err = dir.CreateUser(ctx, t, directory.NewUser{Username: username, Name: name,
			Email: username + "@demo.example", Demo: demo})
	}
	if err != nil {
		return fmt.Errorf("user %s: %w", username, err)
	}
	if _, err := dir.Assign(ctx, t, directory.NewAssignment{UserID: u.ID, Role: string(role)}); err != nil && !apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("assign %s to %s in %s: %w", role, username, t, err)
	}
	return nil
}

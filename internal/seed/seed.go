// Package seed loads reference data (the municipalities) and the labelled demo data of make run:
// one service unit per region, each municipality owner of its region's unit, and one demo user
// per role for a few tenants. Both are idempotent: what exists is left alone.
package seed

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/task"
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

// DemoTasks are the tasks of seeds 000 and 002, issued to every municipality as example data:
// the infrastructure mailbox with its cover (proved by the mailbox's own data), and the mapping of
// the IT systems the municipality uses.
var DemoTasks = []task.NewTask{
	{Number: 1, ExampleData: true, Fields: task.Fields{Title: "Opret infrastrukturpostkasse og dækning", Project: "Fælles it-infrastruktur",
		Type: task.Mandatory, DurationDays: 10, StartOn: "2026-11-23", EndOn: "2026-12-18",
		Goal: "Driftsmeddelelser fra enhederne når frem til nogen, der handler på dem, også i ferier. / " +
			"Notices from the units reach someone who acts on them, also in holidays.",
		Description: "Kommunen opretter en funktionspostkasse til infrastrukturmeddelelser, bekræfter den fra mailen og sætter dækning, " +
			"så en kollega får meddelelserne, når den ansvarlige er væk. / The municipality registers a shared mailbox for " +
			"infrastructure notices, confirms it from the mail, and sets a cover so that a colleague gets the notices while the " +
			"person responsible is away.",
		Method: []string{"Opret funktionspostkassen i kommunens mailsystem. / Create the shared mailbox in the municipality's mail system.",
			"Registrér adressen: PUT /api/v1/municipalities/{code}/mailbox. / Register the address.",
			"Bekræft adressen fra mailen, den modtager. / Confirm the address from the mail it receives.",
			"Sæt dækning: POST /api/v1/municipalities/{code}/mailbox/covers. / Set a cover."},
		ResultCriterion: "Fuldført, når postkassen er bekræftet og dækning sat; platformen viser det. / Complete when the mailbox is " +
			"confirmed and a cover set; the platform shows it.",
		Performer: "IT-driftschef", Parties: []string{"IT-drift", "Servicedesk"}, Contact: "sekretariatet@servicekatalog.example",
		Evidence: task.MailboxReady}},
	{Number: 7, ExampleData: true, Fields: task.Fields{Title: "Kortlæg hvilke it-systemer kommunen anvender/ikke anvender",
		Project: "Fælles it-infrastruktur", Type: task.Mandatory, DurationDays: 5, StartOn: "2027-01-04", EndOn: "2027-01-29",
		Goal: "Enhederne og sekretariatet ved, hvilke it-systemer hver kommune bruger, så den fælles infrastruktur planlægges efter dem. / " +
			"The units and the secretariat know which IT systems each municipality uses, so that the shared infrastructure is planned for them.",
		Description: "Kommunen angiver for hvert it-system i de 14 kommunale domæner, om det anvendes som primært system, sekundært " +
			"(begrænset brug, fx læseadgang til gamle sager) eller ikke anvendes, og tilføjer systemer, listen mangler. / For each IT " +
			"system in the 14 municipal domains, the municipality says whether it uses it as its primary system, as a secondary one " +
			"(limited use, such as read-only access to old cases) or not at all, and adds the systems the list lacks.",
		Method: []string{"Hent regnearket for kommunen. / Download the municipality's spreadsheet.",
			"Spørg systemejerne i hvert domæne, og angiv ét svar pr. system. / Ask the system owners in each domain; one answer per system.",
			"Tilføj manglende systemer. / Add the systems the list lacks.",
			"Upload regnearket, og arkivér det. / Upload the spreadsheet, and keep it archived.",
			"Meld senere ændringer, når de sker. / Report changes later as they happen."},
		ResultCriterion: "Fuldført, når sekretariatet bekræfter modtagelsen. / Complete when the secretariat confirms receipt.",
		Performer:       "IT-arkitekt", Parties: []string{"Fagsystemejere", "IT-drift"}, Contact: "sekretariatet@servicekatalog.example",
		Evidence: task.MappingSubmitted}},
}

// IssueDemoTasks issues those of DemoTasks not issued yet (a number in use says so).
func IssueDemoTasks(ctx context.Context, tasks *task.Service) error {
	for _, t := range DemoTasks {
		var ae *apperr.Error
		_, err := tasks.Issue(ctx, t)
		if errors.As(err, &ae) && len(ae.Fields) == 1 && ae.Fields[0].Pointer == "/number" {
			continue
		}
		if err != nil {
			return fmt.Errorf("demo task %d: %w", t.Number, err)
		}
	}
	return nil
}

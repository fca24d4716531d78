package onboarding_test

import (
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/onboarding"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// states renders the gates' states in order.
func states(p onboarding.Programme) string {
	var out []string
	for _, g := range p.Gates {
		out = append(out, g.ID+" "+string(g.State))
	}
	return strings.Join(out, ", ")
}

// A municipality's programme from the first gate to "management established": the gates before
// orders pass by their proofs (the activation gate's), the others are decided in order by the
// roles the template names; an approval needs the gate's documents, "users informed" is refused
// once (the refusal says what is missing) and passes when they are attached; every decision is in
// the council's register.
func TestAProgrammeGoesFromContactToManagementEstablished(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	var p onboarding.Programme
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/programmes", Token: env.Token("unit_admin.hovedstaden"),
		Header: apptest.Key(), Body: map[string]any{"municipality": "101"}})
	apptest.MustStatus(t, "start", resp, 201)
	resp.Decode(t, &p)
	if p.State != onboarding.TakingIntoUse || len(p.Gates) != 8 || !strings.HasPrefix(states(p), "contact open, terms locked") {
		t.Fatalf("started: %s %s", p.State, states(p))
	}
	if g := p.Gates[0]; g.ProofMet == nil || *g.ProofMet || g.ProofDetail != "no verified infrastructure mailbox" || p.Gates[4].ProofMet != nil {
		t.Errorf("the contact gate's proof, the activation gate's check: %v %q", g.ProofMet, g.ProofDetail)
	}
	path := "/api/v1/programmes/" + p.ID
	// The secretariat's task points at the risk assessment gate: it is done when the gate has passed.
	apptest.MustStatus(t, "issue the task", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tasks", Token: env.Token("secretariat"),
		Header: apptest.Key(), Body: map[string]any{"number": 41, "title": "Risikovurdér lagringstjenesten før brug", "type": "mandatory",
			"duration_days": 5, "start_on": "2026-12-01", "end_on": "2027-01-29", "municipalities": []string{"101"}, "evidence": "gate:risk_assessment"}}), 201)
	var mine apptest.List[struct {
		TaskID string `json:"task_id"`
		Check  struct {
			Met    bool
			Detail string
		}
	}]
	check := func() (bool, string) {
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/tasks", Token: env.Token("spoc.101")}).Decode(t, &mine)
		for _, a := range mine.Items {
			if a.TaskID != "" && a.Check.Detail != "" && strings.Contains(a.Check.Detail, "risk_assessment") {
				return a.Check.Met, a.Check.Detail
			}
		}
		return false, ""
	}
	if met, detail := check(); met || detail != "gate risk_assessment waits for the gates before it in the programme with hovedstaden" {
		t.Errorf("the task's check at the start: %v %q", met, detail)
	}
	decide := func(user, gate, outcome, reason string) apptest.Response {
		t.Helper()
		resp := env.Do(apptest.Request{Method: "POST", Path: path + "/decisions", Token: env.Token(user), Header: apptest.Key(),
			Body: map[string]any{"gate": gate, "outcome": outcome, "reason": reason}})
		if resp.Status == 201 {
			resp.Decode(t, &p)
		}
		return resp
	}
	attach := func(user, gate, kind string) {
		t.Helper()
		apptest.MustStatus(t, "attach "+kind, env.Do(apptest.Request{Method: "POST", Path: path + "/documents", Token: env.Token(user),
			Header: apptest.Key(), Body: map[string]any{"gate": gate, "type": kind, "title": kind + " 2026", "ref": "ESDH 2026-" + kind,
				"sha256": strings.Repeat("ab", 32), "dated": "2026-11-20", "approved_by": "Kommunaldirektør Jens Hansen"}}), 201)
	}
	for name, tc := range map[string]struct {
		resp   apptest.Response
		status int
		says   string
	}{
		"the contact gate by hand":  {decide("unit_admin.hovedstaden", "contact", "approved", "Fine by us."), 409, "passes by its proof (mailbox_verified)"},
		"activation before contact": {decide("unit_admin.hovedstaden", "activation", "approved", "On."), 409, "waits for the gates before it: contact"},
		"no such gate":              {decide("signatory.101", "launch", "approved", "Go."), 400, "is not a gate of the programme"},
	} {
		if tc.resp.Status != tc.status || !strings.Contains(string(tc.resp.Body), tc.says) {
			t.Errorf("%s: %d %s", name, tc.resp.Status, tc.resp.Body)
		}
	}
	// The gates before orders pass by their proofs, the activation gate's: the mailbox verified,
	// the terms accepted by the signatory, the ROS registered with its approver.
	env.MeetGate(t)
	env.Do(apptest.Request{Method: "GET", Path: path, Token: env.Token("spoc.101")}).Decode(t, &p)
	if !strings.HasPrefix(states(p), "contact passed, terms passed, risk_assessment passed, activation open") ||
		!strings.HasPrefix(p.Gates[1].ProofDetail, "terms of use 2026-1 accepted by signatory.101 on ") {
		t.Errorf("after the proofs: %s; %q", states(p), p.Gates[1].ProofDetail)
	}
	if met, detail := check(); !met || detail != "gate risk_assessment passed in the programme with hovedstaden" {
		t.Errorf("the task's check once the gate passed: %v %q", met, detail)
	}
	apptest.MustStatus(t, "activation", decide("unit_admin.hovedstaden", "activation", "approved", "Activated on the storage platform."), 201)

	// Users informed is refused once: its documents are not attached yet, and the refusal records that.
	if resp := decide("signatory.101", "users_informed", "approved", "Told."); resp.Status != 409 ||
		!strings.Contains(string(resp.Body), "lacks documents: user_information, cost_overview") {
		t.Errorf("users informed without its documents: %d %s", resp.Status, resp.Body)
	}
	apptest.MustStatus(t, "refuse", decide("signatory.101", "users_informed", "rejected", "The information to the users is not sent yet."), 201)
	if g := p.Gates[4]; g.State != onboarding.Refused || len(g.Decisions) != 1 || strings.Join(g.Decisions[0].Missing, ",") != "user_information,cost_overview" {
		t.Errorf("the refused gate: %+v", g)
	}
	attach("spoc.101", "users_informed", "user_information")
	attach("spoc.101", "users_informed", "cost_overview")
	apptest.MustStatus(t, "users informed", decide("signatory.101", "users_informed", "approved", "Users told on the intranet; costs known."), 201)
	if p.State != onboarding.EstablishingManagement {
		t.Errorf("after taking into use: %s (%s)", p.State, states(p))
	}
	attach("spoc.101", "management_organisation", "management_organisation")
	attach("spoc.101", "management_organisation", "benefits_plan")
	apptest.MustStatus(t, "organisation", decide("signatory.101", "management_organisation", "approved", "Decision order and financing agreed."), 201)
	for _, kind := range []string{"operations_agreement", "management_plan", "service_level_agreement"} {
		attach("unit_admin.hovedstaden", "agreements", kind)
	}
	apptest.MustStatus(t, "agreements, the municipality", decide("signatory.101", "agreements", "approved", "Signed for the municipality."), 201)
	if g := p.Gates[6]; g.State != onboarding.Open || strings.Join(g.Waiting, ",") != "unit_admin" {
		t.Errorf("agreements with one of two deciders: %+v", g)
	}
	apptest.MustStatus(t, "agreements, the unit", decide("unit_admin.hovedstaden", "agreements", "approved", "Signed for the unit."), 201)
	attach("spoc.101", "handover", "final_report")
	apptest.MustStatus(t, "handover, the council", decide("council", "handover", "approved", "Management is established; remaining work noted."), 201)
	apptest.MustStatus(t, "handover, the municipality", decide("signatory.101", "handover", "approved", "Handed over."), 201)
	if p.State != onboarding.Established || strings.Contains(states(p), "open") || strings.Contains(states(p), "locked") {
		t.Errorf("at the end: %s (%s)", p.State, states(p))
	}

	for who, status := range map[string]int{"spoc.751": 404, "unit_admin.midt": 404, "auditor": 200, "first_line.101": 200} {
		if resp := env.Do(apptest.Request{Method: "GET", Path: path, Token: env.Token(who)}); resp.Status != status {
			t.Errorf("%s reads the programme: %d", who, resp.Status)
		}
	}
	// Another municipality's people neither attach to the programme nor decide its gates.
	for name, req := range map[string]apptest.Request{
		"attach": {Method: "POST", Path: path + "/documents", Token: env.Token("spoc.751"), Header: apptest.Key(), Body: map[string]any{"gate": "handover",
			"type": "final_report", "title": "x", "ref": "x", "sha256": strings.Repeat("ab", 32), "dated": "2026-11-20", "approved_by": "x"}},
		"decide": {Method: "POST", Path: path + "/decisions", Token: env.Token("signatory.751"), Header: apptest.Key(),
			Body: map[string]any{"gate": "handover", "outcome": "rejected", "reason": "Not ours."}},
	} {
		if resp := env.Do(req); resp.Status != 404 {
			t.Errorf("751 may %s: %d %s", name, resp.Status, resp.Body)
		}
	}
	var register apptest.List[review.Entry]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/council/decisions?subject_type=programme_gate&limit=50", Token: env.Token("council")}).Decode(t, &register)
	if len(register.Items) != 8 || register.Items[0].Object != path || register.Items[1].Outcome != review.Rejected || register.Items[1].Audit == nil {
		t.Errorf("the register: %d gate decisions, %+v", len(register.Items), register.Items[1])
	}
}

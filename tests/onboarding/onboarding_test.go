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

// A municipality's programme from the first gate to "management established": the gates are
// decided in order by the roles the template names, an approval needs the gate's documents, the
// risk assessment is refused once (the refusal says what is missing) and passes when the ROS is
// attached; every decision is in the council's register.
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
		"the signatory decides the contact gate": {decide("signatory.101", "contact", "approved", "Fine by us."), 403, "decided by: unit_admin"},
		"terms before contact":                   {decide("signatory.101", "terms", "approved", "Signed."), 409, "waits for the gates before it: contact"},
		"no such gate":                           {decide("signatory.101", "launch", "approved", "Go."), 400, "is not a gate of the programme"},
	} {
		if tc.resp.Status != tc.status || !strings.Contains(string(tc.resp.Body), tc.says) {
			t.Errorf("%s: %d %s", name, tc.resp.Status, tc.resp.Body)
		}
	}
	apptest.MustStatus(t, "contact", decide("unit_admin.hovedstaden", "contact", "approved", "Contacts named on both sides."), 201)
	if resp := decide("signatory.101", "terms", "approved", "Signed."); resp.Status != 409 || !strings.Contains(string(resp.Body), "lacks documents: terms_of_use") {
		t.Errorf("terms without the signed terms: %d %s", resp.Status, resp.Body)
	}
	attach("spoc.101", "terms", "terms_of_use")
	apptest.MustStatus(t, "terms", decide("signatory.101", "terms", "approved", "Terms 2026-1 signed by the mayor."), 201)

	// The risk assessment is refused: it is not attached yet, and the refusal records that.
	apptest.MustStatus(t, "refuse the ROS gate", decide("signatory.101", "risk_assessment", "rejected", "The ROS is not approved by the director yet."), 201)
	if g := p.Gates[2]; g.State != onboarding.Refused || len(g.Decisions) != 1 || strings.Join(g.Decisions[0].Missing, ",") != "ros" {
		t.Errorf("the refused gate: %+v", g)
	}
	attach("signatory.101", "risk_assessment", "ros")
	apptest.MustStatus(t, "the ROS gate", decide("signatory.101", "risk_assessment", "approved", "The ROS is approved by the municipal director."), 201)
	if met, detail := check(); !met || detail != "gate risk_assessment passed in the programme with hovedstaden" {
		t.Errorf("the task's check once the gate passed: %v %q", met, detail)
	}
	apptest.MustStatus(t, "activation", decide("unit_admin.hovedstaden", "activation", "approved", "Activated on the storage platform."), 201)
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
	if len(register.Items) != 11 || register.Items[0].Object != path || register.Items[2].Outcome != review.Rejected || register.Items[2].Audit == nil {
		t.Errorf("the register: %d gate decisions, %+v", len(register.Items), register.Items[2])
	}
}

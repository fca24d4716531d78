package council_test

import (
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/council"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// The secretariat puts a case to a meeting; the council decides it with its notes; the decision
// is found in the one register beside an offering's review and a compliance review, each with its
// object and the audit record written with it; the register exports as CSV.
func TestACaseIsDecidedAndFoundInTheRegisterBesideAnOfferingDecision(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-11-23 09:00")
	env.Publish(t, "midt", "CMP-02", map[string]string{"standard": "690.00"}) // reviewed and approved by the council
	var c council.Case
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/council/cases", Token: env.Token("secretariat"), Header: apptest.Key(),
		Body: map[string]any{"title": "Fælles logpolitik", "background": "Each unit logs to its own SIEM.",
			"recommendation": "Adopt the common logging policy from 1 March 2027.", "meeting_on": "2026-12-10",
			"attachments": []map[string]any{{"title": "Udkast til logpolitik", "ref": "ESDH 2026-5120", "sha256": strings.Repeat("AB", 32)}}}})
	apptest.MustStatus(t, "submit", resp, 201)
	resp.Decode(t, &c)
	if c.Number != 1 || c.State != council.Submitted || c.Attachments[0].SHA256 != strings.Repeat("ab", 32) {
		t.Errorf("the case: %+v", c)
	}
	if resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/council/cases", Token: env.Token("secretariat"), Header: apptest.Key(),
		Body: map[string]any{"title": "x", "background": "x", "recommendation": "x", "meeting_on": "2026-11-01"}}); resp.Status != 400 ||
		!strings.Contains(string(resp.Body), "is in the past") {
		t.Errorf("a case for a past meeting: %d %s", resp.Status, resp.Body)
	}
	var agenda apptest.List[council.Case]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/council/cases?meeting_on=2026-12-10", Token: env.Token("council")}).Decode(t, &agenda)
	if len(agenda.Items) != 1 {
		t.Errorf("the meeting's agenda: %d cases", len(agenda.Items))
	}

	env.At(t, "2026-12-10 15:00")
	decide := func() apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/council/cases/" + c.ID + "/decision", Token: env.Token("council"),
			Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"outcome": "approved",
				"reason": "Adopted as recommended, from 1 March 2027.", "notes": "Midt asked for a transition period; agreed."}})
	}
	resp = decide()
	apptest.MustStatus(t, "decide", resp, 200)
	resp.Decode(t, &c)
	if c.State != council.Decided || c.Decision == nil || c.Notes == "" {
		t.Errorf("decided: %+v", c)
	}
	if resp := decide(); resp.Status != 412 && resp.Status != 409 {
		t.Errorf("decided twice: %d", resp.Status)
	}

	apptest.MustStatus(t, "attest", env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/units/midt/compliance/COMMON-CERT", Token: env.Token("unit_admin.midt"),
		Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"status": "implemented", "evidence_ref": "ESDH 2026-77",
			"evidence_sha256": strings.Repeat("cd", 32), "attested_by": "Karen Lund", "attested_on": "2026-12-01", "valid_until": "2027-12-01"}}), 200)
	apptest.MustStatus(t, "review", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/compliance/COMMON-CERT/review", Token: env.Token("council"),
		Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"outcome": "rejected", "reason": "Name the CERT's on-call rota in the evidence."}}), 200)
	var register apptest.List[review.Entry]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/council/decisions", Token: env.Token("auditor")}).Decode(t, &register)
	kinds := map[string]review.Entry{}
	for _, e := range register.Items {
		kinds[e.SubjectType] = e
		if e.Audit == nil || e.Object == "" || e.DecidedByName == "" {
			t.Errorf("a register entry without its object or audit record: %+v", e)
		}
	}
	cs, off := kinds[review.KindCase], kinds[review.KindOfferingVersion]
	if len(register.Items) != 3 || kinds[review.KindCompliance].Outcome != review.Rejected || cs.ID != *c.Decision || cs.Object != "/api/v1/council/cases/"+c.ID || !strings.HasPrefix(off.Object, "/api/v1/offerings/") {
		t.Fatalf("the register: %+v", register.Items)
	}
	var records apptest.List[audit.Record]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/audit?object_type=council_case&object_id=" + c.ID + "&action=council.case.decide",
		Token: env.Token("auditor")}).Decode(t, &records)
	if len(records.Items) != 1 || records.Items[0].ID != cs.Audit.ID {
		t.Errorf("the decision's audit record: %+v, the register names %+v", records.Items, cs.Audit)
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/council/decisions?subject_type=council_case", Token: env.Token("council")}).Decode(t, &register)
	if len(register.Items) != 1 {
		t.Errorf("the cases' decisions: %d", len(register.Items))
	}
	csv := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/council/decisions?format=csv", Token: env.Token("secretariat")})
	if body := string(csv.Body); csv.Status != 200 || !strings.HasPrefix(body, "decided_at,subject_type,subject_id,outcome,reason,decided_by,object,audit_record\n") ||
		strings.Count(body, "\n") != 4 || !strings.Contains(body, ",council_case,"+c.ID+",approved,") {
		t.Errorf("the CSV: %d %s", csv.Status, body)
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/council/decisions?subject_type=gate", Token: env.Token("council")}); resp.Status != 400 {
		t.Errorf("an unknown kind: %d", resp.Status)
	}
}

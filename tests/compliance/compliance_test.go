package compliance_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/compliance"
)

const sum = "5f2b8c0d9a1e4f3b6c7d8e9fa0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9"

// A unit attests three controls; the council accepts one; the one about to expire is reminded
// once, and once more when it has expired, to the unit's admins; the matrix, the fleet view and
// its export show what is missing, expiring and expired.
func TestAUnitsComplianceIsAttestedReviewedAndReminded(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(2))
	env.At(t, "2026-11-01 09:00")
	path := "/api/v1/units/midt/compliance/"
	attest := func(control, etag string, body map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "PUT", Path: path + control, Token: env.Token("unit_admin.midt"),
			Header: map[string]string{"If-Match": etag}, Body: body})
	}
	evidence := func(until string) map[string]any {
		return map[string]any{"status": "implemented", "evidence_ref": "ESDH 2026-4411", "evidence_sha256": sum,
			"attested_by": "Karen Lund, informationssikkerhedschef", "attested_on": "2025-11-20", "valid_until": until}
	}
	apptest.MustStatus(t, "COMMON-LOG", attest("COMMON-LOG", "*", evidence("2026-11-20")), 200)
	apptest.MustStatus(t, "ISO-A.8.8", attest("ISO-A.8.8", "*", evidence("2027-11-19")), 200)
	for name, tc := range map[string]struct {
		control string
		body    map[string]any
		status  int
		says    string
	}{
		"not applicable without a reason": {"COMMON-CERT", map[string]any{"status": "not_applicable", "attested_by": "Karen Lund",
			"attested_on": "2026-10-01", "valid_until": "2027-10-01"}, 400, `"/reason"`},
		"no evidence": {"COMMON-SOC", map[string]any{"status": "partial", "attested_by": "Karen Lund", "attested_on": "2026-10-01",
			"valid_until": "2027-10-01"}, 400, `"/evidence_sha256"`},
		"valid more than three years": {"COMMON-SOC", map[string]any{"status": "implemented", "evidence_ref": "x", "evidence_sha256": sum,
			"attested_by": "Karen Lund", "attested_on": "2026-10-01", "valid_until": "2030-10-01"}, 400, "more than three years"},
		"no such control": {"ISO-B.1", evidence("2027-01-01"), 404, ""},
	} {
		if resp := attest(tc.control, "*", tc.body); resp.Status != tc.status || !strings.Contains(string(resp.Body), tc.says) {
			t.Errorf("%s: %d %s", name, resp.Status, resp.Body)
		}
	}
	if resp := attest("COMMON-CERT", "*", map[string]any{"status": "not_applicable", "reason": "The unit runs no systems of its own; CERT duty lies with the host unit.",
		"attested_by": "Karen Lund", "attested_on": "2026-10-01", "valid_until": "2027-10-01"}); resp.Status != 200 {
		t.Errorf("not applicable with a reason: %d %s", resp.Status, resp.Body)
	}

	// The council accepts the logging foundation; not twice, and not the unit itself.
	decide := func(token string) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: path + "COMMON-LOG/review", Token: token, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"outcome": "approved", "reason": "Logs reach the shared SIEM; checked on the 2025 audit."}})
	}
	var a compliance.Attestation
	resp := decide(env.Token("council"))
	apptest.MustStatus(t, "the review", resp, 200)
	if resp.Decode(t, &a); a.Review != compliance.Accepted || a.Version != 2 {
		t.Errorf("reviewed: %+v", a)
	}
	if resp := decide(env.Token("unit_admin.midt")); resp.Status != 403 {
		t.Errorf("the unit reviews itself: %d", resp.Status)
	}

	var m compliance.Matrix
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt/compliance", Token: env.Token("second_line.midt")}).Decode(t, &m)
	total := m.Counts[compliance.Missing] + m.Counts[compliance.Current] + m.Counts[compliance.ExpiringSoon] + m.Counts[compliance.Expired]
	if m.Counts[compliance.ExpiringSoon] != 1 || m.Counts[compliance.Current] != 2 || total != len(m.Lines) || total < 40 {
		t.Errorf("the matrix: %v of %d lines", m.Counts, len(m.Lines))
	}

	remind := func() int { return env.Sweep(t, env.App.Compliance.Remind) }
	// The sweep runs the same reminders in the background: what counts is that each is sent once.
	if n, again := remind(), remind(); n > 1 || again != 0 {
		t.Errorf("reminders before expiry: %d, then %d", n, again)
	}
	env.At(t, "2026-11-21 09:00")
	if n, again := remind(), remind(); n > 1 || again != 0 {
		t.Errorf("reminders once expired: %d, then %d", n, again)
	}
	var subjects []string // in the order they were delivered, which need not be the order they were sent
	for _, m := range env.MailsTo(t, "unit_admin.midt@demo.example", "[SIKKERHED]", 2) {
		subjects = append(subjects, m.Header.Get("Subject"))
	}
	if slices.Sort(subjects); strings.Join(subjects, "; ") !=
		"[SIKKERHED] ! Attestation of COMMON-LOG expired on 2026-11-20 (midt); [SIKKERHED] Attestation of COMMON-LOG expires on 2026-11-20 (midt)" {
		t.Errorf("the reminders to the unit admin: %q", subjects)
	}

	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt/compliance?standing=expired", Token: env.Token("unit_admin.midt")}).Decode(t, &m)
	if len(m.Lines) != 1 || m.Lines[0].Control.ID != "COMMON-LOG" || m.Lines[0].Attestation.Review != compliance.Accepted {
		t.Errorf("expired: %+v", m.Lines)
	}
	var fleet compliance.Fleet
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/compliance?standing=expired", Token: env.Token("auditor")}).Decode(t, &fleet)
	expired := 0
	for _, u := range fleet.Units {
		expired += len(u.Lines)
	}
	if len(fleet.Units) < 5 || expired != 1 {
		t.Errorf("the fleet's expired: %d units, %d lines", len(fleet.Units), expired)
	}
	csv := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/compliance?format=csv", Token: env.Token("council")})
	if body := string(csv.Body); csv.Status != 200 || !strings.HasPrefix(body, "control_set,control,name,") ||
		!strings.Contains(body, "controls-common,COMMON-LOG,Shared logging foundation,") || !strings.Contains(body, "implemented, expired until 2026-11-20 (accepted)") {
		t.Errorf("the CSV: %d %.400s", csv.Status, body)
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt/compliance", Token: env.Token("unit_admin.hovedstaden")}); resp.Status != 403 {
		t.Errorf("another unit reads midt's: %d", resp.Status)
	}
}

package httpapi_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

// retry is one creating request that succeeds, and a change of the world after it that would
// make the same request fail if it ran again.
type retry struct {
	req    apptest.Request
	change func(first apptest.Response)
}

// TestARetryAfterTheWorldChangedReplays: for every creating route, the request succeeds, the
// world changes so that running it again would be refused (the service retired, the owner unit
// changed, the clock moved, the object taken or gone), and the retry with the same key answers
// the stored 201, marked as replayed: the key is claimed before any check of changeable data.
func TestARetryAfterTheWorldChangedReplays(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sec, council := env.Token("secretariat"), env.Token("council")
	spoc, fl := env.Token("spoc.101"), env.Token("first_line.101")
	midt, hovedstaden, sl := env.Token("unit_admin.midt"), env.Token("unit_admin.hovedstaden"), env.Token("second_line.hovedstaden")
	do := func(method, path, token string, body any) apptest.Response {
		t.Helper()
		resp := env.Do(apptest.Request{Method: method, Path: path, Token: token, Body: body,
			Header: map[string]string{"If-Match": "*", "Idempotency-Key": uuid.NewString()}})
		if resp.Status >= 300 {
			t.Fatalf("setup %s %s: %d %s", method, path, resp.Status, resp.Body)
		}
		return resp
	}
	retire := func(ids ...string) {
		t.Helper()
		if _, err := env.App.Catalog.SyncFiles(env.System(), apptest.CatalogueWith(func(path string, b []byte) []byte {
			for _, id := range ids {
				if path == "services/"+id+".yaml" {
					return nil
				}
			}
			return b
		})); err != nil {
			t.Fatal(err)
		}
	}

	sub := env.Subscribe(t)
	var published apptest.List[offering.Offering]
	do("GET", "/api/v1/offerings?service_id=CMP-01&unit=hovedstaden", spoc, nil).Decode(t, &published)
	pub := published.Items[0]
	var user directory.User
	do("POST", "/api/v1/tenants/municipality:101/users", spoc, map[string]any{"username": "idem.assignee", "name": "Idem Assignee",
		"email": "idem.assignee@kk.example"}).Decode(t, &user)
	var open, escalated ticket.Ticket
	do("POST", "/api/v1/municipalities/101/tickets", fl, map[string]any{"title": "Printer", "priority": "P4", "category": "request"}).Decode(t, &open)
	do("POST", "/api/v1/municipalities/101/tickets", fl, map[string]any{"title": "Share slow", "priority": "P3", "category": "incident",
		"subscription_id": sub}).Decode(t, &escalated)
	do("POST", "/api/v1/municipalities/101/tickets/"+escalated.ID+"/escalate", fl, map[string]any{"reason": "Storage"})
	nothing := func(apptest.Response) {} // running the request again would clash with what it created

	// A notice of each sender to follow up on, and a way to take a tag out of the vocabulary.
	var unitNotice, platformNotice notice.Notice
	outage := map[string]any{"tags": []string{"NEDBRUD"}, "title": "Servers down", "body": "Restoring.", "scope": map[string]any{"services": []string{"CMP-01"}}}
	info := map[string]any{"tags": []string{"INFO"}, "title": "New form", "body": "From February.", "scope": map[string]any{"all": true}}
	do("POST", "/api/v1/units/hovedstaden/notices", hovedstaden, outage).Decode(t, &unitNotice)
	do("POST", "/api/v1/notices", sec, info).Decode(t, &platformNotice)
	dropTag := func(tag string) {
		t.Helper()
		if _, err := env.App.Catalog.SyncFiles(env.System(), apptest.CatalogueWith(func(path string, b []byte) []byte {
			if path == "vocabularies/notice-tags.yaml" {
				return regexp.MustCompile(`(?m)^  - id: `+tag+`\n(    .*\n)*`).ReplaceAll(b, nil)
			}
			return b
		})); err != nil {
			t.Fatal(err)
		}
	}
	closure := func(path string, token string) func(apptest.Response) {
		return func(apptest.Response) {
			do("POST", path, token, map[string]any{"kind": "closure", "body": "Resolved."})
		}
	}
	taskBody := func(number int) map[string]any {
		return map[string]any{"number": number, "title": "Map the IT systems", "type": "mandatory", "duration_days": 5,
			"start_on": "2027-01-04", "end_on": "2027-01-29", "municipalities": []string{"101"}}
	}
	var issued struct{ ID string }
	do("POST", "/api/v1/tasks", sec, taskBody(1)).Decode(t, &issued)
	do("POST", "/api/v1/municipalities/101/usage-mapping/answers", spoc, map[string]any{"answers": []any{map[string]any{"system": "SYS-OKO", "answer": "primary"}}})
	sheet := do("GET", "/api/v1/municipalities/101/usage-mapping/sheet", spoc, nil).Body
	now := env.Clock.Now()
	var known struct{ ID string }
	do("POST", "/api/v1/units/hovedstaden/incidents", hovedstaden, map[string]any{"title": "Phishing", "aware_at": now.Add(-time.Hour),
		"severity": "medium", "significant": true}).Decode(t, &known)
	var programme struct{ ID string }
	do("POST", "/api/v1/units/hovedstaden/programmes", hovedstaden, map[string]any{"municipality": "101"}).Decode(t, &programme)
	recipes := map[string]retry{
		"POST /api/v1/units/:unit/programmes": {apptest.Request{Path: "/api/v1/units/hovedstaden/programmes", Token: hovedstaden,
			Body: map[string]any{"municipality": "147"}}, nothing},
		"POST /api/v1/programmes/:id/documents": {apptest.Request{Path: "/api/v1/programmes/" + programme.ID + "/documents", Token: spoc,
			Body: map[string]any{"gate": "users_informed", "type": "user_information", "title": "Intranet news", "ref": "ESDH 2026-1", "sha256": strings.Repeat("ab", 32),
				"dated": now.Format("2006-01-02"), "approved_by": "Borgmester"}}, nothing},
		"POST /api/v1/programmes/:id/decisions": {apptest.Request{Path: "/api/v1/programmes/" + programme.ID + "/decisions", Token: hovedstaden,
			Body: map[string]any{"gate": "activation", "outcome": "approved", "reason": "Activated on the storage platform."}}, nothing},
		"POST /api/v1/units/:unit/incidents": {apptest.Request{Path: "/api/v1/units/hovedstaden/incidents", Token: hovedstaden,
			Body: map[string]any{"title": "Ransomware", "aware_at": now.Add(-time.Hour), "severity": "high", "significant": true,
				"personal_data": true, "subscriptions": []string{sub}}},
			func(apptest.Response) { env.Clock.Set(now.Add(-2 * time.Hour)) }}, // the unit would become aware of it in the future now
		"POST /api/v1/council/cases": {apptest.Request{Token: sec, Body: map[string]any{"title": "Common logging policy", "background": "One SIEM per unit.",
			"recommendation": "Adopt the policy.", "meeting_on": now.AddDate(0, 0, 7).Format("2006-01-02")}},
			func(apptest.Response) { // another case takes the next number
				do("POST", "/api/v1/council/cases", sec, map[string]any{"title": "Another", "background": "B.", "recommendation": "R.",
					"meeting_on": now.AddDate(0, 0, 7).Format("2006-01-02")})
			}},
		"POST /api/v1/units/:unit/incidents/:id/reports": {apptest.Request{Path: "/api/v1/units/hovedstaden/incidents/" + known.ID + "/reports",
			Token: hovedstaden, Body: map[string]any{"kind": "early_warning", "summary": "Suspected phishing campaign."}}, nothing},
		"POST /api/v1/municipalities/:code/usage-mapping/answers": {apptest.Request{Path: "/api/v1/municipalities/101/usage-mapping/answers",
			Token: spoc, Body: map[string]any{"answers": []any{map[string]any{"system": "SYS-ESDH", "answer": "primary"}}}}, nothing},
		"POST /api/v1/municipalities/:code/usage-mapping/sheet": {apptest.Request{Path: "/api/v1/municipalities/101/usage-mapping/sheet",
			Token: spoc, Body: sheet, Header: map[string]string{"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}},
			func(apptest.Response) { // the mapping changes since: the same file again still replays, and changes nothing
				do("POST", "/api/v1/municipalities/101/usage-mapping/answers", spoc, map[string]any{"answers": []any{map[string]any{"system": "SYS-OKO", "answer": "not_used"}}})
			}},
		"POST /api/v1/municipalities/:code/usage-mapping/submissions": {apptest.Request{Path: "/api/v1/municipalities/101/usage-mapping/submissions",
			Token: spoc}, nothing},
		"POST /api/v1/municipalities/:code/usage-mapping/proposals": {apptest.Request{Path: "/api/v1/municipalities/101/usage-mapping/proposals",
			Token: spoc, Body: map[string]any{"domain": "DOM-02", "name": "KMD Momentum"}}, nothing},
		"POST /api/v1/tasks": {apptest.Request{Token: sec, Body: taskBody(2)}, nothing},
		"POST /api/v1/tasks/:id/assignments/:code/comments": {apptest.Request{Path: "/api/v1/tasks/" + issued.ID + "/assignments/101/comments",
			Token: sec, Body: map[string]any{"body": "Any news?"}}, nothing},
		"POST /api/v1/municipalities/:code/tasks/:id/comments": {apptest.Request{Path: "/api/v1/municipalities/101/tasks/" + issued.ID + "/comments",
			Token: spoc, Body: map[string]any{"body": "On Monday."}}, nothing},
		"POST /api/v1/units/:unit/notices": {apptest.Request{Path: "/api/v1/units/hovedstaden/notices", Token: hovedstaden, Body: outage},
			func(apptest.Response) { dropTag("NEDBRUD") }},
		"POST /api/v1/units/:unit/notices/:id/follow-ups": {apptest.Request{Path: "/api/v1/units/hovedstaden/notices/" + unitNotice.ID + "/follow-ups",
			Token: hovedstaden, Body: map[string]any{"kind": "update", "body": "Half of the servers are back."}},
			closure("/api/v1/units/hovedstaden/notices/"+unitNotice.ID+"/follow-ups", hovedstaden)},
		"POST /api/v1/notices": {apptest.Request{Token: sec, Body: info}, func(apptest.Response) { dropTag("INFO") }},
		"POST /api/v1/units/:unit/outages": {apptest.Request{Path: "/api/v1/units/hovedstaden/outages", Token: hovedstaden,
			Body: map[string]any{"kind": "outage", "started_at": now.Add(-2 * time.Hour), "ended_at": now.Add(-time.Hour),
				"offerings": []string{pub.ID}, "title": "Storage down"}},
			func(apptest.Response) { env.Clock.Set(now.Add(-3 * time.Hour)) }}, // it would begin in the future now
		"POST /api/v1/closed-months": {apptest.Request{Token: council,
			Body: map[string]any{"month": now.AddDate(0, -2, 0).Format("2006-01"), "note": "Reviewed."}}, nothing},
		"POST /api/v1/notices/:id/follow-ups": {apptest.Request{Path: "/api/v1/notices/" + platformNotice.ID + "/follow-ups", Token: sec,
			Body: map[string]any{"kind": "update", "body": "The form is live."}}, closure("/api/v1/notices/"+platformNotice.ID+"/follow-ups", sec)},
		"POST /api/v1/units": {apptest.Request{Token: sec, Body: map[string]any{"slug": "vest", "name": "Fælles IT Vest", "region": "Region Vest"}},
			func(apptest.Response) {
				do("PATCH", "/api/v1/units/vest", sec, map[string]any{"name": "Fælles IT Vestjylland"})
			}},
		"POST /api/v1/tenants/:tenant/users": {apptest.Request{Token: spoc,
			Body: map[string]any{"username": "idem.user", "name": "Idem User", "email": "idem@kk.example"}}, nothing},
		"POST /api/v1/tenants/:tenant/role-assignments": {apptest.Request{Token: spoc, Body: map[string]any{"user_id": user.ID, "role": "first_line"}},
			func(apptest.Response) {
				do("PATCH", "/api/v1/tenants/municipality:101/users/"+user.ID, sec, map[string]any{"active": false})
			}},
		"POST /api/v1/tenants/:tenant/api-keys": {apptest.Request{Path: "/api/v1/tenants/unit:midt/api-keys", Token: midt,
			Body: map[string]any{"name": "Monitoring", "roles": []string{"unit_admin"}}},
			func(first apptest.Response) {
				var k directory.APIKey
				first.Decode(t, &k)
				do("DELETE", "/api/v1/tenants/unit:midt/api-keys/"+k.ID, midt, nil)
			}},
		"POST /api/v1/catalog/proposals": {apptest.Request{Token: council, Body: map[string]any{"change": "change", "rationale": "Rename it.",
			"service": apptest.Proposal("STO-04", "standard")}}, func(apptest.Response) { retire("STO-04") }},
		"POST /api/v1/units/:unit/offerings": {apptest.Request{Path: "/api/v1/units/midt/offerings", Token: midt,
			Body: map[string]any{"service_id": "CMP-02", "terms": apptest.Terms(false, "standard")}},
			func(apptest.Response) { retire("STO-04", "CMP-02") }},
		"POST /api/v1/units/:unit/offerings/:id/versions": {apptest.Request{Path: "/api/v1/units/hovedstaden/offerings/" + pub.ID + "/versions",
			Token: hovedstaden}, nothing},
		"POST /api/v1/units/:unit/waivers": {apptest.Request{Path: "/api/v1/units/midt/waivers", Token: midt,
			Body: map[string]any{"service_id": "SEC-03", "level": "standard", "reason": "Scanner contract from Q3.",
				"expires_on": env.Clock.Now().AddDate(0, 6, 0).Format("2006-01-02")}},
			func(apptest.Response) { retire("STO-04", "CMP-02", "SEC-03") }},
		"POST /api/v1/municipalities/:code/terms-acceptances": {apptest.Request{Path: "/api/v1/municipalities/751/terms-acceptances",
			Token: env.Token("signatory.751"), Body: map[string]any{"terms_version": "2026-1"}}, nothing},
		"POST /api/v1/municipalities/:code/risk-assessments": {apptest.Request{Token: spoc, Body: map[string]any{"family": "storage",
			"document_ref": "ESDH 2026-1", "sha256": strings.Repeat("cd", 32), "assessed_on": env.Clock.Now().Format("2006-01-02"),
			"approved_by": "Kommunaldirektør"}},
			func(apptest.Response) { env.Clock.Set(env.Clock.Now().AddDate(0, 0, -2)) }}, // the assessment lies in the future now
		"POST /api/v1/municipalities/:code/orders": {apptest.Request{Token: spoc, Body: map[string]any{"items": []any{apptest.VM(pub.ID, 1)}}},
			func(apptest.Response) {
				do("PATCH", "/api/v1/municipalities/101", sec, map[string]any{"owner_unit": "midt"})
			}},
		"POST /api/v1/municipalities/:code/tickets": {apptest.Request{Token: fl, Body: map[string]any{"title": "Share gone",
			"priority": "P2", "category": "incident", "subscription_id": sub}},
			func(apptest.Response) {
				if err := env.App.DB.Conn(env.System()).Exec(`UPDATE subscriptions SET state = 'terminated' WHERE id = ?`, sub).Error; err != nil {
					t.Fatal(err)
				}
			}},
		"POST /api/v1/tenants/:tenant/webhooks": {apptest.Request{Token: spoc, Body: map[string]any{"url": "https://itsm.kk.example/hooks"}},
			func(first apptest.Response) {
				var w delivery.Endpoint
				first.Decode(t, &w)
				do("DELETE", "/api/v1/tenants/municipality:101/webhooks/"+w.ID, spoc, nil)
			}},
		"POST /api/v1/municipalities/:code/mailbox/routes": {apptest.Request{Token: spoc, Body: map[string]any{"tag": "SIKKERHED",
			"addresses": []string{"soc@kk.example"}}},
			func(first apptest.Response) {
				var r mailbox.Route
				first.Decode(t, &r)
				do("DELETE", "/api/v1/municipalities/101/mailbox/routes/"+r.ID, spoc, nil)
			}},
		"POST /api/v1/municipalities/:code/mailbox/covers": {apptest.Request{Token: spoc, Body: map[string]any{"covering": "Lise Holm",
			"deputies": []string{"vagt@kk.example"}, "time_zone": "Europe/Copenhagen",
			"from": now.AddDate(0, 0, 1).Format("2006-01-02T15:04"), "to": now.AddDate(0, 0, 8).Format("2006-01-02T15:04")}},
			func(first apptest.Response) {
				var c mailbox.Cover
				first.Decode(t, &c)
				do("DELETE", "/api/v1/municipalities/101/mailbox/covers/"+c.ID, spoc, nil)
			}},
		"POST /api/v1/municipalities/:code/tickets/:id/notes": {apptest.Request{Path: "/api/v1/municipalities/101/tickets/" + open.ID + "/notes",
			Token: fl, Body: map[string]any{"body": "Toner ordered.", "visibility": "public"}}, nothing},
		"POST /api/v1/units/:unit/tickets/:id/notes": {apptest.Request{Path: "/api/v1/units/hovedstaden/tickets/" + escalated.ID + "/notes",
			Token: sl, Body: map[string]any{"body": "Looking at it.", "visibility": "public"}}, nothing},
	}
	creating := 0
	for _, r := range env.App.API.Routes() {
		if !r.Creates {
			continue
		}
		creating++
		rt, found := recipes[r.Method+" "+r.Path]
		if !found {
			t.Errorf("%s %s creates, and has no recipe here", r.Method, r.Path)
			continue
		}
		req := rt.req
		req.Method = "POST"
		if req.Path == "" {
			req.Path = concrete(r.Path, "municipality:101")
		}
		req.Header = map[string]string{"Idempotency-Key": "retry-" + r.Path}
		for k, v := range rt.req.Header { // a file's media type
			req.Header[k] = v
		}
		first := env.Do(req)
		if first.Status != 201 {
			t.Errorf("%s: first request %d %s", r.Path, first.Status, first.Body)
			continue
		}
		rt.change(first)
		again := env.Do(req)
		env.Clock.Set(now)
		same := bytes.Equal(again.Body, first.Body)
		if strings.HasSuffix(r.Path, "/api-keys") { // the secret is shown once, never stored: the replay names the same key
			var a, b directory.APIKey
			first.Decode(t, &a)
			again.Decode(t, &b)
			same = a.ID == b.ID && a.Version == b.Version
		}
		if again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" || !same {
			t.Errorf("%s: the retry after the change answered %d (Idempotent-Replayed %q) %.300s",
				r.Path, again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
		}
	}
	if creating != len(recipes) {
		t.Errorf("%d creating routes, %d recipes", creating, len(recipes))
	}
	t.Logf("%d creating routes: each retry after a change of the world replayed the first answer", creating)
}

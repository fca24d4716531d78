package apptest

import (
	"context"
	"io/fs"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/usage"
)

// The fixtures every capability's scenarios share: headers, bodies and worlds built through the
// API as a client builds them.

// Key is a fresh Idempotency-Key header.
func Key() map[string]string { return map[string]string{"Idempotency-Key": uuid.NewString()} }

// MustStatus fails t unless resp has status want.
func MustStatus(t testing.TB, what string, resp Response, want int) {
	t.Helper()
	if resp.Status != want {
		t.Fatalf("%s: %d, want %d: %s", what, resp.Status, want, resp.Body)
	}
}

// Terms are an offering's terms at levels, priced alike, counting towards conformance or not.
func Terms(claims bool, levels ...string) map[string]any {
	ls := []map[string]any{}
	for _, l := range levels {
		ls = append(ls, map[string]any{"level": l, "monthly_price": "1250.50", "one_off_fee": "500"})
	}
	return map[string]any{"levels": ls, "lead_time_days": 10, "delivery": "own", "contact": "servicedesk@midt.example",
		"claims_conformance": claims, "capacity_limit": 400}
}

// VM is an order item adding qty virtual servers (CMP-01) of offering at the standard level.
func VM(offeringID string, qty int) map[string]any {
	return map[string]any{"action": "add", "offering_id": offeringID, "level": "standard", "quantity": qty,
		"parameters": map[string]any{"vcpu": 4, "memory_gb": 16, "disk_gb": 200, "os": "rhel-9"}}
}

// Proposal is a proposed standard service id of the compute family, at levels.
func Proposal(id string, levels ...string) map[string]any {
	return map[string]any{
		"id": id, "family": "compute", "name": map[string]string{"da": "GPU-servere", "en": "GPU servers"},
		"description":     map[string]string{"da": "Servere med grafikprocessorer.", "en": "Servers with GPUs."},
		"unit_of_measure": "GPU", "levels": levels, "mandatory": false, "dependencies": []string{"CMP-01"},
		"related_controls": []string{"ISO-A.8.8"},
		"order_parameters": map[string]any{"type": "object", "properties": map[string]any{"gpus": map[string]any{"type": "integer", "minimum": 1}}},
	}
}

// CatalogueWith is the repository's catalogue with each YAML file passed through edit (nil drops it).
func CatalogueWith(edit func(path string, b []byte) []byte) fstest.MapFS {
	m := fstest.MapFS{}
	_ = fs.WalkDir(catalogfiles.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		b, _ := catalogfiles.Files.ReadFile(path)
		if b = edit(path, b); b != nil {
			m[path] = &fstest.MapFile{Data: b}
		}
		return nil
	})
	return m
}

// Publish has unit offer service at the levels priced (monthly; one-off 1200.00) and the council
// approve it.
func (e *Env) Publish(t testing.TB, unit, service string, prices map[string]string) offering.Offering {
	t.Helper()
	admin, council := e.Token("unit_admin."+unit), e.Token("council")
	var levels []map[string]any
	for _, l := range []string{"basis", "standard", "plus"} {
		if p, ok := prices[l]; ok {
			levels = append(levels, map[string]any{"level": l, "monthly_price": p, "one_off_fee": "1200.00"})
		}
	}
	resp := e.Do(Request{Method: "POST", Path: "/api/v1/units/" + unit + "/offerings", Token: admin, Header: Key(),
		Body: map[string]any{"service_id": service, "terms": map[string]any{"levels": levels, "lead_time_days": 5, "delivery": "own",
			"contact": "servicedesk@" + unit + ".example", "capacity_limit": 500}}})
	MustStatus(t, "create offering", resp, 201)
	var o offering.Offering
	resp.Decode(t, &o)
	MustStatus(t, "submit", e.Do(Request{Method: "POST", Path: "/api/v1/units/" + unit + "/offerings/" + o.ID + "/submit", Token: admin}), 200)
	MustStatus(t, "approve", e.Do(Request{Method: "POST", Path: "/api/v1/offerings/" + o.ID + "/decision", Token: council,
		Body: map[string]any{"outcome": "approved", "reason": "Meets the common levels."}}), 200)
	return o
}

// MeetGate registers what municipality 101 needs to order compute services.
func (e *Env) MeetGate(t testing.TB) { e.MeetGateOf(t, "101") }

// MeetGateOf registers what municipality code needs to order compute services: its mailbox
// (it-drift@kk.example for 101, it-drift@<code>.example for others) verified, the terms
// accepted by its signatory and a risk assessment of the family.
func (e *Env) MeetGateOf(t testing.TB, code string) {
	t.Helper()
	spoc, box := e.Token("spoc."+code), "it-drift@"+code+".example"
	if code == "101" {
		box = "it-drift@kk.example"
	}
	e.VerifyMailbox(t, code, box)
	MustStatus(t, "terms", e.Do(Request{Method: "POST", Path: "/api/v1/municipalities/" + code + "/terms-acceptances",
		Token: e.Token("signatory." + code), Header: Key(), Body: map[string]any{"terms_version": "2026-1"}}), 201)
	MustStatus(t, "ros", e.Do(Request{Method: "POST", Path: "/api/v1/municipalities/" + code + "/risk-assessments", Token: spoc,
		Header: Key(), Body: map[string]any{"family": "compute", "document_ref": "ESDH 2026-004711",
			"sha256": strings.Repeat("ab", 32), "assessed_on": "2026-01-15", "approved_by": "Kommunaldirektør Jens Hansen"}}), 201)
}

// Subscribe gives municipality 101 an active standard-level CMP-01 subscription from
// hovedstaden, and returns its id.
func (e *Env) Subscribe(t testing.TB) string {
	t.Helper()
	e.MeetGate(t)
	return e.SubscribeTo(t, "101", "hovedstaden")
}

// SubscribeTo gives municipality code, whose gate is met, an active standard-level CMP-01
// subscription (2 × 690.00 a month) from unit, its owner unit, and returns its id.
func (e *Env) SubscribeTo(t testing.TB, code, unit string) string {
	t.Helper()
	off := e.Publish(t, unit, "CMP-01", map[string]string{"basis": "450.00", "standard": "690.00"})
	var o order.Order
	resp := e.Do(Request{Method: "POST", Path: "/api/v1/municipalities/" + code + "/orders", Token: e.Token("spoc." + code), Header: Key(),
		Body: map[string]any{"items": []any{VM(off.ID, 2)}}})
	MustStatus(t, "order", resp, 201)
	resp.Decode(t, &o)
	admin := e.Token("unit_admin." + unit)
	for _, step := range []string{"accept", "start", "complete"} {
		MustStatus(t, step, e.Do(Request{Method: "POST", Path: "/api/v1/units/" + unit + "/orders/" + o.ID + "/" + step, Token: admin}), 200)
	}
	e.Do(Request{Method: "GET", Path: "/api/v1/municipalities/" + code + "/orders/" + o.ID, Token: e.Token("spoc." + code)}).Decode(t, &o)
	return *o.Items[0].SubscriptionID
}

// At moves the clock to a Copenhagen wall-clock time, "2006-01-02 15:04".
func (e *Env) At(t testing.TB, wall string) {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(v)
}

// CreateUser creates a user in tenant through the API, as the holder of token.
func (e *Env) CreateUser(t testing.TB, token, tenant, username string) directory.User {
	t.Helper()
	resp := e.Do(Request{Method: "POST", Path: "/api/v1/tenants/" + tenant + "/users", Token: token,
		Header: Key(), Body: map[string]any{"username": username, "name": "Test " + username, "email": username + "@example.org"}})
	MustStatus(t, "create user "+username, resp, 201)
	var u directory.User
	resp.Decode(t, &u)
	return u
}

// Assign gives a user a role in tenant through the API, as the holder of token.
func (e *Env) Assign(token, tenant, userID, role string) Response {
	return e.Do(Request{Method: "POST", Path: "/api/v1/tenants/" + tenant + "/role-assignments", Token: token,
		Header: Key(), Body: map[string]any{"user_id": userID, "role": role}})
}

// AuditOf reads the audit records of an action on an object.
func (e *Env) AuditOf(t testing.TB, action, objectID string) []audit.Record {
	t.Helper()
	res, err := e.App.Audit.List(e.System(), audit.Filter{Action: action, ObjectID: objectID}, page.Request{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return res.Items
}

// VerifyMailbox registers address as the municipality's infrastructure mailbox, as its SPOC, and
// confirms it through the link sent to it, as someone reading that mailbox.
func (e *Env) VerifyMailbox(t testing.TB, code, address string) {
	t.Helper()
	spoc := e.Token("spoc." + code)
	get := e.Do(Request{Method: "GET", Path: "/api/v1/municipalities/" + code + "/mailbox", Token: spoc})
	MustStatus(t, "read the mailbox", get, 200)
	MustStatus(t, "register the mailbox", e.Do(Request{Method: "PUT", Path: "/api/v1/municipalities/" + code + "/mailbox", Token: spoc,
		Header: map[string]string{"If-Match": get.Header.Get("ETag")}, Body: map[string]any{"address": address}}), 200)
	resp := e.Do(Request{Method: "POST", Path: mailbox.ConfirmPath, Form: url.Values{"token": {e.LinkToken(t, address, "mailbox_confirmation")}}})
	MustStatus(t, "confirm the mailbox", resp, 200)
}

// LinkToken returns the token of the link in the newest mail of subjectType to recipient, as
// recorded for delivery (the mail need not have left yet): the delivery's secret.
func (e *Env) LinkToken(t testing.TB, recipient, subjectType string) string {
	t.Helper()
	var token string
	err := e.App.DB.Conn(context.Background()).Raw(`SELECT secret FROM deliveries WHERE recipient = ? AND subject_type = ?
		AND secret IS NOT NULL ORDER BY created_at DESC LIMIT 1`, recipient, subjectType).Scan(&token).Error
	if err != nil || token == "" {
		t.Fatalf("no %s mail with a link to %s (%v)", subjectType, recipient, err)
	}
	return token
}

// AnswerAsSixOfHovedstaden has 101 answer three systems (records and payroll primary, finance
// secondary) and five more municipalities of its region the records system (three primary,
// two secondary): a peer group large enough to be shown. Its adoption over all domains is then
// median 83.4 %, quartiles 16.7–100.0 %; its connection 12.5 % throughout.
func (e *Env) AnswerAsSixOfHovedstaden(t testing.TB) {
	t.Helper()
	answer := func(code string, answers ...usage.NewAnswer) {
		t.Helper()
		if _, err := e.App.Usage.Answer(e.System(), code, usage.NewAnswers{Answers: answers}, usage.FromAPI); err != nil {
			t.Fatal(err)
		}
	}
	answer("101", usage.NewAnswer{System: "SYS-ESDH", Answer: usage.Primary}, usage.NewAnswer{System: "SYS-OKO", Answer: usage.Secondary},
		usage.NewAnswer{System: "SYS-LON", Answer: usage.Primary})
	for i, code := range []string{"147", "151", "153", "155", "157"} {
		a := usage.Primary
		if i >= 3 {
			a = usage.Secondary
		}
		answer(code, usage.NewAnswer{System: "SYS-ESDH", Answer: a})
	}
}

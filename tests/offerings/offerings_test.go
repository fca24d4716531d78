package offerings_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/httpapi"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

func TestOfferingFromDraftToPublishedToRetired(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, council, spoc := env.Token("unit_admin.midt"), env.Token("council"), env.Token("spoc.751")
	base := "/api/v1/units/midt/offerings"

	resp := env.Do(apptest.Request{Method: "POST", Path: base, Token: admin, Header: apptest.Key(),
		Body: map[string]any{"service_id": "CMP-01", "terms": apptest.Terms(true, "basis", "standard")}})
	apptest.MustStatus(t, "create", resp, 201)
	var o offering.Offering
	resp.Decode(t, &o)
	if o.Pending == nil || o.Pending.State != offering.Draft || o.Live != nil || o.Pending.Terms.Levels[0].MonthlyPrice.String() != "1250.50" {
		t.Fatalf("created offering = %+v", o)
	}
	path := base + "/" + o.ID

	// Nobody outside the unit and the council sees a draft.
	apptest.MustStatus(t, "municipality reads a draft", env.Do(apptest.Request{Method: "GET", Path: "/api/v1/offerings/" + o.ID, Token: spoc}), 404)
	apptest.MustStatus(t, "another unit reads it by path", env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt/offerings/" + o.ID,
		Token: env.Token("unit_admin.nord")}), 403)
	apptest.MustStatus(t, "another unit through its own path", env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/nord/offerings/" + o.ID,
		Token: env.Token("unit_admin.nord")}), 404)
	apptest.MustStatus(t, "second line of the unit reads it", env.Do(apptest.Request{Method: "GET", Path: path, Token: env.Token("second_line.midt")}), 200)

	edit := env.Do(apptest.Request{Method: "PATCH", Path: path + "/draft", Token: admin, Header: map[string]string{"If-Match": `"1"`},
		Body: apptest.Terms(true, "basis", "standard", "plus")})
	apptest.MustStatus(t, "edit draft", edit, 200)
	apptest.MustStatus(t, "stale edit", env.Do(apptest.Request{Method: "PATCH", Path: path + "/draft", Token: admin,
		Header: map[string]string{"If-Match": `"1"`}, Body: apptest.Terms(true, "basis", "standard")}), 412)
	apptest.MustStatus(t, "submit", env.Do(apptest.Request{Method: "POST", Path: path + "/submit", Token: admin}), 200)
	apptest.MustStatus(t, "submit twice", env.Do(apptest.Request{Method: "POST", Path: path + "/submit", Token: admin}), 409)

	var queue apptest.List[httpapi.QueueItem]
	env.Clock.Advance(3 * time.Hour)
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/reviews", Token: council}).Decode(t, &queue)
	want := httpapi.QueueItem{Item: review.Item{Kind: "offering_version", ID: o.ID, Version: 1, Title: "CMP-01 from unit midt, version 1",
		Submitter: review.Submitter{Name: "unit_admin.midt (demo)", Tenant: "unit:midt"}, AgeHours: 3},
		Read: "/api/v1/offerings/" + o.ID, Decide: "/api/v1/offerings/" + o.ID + "/decision", SwaggerUI: "/swagger/index.html#/review/decideOffering"}
	if len(queue.Items) != 1 {
		t.Fatalf("review queue = %+v", queue.Items)
	}
	if got := queue.Items[0]; got.SubmittedAt.IsZero() {
		t.Errorf("no submission time: %+v", got)
	} else if got.SubmittedAt = (time.Time{}); got != want {
		t.Errorf("queue item\n got %+v\nwant %+v", got, want)
	}

	decide := func(outcome, reason string) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/offerings/" + o.ID + "/decision", Token: council,
			Body: map[string]any{"outcome": outcome, "reason": reason}})
	}
	apptest.MustStatus(t, "unit approves itself", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/offerings/" + o.ID + "/decision",
		Token: admin, Body: map[string]any{"outcome": "approved", "reason": "self"}}), 403)
	apptest.MustStatus(t, "decision without reason", decide("rejected", "  "), 400)
	rejected := decide("rejected", "Plus needs geo-redundancy evidence.")
	apptest.MustStatus(t, "reject", rejected, 200)
	var v offering.Version
	rejected.Decode(t, &v)
	if v.State != offering.Draft || v.RejectionReason != "Plus needs geo-redundancy evidence." {
		t.Errorf("rejected version = %+v", v)
	}
	apptest.MustStatus(t, "resubmit", env.Do(apptest.Request{Method: "POST", Path: path + "/submit", Token: admin}), 200)
	apptest.MustStatus(t, "approve", decide("approved", "Meets the common levels."), 200)

	var pub apptest.List[offering.Offering]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/offerings?service_id=CMP-01&level=plus", Token: spoc}).Decode(t, &pub)
	if len(pub.Items) != 1 || pub.Items[0].Live == nil || pub.Items[0].Live.State != offering.Published || pub.Items[0].Pending != nil {
		t.Fatalf("published list for a municipality = %+v", pub.Items)
	}
	var full offering.Offering
	env.Do(apptest.Request{Method: "GET", Path: path, Token: admin}).Decode(t, &full)
	if len(full.Decisions) != 2 || full.Decisions[0].Outcome != "rejected" || full.Decisions[1].Outcome != "approved" ||
		full.Decisions[1].DecidedBy != "user:"+env.User("council").ID {
		t.Errorf("decisions = %+v", full.Decisions)
	}

	// A change is a new version; the live one stays published until the new one is approved.
	nv := env.Do(apptest.Request{Method: "POST", Path: path + "/versions", Token: admin, Header: apptest.Key()})
	apptest.MustStatus(t, "new version", nv, 201)
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/offerings/" + o.ID, Token: spoc}).Decode(t, &full)
	if full.Live == nil || full.Live.Number != 1 || full.Pending != nil {
		t.Errorf("while version 2 is drafted a municipality sees %+v", full)
	}
	apptest.MustStatus(t, "second new version", env.Do(apptest.Request{Method: "POST", Path: path + "/versions", Token: admin, Header: apptest.Key()}), 409)
	apptest.MustStatus(t, "submit v2", env.Do(apptest.Request{Method: "POST", Path: path + "/submit", Token: admin}), 200)
	apptest.MustStatus(t, "approve v2", decide("approved", "Price change accepted."), 200)
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/offerings/" + o.ID, Token: spoc}).Decode(t, &full)
	if full.Live == nil || full.Live.Number != 2 {
		t.Errorf("after approving v2 the live version is %+v", full.Live)
	}

	tooSoon := env.Clock.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	resp = env.Do(apptest.Request{Method: "POST", Path: path + "/retire", Token: admin, Body: map[string]any{"retire_on": tooSoon}})
	apptest.MustStatus(t, "retire with 30 days' notice", resp, 400)
	if !strings.Contains(string(resp.Body), "180 days' notice") {
		t.Errorf("retire refusal does not name the notice: %s", resp.Body)
	}
	later := env.Clock.Now().AddDate(0, 0, 200).Format(time.DateOnly)
	resp = env.Do(apptest.Request{Method: "POST", Path: path + "/retire", Token: admin, Body: map[string]any{"retire_on": later}})
	apptest.MustStatus(t, "retire", resp, 200)
	resp.Decode(t, &v)
	if v.State != offering.Retired || v.RetireOn == nil || *v.RetireOn != later {
		t.Errorf("retired version = %+v", v)
	}
	if got := len(env.AuditOf(t, "offering.decide", o.ID+"/1")); got != 2 {
		t.Errorf("decision audit records for version 1 = %d, want 2", got)
	}
}

func TestOfferingTermsFollowTheStandardService(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Token("unit_admin.syd")
	price := func(p string) map[string]any {
		tm := apptest.Terms(false, "basis")
		tm["levels"].([]map[string]any)[0]["monthly_price"] = p
		return tm
	}
	tests := []struct {
		name    string
		service string
		terms   map[string]any
		pointer string
	}{
		{"a level the service lacks", "STO-02", apptest.Terms(false, "plus"), "/terms/levels/0/level"},
		{"a level offered twice", "CMP-01", apptest.Terms(false, "basis", "basis"), "/terms/levels/1/level"},
		{"conformance without a mandatory level", "CMP-01", apptest.Terms(true, "basis"), "/terms/levels"},
		{"three decimals", "CMP-01", price("10.005"), "/terms/levels/0/monthly_price"},
		{"a negative price", "CMP-01", price("-1"), "/terms/levels/0/monthly_price"},
		{"an unknown service", "XXX-99", apptest.Terms(false, "basis"), "/service_id"},
		{"no levels", "CMP-01", apptest.Terms(false), "/terms/levels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/syd/offerings", Token: admin, Header: apptest.Key(),
				Body: map[string]any{"service_id": tc.service, "terms": tc.terms}})
			apptest.MustStatus(t, tc.name, resp, 400)
			if !strings.Contains(string(resp.Body), `"pointer":"`+tc.pointer+`"`) {
				t.Errorf("problem does not name %s: %s", tc.pointer, resp.Body)
			}
		})
	}
	apptest.MustStatus(t, "first offering", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/syd/offerings", Token: admin,
		Header: apptest.Key(), Body: map[string]any{"service_id": "STO-02", "terms": apptest.Terms(true, "basis")}}), 201)
	apptest.MustStatus(t, "the same service again", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/syd/offerings", Token: admin,
		Header: apptest.Key(), Body: map[string]any{"service_id": "STO-02", "terms": apptest.Terms(true, "basis")}}), 409)
}

func TestConformanceBeforeAndAfterPublishingAndWaivers(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, council := env.Token("unit_admin.midt"), env.Token("council")
	status := func(service, level string) string {
		var rep offering.Conformance
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt/conformance", Token: admin}).Decode(t, &rep)
		for _, r := range rep.Rows {
			if r.ServiceID == service && r.Level == level {
				return r.Status
			}
		}
		return "absent"
	}
	if got := status("CMP-01", "standard"); got != offering.StatusMissing {
		t.Fatalf("before: CMP-01 standard is %s", got)
	}
	var o offering.Offering
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings", Token: admin, Header: apptest.Key(),
		Body: map[string]any{"service_id": "CMP-01", "terms": apptest.Terms(true, "basis", "standard")}})
	apptest.MustStatus(t, "create", resp, 201)
	resp.Decode(t, &o)
	apptest.MustStatus(t, "submit", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings/" + o.ID + "/submit", Token: admin}), 200)
	if got := status("CMP-01", "standard"); got != offering.StatusMissing {
		t.Errorf("submitted but not approved: %s", got)
	}
	apptest.MustStatus(t, "approve", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/offerings/" + o.ID + "/decision", Token: council,
		Body: map[string]any{"outcome": "approved", "reason": "Meets the common levels."}}), 200)
	if got := status("CMP-01", "standard"); got != offering.StatusPublished {
		t.Errorf("after approval: %s", got)
	}
	if got := status("CMP-01", "plus"); got != "absent" {
		t.Errorf("plus is not mandatory for CMP-01 but is reported: %s", got)
	}

	exp := env.Clock.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	apptest.MustStatus(t, "waiver for a level that is not mandatory", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/waivers",
		Token: admin, Header: apptest.Key(), Body: map[string]any{"service_id": "CMP-01", "level": "plus", "reason": "none", "expires_on": exp}}), 400)
	resp = env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/waivers", Token: admin, Header: apptest.Key(),
		Body: map[string]any{"service_id": "SEC-02", "level": "plus", "reason": "SOC contract starts in Q3.", "expires_on": exp}})
	apptest.MustStatus(t, "request waiver", resp, 201)
	var w offering.Waiver
	resp.Decode(t, &w)
	apptest.MustStatus(t, "another unit reads the waiver", env.Do(apptest.Request{Method: "GET", Path: "/api/v1/waivers/" + w.ID,
		Token: env.Token("unit_admin.nord")}), 404)
	if got := status("SEC-02", "plus"); got != offering.StatusMissing {
		t.Errorf("requested waiver counts already: %s", got)
	}
	apptest.MustStatus(t, "grant", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/waivers/" + w.ID + "/decision", Token: council,
		Body: map[string]any{"outcome": "approved", "reason": "Interim SOC covers it."}}), 200)
	if got := status("SEC-02", "plus"); got != offering.StatusWaived {
		t.Errorf("after the grant: %s", got)
	}

	csv := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/conformance?format=csv", Token: council})
	apptest.MustStatus(t, "fleet csv", csv, 200)
	body := string(csv.Body)
	if !strings.HasPrefix(body, "unit,service_id,level,status,offering_id,waiver_id,waived_until\n") ||
		!strings.Contains(body, "midt,CMP-01,standard,published,"+o.ID) || !strings.Contains(body, "midt,SEC-02,plus,waived,,"+w.ID+","+exp) ||
		!strings.Contains(body, "nord,CMP-01,basis,missing") {
		t.Errorf("fleet CSV:\n%s", body)
	}
	apptest.MustStatus(t, "a unit reads the fleet", env.Do(apptest.Request{Method: "GET", Path: "/api/v1/conformance", Token: admin}), 403)
}

// The published list is served from memory: filters and pages must still give every matching
// offering exactly once, in id order.
func TestPublishedOfferingsPageAndFilter(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	spoc := env.Token("spoc.751")
	var ids []string
	for _, p := range []struct{ unit, service string }{{"midt", "CMP-01"}, {"midt", "STO-01"}, {"nord", "CMP-01"}, {"syd", "CMP-01"}} {
		levels := map[string]string{"standard": "690.00"}
		if p.unit != "syd" {
			levels["plus"] = "990.00"
		}
		ids = append(ids, env.Publish(t, p.unit, p.service, levels).ID)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"", ids},
		{"unit=midt", ids[:2]},
		{"service_id=CMP-01", []string{ids[0], ids[2], ids[3]}},
		{"level=plus", ids[:3]},
		{"service_id=CMP-01&level=plus&unit=nord", ids[2:3]},
		{"unit=hovedstaden", nil},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			var got []string
			next := "/api/v1/offerings?limit=1&" + tc.query
			for pages := 0; next != ""; pages++ {
				if pages > 10 {
					t.Fatal("the pages do not end")
				}
				var l apptest.List[offering.Offering]
				env.Do(apptest.Request{Method: "GET", Path: next, Token: spoc}).Decode(t, &l)
				for _, o := range l.Items {
					got = append(got, o.ID)
				}
				next = ""
				if l.Next != nil {
					next = *l.Next
				}
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

package outages_test

import (
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/outage"
)

var cph, _ = time.LoadLocation("Europe/Copenhagen")

func at(wall string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", wall, cph)
	if err != nil {
		panic(err)
	}
	return t
}

// A unit reports an outage, announced maintenance and a degradation of its offering, and the
// municipality reads its subscription's month from them: the maintenance announced in time is
// excluded, the outage is downtime, the degradation is neither.
func TestAMonthIsMeasuredFromTheOutagesTheUnitReports(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-11-02 09:00")
	sub := env.Subscribe(t) // 101's standard CMP-01 from hovedstaden, from 2 November
	admin := env.Token("unit_admin.hovedstaden")
	var s struct {
		OfferingID string `json:"offering_id"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub, Token: env.Token("spoc.101")}).Decode(t, &s)

	var planned notice.Notice
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/notices", Token: admin, Header: apptest.Key(),
		Body: map[string]any{"tags": []string{"PLANLAGT"}, "title": "Storage firmware", "body": "Firmware update.",
			"scope": map[string]any{"services": []string{"CMP-01"}}, "planned_start": at("2026-11-17 22:00"), "planned_end": at("2026-11-17 23:30")}})
	apptest.MustStatus(t, "announce the maintenance", resp, 201)
	resp.Decode(t, &planned)

	env.At(t, "2026-11-30 12:00")
	admin = env.Token("unit_admin.hovedstaden") // a token of the new day
	report := func(token, unit string, body map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/" + unit + "/outages", Token: token, Header: apptest.Key(), Body: body})
	}
	for _, body := range []map[string]any{
		{"kind": "outage", "started_at": at("2026-11-10 10:00"), "ended_at": at("2026-11-10 11:00"), "offerings": []string{s.OfferingID},
			"title": "Storage controller failure"},
		{"kind": "outage", "planned": true, "notice": planned.ID, "started_at": at("2026-11-17 22:00"), "ended_at": at("2026-11-17 23:30"),
			"offerings": []string{s.OfferingID}, "title": "Storage firmware"},
		{"kind": "degradation", "started_at": at("2026-11-20 08:00"), "ended_at": at("2026-11-20 12:00"), "offerings": []string{s.OfferingID},
			"title": "Slow disks"},
	} {
		apptest.MustStatus(t, "report", report(admin, "hovedstaden", body), 201)
	}

	var r availability.Report
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub + "/availability?month=2026-11",
		Token: env.Token("first_line.101")})
	apptest.MustStatus(t, "availability", resp, 200)
	resp.Decode(t, &r)
	// From 2 November 00:00 to 1 December, as the month comes out if nothing more goes down:
	// 29 days. 1.5 h excluded, 1 h down: 2,496,600 of 2,500,200 s, 99.8560 %.
	if r.AgreedSeconds != 2505600 || r.ExcludedSeconds != 5400 || r.DowntimeSeconds != 3600 || r.DegradedSeconds != 14400 ||
		r.SLI != "99.8560" || r.SLO != "99.9" || r.Met || r.Outages != 1 || r.CreditPercent != "5" {
		t.Errorf("the month: %s", r)
	}

	// The unit sees the same figures of a subscription it delivers; another unit sees nothing.
	var unitView availability.Report
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/hovedstaden/subscriptions/" + sub + "/availability?month=2026-11",
		Token: env.Token("second_line.hovedstaden")})
	apptest.MustStatus(t, "the unit's view", resp, 200)
	if resp.Decode(t, &unitView); unitView.String() != r.String() {
		t.Errorf("the unit sees %s, the municipality %s", unitView, r)
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt/subscriptions/" + sub + "/availability?month=2026-11",
		Token: env.Token("unit_admin.midt")}); resp.Status != 404 {
		t.Errorf("midt reads hovedstaden's subscription: %d", resp.Status)
	}

	// While November runs its credit is not earned yet; once it is over, the costs carry it off
	// the recurring cost: 2 × 690.00 for 29 of 30 days is 1334.00, 5 % of it 66.70.
	type costLine struct {
		Recurring     string `json:"recurring"`
		CreditPercent string `json:"credit_percent"`
		Credit        string `json:"credit"`
	}
	type costReport struct {
		Lines  []costLine `json:"lines"`
		Credit string     `json:"credit"`
	}
	costs := func() costReport {
		var c costReport // as a client reads it: a credit is negative, which no amount a client sends may be
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/costs?month=2026-11", Token: env.Token("spoc.101")}).Decode(t, &c)
		return c
	}
	if c := costs(); len(c.Lines) != 1 || c.Lines[0].CreditPercent != "0" || c.Credit != "0.00" {
		t.Errorf("November's costs while it runs: %+v", c)
	}
	env.At(t, "2026-12-01 10:00")
	if c := costs(); len(c.Lines) != 1 || c.Lines[0].Recurring != "1334.00" || c.Lines[0].CreditPercent != "5" ||
		c.Lines[0].Credit != "-66.70" || c.Credit != "-66.70" {
		t.Errorf("November's costs once it is over: %+v", c)
	}
	env.At(t, "2026-11-30 12:00")
	admin = env.Token("unit_admin.hovedstaden")

	// Another unit reports nothing on it; another municipality reads nothing of it.
	if resp := report(env.Token("unit_admin.midt"), "midt", map[string]any{"kind": "outage", "started_at": at("2026-11-10 10:00"),
		"offerings": []string{s.OfferingID}, "title": "Not ours"}); resp.Status != 400 || !strings.Contains(string(resp.Body), `"/offerings/0"`) {
		t.Errorf("midt reports on hovedstaden's offering: %d %s", resp.Status, resp.Body)
	}
	if resp := report(admin, "hovedstaden", map[string]any{"kind": "outage", "planned": true, "notice": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
		"started_at": at("2026-11-10 10:00"), "offerings": []string{s.OfferingID}, "title": "Unknown notice"}); resp.Status != 400 ||
		!strings.Contains(string(resp.Body), `"/notice"`) {
		t.Errorf("a notice that is not the unit's: %d %s", resp.Status, resp.Body)
	}
	if resp := report(admin, "hovedstaden", map[string]any{"kind": "outage", "started_at": at("2026-12-01 10:00"),
		"offerings": []string{s.OfferingID}, "title": "Tomorrow"}); resp.Status != 400 || !strings.Contains(string(resp.Body), "in the future") {
		t.Errorf("an outage that has not begun: %d %s", resp.Status, resp.Body)
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/subscriptions/" + sub + "/availability?month=2026-11",
		Token: env.Token("spoc.751")}); resp.Status != 404 {
		t.Errorf("751 reads 101's subscription: %d", resp.Status)
	}
}

// An outage that lasts counts until now, and ends once, by its version.
func TestALastingOutageCountsUntilItEnds(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-11-02 09:00")
	sub := env.Subscribe(t)
	var s struct {
		OfferingID string `json:"offering_id"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub, Token: env.Token("spoc.101")}).Decode(t, &s)
	env.At(t, "2026-11-03 10:30")
	admin := env.Token("unit_admin.hovedstaden")
	var o outage.Outage
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/outages", Token: admin, Header: apptest.Key(),
		Body: map[string]any{"kind": "outage", "started_at": at("2026-11-03 10:00"), "offerings": []string{s.OfferingID}, "title": "Network down"}})
	apptest.MustStatus(t, "report", resp, 201)
	resp.Decode(t, &o)
	month := func() availability.Report {
		var r availability.Report
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub + "/availability?month=2026-11",
			Token: env.Token("spoc.101")}).Decode(t, &r)
		return r
	}
	if r := month(); !r.Open || r.DowntimeSeconds != 1800 {
		t.Errorf("while it lasts: %s", r)
	}
	// The sweep keeps a lasting outage's month current.
	env.At(t, "2026-11-03 11:00")
	if _, err := env.App.Outages.Sweep(env.System()); err != nil {
		t.Fatal(err)
	}
	if r := month(); !r.Open || r.DowntimeSeconds != 3600 {
		t.Errorf("an hour on, after a sweep: %s", r)
	}
	end := func(version string, ended time.Time) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/outages/" + o.ID + "/end", Token: admin,
			Header: map[string]string{"If-Match": version}, Body: map[string]any{"ended_at": ended}})
	}
	admin = env.Token("unit_admin.hovedstaden")
	if resp := end(`"1"`, at("2026-11-03 09:00")); resp.Status != 400 {
		t.Errorf("an end before the start: %d %s", resp.Status, resp.Body)
	}
	env.At(t, "2026-11-03 12:00")
	apptest.MustStatus(t, "end", end(`"1"`, at("2026-11-03 11:00")), 200)
	if resp := end(`"2"`, at("2026-11-03 11:30")); resp.Status != 409 {
		t.Errorf("ended twice: %d %s", resp.Status, resp.Body)
	}
	if r := month(); r.Open || r.DowntimeSeconds != 3600 {
		t.Errorf("after it ended: %s", r)
	}
	if len(env.AuditOf(t, "outage.report", o.ID)) != 1 || len(env.AuditOf(t, "outage.end", o.ID)) != 1 {
		t.Error("the report and the end are not audited once each")
	}
}

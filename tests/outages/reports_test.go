package outages_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/outage"
	"github.com/servicekatalog/servicekatalog/internal/slareport"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

// The months are kept as roll-ups, computed in the transaction that reports, ends or corrects an
// outage and by the sweep for the subscriptions no outage touched; a breach and a warning are
// announced once per subscription-month; a correction is a version with its reason; a month the
// council has closed changes only by a correction; the reports read the roll-ups.
func TestMonthsAreKeptCorrectedClosedAndReported(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(2))
	env.At(t, "2026-10-01 09:00")
	sub := env.Subscribe(t) // 101's standard CMP-01 from hovedstaden, from 1 October
	var s struct {
		OfferingID string `json:"offering_id"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub, Token: env.Token("spoc.101")}).Decode(t, &s)
	env.At(t, "2026-11-03 12:00")
	admin := env.Token("unit_admin.hovedstaden")

	// The sweep keeps a row for each month of the subscription's; once kept, it leaves them.
	for i, want := range []int{2, 0} {
		if n, err := env.App.Outages.Sweep(env.System()); err != nil || n != want {
			t.Errorf("sweep %d computed %d rows (%v), want %d", i+1, n, err, want)
		}
	}
	october := func() availability.Report {
		var r availability.Report
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub + "/availability?month=2026-10",
			Token: env.Token("spoc.101")}).Decode(t, &r)
		return r
	}
	if r := october(); r.AgreedSeconds != 2682000 || r.DowntimeSeconds != 0 || !r.Met {
		t.Errorf("October before any outage: %s", r)
	}

	report := func(body map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/outages", Token: admin, Header: apptest.Key(), Body: body})
	}
	outageAt := func(from, to string) map[string]any {
		return map[string]any{"kind": "outage", "started_at": at(from), "ended_at": at(to), "offerings": []string{s.OfferingID}, "title": "Storage"}
	}
	var first outage.Outage
	resp := report(outageAt("2026-10-09 10:00", "2026-10-09 11:00"))
	apptest.MustStatus(t, "report", resp, 201)
	resp.Decode(t, &first)
	// 99.9 % of October's 745 hours allows 2,682 s; an hour breaches it.
	if r := october(); r.DowntimeSeconds != 3600 || r.Met || r.SLI != "99.8657" || r.CreditPercent != "5" {
		t.Errorf("October after an hour down: %s", r)
	}
	apptest.MustStatus(t, "a second outage", report(outageAt("2026-10-12 10:00", "2026-10-12 10:10")), 201)
	events := func() []string {
		var keys []string
		env.App.DB.Conn(context.Background()).Raw(`SELECT key FROM notice_events WHERE key LIKE 'availability/%' ORDER BY id`).Scan(&keys)
		return keys
	}
	if got := events(); strings.Join(got, " ") != "availability/"+sub+"/2026-10/breach" {
		t.Errorf("the events announced: %q", got)
	}
	mails := env.MailsTo(t, "it-drift@kk.example", "[SLA]", 1)
	if len(mails) != 1 || mails[0].Subject() != "[SLA] ! CMP-01 standard in 2026-10: service level breached (99.8657 % of 99.9 %) (hovedstaden)" ||
		!strings.Contains(mails[0].Text, "- availability 99.8657 % is below the target 99.9 %") {
		t.Errorf("the breach as mailed: %d mails, %q %s", len(mails), mails[0].Subject(), mails[0].Text)
	}

	// A correction needs its reason, and is a version of its own.
	correct := func(version string, body map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/units/hovedstaden/outages/" + first.ID, Token: admin,
			Header: map[string]string{"If-Match": version}, Body: body})
	}
	shorter := outageAt("2026-10-09 10:00", "2026-10-09 10:30")
	if resp := correct(`"1"`, shorter); resp.Status != 400 || !strings.Contains(string(resp.Body), `"/reason"`) {
		t.Errorf("a correction without a reason: %d %s", resp.Status, resp.Body)
	}
	shorter["reason"] = "The monitoring reported the end 30 minutes late."
	apptest.MustStatus(t, "correct", correct(`"1"`, shorter), 200)
	if resp := correct(`"1"`, shorter); resp.Status != 412 {
		t.Errorf("a correction of a stale version: %d", resp.Status)
	}
	// 40 minutes down of 44.7 allowed: met, with more than three quarters of the budget spent.
	if r := october(); r.DowntimeSeconds != 2400 || !r.Met || !r.Warning || r.CreditPercent != "0" {
		t.Errorf("October after the correction: %s", r)
	}
	if got := events(); len(got) != 2 || got[1] != "availability/"+sub+"/2026-10/warning" {
		t.Errorf("the events announced: %q", got)
	}
	var versions []outage.Version
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/hovedstaden/outages/" + first.ID + "/versions", Token: admin}).Decode(t, &versions)
	if len(versions) != 2 || versions[0].Action != "report" || versions[1].Action != "correct" || versions[1].Reason != shorter["reason"] ||
		!versions[0].Outage.EndedAt.Equal(at("2026-10-09 11:00")) || !versions[1].Outage.EndedAt.Equal(at("2026-10-09 10:30")) {
		t.Errorf("the versions: %+v", versions)
	}
	if len(env.AuditOf(t, "outage.correct", first.ID)) != 1 {
		t.Error("the correction is not audited")
	}

	// The council closes October, once, and not November while it runs.
	council := env.Token("council")
	closeMonth := func(month string) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/closed-months", Token: council, Header: apptest.Key(),
			Body: map[string]any{"month": month, "note": "Reviewed at the council meeting."}})
	}
	apptest.MustStatus(t, "close October", closeMonth("2026-10"), 201)
	if resp := closeMonth("2026-10"); resp.Status != 409 {
		t.Errorf("October closed twice: %d", resp.Status)
	}
	if resp := closeMonth("2026-11"); resp.Status != 400 || !strings.Contains(string(resp.Body), "not over yet") {
		t.Errorf("November closed while it runs: %d %s", resp.Status, resp.Body)
	}
	late := outageAt("2026-10-20 10:00", "2026-10-20 10:05")
	if resp := report(late); resp.Status != 400 || !strings.Contains(string(resp.Body), "the council has closed 2026-10") {
		t.Errorf("an outage in a closed month without a reason: %d %s", resp.Status, resp.Body)
	}
	late["reason"] = "Found in the storage log at the monthly review."
	var corrected outage.Outage
	resp = report(late)
	apptest.MustStatus(t, "a late report with its reason", resp, 201)
	resp.Decode(t, &corrected)
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/hovedstaden/outages/" + corrected.ID + "/versions", Token: admin}).Decode(t, &versions)
	if len(versions) != 1 || versions[0].Reason != late["reason"] {
		t.Errorf("the late report's version: %+v", versions)
	}

	// A ticket escalated and acknowledged in time counts in the ticket SLA performance.
	fl, second := env.Token("first_line.101"), env.Token("second_line.hovedstaden")
	var tk ticket.Ticket
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets", Token: fl, Header: apptest.Key(),
		Body: map[string]any{"title": "Share slow", "priority": "P2", "category": "incident", "subscription_id": sub}}).Decode(t, &tk)
	apptest.MustStatus(t, "escalate", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets/" + tk.ID + "/escalate",
		Token: fl, Body: map[string]any{"reason": "Storage"}}), 200)
	resp = env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/tickets/" + tk.ID + "/acknowledge", Token: second,
		Body: map[string]any{}})
	apptest.MustStatus(t, "acknowledge", resp, 200)
	if resp.Decode(t, &tk); tk.ResponseMet == nil || !*tk.ResponseMet || tk.RestoreMet != nil {
		t.Errorf("the ticket's outcomes: response %v restore %v", tk.ResponseMet, tk.RestoreMet)
	}

	// The municipality's report: each month of its subscription, summed per service, its tickets.
	var rep slareport.Report
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/sla-report?from=2026-10&to=2026-11", Token: env.Token("spoc.101")})
	apptest.MustStatus(t, "the municipality's report", resp, 200)
	resp.Decode(t, &rep)
	if len(rep.Lines) != 2 || rep.Lines[0].Month != "2026-10" || rep.Lines[0].DowntimeSeconds != 2700 || rep.Lines[0].Met ||
		rep.Lines[0].Credit != "-69.00" || rep.Lines[1].Month != "2026-11" || len(rep.Summaries) != 2 ||
		rep.Summaries[0].Key != "CMP-01" || rep.Summaries[0].CompliancePercent != "0.0" ||
		len(rep.Tickets) != 1 || rep.Tickets[0].ResponsePercent != "100.0" || rep.Tickets[0].Month != "2026-11" {
		t.Errorf("the municipality's report: %+v", rep)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/sla-report?from=2026-10&to=2026-11&format=csv",
		Token: env.Token("spoc.101")})
	csv := string(resp.Body)
	if resp.Status != 200 || !strings.HasPrefix(csv, "month,subscription_id,municipality,unit,service_id,level,agreed_seconds,") ||
		!strings.Contains(csv, "\n2026-10,"+sub+",101,hovedstaden,CMP-01,standard,2682000,0,2700,2679300,0,99.8993,99.9,-18,3,2,1800,no,no,") {
		t.Errorf("the CSV: %d\n%s", resp.Status, csv)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/sla-report?from=2026-10&to=2026-11&format=xlsx",
		Token: env.Token("spoc.101")})
	book, err := excelize.OpenReader(bytes.NewReader(resp.Body))
	if err != nil {
		t.Fatalf("the workbook: %v", err)
	}
	if sheets := strings.Join(book.GetSheetList(), ","); sheets != "Months,Summary,Tickets" {
		t.Errorf("the workbook's sheets: %s", sheets)
	}
	if v, _ := book.GetCellValue("Months", "I2"); v != "2700" {
		t.Errorf("October's downtime in the workbook: %q", v)
	}

	// The council's fleet view, by unit and by municipality; the unit's own, with what it missed.
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/sla-report?from=2026-10&to=2026-11", Token: council})
	apptest.MustStatus(t, "the fleet report", resp, 200)
	resp.Decode(t, &rep)
	var byUnit, byMunicipality int
	for _, x := range rep.Summaries {
		switch {
		case x.By == "unit" && x.Key == "hovedstaden" && x.Month == "2026-10":
			byUnit++
			if x.Subscriptions != 1 || x.Breached != 1 || x.DowntimeSeconds != 2700 || x.Credit != "-69.00" {
				t.Errorf("hovedstaden in October: %+v", x)
			}
		case x.By == "municipality" && x.Key == "101":
			byMunicipality++
		}
	}
	if byUnit != 1 || byMunicipality != 2 || len(rep.Lines) != 0 {
		t.Errorf("the fleet report: %+v", rep)
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/hovedstaden/sla-report?from=2026-10&to=2026-11", Token: admin}).Decode(t, &rep)
	if len(rep.Lines) != 1 || rep.Lines[0].Month != "2026-10" || len(rep.Tickets) != 1 {
		t.Errorf("the unit's report: %+v", rep)
	}

	// Another municipality reads nothing of 101's subscription; a span too long is refused.
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/subscriptions/" + sub + "/sla-report",
		Token: env.Token("spoc.751")}); resp.Status != 404 {
		t.Errorf("751 reads 101's subscription report: %d", resp.Status)
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/sla-report?from=2024-01&to=2026-11", Token: council}); resp.Status != 400 ||
		!strings.Contains(string(resp.Body), "24 months") {
		t.Errorf("35 months: %d %s", resp.Status, resp.Body)
	}
}

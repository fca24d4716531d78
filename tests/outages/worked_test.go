package outages_test

import (
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/notice"
)

// The month availability.TestAStandardMonthWorkedByHand works by hand, through the API: the unit
// announces its maintenance with notices (one in time, one five days ahead as an emergency) and
// reports the four outages once they are over; the municipality reads October's figures as worked
// by hand, and the cost export carries its credit, 10 % of October's recurring cost.
func TestTheWorkedMonthThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-09-01 09:00")
	sub := env.Subscribe(t) // 101's standard CMP-01 from hovedstaden, 2 × 690.00 a month, from 1 September
	var s struct {
		OfferingID string `json:"offering_id"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub, Token: env.Token("spoc.101")}).Decode(t, &s)

	announce := func(now, from, to string, emergency bool) string {
		t.Helper()
		env.At(t, now)
		body := map[string]any{"tags": []string{"PLANLAGT"}, "title": "Storage firmware", "body": "Firmware update of the storage controllers.",
			"scope": map[string]any{"services": []string{"CMP-01"}}, "planned_start": at(from), "planned_end": at(to)}
		if emergency {
			body["emergency"], body["emergency_reason"] = true, "A controller fault the vendor's firmware fixes."
		}
		var n notice.Notice
		resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/notices", Token: env.Token("unit_admin.hovedstaden"),
			Header: apptest.Key(), Body: body})
		apptest.MustStatus(t, "announce", resp, 201)
		resp.Decode(t, &n)
		return n.ID
	}
	inTime := announce("2026-09-20 10:00", "2026-10-06 22:00", "2026-10-07 02:00", false)
	late := announce("2026-10-15 10:00", "2026-10-20 22:00", "2026-10-20 23:30", true)

	env.At(t, "2026-11-05 12:00")
	admin := env.Token("unit_admin.hovedstaden")
	for _, o := range []map[string]any{
		{"planned": true, "notice": inTime, "started_at": at("2026-10-06 22:00"), "ended_at": at("2026-10-07 02:30"), "title": "Storage firmware, 30 min over"},
		{"planned": true, "notice": late, "started_at": at("2026-10-20 22:00"), "ended_at": at("2026-10-20 23:30"), "title": "Storage firmware at short notice"},
		{"started_at": time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC), "ended_at": time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC),
			"title": "Network down across the change from summer time"}, // 01:30 CEST to 03:30 CET
		{"started_at": at("2026-10-31 23:00"), "ended_at": at("2026-11-01 01:00"), "title": "Power in Ballerup, across the month's end"},
	} {
		o["kind"], o["offerings"] = "outage", []string{s.OfferingID}
		apptest.MustStatus(t, "report", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/outages", Token: admin,
			Header: apptest.Key(), Body: o}), 201)
	}

	month := func(m string) availability.Report {
		var r availability.Report
		resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + sub + "/availability?month=" + m,
			Token: env.Token("spoc.101")})
		apptest.MustStatus(t, "availability "+m, resp, 200)
		resp.Decode(t, &r)
		return r
	}
	if r := month("2026-10"); r.String() != "2026-10 agreed 2682000 excluded 14400 downtime 21600 uptime 2646000 degraded 0 sli 99.1902 slo 99.9 "+
		"budget -18933 outages 4/2 longest 10800/14400 met false credit 10% open false" ||
		strings.Join(r.Breaches, "; ") != "availability 99.1902 % is below the target 99.9 %; 4 outages, more than the 2 allowed" {
		t.Errorf("October through the API: %s %v", r, r.Breaches)
	}
	if r := month("2026-11"); r.DowntimeSeconds != 3600 || r.SLI != "99.8611" || r.CreditPercent != "5" {
		t.Errorf("November through the API: %s", r)
	}
	resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/costs?month=2026-10&format=csv", Token: env.Token("spoc.101")})
	if csv := string(resp.Body); !strings.Contains(csv, ",CMP-01,hovedstaden,standard,2,31,10,1380.00,0.00,-138.00,1242.00\n") {
		t.Errorf("October's costs:\n%s", csv)
	}
}

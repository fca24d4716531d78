package main

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"
)

// slaSeed is the service-level data of the bench: a thousand more subscriptions, of another of
// hovedstaden's municipalities than 101, to one offering of hovedstaden, which the outage bench
// reports on; a year of roll-up rows for every subscription (a fifth of the months with downtime,
// one in twenty breaching); and a thousand tickets escalated and closed over the year.
var slaSeed = []string{
	`INSERT INTO subscriptions (id, municipality, unit, offering_id, offering_version, service_id, family, level, quantity, parameters,
	                           monthly_price, one_off_fee, state, started_on, order_id, created_at, updated_at)
	   SELECT md5('outage-sub' || n)::uuid, m.code, 'hovedstaden', o.id, 1, o.service_id, s.doc->>'family', 'standard', 1, '{}', 690, 1200,
	          'active', date_trunc('month', current_date) - interval '11 months', md5('order' || m.code)::uuid, now(), now()
	     FROM generate_series(1, 1000) n, offerings o JOIN catalog_entries s ON s.kind = 'service' AND s.id = o.service_id,
	          (SELECT code FROM municipalities WHERE owner_unit = 'hovedstaden' AND code <> '101' ORDER BY code LIMIT 1) m
	    WHERE o.id = md5('hovedstaden' || 'STO-01')::uuid`,
	`INSERT INTO availability_months (subscription_id, month, municipality, unit, service_id, level, life_from, agreed_seconds,
	        excluded_seconds, downtime_seconds, uptime_seconds, degraded_seconds, sli, slo, error_budget_seconds, outages, max_outages,
	        longest_outage_seconds, longest_outage_limit_seconds, met, warned, breaches, credit_percent, recurring, credit, open, computed_at)
	   SELECT s.id, m.month, s.municipality, s.unit, s.service_id, s.level, s.started_on, 2592000, 0, d.down, 2592000 - d.down, 0,
	          trunc((2592000 - d.down) * 100.0 / 2592000, 4), 99.9, 2592 - d.down, sign(d.down), 2, d.down, 14400,
	          d.down <= 2592, d.down > 1944 AND d.down <= 2592,
	          CASE WHEN d.down > 2592 THEN ARRAY['availability below the target'] ELSE '{}' END,
	          CASE WHEN d.down > 2592 THEN 5 ELSE 0 END, 690 * s.quantity, CASE WHEN d.down > 2592 THEN 34.50 * s.quantity ELSE 0 END, false, now()
	     FROM subscriptions s
	    CROSS JOIN generate_series(date_trunc('month', current_date) - interval '11 months', date_trunc('month', current_date), interval '1 month') m(month)
	    CROSS JOIN LATERAL (SELECT abs(hashtext(s.id::text || m.month::text)) % 100 AS h) x
	    CROSS JOIN LATERAL (SELECT CASE WHEN x.h < 80 THEN 0 WHEN x.h < 95 THEN 1800 ELSE 3600 END AS down) d
	   ON CONFLICT (subscription_id, month) DO UPDATE SET downtime_seconds = EXCLUDED.downtime_seconds, uptime_seconds = EXCLUDED.uptime_seconds,
	          sli = EXCLUDED.sli, error_budget_seconds = EXCLUDED.error_budget_seconds, outages = EXCLUDED.outages,
	          longest_outage_seconds = EXCLUDED.longest_outage_seconds, met = EXCLUDED.met, warned = EXCLUDED.warned,
	          breaches = EXCLUDED.breaches, credit_percent = EXCLUDED.credit_percent, recurring = EXCLUDED.recurring, credit = EXCLUDED.credit`, // the sweep, run on the leader's election, may have been first
	`UPDATE tickets t SET unit = s.unit, level = s.level, state = 'closed', resolved_by_unit = true,
	        escalated_at = now() - (abs(hashtext(t.id::text)) % 330) * interval '1 day', first_escalated_at = now() - (abs(hashtext(t.id::text)) % 330) * interval '1 day',
	        acknowledged_at = now() - (abs(hashtext(t.id::text)) % 330) * interval '1 day' + interval '1 hour',
	        resolved_at = now() - (abs(hashtext(t.id::text)) % 330) * interval '1 day' + interval '5 hours',
	        closed_at = now() - (abs(hashtext(t.id::text)) % 330) * interval '1 day' + interval '6 hours',
	        response_met = abs(hashtext(t.id::text)) % 10 <> 0, restore_met = abs(hashtext(t.id::text)) % 7 <> 0
	   FROM subscriptions s WHERE s.id = t.subscription_id AND t.id IN (SELECT id FROM tickets ORDER BY id LIMIT 1000)`,
}

// slaMonths is the span of the report scenarios: the year the seed rolled up.
func slaMonths() (from, to string) {
	now := time.Now()
	first := time.Date(now.Year(), now.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	return first.Format("2006-01"), now.Format("2006-01")
}

// outageName is the outage bench's name for -run.
const outageName = "outage touching 1,000 subscriptions"

// outageReport is the outage bench: outages of the offering a thousand subscriptions hold,
// reported one after another, each recomputing the thousand roll-up rows of its month (and
// from the third on announcing their breaches) in its transaction.
type outageReport struct {
	Scenario      string  `json:"scenario"`
	Subscriptions int     `json:"subscriptions"`
	Outages       int     `json:"outages"`
	P50           float64 `json:"p50_ms"`
	Max           float64 `json:"max_ms"`
	PerRow        float64 `json:"per_subscription_ms"` // p50 ÷ subscriptions
}

// benchOutages reports n outages of five minutes each, earlier ones first, all in the last hours.
func benchOutages(product, token, offering string, n int) (outageReport, error) {
	c := &http.Client{Timeout: time.Minute}
	start := time.Now().Add(-time.Duration(n+1) * 10 * time.Minute).UTC()
	var took []float64
	for i := range n {
		from := start.Add(time.Duration(i) * 10 * time.Minute)
		body := fmt.Sprintf(`{"kind":"outage","started_at":%q,"ended_at":%q,"offerings":[%q],"title":"Bench outage %d"}`,
			from.Format(time.RFC3339), from.Add(5*time.Minute).Format(time.RFC3339), offering, i)
		t0 := time.Now()
		if _, err := post(c, product+"/api/v1/units/hovedstaden/outages", token, []byte(body),
			map[string]string{"Idempotency-Key": fmt.Sprintf("outage-%d-%d", runID, i)}); err != nil {
			return outageReport{}, err
		}
		took = append(took, ms(time.Since(t0)))
	}
	sort.Float64s(took)
	r := outageReport{Scenario: outageName, Subscriptions: 1000, Outages: n, P50: took[len(took)/2], Max: maxOf(took)}
	r.PerRow = r.P50 / float64(r.Subscriptions)
	return r, nil
}

func (r outageReport) print(w io.Writer) {
	fmt.Fprintf(w, "%s (%d outages one at a time): p50 %.0fms, max %.0fms per outage, %.2fms per subscription (roll-ups in its transaction)\n",
		r.Scenario, r.Outages, r.P50, r.Max, r.PerRow)
}

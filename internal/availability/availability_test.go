package availability

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/interval"
	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/schedule"
)

func level(t *testing.T, id string) Level {
	t.Helper()
	c, problems := catalog.Load(catalogfiles.Files)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for _, l := range c.Levels {
		if l.ID != id {
			continue
		}
		for _, cal := range c.Calendars {
			if cal.ID == l.SupportHours.Calendar {
				h, err := schedule.NewHours(l.SupportHours, cal)
				if err != nil {
					t.Fatal(err)
				}
				return Level{Level: l, Hours: h}
			}
		}
	}
	t.Fatalf("no level %s", id)
	return Level{}
}

var cph, _ = time.LoadLocation("Europe/Copenhagen")

// at is a Copenhagen wall-clock time; the zone says which one of a repeated hour.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cph)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// The worked example of the closing note, by hand first. Standard level, October 2026 in
// Copenhagen: 31 days and the hour summer time gives back on the 25th, 745 h = 2,682,000 s.
//   - Maintenance announced on 20 September for Tuesday 6 October 22:00 to 02:30: the window is
//     Tuesday 22:00-02:00, so 4 h = 14,400 s are excluded and the 30 min overrun is downtime.
//   - Maintenance on Tuesday 20 October 22:00-23:30 announced only on the 15th (5 days, the level
//     needs 10): 1.5 h = 5,400 s of downtime.
//   - An outage on 25 October from 01:30 summer time to 03:30 winter time: 3 h = 10,800 s.
//   - An outage from 31 October 23:00 into November, 01:00: 1 h = 3,600 s in October.
//
// Downtime 1,800 + 5,400 + 10,800 + 3,600 = 21,600 s in 4 outages, the longest 3 h. Agreed less
// excluded is 2,667,600 s, uptime 2,646,000 s, SLI 99.190283 %: below 99.9 and 99.5, not 99.0, so
// 10 % credit; 4 outages breach the 2 allowed. Error budget 0.1 % of 2,667,600 = 2,667 s, less
// 21,600 = -18,933 s.
func TestAStandardMonthWorkedByHand(t *testing.T) {
	events := []Event{
		{From: at("2026-10-06 22:00"), To: at("2026-10-07 02:30"), Kind: Outage, Planned: true, AnnouncedAt: ptr(at("2026-09-20 10:00"))},
		{From: at("2026-10-20 22:00"), To: at("2026-10-20 23:30"), Kind: Outage, Planned: true, AnnouncedAt: ptr(at("2026-10-15 10:00"))},
		{From: time.Date(2026, 10, 24, 23, 30, 0, 0, time.UTC), To: time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), Kind: Outage},
		{From: at("2026-10-31 23:00"), To: at("2026-11-01 01:00"), Kind: Outage},
	}
	r, err := Compute(level(t, "standard"), Month{2026, time.October}, interval.Span{}, events, at("2026-11-05 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	want := Report{Month: "2026-10", AgreedSeconds: 2682000, ExcludedSeconds: 14400, DowntimeSeconds: 21600, UptimeSeconds: 2646000,
		SLI: "99.1902", SLO: "99.9", ErrorBudget: -18933, Outages: 4, MaxOutages: 2, LongestSeconds: 10800, LongestLimit: 14400,
		CreditPercent: "10"}
	got := r
	got.Breaches, got.Met = nil, false
	if got.String() != want.String() {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if r.Met || strings.Join(r.Breaches, "; ") != "availability 99.1902 % is below the target 99.9 %; 4 outages, more than the 2 allowed" {
		t.Errorf("breaches: %v", r.Breaches)
	}
	monthly, _ := money.Parse("690.00")
	credit, err := Credit(monthly, r.CreditPercent)
	if err != nil || credit.String() != "69.00" {
		t.Errorf("credit of 690.00 at %s %% = %s (%v)", r.CreditPercent, credit, err)
	}
	nov, _ := Compute(level(t, "standard"), Month{2026, time.November}, interval.Span{}, events, at("2026-12-01 00:00"))
	// Its hour in November alone breaches November: 99.9 % of 30 days allows 43 minutes.
	if nov.AgreedSeconds != 30*24*3600 || nov.DowntimeSeconds != 3600 || nov.SLI != "99.8611" || nov.Met || nov.CreditPercent != "5" {
		t.Errorf("November: %s", nov)
	}
}

func TestMonthsAgainstTheirLevel(t *testing.T) {
	now := at("2026-11-20 12:00")
	tests := []struct {
		name   string
		level  string
		events []Event
		check  func(r Report) bool
	}{
		{"nothing happened", "standard", nil,
			func(r Report) bool {
				return r.SLI == "100.0000" && r.Met && !r.Warning && r.CreditPercent == "0" && r.ErrorBudget == 2592
			}},
		{"an open outage counts until now, in a month that counts in full", "standard", []Event{{From: at("2026-11-20 11:00"), Kind: Outage}},
			func(r Report) bool {
				return r.DowntimeSeconds == 3600 && r.Open && r.AgreedSeconds == 30*24*3600 && r.ErrorBudget == 2592-3600
			}},
		{"three quarters of the error budget spent warns", "standard",
			[]Event{{From: at("2026-11-02 10:00"), To: at("2026-11-02 10:35"), Kind: Outage}},
			func(r Report) bool { return r.Met && r.Warning && r.ErrorBudget == 2592-2100 }},
		{"less than three quarters does not", "standard",
			[]Event{{From: at("2026-11-02 10:00"), To: at("2026-11-02 10:30"), Kind: Outage}},
			func(r Report) bool { return r.Met && !r.Warning }},
		{"announced maintenance outside the window counts", "standard",
			[]Event{{From: at("2026-11-02 10:00"), To: at("2026-11-02 11:00"), Kind: Outage, Planned: true, AnnouncedAt: ptr(at("2026-10-01 09:00"))}},
			func(r Report) bool { return r.ExcludedSeconds == 0 && r.DowntimeSeconds == 3600 }},
		{"a degradation is reported, not downtime", "standard", []Event{{From: at("2026-11-02 10:00"), To: at("2026-11-02 12:00"), Kind: Degradation}},
			func(r Report) bool { return r.DegradedSeconds == 7200 && r.DowntimeSeconds == 0 && r.Met }},
		{"overlapping reports of one outage are one outage", "standard", []Event{
			{From: at("2026-11-02 10:00"), To: at("2026-11-02 11:00"), Kind: Outage},
			{From: at("2026-11-02 10:30"), To: at("2026-11-02 11:30"), Kind: Outage}},
			func(r Report) bool { return r.DowntimeSeconds == 5400 && r.Outages == 1 }},
		{"an outage longer than the limit breaches however short the month's downtime", "plus",
			[]Event{{From: at("2026-11-02 10:00"), To: at("2026-11-02 11:01"), Kind: Outage}},
			func(r Report) bool {
				return !r.Met && strings.Contains(strings.Join(r.Breaches, ";"), "longer than the 1h0m0s allowed")
			}},
		{"basis counts office hours on working days only", "basis", []Event{
			{From: at("2026-11-07 09:00"), To: at("2026-11-07 15:00"), Kind: Outage},  // a Saturday
			{From: at("2026-11-02 15:00"), To: at("2026-11-02 17:00"), Kind: Outage}}, // Monday, one hour of it counts
			func(r Report) bool { return r.DowntimeSeconds == 3600 && r.AgreedSeconds == 21*8*3600 }},
		{"a week down earns the largest tier", "basis", []Event{{From: at("2026-11-02 08:00"), To: at("2026-11-06 16:00"), Kind: Outage}},
			func(r Report) bool { return r.SLI == "76.1904" && r.CreditPercent == "10" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Compute(level(t, tc.level), Month{2026, time.November}, interval.Span{}, tc.events, now)
			if err != nil || !tc.check(r) {
				t.Errorf("%s (%v)", r, err)
			}
		})
	}
}

func TestTheCreditIsTheLargestTierReachedWithinTheCap(t *testing.T) {
	c := catalog.ServiceCredits{CapPercent: 25, Tiers: []catalog.CreditTier{{BelowPercent: 99.9, CreditPercent: 5},
		{BelowPercent: 99, CreditPercent: 10}, {BelowPercent: 95, CreditPercent: 50}}}
	for sli, want := range map[string]string{"100": "0", "99.9": "0", "99.8999": "5", "98.5": "10", "90": "25"} {
		if got := creditPercent(c, decimal.RequireFromString(sli), true).String(); got != want {
			t.Errorf("SLI %s: credit %s %%, want %s", sli, got, want)
		}
	}
	if got := creditPercent(c, decimal.Zero, false).String(); got != "0" {
		t.Errorf("a month with no agreed time earns %s %%", got)
	}
}

package dashboard

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/outage"
	"github.com/servicekatalog/servicekatalog/internal/slareport"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

func TestTheChartsHaveABarPerUnitAndMonthWithFigures(t *testing.T) {
	rep := slareport.Report{From: "2026-09", To: "2026-11", GeneratedAt: time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC),
		Summaries: []outage.Summary{
			{By: "unit", Key: "midt", Month: "2026-10", CompliancePercent: "100.0", Credit: "0.00"},
			{By: "unit", Key: "hovedstaden", Month: "2026-10", CompliancePercent: "50.0", Credit: "-69.00"},
			{By: "unit", Key: "hovedstaden", Month: "2026-11", CompliancePercent: "100.0", Credit: "0.00"},
			{By: "municipality", Key: "101", Month: "2026-10", CompliancePercent: "50.0", Credit: "-69.00"},
		},
		Tickets: []ticket.Performance{
			{Unit: "hovedstaden", Month: "2026-11", Responded: 2, ResponseMet: 1, Restored: 2, RestoreMet: 2},
			{Unit: "hovedstaden", Month: "2026-11", Responded: 0, Restored: 0},
		}}
	v := Build(rep)
	if strings.Join(v.Units, ",") != "hovedstaden,midt" || strings.Join(v.Months, ",") != "2026-09,2026-10,2026-11" {
		t.Fatalf("units %v months %v", v.Units, v.Months)
	}
	tests := []struct {
		chart  int
		titles []string
		max    string
	}{
		{0, []string{"hovedstaden 2026-10: 50.0 %", "hovedstaden 2026-11: 100.0 %", "midt 2026-10: 100.0 %"}, "100"},
		{1, []string{"hovedstaden 2026-10: 69.00 DKK", "hovedstaden 2026-11: 0.00 DKK", "midt 2026-10: 0.00 DKK"}, "80"},
		{2, []string{"hovedstaden 2026-11: 75.0 %"}, "100"}, // 3 of 4 clocks
	}
	for _, tc := range tests {
		c := v.Charts[tc.chart]
		var titles []string
		for _, b := range c.Bars {
			titles = append(titles, b.Title)
			if b.Height < 1.5 || b.Y+b.Height > Height-bottom+0.01 || b.X < left {
				t.Errorf("%s: bar %+v is off the plot", c.ID, b)
			}
		}
		if strings.Join(titles, "; ") != strings.Join(tc.titles, "; ") || c.Max != tc.max {
			t.Errorf("%s: bars %q up to %s, want %q up to %s", c.ID, titles, c.Max, tc.titles, tc.max)
		}
	}
	var page strings.Builder
	if err := Render(&page, v, "council (council)", "/dashboard/sign-out"); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	if n := strings.Count(html, `<rect class="bar"`); n != 7 || !strings.Contains(html, "<title>hovedstaden 2026-10: 69.00 DKK</title>") ||
		!strings.Contains(html, "2026-11-20 12:00 CET") || strings.Contains(html, "<script") || strings.Contains(html, "style=") {
		t.Errorf("%d bars in the page:\n%s", n, html)
	}
}

func TestTheScaleEndsOnARoundNumber(t *testing.T) {
	for in, want := range map[string]string{"0": "1", "0.3": "0.4", "1": "1", "69": "80", "101": "200", "1380": "2000", "5": "6"} {
		if got := niceCeil(decimal.RequireFromString(in)).String(); got != want {
			t.Errorf("niceCeil(%s) = %s, want %s", in, got, want)
		}
	}
}

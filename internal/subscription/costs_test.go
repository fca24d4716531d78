package subscription

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/tabular"
)

func day(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }

func amount(s string) money.Amount { a, _ := money.Parse(s); return a }

// TestCostsArePricedProRataByDayAndRoundedOnce: the figures the README walks through, a month of
// 28 days, a period that started before the month, and one-thirds that round only at the end.
func TestCostsArePricedProRataByDayAndRoundedOnce(t *testing.T) {
	end := day("2027-02-21")
	changed := day("2026-11-25")
	tests := []struct {
		name           string
		month          string
		periods        []costPeriod
		recurring, one string // per line, and the report's total
		days           int
	}{
		{"added on the 23rd, then 6 VMs from the 25th: days from each period, each period's one-off fee",
			"2026-11-01", []costPeriod{
				{SubscriptionID: "s", FromDay: day("2026-11-23"), ToDay: &changed, Quantity: 4, MonthlyPrice: amount("690.00"), OneOff: amount("4800.00")},
				{SubscriptionID: "s", FromDay: changed, Quantity: 6, MonthlyPrice: amount("690.00"), OneOff: amount("2400.00")},
			}, "1012.00", "7200.00", 8}, // 690 × (4 × 2 + 6 × 6) / 30
		{"a whole month started before it: no one-off fee", "2026-12-01",
			[]costPeriod{{SubscriptionID: "s", FromDay: day("2026-11-25"), Quantity: 6, MonthlyPrice: amount("690.00"), OneOff: amount("2400.00")}},
			"4140.00", "0.00", 31},
		{"the last month of a notice period, 20 of 28 days", "2027-02-01",
			[]costPeriod{{SubscriptionID: "s", FromDay: day("2026-11-25"), ToDay: &end, Quantity: 6, MonthlyPrice: amount("690.00")}},
			"2957.14", "0.00", 20}, // 2957.142857…
		{"thirds that round once, not per period", "2026-11-01", []costPeriod{
			{SubscriptionID: "s", FromDay: day("2026-11-01"), ToDay: ptr(day("2026-11-11")), Quantity: 1, MonthlyPrice: amount("100.00")},
			{SubscriptionID: "s", FromDay: day("2026-11-11"), ToDay: ptr(day("2026-11-21")), Quantity: 1, MonthlyPrice: amount("100.00")},
			{SubscriptionID: "s", FromDay: day("2026-11-21"), Quantity: 1, MonthlyPrice: amount("100.00")},
		}, "100.00", "0.00", 30}, // 33.333… three times: 100.00, not 99.99
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := costs("101", day(tc.month), tc.periods, nil)
			if len(rep.Lines) != 1 {
				t.Fatalf("lines %+v", rep.Lines)
			}
			l := rep.Lines[0]
			if l.Recurring.String() != tc.recurring || l.OneOff.String() != tc.one || l.Days != tc.days {
				t.Errorf("recurring %s, one-off %s, %d days; want %s, %s, %d", l.Recurring, l.OneOff, l.Days, tc.recurring, tc.one, tc.days)
			}
			if rep.Total.String() != l.Total.String() || len(rep.ByService) != 1 || rep.ByService[0].Total.String() != l.Total.String() {
				t.Errorf("totals %+v do not add up to the line %+v", rep, l)
			}
		})
	}
}

func ptr(t time.Time) *time.Time { return &t }

func TestACreditComesOffTheRecurringCost(t *testing.T) {
	periods := []costPeriod{{SubscriptionID: "s", FromDay: day("2026-10-01"), Quantity: 2, MonthlyPrice: amount("690.00"), OneOff: amount("1200.00")}}
	rep := costs("101", day("2026-10-01"), periods, map[string]decimal.Decimal{"s": decimal.NewFromInt(10)})
	l := rep.Lines[0]
	// 2 × 690.00 = 1380.00, 10 % of it back; the one-off fee is not credited.
	if l.Recurring.String() != "1380.00" || l.CreditPercent != "10" || l.Credit.String() != "-138.00" || l.Total.String() != "2442.00" ||
		rep.Credit.String() != "-138.00" || rep.Total.String() != "2442.00" || rep.ByUnit[0].Credit.String() != "-138.00" {
		t.Errorf("line %+v, report credit %s total %s", l, rep.Credit, rep.Total)
	}
	var b strings.Builder
	if err := tabular.WriteCSV(&b, rep.Sheets()[0]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ",10,1380.00,1200.00,-138.00,2442.00\n") || !strings.Contains(b.String(), "TOTAL,,,,,,,1380.00,1200.00,-138.00,2442.00") {
		t.Errorf("CSV:\n%s", b.String())
	}
}

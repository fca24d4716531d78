package usage

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestQuartilesAreInterpolatedAsASpreadsheetDoes(t *testing.T) {
	tests := []struct {
		values     string
		q1, q2, q3 string
	}{
		{"1 2 3 4 5", "2", "3", "4"},
		{"0 0 66.7 100 100 100", "16.675", "83.35", "100"},
		{"10 20 30 40 50 60 70", "25", "40", "55"},
		{"5", "5", "5", "5"},
	}
	for _, tc := range tests {
		var vs []decimal.Decimal
		for _, f := range strings.Fields(tc.values) {
			vs = append(vs, decimal.RequireFromString(f))
		}
		for q, want := range map[int]string{1: tc.q1, 2: tc.q2, 3: tc.q3} {
			if got := quantile(vs, q); !got.Equal(decimal.RequireFromString(want)) {
				t.Errorf("quartile %d of %s: %s, want %s", q, tc.values, got, want)
			}
		}
	}
}

func TestFiguresSayHowFarTheyRestOnAnswers(t *testing.T) {
	targets := map[string]decimal.Decimal{"DOM-12": decimal.NewFromInt(80)}
	tests := []struct {
		name    string
		id      string
		c       figureRow
		value   string
		quality Quality
	}{
		{"every system answered", Adoption, figureRow{Systems: 4, Answered: 4, Used: 3, Primary: 2}, "66.7", Complete},
		{"some answered", Adoption, figureRow{Systems: 4, Answered: 2, Used: 2, Primary: 2}, "100.0", Partial},
		{"nothing answered", Adoption, figureRow{Systems: 4}, "", Default},
		{"nothing used", Adoption, figureRow{Systems: 4, Answered: 4}, "", Complete},
		{"connection counts the unanswered", Connection, figureRow{Systems: 4, Answered: 1}, "25.0", Complete},
		{"below the target", GoalFulfilment, figureRow{Systems: 4, Answered: 4, Used: 4, Primary: 3}, "0.0", Complete},
		{"at the target", GoalFulfilment, figureRow{Systems: 5, Answered: 5, Used: 5, Primary: 4}, "100.0", Complete},
	}
	for _, tc := range tests {
		k, ok := figure(tc.id, "DOM-12", map[string]figureRow{"DOM-12": tc.c}, targets)
		got := ""
		if k.ValuePercent != nil {
			got = *k.ValuePercent
		}
		if !ok || got != tc.value || k.DataQuality != tc.quality {
			t.Errorf("%s: %q %s (%v)", tc.name, got, k.DataQuality, ok)
		}
	}
	if _, ok := figure(GoalFulfilment, "DOM-01", map[string]figureRow{}, targets); ok {
		t.Error("a goal figure for a domain without a target")
	}
}

func TestPopulationBands(t *testing.T) {
	for population, want := range map[int]string{1: "under 20,000", 19999: "under 20,000", 20000: "20,000-49,999", 49999: "20,000-49,999",
		50000: "50,000-99,999", 100000: "100,000 and more", 660000: "100,000 and more"} {
		if got := bandOf(population).name; got != want {
			t.Errorf("%d inhabitants: %s, want %s", population, got, want)
		}
	}
}

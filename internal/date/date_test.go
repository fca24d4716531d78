package date

import (
	"testing"
	"time"
)

func TestDatesMonthsAndInstantsHaveOneFormAndARange(t *testing.T) {
	parsers := map[string]func(string) (time.Time, error){"date": Parse, "month": ParseMonth, "instant": ParseInstant}
	tests := []struct {
		kind, in string
		ok       bool
	}{
		{"date", "2026-10-01", true}, {"date", "2000-01-01", true}, {"date", "2099-12-31", true},
		{"date", "0000-01-01", false}, {"date", "1999-12-31", false}, {"date", "2100-01-01", false},
		{"date", "2026-02-30", false}, {"date", "2026-13-01", false}, {"date", "2026-1-01", false}, {"date", "20261001", false},
		{"date", "2026-10-01T00:00:00Z", false}, {"date", " 2026-10-01", false}, {"date", "", false}, {"date", "+2026-10-01", false},
		{"month", "2026-11", true}, {"month", "2026-13", false}, {"month", "0000-01", false}, {"month", "2026-1", false},
		{"month", "2026-11-01", false},
		{"instant", "2026-11-23T10:00:00Z", true}, {"instant", "2026-11-23T11:00:00+01:00", true},
		{"instant", "0000-01-01T00:00:00Z", false}, {"instant", "2026-11-23", false}, {"instant", "yesterday", false},
		{"instant", "9999-12-31T23:59:59Z", false},
	}
	for _, tc := range tests {
		if _, err := parsers[tc.kind](tc.in); (err == nil) != tc.ok {
			t.Errorf("%s %q: err %v, want accepted %v", tc.kind, tc.in, err, tc.ok)
		}
	}
}

package ticket

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/clock"
)

// Performance is how the tickets escalated to a unit in a month, at a level and priority, met
// their clocks: of those whose clock has stopped, the share that stopped in time.
type Performance struct {
	Unit            string   `json:"unit" example:"hovedstaden"`
	Level           string   `json:"level" example:"standard"`
	Priority        Priority `json:"priority"`
	Month           string   `json:"month" example:"2026-10"` // of escalation, in Copenhagen
	Escalated       int      `json:"escalated" example:"12"`
	Responded       int      `json:"responded" example:"12"` // response clocks stopped (acknowledged)
	ResponseMet     int      `json:"response_met" example:"11"`
	ResponsePercent string   `json:"response_met_percent" example:"91.7"` // "" when none has stopped
	Restored        int      `json:"restored" example:"10"`               // restore clocks stopped (resolved by the unit)
	RestoreMet      int      `json:"restore_met" example:"9"`
	RestorePercent  string   `json:"restore_met_percent" example:"90.0"`
}

// Performance returns the ticket SLA performance of the tickets escalated to unit from
// municipality code ("" for every one) per unit, level, priority and month of escalation, for
// the months from first to last (their first days) inclusive.
func (s *Service) Performance(ctx context.Context, unit, code string, first, last time.Time) ([]Performance, error) {
	from := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, clock.Copenhagen)
	to := time.Date(last.Year(), last.Month()+1, 1, 0, 0, 0, 0, clock.Copenhagen)
	rows, err := s.store.performance(ctx, unit, code, from, to)
	if rows == nil {
		rows = []Performance{}
	}
	for i := range rows {
		rows[i].ResponsePercent, rows[i].RestorePercent = share(rows[i].ResponseMet, rows[i].Responded), share(rows[i].RestoreMet, rows[i].Restored)
	}
	return rows, err
}

// share is part of whole in percent to one decimal, rounded half away from zero; "" of nothing.
func share(part, whole int) string {
	if whole == 0 {
		return ""
	}
	return decimal.NewFromInt(int64(part) * 100).Div(decimal.NewFromInt(int64(whole))).StringFixed(1)
}

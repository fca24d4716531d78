package outage

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/money"
)

// Filter selects the kept subscription-months of a report: the months From to To inclusive,
// and where set one unit, municipality, standard service or subscription, or only the months
// that were not met or warned.
type Filter struct {
	From, To     availability.Month
	Unit         string
	Municipality string
	ServiceID    string
	Subscription string
	Flagged      bool
}

// Line is one subscription's month in a report.
type Line struct {
	SubscriptionID string `json:"subscription_id" format:"uuid"`
	Municipality   string `json:"municipality" example:"101"`
	Unit           string `json:"unit" example:"hovedstaden"`
	ServiceID      string `json:"service_id" example:"CMP-01"`
	Level          string `json:"level" example:"standard"`
	availability.Report
	Recurring money.Amount `json:"recurring" swaggertype:"string" example:"690.00"` // the month's recurring cost
	Credit    string       `json:"credit" example:"-69.00"`                         // the credit earned, negative
}

// Summary sums the subscription-months of one key (a unit, municipality or standard service) in
// one month.
type Summary struct {
	By            string `json:"by" enums:"unit,municipality,service_id"`
	Key           string `json:"key" example:"hovedstaden"`
	Month         string `json:"month" example:"2026-10"`
	Subscriptions int    `json:"subscriptions" example:"120"` // subscription-months measured
	Met           int    `json:"met" example:"118"`
	Breached      int    `json:"breached" example:"2"`
	Warned        int    `json:"warned" example:"1"`
	// CompliancePercent is the share of subscription-months that met their level.
	CompliancePercent string `json:"compliance_percent" example:"98.3"`
	AgreedSeconds     int64  `json:"agreed_seconds"`
	ExcludedSeconds   int64  `json:"excluded_seconds"`
	DowntimeSeconds   int64  `json:"downtime_seconds"`
	UptimeSeconds     int64  `json:"uptime_seconds"`
	// SLI is uptime over agreed less excluded time, all subscription-months together, in percent.
	SLI       string       `json:"sli" example:"99.9731"`
	Outages   int          `json:"outages"`
	Recurring money.Amount `json:"recurring" swaggertype:"string" example:"82800.00"`
	Credit    string       `json:"credit" example:"-138.00"` // negative
}

// Groupings are the keys a summary can sum by.
var Groupings = []string{"unit", "municipality", "service_id"}

// Lines returns the kept subscription-months f selects, by month, municipality and subscription.
func (s *Service) Lines(ctx context.Context, f Filter) ([]Line, error) {
	rows, err := s.store.lines(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Line, len(rows))
	for i, r := range rows {
		out[i] = Line{SubscriptionID: r.SubscriptionID, Municipality: r.Municipality, Unit: r.Unit, ServiceID: r.ServiceID, Level: r.Level,
			Report: r.report(), Recurring: r.Recurring, Credit: r.Credit.Neg().StringFixed(2)}
	}
	return out, nil
}

// Summaries sums the subscription-months f selects per key by (one of Groupings) and month.
func (s *Service) Summaries(ctx context.Context, f Filter, by string) ([]Summary, error) {
	rows, err := s.store.summaries(ctx, f, by)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = r.summary()
		out[i].By = by
	}
	return out, nil
}

// Span checks a report's months: to defaults to this month and from to eleven months before to;
// at most 24 months.
func (s *Service) Span(from, to string) (availability.Month, availability.Month, error) {
	last := monthOf(s.clock.Now())
	if to != "" {
		m, err := availability.ParseMonth(to)
		if err != nil {
			return last, last, apperr.Param("to", err.Error())
		}
		last = m
	}
	first := availability.Month{Year: last.Year, Month: last.Month - 11}
	first = monthOf(span(first).From.Add(time.Hour)) // normalises Month ≤ 0
	if from != "" {
		m, err := availability.ParseMonth(from)
		if err != nil {
			return first, last, apperr.Param("from", err.Error())
		}
		first = m
	}
	switch months := (last.Year-first.Year)*12 + int(last.Month-first.Month) + 1; {
	case months < 1:
		return first, last, apperr.Param("from", "must not be after to")
	case months > 24:
		return first, last, apperr.Param("from", "reaches more than 24 months before to")
	}
	return first, last, nil
}

type summaryRow struct {
	Key             string
	Month           time.Time
	Subscriptions   int
	Met             int
	Warned          int
	AgreedSeconds   int64
	ExcludedSeconds int64
	DowntimeSeconds int64
	UptimeSeconds   int64
	Outages         int
	Recurring       decimal.Decimal
	Credit          decimal.Decimal
}

func (r summaryRow) summary() Summary {
	out := Summary{Key: r.Key, Month: r.Month.Format("2006-01"), Subscriptions: r.Subscriptions, Met: r.Met, Breached: r.Subscriptions - r.Met,
		Warned: r.Warned, AgreedSeconds: r.AgreedSeconds, ExcludedSeconds: r.ExcludedSeconds, DowntimeSeconds: r.DowntimeSeconds,
		UptimeSeconds: r.UptimeSeconds, Outages: r.Outages, Recurring: money.Amount{Decimal: r.Recurring},
		Credit: r.Credit.Neg().StringFixed(2), SLI: "100.0000", CompliancePercent: "100.0"}
	if r.Subscriptions > 0 {
		out.CompliancePercent = decimal.NewFromInt(int64(r.Met * 100)).Div(decimal.NewFromInt(int64(r.Subscriptions))).StringFixed(1)
	}
	if net := r.AgreedSeconds - r.ExcludedSeconds; net > 0 {
		out.SLI = decimal.NewFromInt(r.UptimeSeconds * 100).Div(decimal.NewFromInt(net)).Truncate(4).StringFixed(4)
	}
	return out
}

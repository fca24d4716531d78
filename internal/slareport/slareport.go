// Package slareport puts together the service level reports: availability and service credits
// from the kept subscription-months (internal/outage) and ticket SLA performance
// (internal/ticket), for one subscription, a municipality, a unit, a standard service or the
// whole fleet, as JSON or as CSV and XLSX files.
package slareport

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/outage"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/tabular"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

// Report is the service levels of one scope over a span of months.
type Report struct {
	Scope       string    `json:"scope" enums:"fleet,unit,municipality,service,subscription"`
	Key         string    `json:"key,omitempty" example:"hovedstaden"` // the unit, municipality, service or subscription
	From        string    `json:"from" example:"2026-01"`
	To          string    `json:"to" example:"2026-12"`
	GeneratedAt time.Time `json:"generated_at" format:"date-time"`
	// Summaries sum the subscription-months per month: the fleet's by unit and by municipality,
	// a standard service's by unit, a unit's and a municipality's by standard service.
	Summaries []outage.Summary `json:"summaries"`
	// Lines are subscription-months: every one of a municipality and a subscription, and those
	// of a unit and a standard service that were not met or warned.
	Lines []outage.Line `json:"lines"`
	// Tickets is the ticket SLA performance in the scope (none for a standard service).
	Tickets []ticket.Performance `json:"tickets"`
}

// Service builds the reports.
type Service struct {
	outages       *outage.Service
	tickets       *ticket.Service
	subscriptions *subscription.Service
	db            *postgres.DB
	clock         clock.Clock
}

// NewService returns the report service.
func NewService(outages *outage.Service, tickets *ticket.Service, subs *subscription.Service, db *postgres.DB, c clock.Clock) *Service {
	return &Service{outages: outages, tickets: tickets, subscriptions: subs, db: db, clock: c}
}

// part is what a scope's report holds.
type part struct {
	filter  outage.Filter
	by      []string
	lines   bool
	tickets bool
	unit    string
	code    string
}

// Fleet is the council's view: every unit and municipality.
func (s *Service) Fleet(ctx context.Context, from, to string) (Report, error) {
	return s.report(ctx, "fleet", "", from, to, part{by: []string{"unit", "municipality"}, tickets: true})
}

// Unit is a unit's own figures, and its subscription-months that were not met or warned.
func (s *Service) Unit(ctx context.Context, unit, from, to string) (Report, error) {
	return s.report(ctx, "unit", unit, from, to, part{filter: outage.Filter{Unit: unit, Flagged: true}, by: []string{"service_id"},
		lines: true, tickets: true, unit: unit})
}

// Municipality is a municipality's subscriptions, every month of them.
func (s *Service) Municipality(ctx context.Context, code, from, to string) (Report, error) {
	return s.report(ctx, "municipality", code, from, to, part{filter: outage.Filter{Municipality: code}, by: []string{"service_id"},
		lines: true, tickets: true, code: code})
}

// StandardService is one standard service across the units that offer it.
func (s *Service) StandardService(ctx context.Context, id, from, to string) (Report, error) {
	return s.report(ctx, "service", id, from, to, part{filter: outage.Filter{ServiceID: id, Flagged: true}, by: []string{"unit"}, lines: true})
}

// Subscription is one subscription of municipality code (or one unit delivers), month by month.
func (s *Service) Subscription(ctx context.Context, code, unit, id, from, to string) (Report, error) {
	if _, err := s.subscriptions.Get(ctx, code, unit, id); err != nil {
		return Report{}, err
	}
	return s.report(ctx, "subscription", id, from, to, part{filter: outage.Filter{Subscription: id}, lines: true})
}

// report is read where staleness is accepted (postgres.Stale): on a replica that has caught up.
func (s *Service) report(ctx context.Context, scope, key, from, to string, p part) (Report, error) {
	return postgres.Stale(ctx, s.db, func(ctx context.Context) (Report, error) { return s.read(ctx, scope, key, from, to, p) })
}

func (s *Service) read(ctx context.Context, scope, key, from, to string, p part) (Report, error) {
	first, last, err := s.outages.Span(from, to)
	if err != nil {
		return Report{}, err
	}
	p.filter.From, p.filter.To = first, last
	r := Report{Scope: scope, Key: key, From: first.String(), To: last.String(), GeneratedAt: s.clock.Now().UTC(),
		Summaries: []outage.Summary{}, Lines: []outage.Line{}, Tickets: []ticket.Performance{}}
	for _, by := range p.by {
		sums, err := s.outages.Summaries(ctx, p.filter, by)
		if err != nil {
			return Report{}, err
		}
		r.Summaries = append(r.Summaries, sums...)
	}
	if p.lines {
		if r.Lines, err = s.outages.Lines(ctx, p.filter); err != nil {
			return Report{}, err
		}
	}
	if p.tickets {
		if r.Tickets, err = s.tickets.Performance(ctx, p.unit, p.code, day(first), day(last)); err != nil {
			return Report{}, err
		}
	}
	return r, nil
}

func day(m availability.Month) time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC) }

// FileName is the name of the report's file, without its extension.
func (r Report) FileName() string {
	name := "sla-" + r.Scope
	if r.Key != "" {
		name += "-" + r.Key
	}
	return name + "-" + r.From + "-" + r.To
}

// Sheets are the report as tables: the summaries, the months and the tickets. A CSV holds the
// months of a municipality or a subscription, and the summaries of any other scope.
func (r Report) Sheets() []tabular.Sheet {
	sums := tabular.Sheet{Name: "Summary", Columns: tabular.Join(tabular.Texts("by", "key", "month"),
		tabular.Of(tabular.Integer, "subscriptions", "met", "breached", "warned"), tabular.Of(tabular.Percent, "compliance_percent"),
		tabular.Of(tabular.Integer, "agreed_seconds", "excluded_seconds", "downtime_seconds", "uptime_seconds"),
		tabular.Of(tabular.Percent, "sli"), tabular.Of(tabular.Integer, "outages"), tabular.Of(tabular.Amount, "recurring_dkk", "credit_dkk"))}
	for _, x := range r.Summaries {
		sums.Rows = append(sums.Rows, []string{x.By, x.Key, x.Month, itoa(x.Subscriptions), itoa(x.Met), itoa(x.Breached), itoa(x.Warned),
			x.CompliancePercent, i64(x.AgreedSeconds), i64(x.ExcludedSeconds), i64(x.DowntimeSeconds), i64(x.UptimeSeconds), x.SLI,
			itoa(x.Outages), x.Recurring.String(), x.Credit})
	}
	months := tabular.Sheet{Name: "Months", Columns: tabular.Join(tabular.Texts("month", "subscription_id", "municipality", "unit", "service_id", "level"),
		tabular.Of(tabular.Integer, "agreed_seconds", "excluded_seconds", "downtime_seconds", "uptime_seconds", "degraded_seconds"),
		tabular.Of(tabular.Percent, "sli", "slo"), tabular.Of(tabular.Integer, "error_budget_seconds", "outages", "max_outages", "longest_outage_seconds"),
		tabular.Texts("met", "warning", "breaches"), tabular.Of(tabular.Percent, "credit_percent"), tabular.Of(tabular.Amount, "recurring_dkk", "credit_dkk"))}
	for _, l := range r.Lines {
		months.Rows = append(months.Rows, []string{l.Month, l.SubscriptionID, l.Municipality, l.Unit, l.ServiceID, l.Level,
			i64(l.AgreedSeconds), i64(l.ExcludedSeconds), i64(l.DowntimeSeconds), i64(l.UptimeSeconds), i64(l.DegradedSeconds), l.SLI, l.SLO,
			i64(l.ErrorBudget), itoa(l.Outages), itoa(l.MaxOutages), i64(l.LongestSeconds), yes(l.Met), yes(l.Warning), strings.Join(l.Breaches, "; "),
			l.CreditPercent, l.Recurring.String(), l.Credit})
	}
	tickets := tabular.Sheet{Name: "Tickets", Columns: tabular.Join(tabular.Texts("unit", "level", "priority", "month"),
		tabular.Of(tabular.Integer, "escalated", "responded", "response_met"), tabular.Of(tabular.Percent, "response_met_percent"),
		tabular.Of(tabular.Integer, "restored", "restore_met"), tabular.Of(tabular.Percent, "restore_met_percent"))}
	for _, t := range r.Tickets {
		tickets.Rows = append(tickets.Rows, []string{t.Unit, t.Level, string(t.Priority), t.Month, itoa(t.Escalated), itoa(t.Responded),
			itoa(t.ResponseMet), t.ResponsePercent, itoa(t.Restored), itoa(t.RestoreMet), t.RestorePercent})
	}
	if r.Scope == "municipality" || r.Scope == "subscription" {
		return []tabular.Sheet{months, sums, tickets}
	}
	return []tabular.Sheet{sums, months, tickets}
}

func itoa(n int) string  { return strconv.Itoa(n) }
func i64(n int64) string { return strconv.FormatInt(n, 10) }
func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

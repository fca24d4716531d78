// Package availability measures a subscription's month against its service level: the agreed
// time of the level's availability window, the announced maintenance excluded from it, the
// downtime of the outages inside it, and what follows (SLI against the SLO, the error budget, the
// number and length of outages, the service credit). The figures are named as in Zabbix's SLA
// reports, which the units' operators already read.
package availability

import (
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/interval"
	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/schedule"
)

// Kind says whether an outage stopped the service or degraded it.
type Kind string

const (
	// Outage: the service could not be used. It is downtime.
	Outage Kind = "outage"
	// Degradation: the service worked, worse. It is reported, and is not downtime.
	Degradation Kind = "degradation"
)

// Kinds lists every kind.
var Kinds = []Kind{Outage, Degradation}

// Event is an outage or a maintenance as a month's figures need it: when, what kind, and for
// planned maintenance when it was announced.
type Event struct {
	From time.Time
	To   time.Time // zero while it is open: it counts until now
	Kind Kind
	// Planned maintenance is excluded where it was announced with the level's notice and lies
	// in the level's maintenance window; the rest of it is downtime like any outage.
	Planned     bool
	AnnouncedAt *time.Time
}

// Month is a calendar month in the level's time zone.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads 2026-10.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Month{}, fmt.Errorf("%q is not a month such as 2026-10", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Span is the month from its first local midnight to the next month's, so that a month with a
// change of summer time is an hour shorter or longer.
func (m Month) Span(loc *time.Location) interval.Span {
	return interval.Span{From: time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, loc), To: time.Date(m.Year, m.Month+1, 1, 0, 0, 0, 0, loc)}
}

// Report is one subscription's month.
type Report struct {
	Month           string `json:"month" example:"2026-10"`
	AgreedSeconds   int64  `json:"agreed_seconds" example:"2682000"` // the availability window in the month
	ExcludedSeconds int64  `json:"excluded_seconds" example:"14400"` // announced maintenance inside it
	DowntimeSeconds int64  `json:"downtime_seconds" example:"3600"`
	UptimeSeconds   int64  `json:"uptime_seconds" example:"2664000"`
	DegradedSeconds int64  `json:"degraded_seconds" example:"0"` // degradations: reported, not downtime
	SLI             string `json:"sli" example:"99.8650"`        // uptime ÷ (agreed − excluded), percent, 4 decimals
	SLO             string `json:"slo" example:"99.9"`           // the level's target, percent
	ErrorBudget     int64  `json:"error_budget_seconds" example:"-933"`
	Outages         int    `json:"outages" example:"1"`
	MaxOutages      int    `json:"max_outages" example:"2"`
	LongestSeconds  int64  `json:"longest_outage_seconds" example:"3600"`
	LongestLimit    int64  `json:"longest_outage_limit_seconds,omitempty" example:"14400"`
	Met             bool   `json:"met"`
	// Warning: met so far, with three quarters or more of the error budget spent.
	Warning       bool     `json:"warning"`
	Breaches      []string `json:"breaches"` // why it was not met, in words
	CreditPercent string   `json:"credit_percent" example:"5"`
	Open          bool     `json:"open"` // an outage was still open when it was computed
}

func (r Report) String() string {
	return fmt.Sprintf("%s agreed %d excluded %d downtime %d uptime %d degraded %d sli %s slo %s budget %d outages %d/%d longest %d/%d met %v credit %s%% open %v",
		r.Month, r.AgreedSeconds, r.ExcludedSeconds, r.DowntimeSeconds, r.UptimeSeconds, r.DegradedSeconds, r.SLI, r.SLO, r.ErrorBudget,
		r.Outages, r.MaxOutages, r.LongestSeconds, r.LongestLimit, r.Met, r.CreditPercent, r.Open)
}

// Level is what of a service level the month's figures need.
type Level struct {
	catalog.Level
	Hours *schedule.Hours // the level's support hours on its calendar
}

// Compute measures month of a subscription on level from its events, as of now: an open event
// counts until now. A month not over yet counts in full, so that its figures are what the month
// comes to if nothing more goes down, and its error budget is what is left of the month's. Only
// the subscription's life counts (its zero From or To: no bound).
func Compute(l Level, m Month, life interval.Span, events []Event, now time.Time) (Report, error) {
	loc := l.Hours.Location()
	month := m.Span(loc)
	if !life.From.IsZero() {
		month.From = interval.Later(month.From, life.From)
	}
	if !life.To.IsZero() {
		month.To = interval.Earlier(month.To, life.To)
	}
	window, err := agreed(l, month)
	if err != nil {
		return Report{}, err
	}
	var down, degraded, excluded []interval.Span
	open := false
	maintenance := maintenanceWindows(l.Maintenance.Window, month, loc)
	for _, e := range events {
		s := interval.Span{From: e.From, To: e.To}
		if e.To.IsZero() || e.To.After(now) {
			s.To, open = now, open || e.To.IsZero()
		}
		switch {
		case e.Kind == Degradation:
			degraded = append(degraded, s)
		case e.Planned && announcedInTime(e, l.Maintenance.NoticeDays):
			in := interval.Of(s).Intersect(maintenance)
			excluded = append(excluded, in...)
			down = append(down, interval.Of(s).Subtract(in)...)
		default:
			down = append(down, s)
		}
	}
	ex := interval.Of(excluded...).Intersect(window)
	dt := interval.Of(down...).Subtract(ex).Intersect(window)
	r := Report{Month: m.String(), AgreedSeconds: seconds(window.Total()), ExcludedSeconds: seconds(ex.Total()),
		DowntimeSeconds: seconds(dt.Total()), DegradedSeconds: seconds(interval.Of(degraded...).Intersect(window).Total()),
		Outages: len(dt), MaxOutages: l.Availability.MaxOutagesPerMonth, LongestLimit: int64(l.Availability.LongestOutageMinutes) * 60,
		Open: open, Breaches: []string{}}
	r.UptimeSeconds = r.AgreedSeconds - r.ExcludedSeconds - r.DowntimeSeconds
	for _, s := range dt {
		r.LongestSeconds = max(r.LongestSeconds, seconds(s.Duration()))
	}
	slo := percent(l.Availability.TargetPercent)
	r.SLO = slo.String()
	net := r.AgreedSeconds - r.ExcludedSeconds
	sli := decimal.NewFromInt(100)
	if net > 0 {
		sli = decimal.NewFromInt(r.UptimeSeconds * 100).Div(decimal.NewFromInt(net))
	}
	r.SLI = sli.Truncate(4).StringFixed(4)
	allowed := decimal.NewFromInt(100).Sub(slo).Mul(decimal.NewFromInt(net)).Div(decimal.NewFromInt(100)).Floor().IntPart()
	r.ErrorBudget = allowed - r.DowntimeSeconds
	// Exact: uptime × 100 against target × (agreed − excluded), not the rounded SLI.
	if decimal.NewFromInt(r.UptimeSeconds * 100).LessThan(slo.Mul(decimal.NewFromInt(net))) {
		r.Breaches = append(r.Breaches, fmt.Sprintf("availability %s %% is below the target %s %%", r.SLI, r.SLO))
	}
	if r.Outages > r.MaxOutages {
		r.Breaches = append(r.Breaches, fmt.Sprintf("%d outages, more than the %d allowed", r.Outages, r.MaxOutages))
	}
	if r.LongestLimit > 0 && r.LongestSeconds > r.LongestLimit {
		r.Breaches = append(r.Breaches, fmt.Sprintf("an outage of %s, longer than the %s allowed",
			time.Duration(r.LongestSeconds)*time.Second, time.Duration(r.LongestLimit)*time.Second))
	}
	r.Met = len(r.Breaches) == 0
	r.Warning = r.Met && r.DowntimeSeconds > 0 && r.DowntimeSeconds*4 >= allowed*3
	r.CreditPercent = creditPercent(l.ServiceCredits, sli, net > 0).String()
	return r, nil
}

// agreed is the level's availability window within month: all of it round the clock, or the
// support hours on their calendar.
func agreed(l Level, month interval.Span) (interval.Set, error) {
	switch l.Availability.Window {
	case "24x7":
		return interval.Of(month), nil
	case "support_hours":
		return l.Hours.Windows(month.From, month.To), nil
	}
	return nil, fmt.Errorf("level %s: availability window %q is neither 24x7 nor support_hours", l.ID, l.Availability.Window)
}

// maintenanceWindows are the weekly maintenance windows that touch month; a window whose end is
// not after its start ends the next day (tuesday 22:00-02:00).
func maintenanceWindows(w catalog.MaintenanceWindow, month interval.Span, loc *time.Location) interval.Set {
	day, ok := weekdays[w.Day]
	if !ok {
		return nil
	}
	var out []interval.Span
	first := month.From.AddDate(0, 0, -1)
	for d := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, loc); d.Before(month.To); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != day {
			continue
		}
		from, to := clock(d, w.From), clock(d, w.To)
		if !to.After(from) {
			to = clock(d.AddDate(0, 0, 1), w.To)
		}
		out = append(out, interval.Span{From: from, To: to})
	}
	return interval.Of(out...).Within(month)
}

var weekdays = map[string]time.Weekday{"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday}

func clock(day time.Time, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return day
	}
	return time.Date(day.Year(), day.Month(), day.Day(), t.Hour(), t.Minute(), 0, 0, day.Location())
}

// announcedInTime reports whether planned maintenance e was announced at least days before it
// began.
func announcedInTime(e Event, days int) bool {
	return e.AnnouncedAt != nil && !e.AnnouncedAt.After(e.From.AddDate(0, 0, -days))
}

// creditPercent is the share of the monthly price a month earns back: the largest tier whose
// threshold the SLI is below, at most the cap.
func creditPercent(c catalog.ServiceCredits, sli decimal.Decimal, counted bool) decimal.Decimal {
	credit := decimal.Zero
	if !counted {
		return credit
	}
	for _, t := range c.Tiers {
		if sli.LessThan(percent(t.BelowPercent)) {
			credit = decimal.Max(credit, percent(t.CreditPercent))
		}
	}
	if c.CapPercent > 0 {
		credit = decimal.Min(credit, percent(c.CapPercent))
	}
	return credit
}

// Credit is the credit of monthly at percent, in øre.
func Credit(monthly money.Amount, percent string) (money.Amount, error) {
	p, err := decimal.NewFromString(percent)
	if err != nil {
		return money.Amount{}, err
	}
	return money.Amount{Decimal: monthly.Mul(p).Div(decimal.NewFromInt(100)).Round(2)}, nil
}

// percent reads a catalogue percentage as written (99.9 is 99.9, not its nearest float).
func percent(f float64) decimal.Decimal {
	d, _ := decimal.NewFromString(strconv.FormatFloat(f, 'f', -1, 64))
	return d
}

func seconds(d time.Duration) int64 { return int64(d / time.Second) }

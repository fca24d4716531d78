package outage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/interval"
	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/schedule"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// monthOf is the Copenhagen month t falls in.
func monthOf(t time.Time) availability.Month {
	l := t.In(clock.Copenhagen)
	return availability.Month{Year: l.Year(), Month: l.Month()}
}

// firstDay is month's first day as a date (midnight UTC), as dates are kept.
func firstDay(m availability.Month) time.Time {
	return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC)
}

// monthsCovered lists, in order, the Copenhagen months that spans touch; an open span reaches now.
func monthsCovered(now time.Time, spans ...interval.Span) []availability.Month {
	var out []availability.Month
	for _, s := range spans {
		to := s.To
		if to.IsZero() || to.After(now) {
			to = now
		}
		last := monthOf(to.Add(-time.Nanosecond))
		for m := monthOf(s.From); !after(m, last); m = next(m) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(a, b availability.Month) int { return firstDay(a).Compare(firstDay(b)) })
	return out
}

func next(m availability.Month) availability.Month { return monthOf(span(m).To) }

// span is the Copenhagen month m.
func span(m availability.Month) interval.Span { return m.Span(clock.Copenhagen) }

func after(a, b availability.Month) bool { return firstDay(a).After(firstDay(b)) }

// measure recomputes, in the transaction of ctx, the months that the outages os cover for every
// subscription they touch, so that the reports read figures kept current.
func (s *Service) measure(ctx context.Context, os ...Outage) error {
	var offerings, ids []string
	spans := make([]interval.Span, len(os))
	for i, o := range os {
		offerings, ids, spans[i] = append(offerings, o.Offerings...), append(ids, o.Subscriptions...), o.span()
	}
	months := monthsCovered(s.clock.Now(), spans...)
	if len(months) == 0 {
		return nil
	}
	subs, err := s.subscriptions.Touching(ctx, offerings, ids, firstDay(months[0]), firstDay(next(months[len(months)-1])))
	if err != nil {
		return err
	}
	return s.rollUp(ctx, subs, months)
}

// rollUp computes subs in each of months (those of its life) from the outages that touch them,
// stores the rows, and announces each breach and warning a row shows for the first time.
func (s *Service) rollUp(ctx context.Context, subs []subscription.Subscription, months []availability.Month) error {
	if len(subs) == 0 || len(months) == 0 {
		return nil
	}
	now := s.clock.Now()
	var offerings, ids []string
	for _, sub := range subs {
		if !slices.Contains(offerings, sub.OfferingID) {
			offerings = append(offerings, sub.OfferingID)
		}
		ids = append(ids, sub.ID)
	}
	from, to := span(months[0]).From, span(months[len(months)-1]).To
	outages, err := s.store.affecting(ctx, offerings, ids, from, to)
	if err != nil {
		return err
	}
	before, err := s.store.states(ctx, ids, firstDay(months[0]), firstDay(next(months[len(months)-1])))
	if err != nil {
		return err
	}
	levels := map[string]availability.Level{}
	computed := map[string]availability.Report{}
	var rows []monthRow
	var events []notice.Event
	for _, m := range months {
		recurring, err := s.subscriptions.Recurring(ctx, ids, firstDay(m))
		if err != nil {
			return err
		}
		for _, sub := range subs {
			life, err := lifeOf(sub)
			if err != nil {
				return err
			}
			if month := span(m); !life.From.Before(month.To) || !life.To.IsZero() && !life.To.After(month.From) {
				continue
			}
			lvl, ok := levels[sub.Level]
			if !ok {
				if lvl, err = s.level(ctx, sub.Level); err != nil {
					return err
				}
				levels[sub.Level] = lvl
			}
			// Subscriptions alike in level, life within the month and outages have one month's
			// figures: an offering's thousand subscriptions are mostly computed once.
			evs, which := eventsOf(sub, outages)
			key := fmt.Sprint(sub.Level, m, interval.Later(life.From, span(m).From).Unix(), life.To.Unix(), which)
			r, ok := computed[key]
			if !ok {
				if r, err = availability.Compute(lvl, m, life, evs, now); err != nil {
					return err
				}
				computed[key] = r
			}
			row, err := rowOfMonth(sub, m, life, r, recurring[sub.ID], now)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			was, had := before[monthKey{sub.ID, firstDay(m)}]
			if !r.Met && (!had || was.Met) {
				events = append(events, slaEvent(sub, r, "breach"))
			}
			if r.Warning && (!had || !was.Warned) {
				events = append(events, slaEvent(sub, r, "warning"))
			}
		}
	}
	if err := s.store.saveMonths(ctx, rows); err != nil {
		return err
	}
	return s.notices.AnnounceAll(ctx, events)
}

// level is a service level with its support hours on its calendar.
func (s *Service) level(ctx context.Context, id string) (availability.Level, error) {
	lvl, err := catalog.Get[catalog.Level](ctx, s.catalog, catalog.KindLevel, id)
	if err != nil {
		return availability.Level{}, err
	}
	cal, err := catalog.Get[catalog.Calendar](ctx, s.catalog, catalog.KindCalendar, lvl.SupportHours.Calendar)
	if err != nil {
		return availability.Level{}, err
	}
	hours, err := schedule.NewHours(lvl.SupportHours, cal)
	if err != nil {
		return availability.Level{}, err
	}
	return availability.Level{Level: lvl, Hours: hours}, nil
}

// lifeOf is the time a subscription lives, from the Copenhagen midnight it started to the one
// it ends (To zero while it has not).
func lifeOf(sub subscription.Subscription) (interval.Span, error) {
	started, err := time.ParseInLocation(time.DateOnly, sub.StartedOn, clock.Copenhagen)
	if err != nil {
		return interval.Span{}, err
	}
	life := interval.Span{From: started}
	if sub.EndsOn != nil {
		if life.To, err = time.ParseInLocation(time.DateOnly, *sub.EndsOn, clock.Copenhagen); err != nil {
			return interval.Span{}, err
		}
	}
	return life, nil
}

// slaEvent tells the municipality and the unit's admins that a subscription's month breached its
// level (high priority) or spent three quarters of its error budget. Its key makes it once per
// subscription, month and kind, however often the month is recomputed.
func slaEvent(sub subscription.Subscription, r availability.Report, kind string) notice.Event {
	what := map[string]string{"breach": "service level breached", "warning": "three quarters of the error budget spent"}[kind]
	da := map[string]string{"breach": "serviceniveauet er brudt", "warning": "tre fjerdedele af fejlbudgettet er brugt"}[kind]
	text := fmt.Sprintf("Abonnement / Subscription: %s (%s, %s)\nKommune / Municipality: %s\nEnhed / Unit: %s\nMåned / Month: %s\n"+
		"%s / %s\nOppetid / Availability (SLI): %s %% (mål / target %s %%)\nNedetid / Downtime: %s\nNedbrud / Outages: %d\nFejlbudget / Error budget: %d s\n",
		sub.ID, sub.ServiceID, sub.Level, sub.Municipality, sub.Unit, r.Month, da, what, r.SLI, r.SLO,
		time.Duration(r.DowntimeSeconds)*time.Second, r.Outages, r.ErrorBudget)
	for _, b := range r.Breaches {
		text += "- " + b + "\n"
	}
	return notice.Event{Tag: "SLA", Key: fmt.Sprintf("availability/%s/%s/%s", sub.ID, r.Month, kind), Municipality: sub.Municipality,
		Unit: sub.Unit, Role: tenant.UnitAdmin, HighPriority: kind == "breach",
		Title: fmt.Sprintf("%s %s in %s: %s (%s %% of %s %%)", sub.ServiceID, sub.Level, r.Month, what, r.SLI, r.SLO), Text: text}
}

// Sweep keeps the roll-ups current where no change of an outage does: the months of open outages
// up to now, and every subscription's last and current month where it has no row yet or its row
// was computed for another level or life. It returns the rows computed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		open, err := s.store.open(ctx)
		if err != nil {
			return err
		}
		if len(open) > 0 {
			if err := s.measure(ctx, open...); err != nil {
				return err
			}
		}
		now := s.clock.Now()
		this := monthOf(now)
		last := monthOf(span(this).From.Add(-time.Hour))
		for _, m := range []availability.Month{last, this} {
			subs, err := s.subscriptions.Touching(ctx, nil, nil, firstDay(m), firstDay(next(m)))
			if err != nil {
				return err
			}
			kept, err := s.store.lives(ctx, firstDay(m))
			if err != nil {
				return err
			}
			var stale []subscription.Subscription
			for _, sub := range subs {
				if k, ok := kept[sub.ID]; !ok || k != keptLife(sub) {
					stale = append(stale, sub)
				}
			}
			if err := s.rollUp(ctx, stale, []availability.Month{m}); err != nil {
				return err
			}
			n += len(stale)
		}
		return nil
	})
	return n, err
}

// life is what a roll-up row was computed for, to tell when the subscription has changed since.
type life struct {
	Level    string
	From, To string
}

func keptLife(sub subscription.Subscription) life {
	l := life{Level: sub.Level, From: sub.StartedOn}
	if sub.EndsOn != nil {
		l.To = *sub.EndsOn
	}
	return l
}

// CreditPercents is the service credit each of a municipality's subscriptions earned in month
// (its first day), once the month is over in Copenhagen; none until then (subscription.Credits).
func (s *Service) CreditPercents(ctx context.Context, code string, month time.Time) (map[string]decimal.Decimal, error) {
	m := availability.Month{Year: month.Year(), Month: month.Month()}
	if s.clock.Now().Before(span(m).To) {
		return map[string]decimal.Decimal{}, nil
	}
	return s.store.credits(ctx, code, firstDay(m))
}

// Availability is a subscription's month as the roll-up keeps it: a municipality's (code) or
// one a unit delivers (unit), whichever is not "". A month the roll-ups have not reached yet (a
// subscription started since the last sweep) is computed as it is read.
func (s *Service) Availability(ctx context.Context, code, unit, id string, m availability.Month) (availability.Report, error) {
	sub, err := s.subscriptions.Get(ctx, code, unit, id)
	if err != nil {
		return availability.Report{}, err
	}
	if r, ok, err := s.store.month(ctx, id, firstDay(m)); err != nil || ok {
		return r, err
	}
	lvl, err := s.level(ctx, sub.Level)
	if err != nil {
		return availability.Report{}, err
	}
	life, err := lifeOf(sub)
	if err != nil {
		return availability.Report{}, err
	}
	month := span(m)
	outages, err := s.store.affecting(ctx, []string{sub.OfferingID}, []string{sub.ID}, month.From, month.To)
	if err != nil {
		return availability.Report{}, err
	}
	evs, _ := eventsOf(sub, outages)
	return availability.Compute(lvl, m, life, evs, s.clock.Now())
}

// eventsOf is the events of the outages that touch sub, and which of them they are (their
// places in outages).
func eventsOf(sub subscription.Subscription, outages []Outage) ([]availability.Event, []int) {
	var evs []availability.Event
	var which []int
	for i, o := range outages {
		if o.affects(sub.ID, sub.OfferingID) {
			evs, which = append(evs, o.event()), append(which, i)
		}
	}
	return evs, which
}

// rowOfMonth is the roll-up row of sub's month m as computed at now.
func rowOfMonth(sub subscription.Subscription, m availability.Month, life interval.Span, r availability.Report,
	recurring money.Amount, now time.Time) (monthRow, error) {
	row := monthRow{SubscriptionID: sub.ID, Month: firstDay(m), Municipality: sub.Municipality, Unit: sub.Unit, ServiceID: sub.ServiceID,
		Level: sub.Level, LifeFrom: dateOf(life.From), AgreedSeconds: r.AgreedSeconds, ExcludedSeconds: r.ExcludedSeconds,
		DowntimeSeconds: r.DowntimeSeconds, UptimeSeconds: r.UptimeSeconds, DegradedSeconds: r.DegradedSeconds,
		ErrorBudgetSeconds: r.ErrorBudget, Outages: r.Outages, MaxOutages: r.MaxOutages, LongestOutageSeconds: r.LongestSeconds,
		LongestOutageLimitSeconds: r.LongestLimit, Met: r.Met, Warned: r.Warning, Breaches: r.Breaches, Open: r.Open,
		Recurring: recurring, ComputedAt: now}
	if !life.To.IsZero() {
		d := dateOf(life.To)
		row.LifeTo = &d
	}
	var err error
	if row.SLI, err = decimal.NewFromString(r.SLI); err != nil {
		return row, err
	}
	if row.SLO, err = decimal.NewFromString(r.SLO); err != nil {
		return row, err
	}
	if row.CreditPercent, err = decimal.NewFromString(r.CreditPercent); err != nil {
		return row, err
	}
	credit, err := availability.Credit(recurring, r.CreditPercent)
	row.Credit = credit
	return row, err
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

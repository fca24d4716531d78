package outage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/interval"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Service is the outages' use cases.
type Service struct {
	db            *postgres.DB
	store         store
	audit         *audit.Log
	catalog       *catalog.Service
	offerings     *offering.Service
	notices       *notice.Service
	subscriptions *subscription.Service
	clock         clock.Clock
}

// NewService returns the outage service.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, offs *offering.Service, ns *notice.Service,
	subs *subscription.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, catalog: cat, offerings: offs, notices: ns, subscriptions: subs, clock: c}
}

// Report records an outage of unit's offerings or subscriptions. A linked notice must be the
// unit's own; its publication is when the outage was announced. The months it covers are measured
// again in its transaction.
func (s *Service) Report(ctx context.Context, unit string, in NewOutage) (Outage, error) {
	if err := validation.Check(in); err != nil {
		return Outage{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "outage.report", in, func(ctx context.Context) (Outage, error) {
		now := s.clock.Now()
		r := row{ID: uuid.NewString(), Unit: unit, ReportedBy: actor.Subject, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := s.fill(ctx, &r, in, now); err != nil {
			return Outage{}, err
		}
		o := r.outage()
		reason, err := s.closedReason(ctx, in.Reason, o.span())
		if err != nil {
			return Outage{}, err
		}
		if err := s.store.insert(ctx, r); err != nil {
			return Outage{}, err
		}
		return o, s.changed(ctx, nil, o, "report", reason, actor.Subject)
	})
}

// fill sets what a report or a correction says on r, checked against unit's offerings,
// subscriptions and notices.
func (s *Service) fill(ctx context.Context, r *row, in NewOutage, now time.Time) error {
	if err := in.check(now); err != nil {
		return err
	}
	if err := s.offerings.CheckUnits(ctx, r.Unit, "/offerings", in.Offerings); err != nil {
		return err
	}
	for i, id := range in.Subscriptions {
		if _, err := s.subscriptions.Get(ctx, "", r.Unit, id); apperr.Is(err, apperr.NotFound) {
			return apperr.Field(fmt.Sprintf("/subscriptions/%d", i), "is not a subscription unit "+r.Unit+" delivers")
		} else if err != nil {
			return err
		}
	}
	r.Kind, r.Planned, r.StartedAt, r.EndedAt, r.Title, r.Description = in.Kind, in.Planned, in.StartedAt, in.EndedAt, in.Title, in.Description
	r.Offerings, r.Subscriptions, r.NoticeID, r.AnnouncedAt = in.Offerings, in.Subscriptions, nil, nil
	if in.Notice != nil {
		n, err := s.notices.Get(ctx, tenant.ForUnit(r.Unit), *in.Notice)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("/notice", "is not a notice of unit "+r.Unit)
		} else if err != nil {
			return err
		}
		r.NoticeID, r.AnnouncedAt = &n.ID, &n.PublishedAt
	}
	return nil
}

// closedReason refuses a change that reaches into a month the council has closed unless it says
// why: then it is a correction, and the reason is what it records.
func (s *Service) closedReason(ctx context.Context, reason string, spans ...interval.Span) (string, error) {
	months := monthsCovered(s.clock.Now(), spans...)
	days := make([]time.Time, len(months))
	for i, m := range months {
		days[i] = firstDay(m)
	}
	closed, err := s.store.closedAmong(ctx, days)
	if err != nil || len(closed) == 0 || strings.TrimSpace(reason) != "" {
		return strings.TrimSpace(reason), err
	}
	return "", apperr.Field("/reason", fmt.Sprintf("is required: the council has closed %s, so this change is a correction; say why it is made",
		closed[0].Format("2006-01")))
}

// changed keeps what a change of an outage did: its version, its audit record, and the months
// before and after it covers measured again.
func (s *Service) changed(ctx context.Context, before *Outage, o Outage, action, reason, by string) error {
	if err := s.store.addVersion(ctx, o, action, reason, by); err != nil {
		return err
	}
	affected := []Outage{o}
	var old any
	if before != nil {
		affected, old = append(affected, *before), *before
	}
	if err := s.measure(ctx, affected...); err != nil {
		return err
	}
	diff := audit.Diff(old, o)
	if reason != "" {
		diff = map[string]any{"reason": reason, "outage": diff}
	}
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(o.Unit), Action: "outage." + action, ObjectType: "outage",
		ObjectID: o.ID, Diff: diff})
}

// End ends a lasting outage of unit if it is still at version.
func (s *Service) End(ctx context.Context, unit, id string, version int, in End) (Outage, error) {
	if err := validation.Check(in); err != nil {
		return Outage{}, err
	}
	return s.change(ctx, unit, id, version, "end", func(ctx context.Context, o Outage, now time.Time) (Outage, string, error) {
		if o.EndedAt != nil {
			return o, "", apperr.New(apperr.Conflict, "the outage has ended already")
		}
		if err := ending(o.StartedAt, in.EndedAt, now); err != nil {
			return o, "", err
		}
		o.EndedAt = &in.EndedAt
		reason, err := s.closedReason(ctx, in.Reason, o.span())
		return o, reason, err
	})
}

// Correct replaces what an outage of unit says, if it is still at version: a new version with
// its reason, and the months the outage covered and covers measured again.
func (s *Service) Correct(ctx context.Context, unit, id string, version int, in NewOutage) (Outage, error) {
	if err := validation.Check(in); err != nil {
		return Outage{}, err
	}
	if strings.TrimSpace(in.Reason) == "" {
		return Outage{}, apperr.Field("/reason", "is required: say why the outage is corrected")
	}
	return s.change(ctx, unit, id, version, "correct", func(ctx context.Context, o Outage, now time.Time) (Outage, string, error) {
		r := rowOf(o)
		err := s.fill(ctx, &r, in, now)
		return r.outage(), strings.TrimSpace(in.Reason), err
	})
}

// change applies edit to an outage of unit that is still at version, in one transaction: edit
// returns the outage as it is to be and the reason to record; the change is saved as the next
// version.
func (s *Service) change(ctx context.Context, unit, id string, version int, action string,
	edit func(ctx context.Context, o Outage, now time.Time) (Outage, string, error)) (Outage, error) {
	actor, _ := identity.FromContext(ctx)
	var o Outage
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		before, err := s.lock(ctx, unit, id, version)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		var reason string
		if o, reason, err = edit(ctx, before, now); err != nil {
			return err
		}
		o.UpdatedAt, o.Version = now, before.Version+1
		if err := s.store.save(ctx, rowOf(o)); err != nil {
			return err
		}
		return s.changed(ctx, &before, o, action, reason, actor.Subject)
	})
	return o, err
}

// lock loads an outage of unit for change, if it is still at version.
func (s *Service) lock(ctx context.Context, unit, id string, version int) (Outage, error) {
	o, err := s.store.get(ctx, unit, id, true)
	if err != nil {
		return Outage{}, err
	}
	if o.Version != version {
		return Outage{}, apperr.New(apperr.PreconditionFailed, "the outage has changed since you read it; read it again")
	}
	return o, nil
}

// Get returns an outage of unit.
func (s *Service) Get(ctx context.Context, unit, id string) (Outage, error) {
	return s.store.get(ctx, unit, id, false)
}

// Versions returns every version of an outage of unit, oldest first.
func (s *Service) Versions(ctx context.Context, unit, id string) ([]Version, error) {
	if _, err := s.store.get(ctx, unit, id, false); err != nil {
		return nil, err
	}
	return s.store.versions(ctx, id)
}

// List returns one page of unit's outages, oldest first.
func (s *Service) List(ctx context.Context, unit string, p page.Request) (page.Page[Outage], error) {
	return s.store.list(ctx, unit, p)
}

// Close closes a month that is over for the council: from then on its figures change only by a
// correction, with its reason.
func (s *Service) Close(ctx context.Context, in CloseMonth) (ClosedMonth, error) {
	if err := validation.Check(in); err != nil {
		return ClosedMonth{}, err
	}
	m, err := availability.ParseMonth(in.Month)
	if err != nil {
		return ClosedMonth{}, apperr.Field("/month", err.Error())
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "month.close", in, func(ctx context.Context) (ClosedMonth, error) {
		now := s.clock.Now()
		if now.Before(span(m).To) {
			return ClosedMonth{}, apperr.Field("/month", "is not over yet: a month is closed once it has ended")
		}
		r := closedRow{Month: firstDay(m), ClosedBy: actor.Subject, ClosedAt: now, Note: strings.TrimSpace(in.Note)}
		added, err := s.store.close(ctx, r)
		if err != nil {
			return ClosedMonth{}, err
		}
		if !added {
			return ClosedMonth{}, apperr.New(apperr.Conflict, "month "+in.Month+" is closed already")
		}
		c := r.closed()
		return c, s.audit.Record(ctx, audit.Change{Tenant: tenant.PlatformID, Action: "month.close", ObjectType: "closed_month",
			ObjectID: c.Month, Diff: audit.Diff(nil, c)})
	})
}

// ClosedMonths lists the months the council has closed.
func (s *Service) ClosedMonths(ctx context.Context) ([]ClosedMonth, error) {
	return s.store.closedMonths(ctx)
}

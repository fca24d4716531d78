package outage

import (
	"context"
	"fmt"
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
	"github.com/servicekatalog/servicekatalog/internal/schedule"
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

// Report records an outage of unit's offerings. A linked notice must be the unit's own; its
// publication is when the outage was announced.
func (s *Service) Report(ctx context.Context, unit string, in NewOutage) (Outage, error) {
	if err := validation.Check(in); err != nil {
		return Outage{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "outage.report", in, func(ctx context.Context) (Outage, error) {
		now := s.clock.Now()
		if err := in.check(now); err != nil {
			return Outage{}, err
		}
		for i, id := range in.Offerings {
			o, err := s.offerings.Get(ctx, id)
			if apperr.Is(err, apperr.NotFound) || err == nil && o.Unit != unit {
				return Outage{}, apperr.Field(fmt.Sprintf("/offerings/%d", i), "is not an offering of unit "+unit)
			} else if err != nil {
				return Outage{}, err
			}
		}
		r := row{ID: uuid.NewString(), Unit: unit, Kind: in.Kind, Planned: in.Planned, StartedAt: in.StartedAt, EndedAt: in.EndedAt,
			Offerings: in.Offerings, Title: in.Title, Description: in.Description, ReportedBy: actor.Subject,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if in.Notice != nil {
			n, err := s.notices.Get(ctx, tenant.ForUnit(unit), *in.Notice)
			if apperr.Is(err, apperr.NotFound) {
				return Outage{}, apperr.Field("/notice", "is not a notice of unit "+unit)
			} else if err != nil {
				return Outage{}, err
			}
			r.NoticeID, r.AnnouncedAt = &n.ID, &n.PublishedAt
		}
		if err := s.store.insert(ctx, r); err != nil {
			return Outage{}, err
		}
		o := r.outage()
		return o, s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: "outage.report", ObjectType: "outage",
			ObjectID: o.ID, Diff: audit.Diff(nil, o)})
	})
}

// End ends a lasting outage of unit if it is still at version.
func (s *Service) End(ctx context.Context, unit, id string, version int, in End) (Outage, error) {
	if err := validation.Check(in); err != nil {
		return Outage{}, err
	}
	var o Outage
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.store.get(ctx, unit, id, true); err != nil {
			return err
		}
		if o.Version != version {
			return apperr.New(apperr.PreconditionFailed, "the outage has changed since you read it; read it again")
		}
		if o.EndedAt != nil {
			return apperr.New(apperr.Conflict, "the outage has ended already")
		}
		now := s.clock.Now()
		if err := ending(o.StartedAt, in.EndedAt, now); err != nil {
			return err
		}
		before := o
		o.EndedAt, o.UpdatedAt, o.Version = &in.EndedAt, now, o.Version+1
		if err := s.store.end(ctx, o); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForUnit(unit), Action: "outage.end", ObjectType: "outage",
			ObjectID: o.ID, Diff: audit.Diff(before, o)})
	})
	return o, err
}

// Get returns an outage of unit.
func (s *Service) Get(ctx context.Context, unit, id string) (Outage, error) {
	return s.store.get(ctx, unit, id, false)
}

// List returns one page of unit's outages, oldest first.
func (s *Service) List(ctx context.Context, unit string, p page.Request) (page.Page[Outage], error) {
	return s.store.list(ctx, unit, p)
}

var copenhagen, _ = time.LoadLocation("Europe/Copenhagen")

// CreditPercent is the service credit a municipality's subscription earned in month (its first
// day), once the month is over in Copenhagen; "0" until then (subscription.Credits).
func (s *Service) CreditPercent(ctx context.Context, code, id string, month time.Time) (string, error) {
	m := availability.Month{Year: month.Year(), Month: month.Month()}
	if s.clock.Now().Before(m.Span(copenhagen).To) {
		return "0", nil
	}
	r, err := s.Availability(ctx, code, "", id, m)
	return r.CreditPercent, err
}

// Availability measures a subscription in month from its offering's outages, as of now, on the
// subscription's current level and from the day it started: a municipality's (code) or one a
// unit delivers (unit), whichever is not "".
func (s *Service) Availability(ctx context.Context, code, unit, id string, m availability.Month) (availability.Report, error) {
	sub, err := s.subscriptions.Get(ctx, code, unit, id)
	if err != nil {
		return availability.Report{}, err
	}
	lvl, err := catalog.Get[catalog.Level](ctx, s.catalog, catalog.KindLevel, sub.Level)
	if err != nil {
		return availability.Report{}, err
	}
	cal, err := catalog.Get[catalog.Calendar](ctx, s.catalog, catalog.KindCalendar, lvl.SupportHours.Calendar)
	if err != nil {
		return availability.Report{}, err
	}
	hours, err := schedule.NewHours(lvl.SupportHours, cal)
	if err != nil {
		return availability.Report{}, err
	}
	started, err := time.ParseInLocation(time.DateOnly, sub.StartedOn, hours.Location())
	if err != nil {
		return availability.Report{}, err
	}
	life := interval.Span{From: started} // To zero: it has not ended
	if sub.EndsOn != nil {
		if life.To, err = time.ParseInLocation(time.DateOnly, *sub.EndsOn, hours.Location()); err != nil {
			return availability.Report{}, err
		}
	}
	month := m.Span(hours.Location())
	outages, err := s.store.touching(ctx, sub.OfferingID, month.From, month.To)
	if err != nil {
		return availability.Report{}, err
	}
	events := make([]availability.Event, len(outages))
	for i, o := range outages {
		events[i] = o.event()
	}
	return availability.Compute(availability.Level{Level: lvl, Hours: hours}, m, life, events, s.clock.Now())
}

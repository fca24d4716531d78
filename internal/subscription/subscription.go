// Package subscription keeps what municipalities hold: subscriptions pinned to an offering
// version, level, quantity and the prices at order time; their priced periods; the monthly cost
// report; and the sweep that ends subscriptions whose notice has run out.
package subscription

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/money"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
)

// State is where a subscription stands.
type State string

// The states of a subscription.
const (
	Active      State = "active"
	Terminating State = "terminating" // in its notice period, until ends_on
	Terminated  State = "terminated"
)

// States lists the states of a subscription.
var States = []State{Active, Terminating, Terminated}

// Pinned are the terms a subscription holds and an order item asks for: an offering version at
// a level and quantity, the standard service's parameters, and the prices of the moment they
// were ordered at, which later price changes do not touch.
type Pinned struct {
	OfferingID      string          `json:"offering_id" format:"uuid"`
	OfferingVersion int             `json:"offering_version" example:"1"`
	ServiceID       string          `json:"service_id" example:"CMP-01"`
	Family          string          `json:"family" example:"compute"`
	Level           string          `json:"level" example:"standard"`
	Quantity        int             `json:"quantity" example:"4"`
	Parameters      json.RawMessage `json:"parameters" gorm:"type:jsonb" swaggertype:"object"`
	MonthlyPrice    money.Amount    `json:"monthly_price" swaggertype:"string" example:"690.00"` // per unit of measure
	OneOffFee       money.Amount    `json:"one_off_fee" swaggertype:"string" example:"1200.00"`  // per unit of measure
}

// Subscription is a municipality's subscription to a unit's offering.
type Subscription struct {
	ID           string `json:"id" format:"uuid"`
	Municipality string `json:"municipality" example:"101"`
	Unit         string `json:"unit" example:"hovedstaden"`
	Pinned
	State     State     `json:"state"`
	StartedOn string    `json:"started_on" example:"2026-11-23"`
	EndsOn    *string   `json:"ends_on" example:"2027-02-21" extensions:"x-nullable"`
	OrderID   string    `json:"order_id" format:"uuid"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
	UpdatedAt time.Time `json:"updated_at" format:"date-time"`
	Version   int       `json:"version"`
}

// Service is the subscriptions' use cases.
type Service struct {
	db      *postgres.DB
	store   store
	audit   *audit.Log
	clock   clock.Clock
	credits Credits
}

// NewService returns the subscription service.
func NewService(db *postgres.DB, log *audit.Log, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, clock: c}
}

func (s *Service) record(ctx context.Context, code, action, id string, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: action,
		ObjectType: "subscription", ObjectID: id, Diff: diff})
}

// New is a subscription a completed add item creates.
type New struct {
	Municipality, Unit, OrderID string
	Pinned
}

// Add creates an active subscription from today, inside the transaction of ctx. The one-off fee
// is charged per unit of measure in the first period.
func (s *Service) Add(ctx context.Context, in New) (Subscription, error) {
	now := s.clock.Now()
	day := clock.Today(now)
	r := row{ID: uuid.NewString(), Municipality: in.Municipality, Unit: in.Unit, Pinned: in.Pinned, State: Active, StartedOn: day,
		OrderID: in.OrderID, CreatedAt: now, UpdatedAt: now, Version: 1}
	p := period{SubscriptionID: r.ID, FromDay: day, Level: in.Level, Quantity: in.Quantity, MonthlyPrice: in.MonthlyPrice,
		OneOff: times(in.OneOffFee, in.Quantity)}
	if err := s.store.insert(ctx, r, p); err != nil {
		return Subscription{}, err
	}
	sub := r.subscription()
	return sub, s.record(ctx, in.Municipality, "subscription.create", r.ID, audit.Diff(nil, sub))
}

func times(a money.Amount, n int) money.Amount {
	return money.Amount{Decimal: a.Mul(decimalInt(n))}
}

// Lock loads an active subscription of municipality code for change; another's is not found.
func (s *Service) Lock(ctx context.Context, code, id string) (Subscription, error) {
	return s.store.get(ctx, code, "", id, true)
}

// Modify changes the level or quantity of an active subscription from today, at the prices of
// its pinned offering version. A rise in quantity is charged the one-off fee for the added units.
func (s *Service) Modify(ctx context.Context, sub Subscription, level string, quantity int, monthly, oneOff money.Amount) (Subscription, error) {
	if sub.State != Active {
		return sub, apperr.Newf(apperr.Conflict, "subscription %s is %s; only an active one can be changed", sub.ID, sub.State)
	}
	now := s.clock.Now()
	day := clock.Today(now)
	added := 0
	if quantity > sub.Quantity {
		added = quantity - sub.Quantity
	}
	if err := s.store.closePeriod(ctx, sub.ID, day); err != nil {
		return sub, err
	}
	p := period{SubscriptionID: sub.ID, FromDay: day, Level: level, Quantity: quantity, MonthlyPrice: monthly, OneOff: times(oneOff, added)}
	if err := s.store.startPeriod(ctx, p); err != nil {
		return sub, err
	}
	before := sub
	sub.Level, sub.Quantity, sub.MonthlyPrice, sub.OneOffFee = level, quantity, monthly, oneOff
	sub.Version++
	sub.UpdatedAt = now
	if err := s.store.save(ctx, sub); err != nil {
		return sub, err
	}
	return sub, s.record(ctx, sub.Municipality, "subscription.modify", sub.ID, audit.Diff(before, sub))
}

// Terminate starts the notice period of an active subscription: it ends noticeDays from today
// and is billed until then.
func (s *Service) Terminate(ctx context.Context, sub Subscription, noticeDays int) (Subscription, error) {
	if sub.State != Active {
		return sub, apperr.Newf(apperr.Conflict, "subscription %s is %s already", sub.ID, sub.State)
	}
	now := s.clock.Now()
	end := clock.Today(now).AddDate(0, 0, noticeDays)
	if err := s.store.closePeriod(ctx, sub.ID, end); err != nil {
		return sub, err
	}
	before := sub
	e := end.Format(time.DateOnly)
	sub.State, sub.EndsOn, sub.Version, sub.UpdatedAt = Terminating, &e, sub.Version+1, now
	if err := s.store.save(ctx, sub); err != nil {
		return sub, err
	}
	return sub, s.record(ctx, sub.Municipality, "subscription.terminate", sub.ID, audit.Diff(before, sub))
}

// Sweep ends the subscriptions whose notice period is over and returns how many.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		subs, err := s.store.lockEnding(ctx, clock.Today(s.clock.Now()))
		if err != nil {
			return err
		}
		for _, sub := range subs {
			before := sub
			sub.State, sub.Version, sub.UpdatedAt = Terminated, sub.Version+1, s.clock.Now()
			if err := s.store.save(ctx, sub); err != nil {
				return err
			}
			if err := s.record(ctx, sub.Municipality, "subscription.end", sub.ID, audit.Diff(before, sub)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Filter selects subscriptions.
type Filter struct {
	Municipality string
	Unit         string
	State        string
	ServiceID    string
}

// List returns one page of subscriptions, oldest first.
func (s *Service) List(ctx context.Context, f Filter, p page.Request) (page.Page[Subscription], error) {
	return s.store.list(ctx, f, p)
}

// Get returns one subscription of a municipality (code) or of a unit (unit); either may be "".
func (s *Service) Get(ctx context.Context, code, unit, id string) (Subscription, error) {
	return s.store.get(ctx, code, unit, id, false)
}

// Touching returns the subscriptions whose life touches the days [from, to): those to one of
// offerings or among ids, or every one when both are empty. A subscription lives from the day it
// started until the day it ends.
func (s *Service) Touching(ctx context.Context, offerings, ids []string, from, to time.Time) ([]Subscription, error) {
	return s.store.touching(ctx, offerings, ids, from, to)
}

// Recurring is the recurring cost in month (its first day) of each of the subscriptions ids that
// ran in it, pro rata by day as in the cost report.
func (s *Service) Recurring(ctx context.Context, ids []string, month time.Time) (map[string]money.Amount, error) {
	start := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	rows, err := s.store.periodsOf(ctx, ids, start, start.AddDate(0, 1, 0))
	if err != nil {
		return nil, err
	}
	out := map[string]money.Amount{}
	for _, l := range costs("", start, rows, nil).Lines {
		out[l.SubscriptionID] = l.Recurring
	}
	return out, nil
}

// Holder is a municipality that holds a subscription in force, at a level.
type Holder struct {
	Municipality string
	Level        string
}

// Holders returns the municipalities, with their levels, holding a subscription in force (active
// or in its notice period) of unit ("" any unit) to one of services or offerings, or to anything
// of the unit when both are empty.
func (s *Service) Holders(ctx context.Context, unit string, services, offerings []string) ([]Holder, error) {
	return s.store.holders(ctx, unit, services, offerings)
}

package order

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/activation"
	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/directory"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Service is the orders' use cases.
type Service struct {
	db            *postgres.DB
	store         store
	audit         *audit.Log
	directory     *directory.Service
	catalog       *catalog.Service
	offerings     *offering.Service
	subscriptions *subscription.Service
	gate          *activation.Service
	notices       *notice.Service
	clock         clock.Clock
}

// NewService returns the order service.
func NewService(db *postgres.DB, log *audit.Log, dir *directory.Service, cat *catalog.Service, off *offering.Service,
	subs *subscription.Service, gate *activation.Service, notices *notice.Service, c clock.Clock) *Service {
	return &Service{db: db, store: store{db}, audit: log, directory: dir, catalog: cat, offerings: off, subscriptions: subs, gate: gate,
		notices: notices, clock: c}
}

// Create validates a municipality's order against its owner unit's published offerings and its
// subscriptions, prices it at today's prices, and acknowledges it.
func (s *Service) Create(ctx context.Context, code string, in NewOrder) (Order, error) {
	if err := validation.Check(in); err != nil {
		return Order{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "order.create", in, func(ctx context.Context) (Order, error) {
		m, err := s.directory.Municipality(ctx, code)
		if err != nil {
			return Order{}, err
		}
		if m.OwnerUnit == nil {
			return Order{}, apperr.Newf(apperr.Conflict, "municipality %s has no owner unit to order from; the secretariat sets it", code)
		}
		now := s.clock.Now()
		o := Order{ID: uuid.NewString(), Municipality: code, Unit: *m.OwnerUnit, State: Acknowledged, Note: strings.TrimSpace(in.Note),
			CreatedBy: actor.Subject, CreatedAt: now, UpdatedAt: now, Version: 1}
		for i, ni := range in.Items {
			it, err := s.item(ctx, o, i, ni)
			if err != nil {
				return Order{}, err
			}
			o.Items = append(o.Items, it)
		}
		o.History = []Event{{Seq: 1, From: "", To: Acknowledged, Actor: actor.Subject, At: now}}
		if err := s.store.insert(ctx, o); err != nil {
			return Order{}, err
		}
		if err := s.notices.Announce(ctx, orderEvent(o, o.History[0])); err != nil {
			return Order{}, err
		}
		return o, s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(code), Action: "order.create",
			ObjectType: "order", ObjectID: o.ID, Diff: audit.Diff(nil, o)})
	})
}

// item resolves and checks one new item of order o.
func (s *Service) item(ctx context.Context, o Order, i int, ni NewItem) (Item, error) {
	ptr := fmt.Sprintf("/items/%d", i)
	it := Item{N: i + 1, Action: ni.Action, Pinned: subscription.Pinned{Level: ni.Level, Quantity: ni.Quantity, Parameters: json.RawMessage("{}")}}
	if ni.Action == Add {
		return s.addItem(ctx, o, ptr, it, ni)
	}
	if ni.SubscriptionID == "" {
		return it, apperr.Field(ptr+"/subscription_id", "is required to "+string(ni.Action))
	}
	sub, err := s.subscriptions.Get(ctx, o.Municipality, "", ni.SubscriptionID)
	if apperr.Is(err, apperr.NotFound) {
		return it, apperr.Field(ptr+"/subscription_id", "no such subscription of this municipality")
	} else if err != nil {
		return it, err
	}
	if sub.State != subscription.Active {
		return it, apperr.Field(ptr+"/subscription_id", "the subscription is "+string(sub.State))
	}
	it.SubscriptionID, it.Pinned = &sub.ID, sub.Pinned // a termination ends what is held; a change starts from it
	if ni.Action == Terminate {
		return it, nil
	}
	if ni.Level != "" {
		it.Level = ni.Level
	}
	if ni.Quantity != 0 {
		it.Quantity = ni.Quantity
	}
	if it.Level == sub.Level && it.Quantity == sub.Quantity {
		return it, apperr.Field(ptr, "changes neither level nor quantity")
	}
	v, err := s.offerings.Version(ctx, sub.OfferingID, sub.OfferingVersion)
	if err != nil {
		return it, err
	}
	price, ok := v.Price(it.Level)
	if !ok {
		return it, apperr.Field(ptr+"/level", fmt.Sprintf("the subscribed offering version does not offer %q", it.Level))
	}
	it.MonthlyPrice, it.OneOffFee = price.MonthlyPrice, price.OneOffFee
	return it, nil
}

func (s *Service) addItem(ctx context.Context, o Order, ptr string, it Item, ni NewItem) (Item, error) {
	if ni.OfferingID == "" {
		return it, apperr.Field(ptr+"/offering_id", "is required to add")
	}
	if ni.SubscriptionID != "" {
		return it, apperr.Field(ptr+"/subscription_id", "is not used to add")
	}
	if ni.Quantity < 1 {
		return it, apperr.Field(ptr+"/quantity", "must be at least 1")
	}
	off, err := s.offerings.Live(ctx, ni.OfferingID)
	if apperr.Is(err, apperr.NotFound) {
		return it, apperr.Field(ptr+"/offering_id", "no such published offering")
	} else if err != nil {
		return it, err
	}
	if off.Unit != o.Unit {
		return it, apperr.Field(ptr+"/offering_id", fmt.Sprintf("is offered by unit %s; municipality %s orders from %s", off.Unit, o.Municipality, o.Unit))
	}
	if off.Live.State != offering.Published {
		return it, apperr.Field(ptr+"/offering_id", "is not open for new orders (retiring)")
	}
	price, ok := off.Live.Price(ni.Level)
	if !ok {
		return it, apperr.Field(ptr+"/level", fmt.Sprintf("the offering does not offer %q (levels: %s)", ni.Level, strings.Join(off.Live.Terms.LevelIDs(), ", ")))
	}
	if lim := off.Live.Terms.CapacityLimit; lim != nil && ni.Quantity > *lim {
		return it, apperr.Field(ptr+"/quantity", fmt.Sprintf("exceeds the offering's capacity of %d", *lim))
	}
	svc, err := s.catalog.GetService(ctx, off.ServiceID)
	if err != nil {
		return it, err
	}
	if len(ni.Parameters) > 0 && string(ni.Parameters) != "null" {
		it.Parameters = ni.Parameters
	}
	if problems := catalog.CheckOrderParameters(svc.StandardService, it.Parameters); len(problems) > 0 {
		e := &apperr.Error{Kind: apperr.Invalid, Msg: "the order parameters do not fit " + svc.ID + "'s schema"}
		for _, p := range problems {
			e.Fields = append(e.Fields, apperr.FieldError{Pointer: ptr + "/parameters" + p.Path, Reason: p.Reason})
		}
		return it, e
	}
	it.OfferingID, it.OfferingVersion, it.ServiceID, it.Family = off.ID, off.Live.Number, off.ServiceID, svc.Family
	it.MonthlyPrice, it.OneOffFee = price.MonthlyPrice, price.OneOffFee
	return it, nil
}

// Scope names whose orders a call may touch: a municipality's or a unit's.
type Scope struct {
	Municipality string
	Unit         string
}

// Transition moves an order of the scope by transition. The order row is locked, so of two concurrent transitions one
// wins and the other finds the new state. Acceptance passes the activation gate; completion
// applies the items to the municipality's subscriptions.
func (s *Service) Transition(ctx context.Context, sc Scope, id string, transition Transition, in TransitionInput) (Order, error) {
	if err := validation.Check(in); err != nil {
		return Order{}, err
	}
	actor, _ := identity.FromContext(ctx)
	var out Order
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, err := s.store.get(ctx, sc, id, true)
		if err != nil {
			return err
		}
		before := o
		e, err := o.move(transition, strings.TrimSpace(in.Reason))
		if err != nil {
			return err
		}
		switch transition {
		case Accept:
			err = s.gate.Gate(ctx, o.Municipality, o.families())
		case Complete:
			err = s.apply(ctx, &o)
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		e.Seq, e.Actor, e.At = len(o.History)+1, actor.Subject, now
		o.Version, o.UpdatedAt = o.Version+1, now
		if err := s.store.move(ctx, o, before.State, e); err != nil {
			return err
		}
		o.History = append(o.History, e)
		out = o
		if err := s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(o.Municipality), Action: "order." + string(transition),
			ObjectType: "order", ObjectID: id, Diff: map[string]any{"event": e, "order": audit.Diff(rowOf(before), rowOf(o))}}); err != nil {
			return err
		}
		return s.notices.Announce(ctx, orderEvent(o, e))
	})
	return out, err
}

// orderEvent is what the municipality and the unit's admins are told of an order's change of
// state; a refusal or a failure is high priority.
func orderEvent(o Order, e Event) notice.Event {
	var b strings.Builder
	fmt.Fprintf(&b, "Bestilling / Order: %s\nKommune / Municipality: %s\nEnhed / Unit: %s\nStatus / State: %s\n", o.ID, o.Municipality, o.Unit,
		strings.TrimPrefix(string(e.From)+" → "+string(e.To), " → "))
	if e.Reason != "" {
		fmt.Fprintf(&b, "Begrundelse / Reason: %s\n", e.Reason)
	}
	for _, it := range o.Items {
		fmt.Fprintf(&b, "- %s %s, %s × %d\n", it.Action, it.ServiceID, it.Level, it.Quantity)
	}
	return notice.Event{Tag: "ORDRE", Key: fmt.Sprintf("order/%s/%d", o.ID, e.Seq), Municipality: o.Municipality, Unit: o.Unit,
		Role: tenant.UnitAdmin, HighPriority: e.To == Rejected || e.To == Failed,
		Title: fmt.Sprintf("Order %s is %s", o.ID[:8], strings.ReplaceAll(string(e.To), "_", " ")), Text: b.String()}
}

// apply carries out a completed order's items on the subscriptions, in the order's transaction.
func (s *Service) apply(ctx context.Context, o *Order) error {
	for i := range o.Items {
		it := &o.Items[i]
		ptr := fmt.Sprintf("/items/%d", i)
		switch it.Action {
		case Add:
			sub, err := s.subscriptions.Add(ctx, subscription.New{Municipality: o.Municipality, Unit: o.Unit, OrderID: o.ID, Pinned: it.Pinned})
			if err != nil {
				return err
			}
			it.SubscriptionID = &sub.ID
			if err := s.store.linkItem(ctx, o.ID, it.N, sub.ID); err != nil {
				return err
			}
		case Modify, Terminate:
			sub, err := s.subscriptions.Lock(ctx, o.Municipality, *it.SubscriptionID)
			if err != nil {
				return err
			}
			if sub.State != subscription.Active {
				return apperr.Newf(apperr.Conflict, "item %d: subscription %s is %s now; fail the order or have it cancelled", it.N, sub.ID, sub.State).
					WithField(ptr+"/subscription_id", "is "+string(sub.State))
			}
			if it.Action == Modify {
				_, err = s.subscriptions.Modify(ctx, sub, it.Level, it.Quantity, it.MonthlyPrice, it.OneOffFee)
			} else {
				var lvl catalog.Level
				if lvl, err = catalog.Get[catalog.Level](ctx, s.catalog, catalog.KindLevel, sub.Level); err == nil {
					_, err = s.subscriptions.Terminate(ctx, sub, lvl.TerminationNoticeDays)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Get returns one order of the scope with its items and history.
func (s *Service) Get(ctx context.Context, sc Scope, id string) (Order, error) {
	return s.store.get(ctx, sc, id, false)
}

// List returns one page of the scope's orders, oldest first, optionally in one state, with
// their items (the history only on single reads).
func (s *Service) List(ctx context.Context, sc Scope, state State, p page.Request) (page.Page[Order], error) {
	return s.store.list(ctx, sc, state, p)
}

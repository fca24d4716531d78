package ticket

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
	"github.com/servicekatalog/servicekatalog/internal/schedule"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/tenant"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// Service is the tickets' use cases.
type Service struct {
	db            *postgres.DB
	store         store
	audit         *audit.Log
	catalog       *catalog.Service
	subscriptions *subscription.Service
	notices       *notice.Service
	clock         clock.Clock
	reopenDays    int
}

// NewService returns the ticket service; a municipality may reopen within reopenDays.
func NewService(db *postgres.DB, log *audit.Log, cat *catalog.Service, subs *subscription.Service, notices *notice.Service, c clock.Clock,
	reopenDays int) *Service {
	return &Service{db: db, store: store{db: db}, audit: log, catalog: cat, subscriptions: subs, notices: notices, clock: c, reopenDays: reopenDays}
}

// Scope is whose view a call has: a municipality's (its own tickets) or a unit's (tickets
// escalated to it, from the time of escalation).
type Scope struct {
	Municipality string
	Unit         string
}

// since is from when the scope sees the ticket's history: a unit from first escalation.
func (sc Scope) since(t Ticket) *time.Time {
	if sc.Unit != "" {
		return t.FirstEscalatedAt
	}
	return nil
}

func (sc Scope) side() string {
	if sc.Unit != "" {
		return unitSide
	}
	return municipalSide
}

// NewTicket is a ticket the first line opens.
type NewTicket struct {
	Title          string   `json:"title" validate:"required,max=200" example:"File server unreachable"`
	Description    string   `json:"description" validate:"max=10000" example:"Users at the jobcentre cannot open the S: drive."`
	Priority       Priority `json:"priority" validate:"required,oneof=P1 P2 P3 P4" example:"P2"`
	HighPriority   bool     `json:"high_priority"`
	Category       string   `json:"category" validate:"required,oneof=incident request" example:"incident"`
	Reporter       string   `json:"reporter" validate:"max=200" example:"Jobcenter, Lise Holm"`
	SubscriptionID string   `json:"subscription_id" validate:"omitempty,uuid" format:"uuid"`
}

// Create opens a ticket in a municipality.
func (s *Service) Create(ctx context.Context, code string, in NewTicket) (Ticket, error) {
	if err := validation.Check(in); err != nil {
		return Ticket{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "ticket.create", in, func(ctx context.Context) (Ticket, error) {
		if err := s.checkSubscription(ctx, code, in.SubscriptionID, "/subscription_id"); err != nil {
			return Ticket{}, err
		}
		now := s.clock.Now()
		t := Ticket{ID: uuid.NewString(), Municipality: code, Title: strings.TrimSpace(in.Title), Description: in.Description,
			Priority: in.Priority, HighPriority: in.HighPriority, Category: in.Category, Reporter: in.Reporter, State: Open,
			CreatedBy: actor.Subject, CreatedAt: now, UpdatedAt: now, Version: 1}
		if in.SubscriptionID != "" {
			t.SubscriptionID = &in.SubscriptionID
		}
		if err := s.store.insert(ctx, &t); err != nil {
			return t, err
		}
		if err := s.store.addEvent(ctx, t.ID, Event{Action: Create, ToState: Open, At: now}); err != nil {
			return t, err
		}
		return t, s.record(ctx, t, "ticket.create", audit.Diff(nil, t))
	})
}

func (s *Service) checkSubscription(ctx context.Context, code, id, ptr string) error {
	if id == "" {
		return nil
	}
	sub, err := s.subscriptions.Get(ctx, code, "", id)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Field(ptr, "no such subscription of this municipality")
	} else if err != nil {
		return err
	}
	if sub.State == subscription.Terminated {
		return apperr.Field(ptr, "the subscription has ended")
	}
	return nil
}

func (s *Service) record(ctx context.Context, t Ticket, action string, diff any) error {
	return s.audit.Record(ctx, audit.Change{Tenant: tenant.ForMunicipality(t.Municipality), Action: action,
		ObjectType: "ticket", ObjectID: t.ID, Diff: diff})
}

// Triage changes the priority, mark, category or subscription of an open ticket at version.
type Triage struct {
	Priority       *Priority `json:"priority" validate:"omitnil,oneof=P1 P2 P3 P4" example:"P1" extensions:"x-nullable"`
	HighPriority   *bool     `json:"high_priority" extensions:"x-nullable"`
	Category       *string   `json:"category" validate:"omitnil,oneof=incident request" extensions:"x-nullable"`
	SubscriptionID *string   `json:"subscription_id" validate:"omitnil,uuid" format:"uuid" extensions:"x-nullable"`
	Title          *string   `json:"title" validate:"omitnil,min=1,max=200" extensions:"x-nullable"`
}

// Triage applies in to an open ticket of the municipality if it is still at version.
func (s *Service) Triage(ctx context.Context, code, id string, version int, in Triage) (Ticket, error) {
	if err := validation.Check(in); err != nil {
		return Ticket{}, err
	}
	var out Ticket
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.get(ctx, Scope{Municipality: code}, id, true)
		if err != nil {
			return err
		}
		if err := apperr.CheckVersion(t.Version, version); err != nil {
			return err
		}
		if t.State != Open {
			return apperr.Newf(apperr.Conflict, "the ticket is %s; triage it while it is open", t.State)
		}
		before := t
		if in.SubscriptionID != nil {
			if err := s.checkSubscription(ctx, code, *in.SubscriptionID, "/subscription_id"); err != nil {
				return err
			}
			t.SubscriptionID = in.SubscriptionID
		}
		if in.Priority != nil {
			t.Priority = *in.Priority
		}
		if in.HighPriority != nil {
			t.HighPriority = *in.HighPriority
		}
		if in.Category != nil {
			t.Category = *in.Category
		}
		if in.Title != nil {
			t.Title = strings.TrimSpace(*in.Title)
		}
		if err := s.save(ctx, &t, nil); err != nil {
			return err
		}
		out = t
		if err := s.store.addEvent(ctx, id, Event{Action: Triaged, FromState: Open, ToState: Open, At: t.UpdatedAt}); err != nil {
			return err
		}
		return s.record(ctx, t, "ticket.triage", audit.Diff(before, t))
	})
	return out, err
}

// save writes a changed ticket with its next deadline and bumps its version.
func (s *Service) save(ctx context.Context, t *Ticket, due *time.Time) error {
	t.Version++
	t.UpdatedAt = s.clock.Now()
	t.DueAt = due
	return s.store.save(ctx, t)
}

// TransitionInput carries the reason a transition needs.
type TransitionInput struct {
	Reason string `json:"reason" validate:"max=2000" example:"Needs a restart of the storage controller"`
}

// Transition makes a state change on a ticket of the scope: escalate, resolve_here,
// provide_info, close, reopen (municipality); acknowledge, request_info, resolve, hand_back
// (unit). The row is locked, so of two conflicting changes exactly one wins.
func (s *Service) Transition(ctx context.Context, sc Scope, id string, name Action, in TransitionInput) (Ticket, error) {
	if err := validation.Check(in); err != nil {
		return Ticket{}, err
	}
	var out Ticket
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		t, err := s.store.get(ctx, sc, id, true)
		if err != nil {
			return err
		}
		before := t
		now := s.clock.Now()
		e, err := t.apply(name, sc.side(), strings.TrimSpace(in.Reason), now, s.reopenDays)
		if err != nil {
			return err
		}
		if name == Escalate {
			sub, err := s.subscriptions.Get(ctx, t.Municipality, "", *t.SubscriptionID)
			if err != nil {
				return err
			}
			t.Unit, t.Level = &sub.Unit, &sub.Level
		}
		if err := s.store.addEvent(ctx, id, e); err != nil {
			return err
		}
		// A pause starts or ends with e, written at the commit. A ticket escalated for the first
		// time has no pause behind it: pauses start with the unit's request for information or
		// resolution, which only an acknowledged ticket gets.
		var view SLA
		if before.FirstEscalatedAt == nil {
			view, err = s.slaOf(ctx, t, false, []Event{e})
		} else {
			view, err = s.sla(ctx, t, false, e)
		}
		if err != nil {
			return err
		}
		t.ResponseMet, t.RestoreMet = view.met("response"), view.met("restore")
		if err := s.save(ctx, &t, view.due(t.State)); err != nil {
			return err
		}
		out = t
		return s.record(ctx, t, "ticket."+string(name), map[string]any{"reason": e.Reason, "ticket": audit.Diff(before, t)})
	})
	return out, err
}

// sla computes the ticket's clocks now, from its history and the events adding, which the
// transaction writes but cannot read yet.
func (s *Service) sla(ctx context.Context, t Ticket, explain bool, adding ...Event) (SLA, error) {
	if t.EscalatedAt == nil || t.Level == nil {
		return s.slaOf(ctx, t, explain, nil)
	}
	history, err := s.store.events(ctx, t.ID, nil, RequestInfo, Resolve, ProvideInfo, Reopen, HandBack)
	if err != nil {
		return SLA{}, err
	}
	return s.slaOf(ctx, t, explain, append(history, adding...))
}

// slaOf computes the ticket's clocks now from history, the events that pause and resume them.
func (s *Service) slaOf(ctx context.Context, t Ticket, explain bool, history []Event) (SLA, error) {
	if t.EscalatedAt == nil || t.Level == nil {
		return clocks(t, catalog.Level{}, nil, nil, s.clock.Now(), false), nil
	}
	lvl, err := catalog.Get[catalog.Level](ctx, s.catalog, catalog.KindLevel, *t.Level)
	if err != nil {
		return SLA{}, err
	}
	cal, err := catalog.Get[catalog.Calendar](ctx, s.catalog, catalog.KindCalendar, lvl.SupportHours.Calendar)
	if err != nil {
		return SLA{}, err
	}
	sched, err := schedule.NewHours(lvl.SupportHours, cal)
	if err != nil {
		return SLA{}, err
	}
	return clocks(t, lvl, sched, pausesOf(history), s.clock.Now(), explain), nil
}

// SLA explains a ticket's clocks: deadlines, elapsed time, percentage used, state, and day by
// day what was counted.
func (s *Service) SLA(ctx context.Context, sc Scope, id string) (SLA, error) {
	t, err := s.Get(ctx, sc, id)
	if err != nil {
		return SLA{}, err
	}
	view, err := s.sla(ctx, t, true)
	if err != nil {
		return view, err
	}
	view.Events, err = s.store.slaEvents(ctx, id)
	return view, err
}

// Get returns a ticket of the scope.
func (s *Service) Get(ctx context.Context, sc Scope, id string) (Ticket, error) {
	return s.store.get(ctx, sc, id, false)
}

// Filter selects tickets.
type Filter struct {
	State    State
	Priority Priority
	Active   bool // not resolved or closed
}

// List returns one page of the scope's tickets: a municipality's oldest first; a unit's by the
// next deadline, soonest first (paused and finished ones last).
func (s *Service) List(ctx context.Context, sc Scope, f Filter, p page.Request) (page.Page[Ticket], error) {
	return s.store.list(ctx, sc, f, p)
}

// History returns the ticket's events the scope may see: a unit only from first escalation.
func (s *Service) History(ctx context.Context, sc Scope, id string) ([]Event, error) {
	t, err := s.Get(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return s.store.events(ctx, id, sc.since(t))
}

// NewNote is a note to add.
type NewNote struct {
	Body       string `json:"body" validate:"required,max=10000" example:"Restarted the controller; watching."`
	Visibility string `json:"visibility" validate:"required,oneof=public internal" example:"public"`
}

// AddNote adds a note to a ticket of the scope, written by the caller's organisation.
func (s *Service) AddNote(ctx context.Context, sc Scope, id string, in NewNote) (Note, error) {
	if err := validation.Check(in); err != nil {
		return Note{}, err
	}
	actor, _ := identity.FromContext(ctx)
	return idempotency.Run(ctx, s.db, "ticket.note", in, func(ctx context.Context) (Note, error) {
		t, err := s.store.get(ctx, sc, id, true)
		if err != nil {
			return Note{}, err
		}
		n := Note{ID: uuid.NewString(), TicketID: id, Body: in.Body, Visibility: in.Visibility, Author: actor.Subject,
			AuthorTenant: ownTenant(sc).String(), CreatedAt: s.clock.Now()}
		if err := s.store.insertNote(ctx, &n); err != nil {
			return n, err
		}
		return n, s.record(ctx, t, "ticket.note", audit.Diff(nil, n))
	})
}

func ownTenant(sc Scope) tenant.ID {
	if sc.Unit != "" {
		return tenant.ForUnit(sc.Unit)
	}
	return tenant.ForMunicipality(sc.Municipality)
}

// Notes lists the notes the scope may read: public ones (for a unit, from first escalation) and
// the internal ones of its own organisation.
func (s *Service) Notes(ctx context.Context, sc Scope, id string) ([]Note, error) {
	t, err := s.Get(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return s.store.notes(ctx, id, ownTenant(sc).String(), sc.since(t))
}

// Sweep records, once per escalation, each clock that reached 75 % (warning) or 100 % (breach)
// as an SLA event, audited, and refreshes the tickets' next deadlines. It returns the events
// recorded.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	n := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		ts, err := s.store.lockRunning(ctx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		for _, t := range ts {
			view, err := s.sla(ctx, t, false)
			if err != nil {
				return err
			}
			for _, c := range view.Clocks {
				for _, kind := range kindsReached(c) {
					added, err := s.store.addSLAEvent(ctx, t, c.Target, kind, now)
					if err != nil {
						return err
					}
					if !added {
						continue
					}
					n++
					if err := s.record(ctx, t, "ticket.sla_"+kind, map[string]any{"target": c.Target, "percent_used": c.PercentUsed,
						"deadline": c.Deadline, "unit": t.Unit, "priority": t.Priority, "high_priority": t.HighPriority}); err != nil {
						return err
					}
					if err := s.notices.Announce(ctx, slaEvent(t, c, kind)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	return n, err
}

func kindsReached(c SLAClock) []string {
	switch c.State {
	case ClockBreached:
		return []string{"warning", "breach"}
	case ClockWarning:
		return []string{"warning"}
	}
	return nil
}

// SLAEvent is an SLA warning or breach the sweep recorded.
type SLAEvent struct {
	EscalatedAt time.Time `json:"escalated_at" format:"date-time"`
	Target      string    `json:"target" enums:"response,restore"`
	Kind        string    `json:"kind" enums:"warning,breach"`
	At          time.Time `json:"at" format:"date-time"`
}

// slaEvent is what the municipality and the unit's second line are told when clock c of ticket t
// reaches kind: a breach is high priority.
func slaEvent(t Ticket, c SLAClock, kind string) notice.Event {
	what := map[string]string{"warning": "75 % of the " + c.Target + " time used", "breach": "the " + c.Target + " deadline has passed"}[kind]
	da := map[string]string{"warning": "75 % af tiden er brugt", "breach": "fristen er overskredet"}[kind]
	deadline := ""
	if c.Deadline != nil {
		d, en := delivery.When(*c.Deadline)
		deadline = "Frist / Deadline: " + d + " / " + en + "\n"
	}
	return notice.Event{Tag: "SLA", Key: fmt.Sprintf("sla/%s/%s/%s/%s", t.ID, t.EscalatedAt.UTC().Format(time.RFC3339Nano), c.Target, kind),
		Municipality: t.Municipality, Unit: *t.Unit, Role: tenant.SecondLine, HighPriority: kind == "breach",
		Title: fmt.Sprintf("%s ticket %q: %s", t.Priority, t.Title, what),
		Text: fmt.Sprintf("Sag / Ticket: %s (%s)\nKommune / Municipality: %s\nEnhed / Unit: %s\n%s: %s / %s\n%sBrugt / Used: %.1f %%\n",
			t.Title, t.Priority, t.Municipality, *t.Unit, c.Target, da, what, deadline, c.PercentUsed)}
}

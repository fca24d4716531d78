// Package ticket is support across the split: the municipality's first line creates, triages,
// resolves or escalates tickets; the unit's second line acknowledges, asks the customer, resolves
// or hands back; the municipality closes or reopens. SLA clocks run from escalation.
package ticket

import (
	"slices"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// The states of a ticket.
// State is where a ticket stands in the support split.
type State string

// The states of a ticket.
const (
	Open            State = "open"
	Escalated       State = "escalated"
	Acknowledged    State = "acknowledged"
	PendingCustomer State = "pending_customer"
	Resolved        State = "resolved"
	Closed          State = "closed"
)

// States lists the states, from opening to closing.
var States = []State{Open, Escalated, Acknowledged, PendingCustomer, Resolved, Closed}

// Priority is how urgent a ticket is, P1 (critical) to P4 (questions and requests).
type Priority string

// The priorities.
const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

// Priorities lists the priorities, most urgent first.
var Priorities = []Priority{P1, P2, P3, P4}

// Action is something one side of the split does to a ticket.
type Action string

// The actions: the municipality's first line opens, escalates, resolves itself, provides
// information, closes and reopens; the unit's second line acknowledges, requests information,
// resolves and hands back. Triage changes the ticket without moving it.
const (
	Create      Action = "create"
	Escalate    Action = "escalate"
	ResolveHere Action = "resolve_here"
	ProvideInfo Action = "provide_info"
	Close       Action = "close"
	Reopen      Action = "reopen"
	Acknowledge Action = "acknowledge"
	RequestInfo Action = "request_info"
	Resolve     Action = "resolve"
	HandBack    Action = "hand_back"
	Triaged     Action = "triage"
)

// The sides of the split.
const (
	municipalSide = "municipality"
	unitSide      = "unit"
)

// action is a transition: who may make it, from which states, to which, and whether it needs a
// reason.
type action struct {
	side   string
	from   []State
	to     State
	reason bool
}

var actions = map[Action]action{
	Escalate:    {municipalSide, []State{Open}, Escalated, true},
	ResolveHere: {municipalSide, []State{Open}, Resolved, false},
	ProvideInfo: {municipalSide, []State{PendingCustomer}, Acknowledged, false},
	Close:       {municipalSide, []State{Resolved}, Closed, false},
	Reopen:      {municipalSide, []State{Resolved, Closed}, "", true}, // back to where it was worked
	Acknowledge: {unitSide, []State{Escalated}, Acknowledged, false},
	RequestInfo: {unitSide, []State{Acknowledged}, PendingCustomer, true},
	Resolve:     {unitSide, []State{Acknowledged}, Resolved, false},
	HandBack:    {unitSide, []State{Escalated, Acknowledged}, Open, true},
}

// DefaultReopenDays is how long after resolution a municipality may reopen a ticket.
const DefaultReopenDays = 14

// Ticket is a support ticket.
type Ticket struct {
	ID               string     `json:"id" format:"uuid"`
	Municipality     string     `json:"municipality" example:"101"`
	SubscriptionID   *string    `json:"subscription_id" format:"uuid" extensions:"x-nullable"`
	Unit             *string    `json:"unit" example:"hovedstaden" extensions:"x-nullable"` // set at escalation
	Title            string     `json:"title" example:"File server unreachable"`
	Description      string     `json:"description"`
	Priority         Priority   `json:"priority"`
	HighPriority     bool       `json:"high_priority"`
	Category         string     `json:"category" enums:"incident,request"`
	Reporter         string     `json:"reporter" example:"Jobcenter, Lise Holm"`
	State            State      `json:"state"`
	Level            *string    `json:"level" example:"standard" extensions:"x-nullable"`
	FirstEscalatedAt *time.Time `json:"first_escalated_at" extensions:"x-nullable" format:"date-time"`
	EscalatedAt      *time.Time `json:"escalated_at" extensions:"x-nullable" format:"date-time"`
	AcknowledgedAt   *time.Time `json:"acknowledged_at" extensions:"x-nullable" format:"date-time"`
	ResolvedAt       *time.Time `json:"resolved_at" extensions:"x-nullable" format:"date-time"`
	ResolvedByUnit   bool       `json:"resolved_by_unit"`
	ClosedAt         *time.Time `json:"closed_at" extensions:"x-nullable" format:"date-time"`
	DueAt            *time.Time `json:"due_at" extensions:"x-nullable" format:"date-time"` // the next SLA deadline
	// ResponseMet and RestoreMet say whether a clock met its target when it stopped: null while
	// it runs (and before escalation).
	ResponseMet *bool     `json:"response_met" extensions:"x-nullable"`
	RestoreMet  *bool     `json:"restore_met" extensions:"x-nullable"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at" format:"date-time"`
	UpdatedAt   time.Time `json:"updated_at" format:"date-time"`
	Version     int       `json:"version"`
}

// TableName is the tickets' table.
func (Ticket) TableName() string { return "tickets" }

// Event is one entry of a ticket's history.
type Event struct {
	Seq         int       `json:"seq"`
	Action      Action    `json:"action"`
	FromState   State     `json:"from,omitempty"` // absent on the event that opened the ticket
	ToState     State     `json:"to"`
	Reason      string    `json:"reason,omitempty"`
	Actor       string    `json:"actor"`
	ActorTenant string    `json:"actor_tenant" example:"municipality:101"`
	At          time.Time `json:"at" format:"date-time"`
	TicketID    string    `json:"-"`
}

// TableName is the events' table.
func (Event) TableName() string { return "ticket_events" }

// Note is a comment on a ticket: public (both organisations) or internal (the author's own).
type Note struct {
	ID           string    `json:"id" format:"uuid"`
	TicketID     string    `json:"ticket_id" format:"uuid"`
	Body         string    `json:"body"`
	Visibility   string    `json:"visibility" enums:"public,internal"`
	Author       string    `json:"author"`
	AuthorTenant string    `json:"author_tenant" example:"unit:hovedstaden"`
	CreatedAt    time.Time `json:"created_at" format:"date-time"`
	Seq          int64     `json:"-" gorm:"->"` // assigned by the database: the order of notes
}

// TableName is the notes' table.
func (Note) TableName() string { return "ticket_notes" }

// apply makes transition name on the ticket at now, on side, or says why it cannot.
func (t *Ticket) apply(name Action, side, reason string, now time.Time, reopenDays int) (Event, error) {
	a, ok := actions[name]
	if !ok || a.side != side {
		return Event{}, apperr.Newf(apperr.Invalid, "%s is not something the %s side does", name, side)
	}
	if !slices.Contains(a.from, t.State) {
		return Event{}, apperr.Newf(apperr.Conflict, "the ticket is %s; %s needs it %v", t.State, name, a.from)
	}
	if a.reason && reason == "" {
		return Event{}, apperr.Field("/reason", "is required to "+string(name))
	}
	e := Event{Action: name, FromState: t.State, Reason: reason, At: now}
	to := a.to
	switch name {
	case Escalate:
		if t.SubscriptionID == nil {
			return Event{}, apperr.Field("/subscription_id", "the ticket needs a subscription to escalate: it names the unit and the level")
		}
		t.EscalatedAt, t.AcknowledgedAt, t.ResolvedAt = &now, nil, nil
		if t.FirstEscalatedAt == nil {
			t.FirstEscalatedAt = &now
		}
	case Acknowledge:
		t.AcknowledgedAt = &now
	case Resolve, ResolveHere:
		t.ResolvedAt, t.ResolvedByUnit = &now, name == Resolve
	case Close:
		t.ClosedAt = &now
	case Reopen:
		if t.ResolvedAt == nil || now.After(t.ResolvedAt.AddDate(0, 0, reopenDays)) {
			return Event{}, apperr.Newf(apperr.Conflict, "a ticket can be reopened within %d days of its resolution", reopenDays)
		}
		to = Open
		if t.ResolvedByUnit {
			to = Acknowledged // back to the unit that resolved it; its restore clock runs on
		}
		t.ResolvedAt, t.ClosedAt = nil, nil
	case HandBack:
		t.EscalatedAt, t.AcknowledgedAt = nil, nil
	}
	t.State, e.ToState = to, to
	return e, nil
}

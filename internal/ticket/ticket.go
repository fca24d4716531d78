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
const (
	Open            = "open"
	Escalated       = "escalated"
	Acknowledged    = "acknowledged"
	PendingCustomer = "pending_customer"
	Resolved        = "resolved"
	Closed          = "closed"
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
	from   []string
	to     string
	reason bool
}

var actions = map[string]action{
	"escalate":     {municipalSide, []string{Open}, Escalated, true},
	"resolve_here": {municipalSide, []string{Open}, Resolved, false},
	"provide_info": {municipalSide, []string{PendingCustomer}, Acknowledged, false},
	"close":        {municipalSide, []string{Resolved}, Closed, false},
	"reopen":       {municipalSide, []string{Resolved, Closed}, "", true}, // back to where it was worked
	"acknowledge":  {unitSide, []string{Escalated}, Acknowledged, false},
	"request_info": {unitSide, []string{Acknowledged}, PendingCustomer, true},
	"resolve":      {unitSide, []string{Acknowledged}, Resolved, false},
	"hand_back":    {unitSide, []string{Escalated, Acknowledged}, Open, true},
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
	Priority         string     `json:"priority" enums:"P1,P2,P3,P4"`
	HighPriority     bool       `json:"high_priority"`
	Category         string     `json:"category" enums:"incident,request"`
	Reporter         string     `json:"reporter" example:"Jobcenter, Lise Holm"`
	State            string     `json:"state" enums:"open,escalated,acknowledged,pending_customer,resolved,closed"`
	Level            *string    `json:"level" example:"standard" extensions:"x-nullable"`
	FirstEscalatedAt *time.Time `json:"first_escalated_at" extensions:"x-nullable" format:"date-time"`
	EscalatedAt      *time.Time `json:"escalated_at" extensions:"x-nullable" format:"date-time"`
	AcknowledgedAt   *time.Time `json:"acknowledged_at" extensions:"x-nullable" format:"date-time"`
	ResolvedAt       *time.Time `json:"resolved_at" extensions:"x-nullable" format:"date-time"`
	ResolvedByUnit   bool       `json:"resolved_by_unit"`
	ClosedAt         *time.Time `json:"closed_at" extensions:"x-nullable" format:"date-time"`
	DueAt            *time.Time `json:"due_at" extensions:"x-nullable" format:"date-time"` // the next SLA deadline
	CreatedBy        string     `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt        time.Time  `json:"updated_at" format:"date-time"`
	Version          int        `json:"version"`
}

// TableName is the tickets' table.
func (Ticket) TableName() string { return "tickets" }

// Event is one entry of a ticket's history.
type Event struct {
	Seq         int       `json:"seq"`
	Action      string    `json:"action" example:"escalate"`
	FromState   string    `json:"from"`
	ToState     string    `json:"to"`
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
func (t *Ticket) apply(name, side, reason string, now time.Time, reopenDays int) (Event, error) {
	a, ok := actions[name]
	if !ok || a.side != side {
		return Event{}, apperr.Newf(apperr.Invalid, "%s is not something the %s side does", name, side)
	}
	if !slices.Contains(a.from, t.State) {
		return Event{}, apperr.Newf(apperr.Conflict, "the ticket is %s; %s needs it %v", t.State, name, a.from)
	}
	if a.reason && reason == "" {
		return Event{}, apperr.Field("/reason", "is required to "+name)
	}
	e := Event{Action: name, FromState: t.State, Reason: reason, At: now}
	to := a.to
	switch name {
	case "escalate":
		if t.SubscriptionID == nil {
			return Event{}, apperr.Field("/subscription_id", "the ticket needs a subscription to escalate: it names the unit and the level")
		}
		t.EscalatedAt, t.AcknowledgedAt, t.ResolvedAt = &now, nil, nil
		if t.FirstEscalatedAt == nil {
			t.FirstEscalatedAt = &now
		}
	case "acknowledge":
		t.AcknowledgedAt = &now
	case "resolve", "resolve_here":
		t.ResolvedAt, t.ResolvedByUnit = &now, name == "resolve"
	case "close":
		t.ClosedAt = &now
	case "reopen":
		if t.ResolvedAt == nil || now.After(t.ResolvedAt.AddDate(0, 0, reopenDays)) {
			return Event{}, apperr.Newf(apperr.Conflict, "a ticket can be reopened within %d days of its resolution", reopenDays)
		}
		to = Open
		if t.ResolvedByUnit {
			to = Acknowledged // back to the unit that resolved it; its restore clock runs on
		}
		t.ResolvedAt, t.ClosedAt = nil, nil
	case "hand_back":
		t.EscalatedAt, t.AcknowledgedAt = nil, nil
	}
	t.State, e.ToState = to, to
	return e, nil
}

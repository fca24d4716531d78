// Package order handles what municipalities order from their owner unit: orders of add, modify
// and terminate items, which go through the TM Forum TMF622 states
// (acknowledged → accepted | rejected → in_progress → completed | failed; cancelled before
// in_progress), pass the activation gate when accepted, and change subscriptions when completed.
package order

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
)

// State is where an order stands (after TM Forum TMF622).
type State string

// The states of an order.
const (
	Acknowledged State = "acknowledged"
	Accepted     State = "accepted"
	Rejected     State = "rejected"
	InProgress   State = "in_progress"
	Completed    State = "completed"
	Failed       State = "failed"
	Cancelled    State = "cancelled"
)

// States lists the states, in the order of the lifecycle.
var States = []State{Acknowledged, Accepted, Rejected, InProgress, Completed, Failed, Cancelled}

// Action is what an item does.
type Action string

// The actions of an item.
const (
	Add       Action = "add"
	Modify    Action = "modify"
	Terminate Action = "terminate"
)

// Actions lists the actions of an item.
var Actions = []Action{Add, Modify, Terminate}

// Transition is a step an order takes: the unit accepts, rejects, starts, completes or fails it;
// the municipality cancels it.
type Transition string

// The transitions of an order.
const (
	Accept   Transition = "accept"
	Reject   Transition = "reject"
	Start    Transition = "start"
	Complete Transition = "complete"
	Fail     Transition = "fail"
	Cancel   Transition = "cancel"
)

// transitions says from which states each transition may be made.
var transitions = map[Transition]struct {
	from []State
	to   State
}{
	Accept:   {[]State{Acknowledged}, Accepted},
	Reject:   {[]State{Acknowledged}, Rejected},
	Start:    {[]State{Accepted}, InProgress},
	Complete: {[]State{InProgress}, Completed},
	Fail:     {[]State{InProgress}, Failed},
	Cancel:   {[]State{Acknowledged, Accepted}, Cancelled},
}

// needsReason: these transitions must say why.
var needsReason = []Transition{Reject, Fail, Cancel}

// Item is one line of an order.
type Item struct {
	N              int     `json:"n" example:"1"`
	Action         Action  `json:"action"`
	SubscriptionID *string `json:"subscription_id" format:"uuid" extensions:"x-nullable"` // modify, terminate; add once completed
	// Pinned are the terms asked for, priced at order time; completion gives them to the subscription.
	subscription.Pinned
}

// Event is one state change in an order's history.
type Event struct {
	Seq    int       `json:"seq"`
	From   State     `json:"from,omitempty"` // absent on the event that created the order
	To     State     `json:"to"`
	Reason string    `json:"reason,omitempty"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at" format:"date-time"`
}

// Order is a municipality's order to its owner unit.
type Order struct {
	ID           string    `json:"id" format:"uuid"`
	Municipality string    `json:"municipality" example:"101"`
	Unit         string    `json:"unit" example:"hovedstaden"`
	State        State     `json:"state"`
	Note         string    `json:"note"`
	Reason       string    `json:"reason,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at" format:"date-time"`
	UpdatedAt    time.Time `json:"updated_at" format:"date-time"`
	Version      int       `json:"version"`
	Items        []Item    `json:"items"`
	History      []Event   `json:"history,omitempty"`
}

// families lists the service families an order adds or changes, for the activation gate.
func (o Order) families() []string {
	var out []string
	for _, it := range o.Items {
		if it.Action != Terminate && !slices.Contains(out, it.Family) {
			out = append(out, it.Family)
		}
	}
	slices.Sort(out)
	return out
}

// move applies a transition to the order, or says why it cannot be made.
func (o *Order) move(transition Transition, reason string) (Event, error) {
	t := transitions[transition]
	if !slices.Contains(t.from, o.State) {
		return Event{}, apperr.Newf(apperr.Conflict, "order %s is %s; %s needs it %v", o.ID, o.State, transition, t.from)
	}
	if slices.Contains(needsReason, transition) && reason == "" {
		return Event{}, apperr.Field("/reason", "is required to "+string(transition)+" an order")
	}
	e := Event{From: o.State, To: t.to, Reason: reason}
	o.State = t.to
	if reason != "" {
		o.Reason = reason
	}
	return e, nil
}

// NewItem is one line of a new order.
type NewItem struct {
	Action Action `json:"action" validate:"required,oneof=add modify terminate" example:"add"`
	// OfferingID is the published offering to add (add).
	OfferingID string `json:"offering_id" validate:"omitempty,uuid" format:"uuid"`
	// Level is the level to add at, or to change to (add, modify).
	Level string `json:"level" validate:"max=40" example:"standard"`
	// Quantity in the service's unit of measure (add; modify to change it).
	Quantity int `json:"quantity" validate:"min=0,max=100000" example:"4"`
	// Parameters must satisfy the standard service's order parameter schema (add).
	Parameters json.RawMessage `json:"parameters" swaggertype:"object"`
	// SubscriptionID is the subscription to change or end (modify, terminate).
	SubscriptionID string `json:"subscription_id" validate:"omitempty,uuid" format:"uuid"`
}

// NewOrder is a municipality's new order.
type NewOrder struct {
	Note  string    `json:"note" validate:"max=2000" example:"Servers for the new ESDH system"`
	Items []NewItem `json:"items" validate:"required,min=1,max=50,dive"`
}

// TransitionInput carries the reason of a transition that needs one.
type TransitionInput struct {
	Reason string `json:"reason" validate:"max=2000" example:"Capacity exhausted until Q2."`
}

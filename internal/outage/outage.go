// Package outage keeps the outages and maintenance a unit reports on its offerings, and measures
// a subscription's month of availability from them (internal/availability).
package outage

import (
	"slices"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/availability"
	"github.com/servicekatalog/servicekatalog/internal/interval"
)

// Outage is a span in which a unit's offerings were down or degraded, planned or not.
type Outage struct {
	ID        string            `json:"id" format:"uuid"`
	Unit      string            `json:"unit" example:"hovedstaden"`
	Kind      availability.Kind `json:"kind" enums:"outage,degradation"`
	Planned   bool              `json:"planned"`
	StartedAt time.Time         `json:"started_at" format:"date-time"`
	EndedAt   *time.Time        `json:"ended_at" format:"date-time" extensions:"x-nullable"` // null while it lasts
	Offerings []string          `json:"offerings" format:"uuid"`
	// Subscriptions are affected one by one, besides every subscription to the offerings.
	Subscriptions []string `json:"subscriptions" format:"uuid"`
	// Notice is the unit's notice that announced it; its publication is when it was announced.
	Notice      *string    `json:"notice" format:"uuid" extensions:"x-nullable"`
	AnnouncedAt *time.Time `json:"announced_at" format:"date-time" extensions:"x-nullable"`
	Title       string     `json:"title" example:"Storage controller failure in Ballerup"`
	Description string     `json:"description"`
	ReportedBy  string     `json:"reported_by"`
	CreatedAt   time.Time  `json:"created_at" format:"date-time"`
	UpdatedAt   time.Time  `json:"updated_at" format:"date-time"`
	Version     int        `json:"version"`
}

// NewOutage is an outage as a unit (or its monitoring, with an API key) reports it.
type NewOutage struct {
	Kind      availability.Kind `json:"kind" validate:"required" enums:"outage,degradation" example:"outage"`
	Planned   bool              `json:"planned"`
	StartedAt time.Time         `json:"started_at" validate:"required" format:"date-time"`
	EndedAt   *time.Time        `json:"ended_at" format:"date-time" extensions:"x-nullable"`
	// Offerings are affected with every subscription to them; Subscriptions one by one. At
	// least one of the two is named.
	Offerings     []string `json:"offerings" validate:"max=100,dive,uuid"`
	Subscriptions []string `json:"subscriptions" validate:"max=1000,dive,uuid"`
	Notice        *string  `json:"notice" validate:"omitnil,uuid" extensions:"x-nullable"`
	Title         string   `json:"title" validate:"required,max=150" example:"Storage controller failure in Ballerup"`
	// Description says what happened and what was affected.
	Description string `json:"description" validate:"max=5000" example:"Virtual servers on the Ballerup cluster did not answer."`
	// Reason says why: required for a correction, and for a report that falls in a month the
	// council has closed (then it is recorded as a correction).
	Reason string `json:"reason" validate:"max=2000" example:""`
}

// End ends an outage that lasts.
type End struct {
	EndedAt time.Time `json:"ended_at" validate:"required" format:"date-time"`
	// Reason is required when the outage reaches into a month the council has closed.
	Reason string `json:"reason" validate:"max=2000" example:""`
}

// Version is one change of an outage: how it was reported, ended or corrected, by whom and why.
type Version struct {
	Version   int       `json:"version" example:"2"`
	Action    string    `json:"action" enums:"report,end,correct"`
	Reason    string    `json:"reason" example:"The monitoring reported the end 40 minutes late"`
	ChangedBy string    `json:"changed_by"`
	ChangedAt time.Time `json:"changed_at" format:"date-time"`
	Outage    Outage    `json:"outage"` // as this version left it
}

// ClosedMonth is a month the council has closed: its figures change only by recorded corrections.
type ClosedMonth struct {
	Month    string    `json:"month" example:"2026-10"`
	ClosedBy string    `json:"closed_by"`
	ClosedAt time.Time `json:"closed_at" format:"date-time"`
	Note     string    `json:"note" example:"Reviewed at the council meeting of 12 November"`
}

// CloseMonth is the council's closing of a month.
type CloseMonth struct {
	Month string `json:"month" validate:"required" example:"2026-10"`
	Note  string `json:"note" validate:"max=2000" example:"Reviewed at the council meeting of 12 November"`
}

// check holds a report to what can have happened by now.
func (in NewOutage) check(now time.Time) error {
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the request has invalid fields"}
	add := func(p, reason string) { e.Fields = append(e.Fields, apperr.FieldError{Pointer: p, Reason: reason}) }
	if len(in.Offerings)+len(in.Subscriptions) == 0 {
		add("/offerings", "name the offerings or the subscriptions the outage affects")
	}
	if !slices.Contains(availability.Kinds, in.Kind) {
		add("/kind", "must be outage or degradation")
	}
	if in.StartedAt.After(now) {
		add("/started_at", "is in the future: report an outage once it has begun")
	}
	if in.EndedAt != nil {
		if err := ending(in.StartedAt, *in.EndedAt, now); err != nil {
			add("/ended_at", err.Fields[0].Reason)
		}
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}

// ending checks that an outage that began at start can have ended at end by now.
func ending(start, end, now time.Time) *apperr.Error {
	switch {
	case !end.After(start):
		return apperr.Field("/ended_at", "must be after started_at")
	case end.After(now):
		return apperr.Field("/ended_at", "is in the future: end the outage once it has ended")
	}
	return nil
}

// span is the time the outage covers, open (To zero) while it lasts.
func (o Outage) span() interval.Span {
	s := interval.Span{From: o.StartedAt}
	if o.EndedAt != nil {
		s.To = *o.EndedAt
	}
	return s
}

// affects reports whether the outage touches the subscription to offering.
func (o Outage) affects(subscription, offering string) bool {
	return slices.Contains(o.Offerings, offering) || slices.Contains(o.Subscriptions, subscription)
}

// event is the outage as the month's figures read it.
func (o Outage) event() availability.Event {
	e := availability.Event{From: o.StartedAt, Kind: o.Kind, Planned: o.Planned, AnnouncedAt: o.AnnouncedAt}
	if o.EndedAt != nil {
		e.To = *o.EndedAt
	}
	return e
}

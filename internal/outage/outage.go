// Package outage keeps the outages and maintenance a unit reports on its offerings, and measures
// a subscription's month of availability from them (internal/availability).
package outage

import (
	"slices"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/availability"
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
	Offerings []string          `json:"offerings" validate:"required,min=1,max=100,dive,uuid"`
	Notice    *string           `json:"notice" validate:"omitnil,uuid" extensions:"x-nullable"`
	Title     string            `json:"title" validate:"required,max=150" example:"Storage controller failure in Ballerup"`
	// Description says what happened and what was affected.
	Description string `json:"description" validate:"max=5000" example:"Virtual servers on the Ballerup cluster did not answer."`
}

// End ends an outage that lasts.
type End struct {
	EndedAt time.Time `json:"ended_at" validate:"required" format:"date-time"`
}

// check holds a report to what can have happened by now.
func (in NewOutage) check(now time.Time) error {
	e := &apperr.Error{Kind: apperr.Invalid, Msg: "the request has invalid fields"}
	add := func(p, reason string) { e.Fields = append(e.Fields, apperr.FieldError{Pointer: p, Reason: reason}) }
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

// event is the outage as the month's figures read it.
func (o Outage) event() availability.Event {
	e := availability.Event{From: o.StartedAt, Kind: o.Kind, Planned: o.Planned, AnnouncedAt: o.AnnouncedAt}
	if o.EndedAt != nil {
		e.To = *o.EndedAt
	}
	return e
}

// Package date reads the calendar dates, months and instants clients send, in one written form
// each and within the years the service deals in, 2000-2099: a date such as 0000-01-01 or a
// month such as 2026-13 is refused before any rule or query sees it.
package date

import (
	"errors"
	"time"
)

// The range of dates accepted.
const (
	First = "2000-01-01"
	Last  = "2099-12-31"
)

var (
	// ErrDate says how a date must be written.
	ErrDate = errors.New("must be a date from " + First + " to " + Last + ", written YYYY-MM-DD")
	// ErrMonth says how a month must be written.
	ErrMonth = errors.New("must be a month from 2000-01 to 2099-12, written YYYY-MM")
	// ErrInstant says how an instant must be written.
	ErrInstant = errors.New("must be an RFC 3339 time in the years 2000-2099, e.g. 2026-11-23T10:00:00Z")
)

func inRange(t time.Time) bool { return t.Year() >= 2000 && t.Year() <= 2099 }

// Parse reads a date, YYYY-MM-DD, as midnight UTC.
func Parse(s string) (time.Time, error) {
	return parse(time.DateOnly, s, ErrDate)
}

// ParseMonth reads a month, YYYY-MM, as midnight UTC on its first day.
func ParseMonth(s string) (time.Time, error) {
	return parse("2006-01", s, ErrMonth)
}

func parse(layout, s string, bad error) (time.Time, error) {
	t, err := time.Parse(layout, s)
	if err != nil || !inRange(t) || t.Format(layout) != s {
		return time.Time{}, bad
	}
	return t, nil
}

// ParseInstant reads an RFC 3339 instant.
func ParseInstant(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !inRange(t.UTC()) {
		return time.Time{}, ErrInstant
	}
	return t, nil
}

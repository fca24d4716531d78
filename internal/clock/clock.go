// Package clock is the source of time, injected so that tests can move it.
package clock

import (
	"sync"
	"time"
	_ "time/tzdata" // Copenhagen, whatever the host's zone database
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real clock, in UTC with the microsecond precision PostgreSQL stores.
type System struct{}

// Now returns the current time.
func (System) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Starting is a real clock that reads at as it starts and runs at real speed from there: for a
// demonstration or a recorded walk-through on a day of its own (CLOCK_START).
func Starting(at time.Time) Clock { return shifted(time.Until(at)) }

type shifted time.Duration

// Now keeps the precision PostgreSQL stores, as System does: a time that comes back from the
// database must be the time that went in (audit records are hashed over it).
func (d shifted) Now() time.Time {
	return time.Now().UTC().Add(time.Duration(d)).Truncate(time.Microsecond)
}

// Manual is a clock for tests that moves only when told.
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a manual clock set to t.
func NewManual(t time.Time) *Manual { return &Manual{t: t.UTC().Truncate(time.Microsecond)} }

// Now returns the clock's time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Advance moves the clock forward by d.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = m.t.Add(d)
}

// Set moves the clock to t.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.t = t.UTC().Truncate(time.Microsecond)
}

// Copenhagen is the time zone the platform's dates, months and contracts are kept in.
var Copenhagen = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err) // the binary embeds the zone database (time/tzdata)
	}
	return loc
}()

// Today is the date of now in Copenhagen, as midnight UTC: how dates are stored and compared.
func Today(now time.Time) time.Time {
	y, m, d := now.In(Copenhagen).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

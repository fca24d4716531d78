// Package schedule is calendar and business-hours arithmetic: the holidays of a catalogue
// calendar, the support hours of a service level on it, and deadlines and elapsed time counted
// either in those hours or round the clock, with pauses left out. The SLA clocks of tickets and
// the measurement of service levels count time with it.
package schedule

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/interval"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
)

// The clocks a target can run on.
const (
	BusinessHours = "business_hours"
	RoundTheClock = "24x7"
)

// Easter returns Easter Sunday of year (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher).
func Easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// Holidays returns the calendar's holidays in year, keyed by date (YYYY-MM-DD).
func Holidays(c catalog.Calendar, year int) map[string]string {
	out := map[string]string{}
	in := func(from, until int) bool { return (from == 0 || year >= from) && (until == 0 || year <= until) }
	for _, h := range c.Fixed {
		if in(h.FromYear, h.UntilYear) {
			out[time.Date(year, time.Month(h.Month), h.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)] = h.Name
		}
	}
	easter := Easter(year)
	for _, h := range c.EasterRelative {
		if in(h.FromYear, h.UntilYear) {
			out[easter.AddDate(0, 0, h.Offset).Format(time.DateOnly)] = h.Name
		}
	}
	return out
}

// Hours is when a level's support hours run: weekly spans on days that are not holidays, in
// the calendar's time zone, or always.
type Hours struct {
	Always   bool
	Weekly   map[time.Weekday]catalog.Span
	Calendar catalog.Calendar
	loc      *time.Location
	holidays map[int]map[string]string
}

var weekdays = map[string]time.Weekday{"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday}

var locations sync.Map // time zone name → *time.Location

func location(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err == nil {
		locations.Store(name, l)
	}
	return l, err
}

// NewHours builds the schedule of a level's support hours on its calendar. A schedule caches
// holidays as it goes: it is not for concurrent use.
func NewHours(h catalog.SupportHours, cal catalog.Calendar) (*Hours, error) {
	loc, err := location(cal.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("calendar %s: %w", cal.ID, err)
	}
	s := &Hours{Always: h.Always, Weekly: map[time.Weekday]catalog.Span{}, Calendar: cal, loc: loc, holidays: map[int]map[string]string{}}
	for day, span := range h.Weekly {
		s.Weekly[weekdays[day]] = span
	}
	return s, nil
}

// Location is the schedule's time zone.
func (s *Hours) Location() *time.Location { return s.loc }

// Holiday returns the name of the holiday on the local date of t, if it is one.
func (s *Hours) Holiday(t time.Time) (string, bool) {
	t = t.In(s.loc)
	hs, ok := s.holidays[t.Year()]
	if !ok {
		hs = Holidays(s.Calendar, t.Year())
		s.holidays[t.Year()] = hs
	}
	name, ok := hs[t.Format(time.DateOnly)]
	return name, ok
}

// window returns the support window of the local day that starts at day (midnight), if any.
func (s *Hours) window(day time.Time) (time.Time, time.Time, bool) {
	if _, holiday := s.Holiday(day); holiday {
		return time.Time{}, time.Time{}, false
	}
	span, ok := s.Weekly[day.Weekday()]
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	return at(day, span.From, s.loc), at(day, span.To, s.loc), true
}

func at(day time.Time, hhmm string, loc *time.Location) time.Time {
	var h, m int
	fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
}

// maxDays bounds every walk through the calendar (ten years), so no input can loop for ever.
const maxDays = 3660

// counted returns how much of [from, to) counts on clock: all of it round the clock, only the
// support windows in business hours.
func (s *Hours) counted(clock string, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if clock == RoundTheClock || s.Always {
		return to.Sub(from)
	}
	return s.Windows(from, to).Total()
}

// Windows is the support hours within [from, to): all of it when support is always on.
func (s *Hours) Windows(from, to time.Time) interval.Set {
	if s.Always {
		return interval.Of(interval.Span{From: from, To: to})
	}
	var out []interval.Span
	day := midnight(from, s.loc)
	for i := 0; i < maxDays && day.Before(to); i++ {
		if ws, we, ok := s.window(day); ok {
			out = append(out, interval.Span{From: interval.Later(ws, from), To: interval.Earlier(we, to)})
		}
		day = nextDay(day, s.loc)
	}
	return interval.Of(out...)
}

// advance returns the instant at which d of clock time has passed after from.
func (s *Hours) advance(clock string, from time.Time, d time.Duration) (time.Time, bool) {
	if clock == RoundTheClock || s.Always {
		return from.Add(d), true
	}
	day := midnight(from, s.loc)
	for i := 0; i < maxDays; i++ {
		if ws, we, ok := s.window(day); ok {
			a := interval.Later(ws, from)
			if we.After(a) {
				if avail := we.Sub(a); d <= avail {
					return a.Add(d), true
				} else {
					d -= avail
				}
			}
		}
		day = nextDay(day, s.loc)
	}
	return time.Time{}, false
}

func midnight(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

func nextDay(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
}

// running returns the spans between start and end (now, while it runs) outside the pauses; an
// open pause (To zero) lasts until end.
func running(start, end time.Time, pauses []interval.Span) interval.Set {
	ps := make([]interval.Span, len(pauses))
	for i, p := range pauses {
		ps[i] = p
		if p.To.IsZero() {
			ps[i].To = end
		}
	}
	return interval.Of(interval.Span{From: start, To: end}).Subtract(interval.Of(ps...))
}

// Elapsed is the clock time counted from start until end, pauses left out.
func (s *Hours) Elapsed(clock string, start, end time.Time, pauses []interval.Span) time.Duration {
	var total time.Duration
	for _, r := range running(start, end, pauses) {
		total += s.counted(clock, r.From, r.To)
	}
	return total
}

// Deadline is when target of clock time has passed after start, the pauses so far added on. An
// open pause stops the clock: there is no deadline until it ends (ok false).
func (s *Hours) Deadline(clock string, start time.Time, target time.Duration, pauses []interval.Span) (time.Time, bool) {
	ps := append([]interval.Span(nil), pauses...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].From.Before(ps[j].From) })
	cursor, left := start, target
	for _, p := range ps {
		if p.From.Before(cursor) {
			if p.To.IsZero() {
				return time.Time{}, false
			}
			cursor = interval.Later(cursor, p.To)
			continue
		}
		due, ok := s.advance(clock, cursor, left)
		if !ok || !due.After(p.From) {
			return due, ok
		}
		left -= s.counted(clock, cursor, p.From)
		if p.To.IsZero() {
			return time.Time{}, false
		}
		cursor = p.To
	}
	return s.advance(clock, cursor, left)
}

// Explain lists, day by day from start to end (at most 62 days), what the clock counted until now
// and will count after it: the support window, holidays and days without support hours, and the
// pauses.
func (s *Hours) Explain(clock string, start, end, now time.Time, pauses []interval.Span) []string {
	var out []string
	for _, p := range pauses {
		until := "now (the clock is paused)"
		if !p.To.IsZero() {
			until = p.To.In(s.loc).Format("2006-01-02 15:04")
		}
		out = append(out, fmt.Sprintf("paused pending the customer from %s until %s", p.From.In(s.loc).Format("2006-01-02 15:04"), until))
	}
	if clock == RoundTheClock || s.Always {
		return append(out, fmt.Sprintf("counted round the clock: %s of running time", s.Elapsed(clock, start, end, pauses).Round(time.Minute)))
	}
	day := midnight(start, s.loc)
	for i := 0; i < 62 && day.Before(end); i++ {
		label := day.Format("2006-01-02 Monday")
		if name, ok := s.Holiday(day); ok {
			out = append(out, label+": holiday ("+name+"), not counted")
		} else if ws, we, ok := s.window(day); !ok {
			out = append(out, label+": no support hours, not counted")
		} else {
			from, to := interval.Later(ws, start), interval.Earlier(we, end)
			done := s.Elapsed(clock, from, interval.Earlier(to, now), pauses)
			ahead := s.Elapsed(clock, interval.Later(from, now), to, pauses)
			line := fmt.Sprintf("%s: support hours %s-%s, counted %d min", label, ws.Format("15:04"), we.Format("15:04"), int(done.Minutes()))
			if ahead > 0 {
				line += fmt.Sprintf(", %d min more to the deadline", int(ahead.Minutes()))
			}
			out = append(out, line)
		}
		day = nextDay(day, s.loc)
	}
	return out
}

package ticket

import (
	"fmt"
	"math/bits"
	"strings"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/interval"
	"github.com/servicekatalog/servicekatalog/internal/schedule"
)

// The states of an SLA clock.
const (
	ClockOK       = "ok"
	ClockWarning  = "warning"  // 75 % of the target used
	ClockBreached = "breached" // 100 % used
)

// WarningPercent is where a clock turns to warning.
const WarningPercent = 75

// SLAClock is one SLA target of an escalated ticket and how much of it is used.
type SLAClock struct {
	Target         string     `json:"target" enums:"response,restore"`
	Clock          string     `json:"clock" enums:"business_hours,24x7"`
	TargetMinutes  int        `json:"target_minutes" example:"240"`
	StartedAt      time.Time  `json:"started_at" format:"date-time"`
	StoppedAt      *time.Time `json:"stopped_at" extensions:"x-nullable" format:"date-time"` // acknowledged (response) or resolved by the unit (restore)
	Deadline       *time.Time `json:"deadline" extensions:"x-nullable" format:"date-time"`   // null while paused
	ElapsedMinutes int        `json:"elapsed_minutes"`
	PercentUsed    float64    `json:"percent_used" example:"37.5"`
	State          string     `json:"state" enums:"ok,warning,breached"`
	Paused         bool       `json:"paused"`
	Explanation    []string   `json:"explanation,omitempty"`
}

// SLA is a ticket's SLA clocks and how they were counted.
type SLA struct {
	TicketID     string     `json:"ticket_id" format:"uuid"`
	Escalated    bool       `json:"escalated"`
	Level        string     `json:"level,omitempty" example:"standard"`
	Priority     Priority   `json:"priority"`
	Calendar     string     `json:"calendar,omitempty" example:"dk-public"`
	TimeZone     string     `json:"time_zone,omitempty" example:"Europe/Copenhagen"`
	SupportHours string     `json:"support_hours,omitempty" example:"monday 08:00-16:00, ..."`
	Pauses       []Pause    `json:"pauses"`
	Clocks       []SLAClock `json:"clocks"`
	Events       []SLAEvent `json:"events,omitempty"` // warnings and breaches recorded by the sweep
}

// clocks computes the ticket's SLA at now from its level, schedule and pauses; explain adds the
// day-by-day account.
func clocks(t Ticket, lvl catalog.Level, sched *schedule.Hours, pauses []Pause, now time.Time, explain bool) SLA {
	out := SLA{TicketID: t.ID, Priority: t.Priority, Pauses: []Pause{}, Clocks: []SLAClock{}}
	if t.EscalatedAt == nil {
		return out
	}
	out.Escalated, out.Level, out.Calendar, out.TimeZone = true, lvl.ID, sched.Calendar.ID, sched.Calendar.TimeZone
	out.SupportHours = describe(lvl.SupportHours)
	for _, p := range pauses {
		if !p.Start.Before(*t.EscalatedAt) {
			out.Pauses = append(out.Pauses, p)
		}
	}
	target := lvl.Priorities[string(t.Priority)]
	var restoreStop *time.Time
	if t.ResolvedByUnit {
		restoreStop = t.ResolvedAt
	}
	for _, c := range []struct {
		name    string
		clock   string
		minutes int
		stop    *time.Time
	}{
		{"response", target.ResponseClock, target.ResponseMinutes, t.AcknowledgedAt},
		{"restore", target.RestoreClock, target.RestoreMinutes, restoreStop},
	} {
		end := now
		if c.stop != nil {
			end = *c.stop
		}
		// Pauses after a clock stopped (e.g. the one a resolution starts) are not its concern.
		var ps []interval.Span
		for _, p := range out.Pauses {
			if c.stop == nil || p.Start.Before(*c.stop) {
				ps = append(ps, p.span())
			}
		}
		goal := time.Duration(c.minutes) * time.Minute
		elapsed := sched.Elapsed(c.clock, *t.EscalatedAt, end, ps)
		used := permille(elapsed, goal)
		k := SLAClock{Target: c.name, Clock: c.clock, TargetMinutes: c.minutes, StartedAt: *t.EscalatedAt, StoppedAt: c.stop,
			ElapsedMinutes: int(elapsed / time.Minute), PercentUsed: float64(used) / 10}
		if due, ok := sched.Deadline(c.clock, *t.EscalatedAt, goal, ps); ok {
			due = due.UTC()
			k.Deadline = &due
		}
		k.Paused = c.stop == nil && len(ps) > 0 && ps[len(ps)-1].To.IsZero()
		switch {
		case used >= 1000:
			k.State = ClockBreached
		case used >= WarningPercent*10:
			k.State = ClockWarning
		default:
			k.State = ClockOK
		}
		if explain {
			upto := end
			if k.Deadline != nil && k.Deadline.After(upto) {
				upto = *k.Deadline
			}
			k.Explanation = append([]string{fmt.Sprintf("target %d min on the %s clock from escalation at %s", c.minutes, c.clock,
				t.EscalatedAt.In(sched.Location()).Format("2006-01-02 15:04 MST"))}, sched.Explain(c.clock, *t.EscalatedAt, upto, now, ps)...)
		}
		out.Clocks = append(out.Clocks, k)
	}
	return out
}

// met says whether the clock of target met it when it stopped; nil while it runs.
func (s SLA) met(target string) *bool {
	for _, c := range s.Clocks {
		if c.Target == target && c.StoppedAt != nil {
			ok := c.State != ClockBreached
			return &ok
		}
	}
	return nil
}

// permille is how much of goal elapsed has used, in tenths of a percent, rounded down. It is
// exact and cannot overflow, however long a clock runs (elapsed×1000 in nanoseconds would after
// 107 days); a target of nothing is used up at once.
func permille(elapsed, goal time.Duration) uint64 {
	if elapsed <= 0 {
		return 0
	}
	if goal <= 0 {
		return 1000
	}
	q, r := uint64(elapsed/goal), uint64(elapsed%goal)
	hi, lo := bits.Mul64(r, 1000)
	frac, _ := bits.Div64(hi, lo, uint64(goal))
	return q*1000 + frac
}

// Pause is a stretch of time the clocks stood still: from the unit's request for information, or
// its resolution, with the reason it gave, until the ticket moved on (null while it lasts).
type Pause struct {
	Start  time.Time  `json:"start" format:"date-time"`
	End    *time.Time `json:"end" format:"date-time" extensions:"x-nullable"`
	Action Action     `json:"action" enums:"request_info,resolve" example:"request_info"`
	Reason string     `json:"reason,omitempty" example:"Which share paths fail?"`
}

// span is the pause as the clocks read it: open (To zero) while it lasts.
func (p Pause) span() interval.Span {
	s := interval.Span{From: p.Start}
	if p.End != nil {
		s.To = *p.End
	}
	return s
}

// pausesOf reads the pauses from a ticket's history, in order: waiting for the municipality, and
// a resolution it has not confirmed, stop the clocks; the information, a reopening or a hand-back
// starts them again.
func pausesOf(history []Event) []Pause {
	var out []Pause
	for _, e := range history {
		open := len(out) > 0 && out[len(out)-1].End == nil
		switch e.Action {
		case RequestInfo, Resolve:
			if !open {
				out = append(out, Pause{Start: e.At, Action: e.Action, Reason: e.Reason})
			}
		case ProvideInfo, Reopen, HandBack:
			if open {
				at := e.At
				out[len(out)-1].End = &at
			}
		}
	}
	return out
}

// due is the next deadline the second line works towards: the response while unacknowledged,
// then the restore while running.
func (s SLA) due(state State) *time.Time {
	for _, c := range s.Clocks {
		if c.StoppedAt == nil && !c.Paused && (c.Target == "response" || state == Acknowledged) {
			return c.Deadline
		}
	}
	return nil
}

func describe(h catalog.SupportHours) string {
	if h.Always {
		return "always"
	}
	var parts []string
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		if s, ok := h.Weekly[d]; ok {
			parts = append(parts, d+" "+s.From+"-"+s.To)
		}
	}
	return strings.Join(parts, ", ")
}

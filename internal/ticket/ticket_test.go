package ticket

import (
	"slices"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

var now = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// TestTicketsMoveAcrossTheSplit tries every action from every state on both sides: each is made
// only by its side, only from its states, and lands where the split says.
func TestTicketsMoveAcrossTheSplit(t *testing.T) {
	sub := "s"
	want := map[Action]struct {
		side string
		to   map[State]State // from → to
	}{
		Escalate:    {municipalSide, map[State]State{Open: Escalated}},
		ResolveHere: {municipalSide, map[State]State{Open: Resolved}},
		ProvideInfo: {municipalSide, map[State]State{PendingCustomer: Acknowledged}},
		Close:       {municipalSide, map[State]State{Resolved: Closed}},
		Reopen:      {municipalSide, map[State]State{Resolved: Open, Closed: Open}},
		Acknowledge: {unitSide, map[State]State{Escalated: Acknowledged}},
		RequestInfo: {unitSide, map[State]State{Acknowledged: PendingCustomer}},
		Resolve:     {unitSide, map[State]State{Acknowledged: Resolved}},
		HandBack:    {unitSide, map[State]State{Escalated: Open, Acknowledged: Open}},
	}
	for name, w := range want {
		for _, side := range []string{municipalSide, unitSide} {
			for _, state := range States {
				resolved := now.Add(-time.Hour)
				tk := Ticket{State: state, SubscriptionID: &sub, ResolvedAt: &resolved}
				e, err := tk.apply(name, side, "because", now, DefaultReopenDays)
				to, ok := w.to[state]
				switch {
				case side != w.side:
					if apperr.KindOf(err) != apperr.Invalid {
						t.Errorf("%s by the %s side: %v, want refused", name, side, err)
					}
				case ok && (err != nil || tk.State != to || e.FromState != state || e.ToState != to):
					t.Errorf("%s from %s: %v, now %s", name, state, err, tk.State)
				case !ok && (apperr.KindOf(err) != apperr.Conflict || tk.State != state):
					t.Errorf("%s from %s: %v, state %s, want a conflict and no change", name, state, err, tk.State)
				}
			}
		}
	}
}

func TestTheClockFieldsFollowTheActions(t *testing.T) {
	sub := "s"
	tk := Ticket{State: Open}
	if _, err := tk.apply(Escalate, municipalSide, "storage", now, DefaultReopenDays); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("escalating without a subscription: %v", err)
	}
	tk.SubscriptionID = &sub
	steps := []struct {
		action Action
		side   string
		check  func() bool
	}{
		{Escalate, municipalSide, func() bool { return tk.EscalatedAt != nil && tk.FirstEscalatedAt != nil && tk.AcknowledgedAt == nil }},
		{Acknowledge, unitSide, func() bool { return tk.AcknowledgedAt != nil }},
		{HandBack, unitSide, func() bool { return tk.EscalatedAt == nil && tk.AcknowledgedAt == nil && tk.FirstEscalatedAt != nil }},
		{Escalate, municipalSide, func() bool { return tk.EscalatedAt != nil && tk.AcknowledgedAt == nil }},
		{Acknowledge, unitSide, func() bool { return tk.AcknowledgedAt != nil }},
		{Resolve, unitSide, func() bool { return tk.ResolvedAt != nil && tk.ResolvedByUnit }},
		{Close, municipalSide, func() bool { return tk.ClosedAt != nil }},
		// reopened after the unit resolved it: back to the unit, its restore clock running on
		{Reopen, municipalSide, func() bool { return tk.State == Acknowledged && tk.ResolvedAt == nil && tk.ClosedAt == nil }},
	}
	for i, st := range steps {
		if _, err := tk.apply(st.action, st.side, "why", now.Add(time.Duration(i)*time.Minute), DefaultReopenDays); err != nil || !st.check() {
			t.Fatalf("step %d %s: %v, ticket %+v", i, st.action, err, tk)
		}
	}
}

func TestATicketReopensOnlyWithinThePeriod(t *testing.T) {
	for days, ok := range map[int]bool{0: true, 13: true, 14: true, 15: false} {
		resolved := now.AddDate(0, 0, -days)
		tk := Ticket{State: Closed, ResolvedAt: &resolved}
		_, err := tk.apply(Reopen, municipalSide, "again", now, DefaultReopenDays)
		if (err == nil) != ok {
			t.Errorf("reopen %d days after resolution: %v, want allowed %v", days, err, ok)
		}
	}
}

// A ticket never escalated has no pause in its history, so its first escalation computes the
// clocks without reading the history: every action that pauses a clock is out of reach until
// the ticket has been escalated.
func TestNothingPausesBeforeTheFirstEscalation(t *testing.T) {
	pauses := func(a Action) bool { return len(pausesOf([]Event{{Action: a, At: now}})) > 0 }
	reached, todo := map[State]bool{Open: true}, []State{Open}
	for len(todo) > 0 {
		st := todo[0]
		todo = todo[1:]
		for name, a := range actions {
			if name == Escalate || !slices.Contains(a.from, st) {
				continue
			}
			if pauses(name) {
				t.Errorf("%s pauses a clock and can be made in %s before any escalation", name, st)
			}
			to := a.to
			if to == "" { // reopened: back to where it was worked, open for a ticket never escalated
				to = Open
			}
			if !reached[to] {
				reached[to] = true
				todo = append(todo, to)
			}
		}
	}
	if !pauses(RequestInfo) || !pauses(Resolve) {
		t.Fatal("requesting information and resolving no longer pause the clocks; this test checks nothing")
	}
}

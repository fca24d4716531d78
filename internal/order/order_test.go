package order

import (
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
)

// TestOrdersMoveOnlyAlongTMF622 tries every transition from every state: each is allowed from
// exactly the states TMF622 gives it, and the ones that must say why refuse without a reason.
func TestOrdersMoveOnlyAlongTMF622(t *testing.T) {
	allowed := map[Transition]map[State]State{ // transition → from state → to state
		Accept:   {Acknowledged: Accepted},
		Reject:   {Acknowledged: Rejected},
		Start:    {Accepted: InProgress},
		Complete: {InProgress: Completed},
		Fail:     {InProgress: Failed},
		Cancel:   {Acknowledged: Cancelled, Accepted: Cancelled},
	}
	for transition, from := range allowed {
		for _, state := range States {
			o := Order{ID: "o", State: state}
			e, err := o.move(transition, "because")
			to, ok := from[state]
			switch {
			case ok && (err != nil || o.State != to || e.From != state || e.To != to || o.Reason != "because"):
				t.Errorf("%s from %s: %v, now %s, event %+v", transition, state, err, o.State, e)
			case !ok && apperr.KindOf(err) != apperr.Conflict:
				t.Errorf("%s from %s: %v, want a conflict", transition, state, err)
			case !ok && o.State != state:
				t.Errorf("%s from %s changed the order to %s", transition, state, o.State)
			}
		}
	}
	for _, transition := range []Transition{Reject, Fail, Cancel} {
		o := Order{State: map[Transition]State{Reject: Acknowledged, Fail: InProgress, Cancel: Accepted}[transition]}
		if _, err := o.move(transition, ""); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%s without a reason: %v", transition, err)
		}
	}
}

// TestTheGateAsksForTheFamiliesAnOrderAddsOrChanges: a terminated service needs no risk
// assessment; each family is named once.
func TestTheGateAsksForTheFamiliesAnOrderAddsOrChanges(t *testing.T) {
	o := Order{Items: []Item{{Action: Add, Pinned: subscription.Pinned{Family: "storage"}}, {Action: Add, Pinned: subscription.Pinned{Family: "compute"}}, {Action: Modify, Pinned: subscription.Pinned{Family: "network"}},
		{Action: Add, Pinned: subscription.Pinned{Family: "compute"}}, {Action: Terminate, Pinned: subscription.Pinned{Family: "security"}}}}
	if got := o.families(); len(got) != 3 || got[0] != "compute" || got[1] != "network" || got[2] != "storage" {
		t.Errorf("families = %v, want [compute network storage]", got)
	}
}

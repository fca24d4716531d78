package offering

import (
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
)

var now = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// TestAVersionGoesFromDraftToPublishedOrBack tries each step of the lifecycle from every state.
func TestAVersionGoesFromDraftToPublishedOrBack(t *testing.T) {
	steps := map[string]struct {
		from, to State
		do       func(v *Version) error
	}{
		"submit":  {Draft, Submitted, func(v *Version) error { return v.submit(now) }},
		"approve": {Submitted, Published, func(v *Version) error { return v.decide(true, "fine", now) }},
		"reject":  {Submitted, Draft, func(v *Version) error { return v.decide(false, "too dear", now) }},
		"edit":    {Draft, Draft, func(v *Version) error { return v.edit(Terms{Delivery: "own"}) }},
		"retire": {Published, Retired, func(v *Version) error {
			return v.retire(now.AddDate(1, 0, 0), nil, now)
		}},
	}
	for name, st := range steps {
		for _, state := range States {
			v := Version{Number: 1, State: state}
			err := st.do(&v)
			switch {
			case state == st.from && (err != nil || v.State != st.to):
				t.Errorf("%s from %s: %v, now %s", name, state, err, v.State)
			case state != st.from && (apperr.KindOf(err) != apperr.Conflict || v.State != state):
				t.Errorf("%s from %s: %v, now %s; want a conflict and no change", name, state, err, v.State)
			}
		}
	}
	v := Version{State: Submitted, RejectionReason: ""}
	_ = v.decide(false, "too dear", now)
	if v.RejectionReason != "too dear" || v.submit(now) != nil || v.RejectionReason != "" || v.SubmittedAt == nil {
		t.Errorf("a rejection keeps its reason until the draft is submitted again: %+v", v)
	}
}

// TestRetirementGivesTheLongestNoticeOfTheLevelsOffered: subscribers get the notice their level
// promises, so the longest of the offered levels' notices counts.
func TestRetirementGivesTheLongestNoticeOfTheLevelsOffered(t *testing.T) {
	levels := []catalog.Level{{ID: "basis", TerminationNoticeDays: 90}, {ID: "standard", TerminationNoticeDays: 180}, {ID: "plus", TerminationNoticeDays: 365}}
	offered := Terms{Levels: []LevelTerms{{Level: "basis"}, {Level: "standard"}}}
	for days, ok := range map[int]bool{90: false, 179: false, 180: true, 400: true} {
		v := Version{State: Published, Terms: offered}
		err := v.retire(now.AddDate(0, 0, days), levels, now)
		if (err == nil) != ok {
			t.Errorf("retire in %d days: %v, want allowed %v", days, err, ok)
		}
	}
}

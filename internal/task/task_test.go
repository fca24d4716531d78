package task

import (
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

func TestWhoMovesATaskFromWhereToWhere(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		from   Status
		action Action
		side   string
		to     Status
		err    apperr.Kind
	}{
		{NotStarted, Start, "municipality", Started, ""},
		{Started, Start, "municipality", "", apperr.Conflict},
		{NotStarted, Complete, "municipality", Completed, ""},
		{Started, Complete, "municipality", Completed, ""},
		{Completed, Complete, "municipality", "", apperr.Conflict},
		{Completed, Confirm, "issuer", Confirmed, ""},
		{Started, Confirm, "issuer", "", apperr.Conflict},
		{Completed, Confirm, "municipality", "", apperr.Forbidden},
		{Completed, Return, "issuer", Started, ""},
		{Confirmed, Return, "issuer", "", apperr.Conflict},
		{NotStarted, Start, "issuer", "", apperr.Forbidden},
	}
	for _, tc := range tests {
		a := Assignment{Status: tc.from}
		err := a.transition(tc.action, tc.side, now)
		switch {
		case tc.err != "" && !apperr.Is(err, tc.err):
			t.Errorf("%s %s from %s: %v, want %s", tc.side, tc.action, tc.from, err, tc.err)
		case tc.err == "" && (err != nil || a.Status != tc.to):
			t.Errorf("%s %s from %s: %s (%v), want %s", tc.side, tc.action, tc.from, a.Status, err, tc.to)
		}
	}
	a := Assignment{Status: NotStarted}
	if a.transition(Complete, "municipality", now); a.StartedAt == nil || a.CompletedAt == nil {
		t.Error("completing a task not started does not start it too")
	}
	if a.transition(Return, "issuer", now); a.CompletedAt != nil {
		t.Error("a returned task still reads completed")
	}
}

func TestATasksDatesAndDuration(t *testing.T) {
	ok := Fields{Title: "T", Type: Mandatory, DurationDays: 5, StartOn: "2027-01-04", EndOn: "2027-01-08"}
	tests := []struct {
		name    string
		change  func(f *Fields)
		pointer string
	}{
		{"five days in five", func(*Fields) {}, ""},
		{"six days in five", func(f *Fields) { f.DurationDays = 6 }, "/duration_days"},
		{"an end before the start", func(f *Fields) { f.EndOn = "2027-01-03" }, "/end_on"},
		{"not a date", func(f *Fields) { f.StartOn = "4 January" }, "/start_on"},
		{"an unknown type", func(f *Fields) { f.Type = "urgent" }, "/type"},
		{"an unknown check", func(f *Fields) { f.Evidence = "trust_me" }, "/evidence"},
	}
	for _, tc := range tests {
		f := ok
		tc.change(&f)
		_, _, err := f.check()
		var got string
		if e, is := err.(*apperr.Error); is && len(e.Fields) > 0 {
			got = e.Fields[0].Pointer
		}
		if got != tc.pointer {
			t.Errorf("%s: %v, want a problem at %q", tc.name, err, tc.pointer)
		}
	}
}

func TestOverdueIsPastTheEndDateAndNotCompleted(t *testing.T) {
	end := time.Date(2026, 12, 11, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		status Status
		today  time.Time
		want   bool
	}{
		{Started, end, false},
		{Started, end.AddDate(0, 0, 1), true},
		{NotStarted, end.AddDate(0, 0, 1), true},
		{Completed, end.AddDate(0, 0, 1), false},
		{Confirmed, end.AddDate(0, 0, 30), false},
	} {
		if got := overdue(tc.status, end, tc.today); got != tc.want {
			t.Errorf("%s on %s: overdue %v", tc.status, tc.today.Format(time.DateOnly), got)
		}
	}
}

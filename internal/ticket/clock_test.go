package ticket

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	catalogfiles "github.com/servicekatalog/servicekatalog/catalog"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/schedule"
)

func TestPermilleIsExactAndCannotOverflow(t *testing.T) {
	tests := []struct {
		elapsed, goal time.Duration
		want          uint64
	}{
		{0, time.Hour, 0},
		{45 * time.Minute, time.Hour, 750},
		{time.Hour - time.Nanosecond, time.Hour, 999},
		{time.Hour, time.Hour, 1000},
		{108 * 24 * time.Hour, 4 * time.Hour, 648000}, // where elapsed×1000 in nanoseconds overflowed
		{20 * 365 * 24 * time.Hour, time.Minute, 10512000000},
		{1<<63 - 1, time.Minute, 153722867280},
		{time.Minute, 0, 1000},
		{-time.Minute, time.Hour, 0},
	}
	for _, tc := range tests {
		if got := permille(tc.elapsed, tc.goal); got != tc.want {
			t.Errorf("permille(%v, %v) = %d, want %d", tc.elapsed, tc.goal, got, tc.want)
		}
	}
}

// TestClocksRunningForYearsStayConsistent: for clocks escalated at random moments, paused at
// random, and read at random moments up to five years on, on every level and priority: the
// percentage never falls as time goes on, is never negative, the state follows it (warning from
// 75 %, breached from 100 %), and a clock is breached exactly when its deadline has passed.
func TestClocksRunningForYearsStayConsistent(t *testing.T) {
	cat, problems := catalog.Load(catalogfiles.Files)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	cals := map[string]catalog.Calendar{}
	for _, c := range cat.Calendars {
		cals[c.ID] = c
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	checked := 0
	for _, lvl := range cat.Levels {
		sched, err := schedule.NewHours(lvl.SupportHours, cals[lvl.SupportHours.Calendar])
		if err != nil {
			t.Fatal(err)
		}
		for _, prio := range Priorities {
			for range 12 {
				esc := base.Add(time.Duration(rnd.Int64N(int64(3 * 365 * 24 * time.Hour))))
				tk := Ticket{ID: "t", Priority: prio, EscalatedAt: &esc}
				var pauses []Pause
				if rnd.IntN(2) == 0 {
					start := esc.Add(time.Duration(rnd.Int64N(int64(72 * time.Hour))))
					end := start.Add(time.Duration(rnd.Int64N(int64(96 * time.Hour))))
					pauses = append(pauses, Pause{Start: start, End: &end, Action: RequestInfo})
				}
				last := -1.0
				for _, after := range []time.Duration{0, time.Minute, time.Hour, 8 * time.Hour, 3 * 24 * time.Hour, 30 * 24 * time.Hour,
					108 * 24 * time.Hour, 400 * 24 * time.Hour, 5 * 365 * 24 * time.Hour} {
					now := esc.Add(after)
					for _, k := range clocks(tk, lvl, sched, pauses, now, false).Clocks {
						if k.Target != "restore" {
							continue
						}
						checked++
						where := lvl.ID + " " + string(prio) + " escalated " + esc.Format(time.RFC3339) + " read " + after.String() + " later"
						if k.PercentUsed < 0 || k.PercentUsed < last {
							t.Fatalf("%s: %.1f %% after %.1f %%", where, k.PercentUsed, last)
						}
						last = k.PercentUsed
						want := ClockOK
						if k.PercentUsed >= 100 {
							want = ClockBreached
						} else if k.PercentUsed >= WarningPercent {
							want = ClockWarning
						}
						if k.State != want {
							t.Fatalf("%s: %.1f %% is %s, want %s", where, k.PercentUsed, k.State, want)
						}
						if k.Deadline != nil && (k.State == ClockBreached) != !now.Before(*k.Deadline) {
							t.Fatalf("%s: state %s, deadline %s", where, k.State, k.Deadline)
						}
					}
				}
			}
		}
	}
	t.Logf("%d restore clocks read, up to five years after escalation", checked)
}

// TestPausesAreReadFromTheHistory: the unit's request for information, or its resolution, stops
// the clocks with its reason until the information, a reopening or a hand-back; a pause that
// lasts says "end": null.
func TestPausesAreReadFromTheHistory(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 23, h, 0, 0, 0, time.UTC) }
	history := []Event{
		{Action: Escalate, At: at(8)}, {Action: Acknowledge, At: at(9)},
		{Action: RequestInfo, Reason: "Which share paths fail?", At: at(10)}, {Action: ProvideInfo, At: at(11)},
		{Action: Resolve, At: at(12)}, {Action: Reopen, Reason: "Still down", At: at(13)},
		{Action: RequestInfo, Reason: "Send a screenshot", At: at(14)},
	}
	got := pausesOf(history)
	if len(got) != 3 || got[0].Reason != "Which share paths fail?" || !got[0].End.Equal(at(11)) || got[1].Action != Resolve ||
		!got[1].End.Equal(at(13)) || got[2].End != nil {
		t.Fatalf("pauses %+v", got)
	}
	b, err := json.Marshal(got[2])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"start":"2026-11-23T14:00:00Z","end":null,"action":"request_info","reason":"Send a screenshot"}`; string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
}

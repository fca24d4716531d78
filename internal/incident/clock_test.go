package incident

import (
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/clock"
)

var nis2 = Profile{EarlyWarning: 24 * time.Hour, Notification: 72 * time.Hour, FinalMonths: 1}

func cph(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Copenhagen)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(t time.Time) *time.Time { return &t }

// The deadlines, worked by hand: 24 and 72 hours are elapsed hours, so across the change of
// summer time their wall-clock hour moves; a month is a calendar month at the same wall-clock time.
func TestTheNIS2DeadlinesCountCalendarTimeFromAwareness(t *testing.T) {
	tests := []struct {
		name        string
		aware       string
		significant bool
		handled     string
		reports     map[ReportKind]string
		now         string
		want        string // report due (late/overdue) per deadline
	}{
		{name: "across the end of summer time, the notification submitted early",
			aware: "2026-10-24 10:00", significant: true, handled: "2026-11-02 12:00", now: "2026-11-10 12:00",
			reports: map[ReportKind]string{EarlyWarning: "2026-10-25 09:30", Notification: "2026-10-26 15:00"},
			// 24 h after 10:00 CEST is 09:00 CET; the early warning at 09:30 is late.
			want: "early_warning 2026-10-25 09:00 CET late; notification 2026-10-27 09:00 CET; final 2026-11-26 15:00 CET"},
		{name: "across the start of summer time, the notification not submitted",
			aware: "2027-03-27 12:00", significant: true, now: "2027-04-01 08:00",
			reports: map[ReportKind]string{EarlyWarning: "2027-03-28 10:00"},
			want:    "early_warning 2027-03-28 13:00 CEST; notification 2027-03-30 13:00 CEST overdue; final 2027-04-30 13:00 CEST"},
		{name: "still ongoing a month after the notification: a progress report then",
			aware: "2026-01-10 09:00", significant: true, now: "2026-02-20 09:00",
			reports: map[ReportKind]string{EarlyWarning: "2026-01-10 18:00", Notification: "2026-01-12 09:00"},
			want:    "early_warning 2026-01-11 09:00 CET; notification 2026-01-13 09:00 CET; progress 2026-02-12 09:00 CET overdue; final -"},
		{name: "handled after the month: the final report a month after handling, in summer time",
			aware: "2026-01-10 09:00", significant: true, handled: "2026-03-05 10:00", now: "2026-03-06 09:00",
			reports: map[ReportKind]string{EarlyWarning: "2026-01-10 18:00", Notification: "2026-01-12 09:00", Progress: "2026-02-11 09:00"},
			want:    "early_warning 2026-01-11 09:00 CET; notification 2026-01-13 09:00 CET; progress 2026-02-12 09:00 CET; final 2026-04-05 10:00 CEST"},
		{name: "a notification on the last of January: the final report on the last of February",
			aware: "2026-01-28 16:00", significant: true, handled: "2026-02-10 08:00", now: "2026-02-11 08:00",
			reports: map[ReportKind]string{EarlyWarning: "2026-01-29 08:00", Notification: "2026-01-31 11:00"},
			want:    "early_warning 2026-01-29 16:00 CET; notification 2026-01-31 16:00 CET; final 2026-02-28 11:00 CET"},
		{name: "not significant: no reports due", aware: "2026-10-24 10:00", now: "2026-12-01 10:00", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reports []Report
			for k, at := range tc.reports {
				reports = append(reports, Report{Kind: k, SubmittedAt: cph(at)})
			}
			var handled *time.Time
			if tc.handled != "" {
				handled = ptr(cph(tc.handled))
			}
			var got []string
			for _, d := range Deadlines(nis2, cph(tc.aware), tc.significant, handled, reports, cph(tc.now)) {
				s := string(d.Report) + " -"
				if d.DueAt != nil {
					s = string(d.Report) + " " + d.DueAt.Format("2006-01-02 15:04 MST")
				}
				if d.Late {
					s += " late"
				}
				if d.Overdue {
					s += " overdue"
				}
				if d.Basis == "" {
					t.Errorf("%s has no basis", d.Report)
				}
				got = append(got, s)
			}
			if strings.Join(got, "; ") != tc.want {
				t.Errorf("got  %s\nwant %s", strings.Join(got, "; "), tc.want)
			}
		})
	}
}

func TestAMonthLaterIsTheSameDayOrTheMonthsLast(t *testing.T) {
	for in, want := range map[string]string{
		"2026-01-31 11:00": "2026-02-28 11:00 CET",
		"2028-01-31 11:00": "2028-02-29 11:00 CET",
		"2026-03-15 02:30": "2026-04-15 02:30 CEST",
		"2026-10-26 15:00": "2026-11-26 15:00 CET",
		"2026-12-31 23:30": "2027-01-31 23:30 CET",
	} {
		if got := AddMonths(cph(in), 1).Format("2006-01-02 15:04 MST"); got != want {
			t.Errorf("%s + 1 month = %s, want %s", in, got, want)
		}
	}
}

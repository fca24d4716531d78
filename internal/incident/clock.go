package incident

import (
	"fmt"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/clock"
)

// ProfileID is the clock profile of the Danish NIS2 act in the catalogue's clock profiles.
const ProfileID = "nis2-dk"

// Profile is how the deadlines of a significant incident are counted: in calendar time from
// awareness, never paused.
type Profile struct {
	EarlyWarning time.Duration // after awareness
	Notification time.Duration // after awareness
	FinalMonths  int           // after the notification, or after the incident is handled
}

// ProfileOf reads the NIS2-DK profile from the catalogue's clock profiles.
func ProfileOf(v catalog.Vocabulary) (Profile, error) {
	for _, e := range v.Entries {
		if e.ID != ProfileID {
			continue
		}
		num := func(k string) (int, error) {
			switch n := e.Attributes[k].(type) {
			case int:
				return n, nil
			case float64:
				return int(n), nil
			}
			return 0, fmt.Errorf("clock profile %s: attribute %s is not a number", ProfileID, k)
		}
		ew, err1 := num("early_warning_hours")
		nt, err2 := num("notification_hours")
		fm, err3 := num("final_report_months_after_notification")
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				return Profile{}, err
			}
		}
		return Profile{EarlyWarning: time.Duration(ew) * time.Hour, Notification: time.Duration(nt) * time.Hour, FinalMonths: fm}, nil
	}
	return Profile{}, fmt.Errorf("the clock profiles have no %s", ProfileID)
}

// Deadline is when a report is due, why, and whether it came in time.
type Deadline struct {
	Report ReportKind `json:"report" enums:"early_warning,notification,progress,final"`
	// DueAt is null for a final report due a month after the incident is handled, while it is not.
	DueAt       *time.Time `json:"due_at" format:"date-time" extensions:"x-nullable"`
	Basis       string     `json:"basis" example:"24 hours after awareness (2026-10-24 10:00 CEST)"`
	SubmittedAt *time.Time `json:"submitted_at" format:"date-time" extensions:"x-nullable"`
	Late        bool       `json:"late"`    // submitted after it was due
	Overdue     bool       `json:"overdue"` // due, and not submitted
}

// Deadlines are the reports a significant incident owes at now: the early warning 24 hours and
// the notification 72 hours after awareness; the final report a month after the notification
// (as submitted, or as due while it is not) if the incident is handled by then, otherwise a
// progress report then and the final report a month after it is handled. An incident that is not
// significant owes none.
func Deadlines(p Profile, awareAt time.Time, significant bool, handledAt *time.Time, reports []Report, now time.Time) []Deadline {
	if !significant {
		return []Deadline{}
	}
	first := map[ReportKind]*time.Time{}
	for _, r := range reports {
		if t := r.SubmittedAt; first[r.Kind] == nil || t.Before(*first[r.Kind]) {
			first[r.Kind] = &t
		}
	}
	at := func(k ReportKind, due *time.Time, basis string) Deadline {
		d := Deadline{Report: k, Basis: basis, SubmittedAt: first[k]}
		if due != nil {
			cph := due.In(clock.Copenhagen) // shown as the act counts it: Danish time
			d.DueAt = &cph
			d.Late = d.SubmittedAt != nil && d.SubmittedAt.After(*due)
			d.Overdue = d.SubmittedAt == nil && now.After(*due)
		}
		return d
	}
	ew, nt := awareAt.Add(p.EarlyWarning), awareAt.Add(p.Notification)
	out := []Deadline{
		at(EarlyWarning, &ew, fmt.Sprintf("%s after awareness (%s)", hours(p.EarlyWarning), local(awareAt))),
		at(Notification, &nt, fmt.Sprintf("%s after awareness (%s)", hours(p.Notification), local(awareAt))),
	}
	base, which := nt, "due"
	if s := first[Notification]; s != nil {
		base, which = *s, "submitted"
	}
	final := AddMonths(base, p.FinalMonths)
	ongoing := handledAt == nil && !now.Before(final) || handledAt != nil && handledAt.After(final)
	if !ongoing {
		return append(out, at(Final, &final, fmt.Sprintf("%s after the incident notification (%s %s)", months(p.FinalMonths), which, local(base))))
	}
	out = append(out, at(Progress, &final, fmt.Sprintf("%s after the incident notification (%s %s), the incident still ongoing",
		months(p.FinalMonths), which, local(base))))
	if handledAt == nil {
		return append(out, at(Final, nil, months(p.FinalMonths)+" after the incident is handled, which it is not yet"))
	}
	after := AddMonths(*handledAt, p.FinalMonths)
	return append(out, at(Final, &after, fmt.Sprintf("%s after the incident was handled (%s)", months(p.FinalMonths), local(*handledAt))))
}

// AddMonths is t plus n calendar months in Copenhagen, at the same time of day; a day the month
// does not have is its last day (31 January plus one month is 28 or 29 February), as periods
// are counted in EU law (Regulation 1182/71).
func AddMonths(t time.Time, n int) time.Time {
	l := t.In(clock.Copenhagen)
	y, m, d := l.Date()
	last := time.Date(y, m+time.Month(n)+1, 0, 0, 0, 0, 0, clock.Copenhagen).Day()
	return time.Date(y, m+time.Month(n), min(d, last), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), clock.Copenhagen)
}

func local(t time.Time) string { return t.In(clock.Copenhagen).Format("2006-01-02 15:04 MST") }

func hours(d time.Duration) string { return fmt.Sprintf("%d hours", int(d.Hours())) }

func months(n int) string {
	if n == 1 {
		return "1 month"
	}
	return fmt.Sprintf("%d months", n)
}

package incidents_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/incident"
)

// deadlines renders an incident's deadlines as the test compares them, in Danish time.
func deadlines(i incident.Incident) string {
	var out []string
	for _, d := range i.Deadlines {
		s := string(d.Report) + " -"
		if d.DueAt != nil {
			s = string(d.Report) + " " + d.DueAt.In(clock.Copenhagen).Format("2006-01-02 15:04 MST")
		}
		if d.Late {
			s += " late"
		}
		if d.Overdue {
			s += " overdue"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// A unit records a significant ransomware incident the day before summer time ends, with
// personal data involved: the municipality holding the subscription is told at once by a
// high-priority SIKKERHED mail, acknowledges it, and reads its own 72-hour clock; the early
// warning is late, the notification overdue and on the council's list until it is submitted;
// the incident handled, the final report is due a month after the notification.
func TestAnIncidentsDeadlinesRunFromAwarenessAndTheAffectedAreTold(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4))
	env.At(t, "2026-10-20 09:00")
	env.MeetGateOf(t, "751")
	sub := env.SubscribeTo(t, "751", "midt")
	env.VerifyMailbox(t, "751", "it-drift@aarhus.example")
	path := "/api/v1/units/midt/incidents"

	env.At(t, "2026-10-24 10:40")
	var inc incident.Incident
	resp := env.Do(apptest.Request{Method: "POST", Path: path, Token: env.Token("unit_admin.midt"), Header: apptest.Key(), Body: map[string]any{
		"title": "Ransomware on a file server cluster", "description": "One storage cluster encrypted; isolated.",
		"aware_at": "2026-10-24T10:00:00+02:00", "severity": "high", "significant": true, "personal_data": true,
		"subscriptions": []string{sub}}})
	apptest.MustStatus(t, "record", resp, 201)
	resp.Decode(t, &inc)
	if strings.Join(inc.Affected, ",") != "751" || inc.Notice == nil ||
		deadlines(inc) != "early_warning 2026-10-25 09:00 CET; notification 2026-10-27 09:00 CET; final 2026-11-27 09:00 CET" {
		t.Fatalf("the incident: affected %v, notice %v, deadlines %s", inc.Affected, inc.Notice, deadlines(inc))
	}
	mails := env.MailsTo(t, "it-drift@aarhus.example", "[SIKKERHED] ! Ransomware on a file server cluster", 1)
	if len(mails) != 1 || mails[0].Header.Get("Importance") != "high" || !strings.Contains(mails[0].Text, "Personal data is involved") {
		t.Fatalf("the mail to 751: %+v", mails)
	}

	// The municipality reads the incident and its clock as controller, and acknowledges the notice.
	var a incident.Affecting
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/incidents/" + inc.ID, Token: env.Token("spoc.751")}).Decode(t, &a)
	if a.ControllerDeadline == nil || a.ControllerDeadline.Sub(*a.ToldAt) != 72*time.Hour || a.Severity != incident.High {
		t.Errorf("751 reads %+v", a)
	}
	apptest.MustStatus(t, "acknowledge", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/751/notices/" + *inc.Notice + "/acknowledge",
		Token: env.Token("spoc.751"), Body: map[string]any{}}), 200)
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/incidents/" + inc.ID, Token: env.Token("spoc.101")}); resp.Status != 404 {
		t.Errorf("a municipality it does not affect reads it: %d", resp.Status)
	}

	report := func(kind, at string) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: path + "/" + inc.ID + "/reports", Token: env.Token("unit_admin.midt"), Header: apptest.Key(),
			Body: map[string]any{"kind": kind, "summary": "Reported to the CSIRT.", "reference": "CFCS-2026-0142"}})
	}
	remind := func() int { return env.Sweep(t, env.App.Incidents.Remind) }
	// Six hours before the early warning is due the unit is reminded, once; the sweep does the
	// same in the background, so what counts is that it is sent once.
	env.At(t, "2026-10-25 03:30")
	if n, again := remind(), remind(); n > 1 || again != 0 {
		t.Errorf("the reminder before the early warning: %d, then %d", n, again)
	}
	env.At(t, "2026-10-25 09:10")
	if n, again := remind(), remind(); n > 1 || again != 0 {
		t.Errorf("the reminder once overdue: %d, then %d", n, again)
	}
	var subjects []string
	for _, m := range env.MailsTo(t, "unit_admin.midt@demo.example", "[SIKKERHED]", 2) {
		subjects = append(subjects, m.Header.Get("Subject"))
	}
	if slices.Sort(subjects); strings.Join(subjects, "; ") != `[SIKKERHED] ! Incident "Ransomware on a file server cluster": the early warning is overdue since 2026-10-25 09:00 CET (midt); `+
		`[SIKKERHED] Incident "Ransomware on a file server cluster": the early warning is due at 2026-10-25 09:00 CET (midt)` {
		t.Errorf("the reminders to the unit: %q", subjects)
	}
	env.At(t, "2026-10-25 09:30") // half an hour late, in winter time
	apptest.MustStatus(t, "the early warning", report("early_warning", ""), 201)
	env.At(t, "2026-10-27 10:00")
	var overdue []incident.Incident
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/incidents/overdue", Token: env.Token("council")}).Decode(t, &overdue)
	if len(overdue) != 1 || overdue[0].ID != inc.ID ||
		deadlines(overdue[0]) != "early_warning 2026-10-25 09:00 CET late; notification 2026-10-27 09:00 CET overdue; final 2026-11-27 09:00 CET" {
		t.Fatalf("the overdue list: %d, %s", len(overdue), deadlines(inc))
	}
	env.At(t, "2026-10-27 10:30")
	resp = report("notification", "")
	apptest.MustStatus(t, "the notification", resp, 201)
	resp.Decode(t, &inc)
	if deadlines(inc) != "early_warning 2026-10-25 09:00 CET late; notification 2026-10-27 09:00 CET late; final 2026-11-27 10:30 CET" {
		t.Errorf("after the notification: %s", deadlines(inc))
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/incidents/overdue", Token: env.Token("council")}).Decode(t, &overdue)
	if len(overdue) != 0 {
		t.Errorf("still overdue: %d", len(overdue))
	}
	if resp := report("final", ""); resp.Status != 400 || !strings.Contains(string(resp.Body), "needs the incident handled") {
		t.Errorf("a final report while ongoing: %d %s", resp.Status, resp.Body)
	}
	if resp := report("notification", ""); resp.Status != 409 {
		t.Errorf("the notification twice: %d %s", resp.Status, resp.Body)
	}

	env.At(t, "2026-11-02 12:00")
	get := env.Do(apptest.Request{Method: "GET", Path: path + "/" + inc.ID, Token: env.Token("unit_admin.midt")})
	resp = env.Do(apptest.Request{Method: "PATCH", Path: path + "/" + inc.ID, Token: env.Token("unit_admin.midt"), Header: map[string]string{"If-Match": get.Header.Get("ETag")},
		Body: map[string]any{"handled_at": "2026-11-02T11:00:00+01:00"}})
	apptest.MustStatus(t, "handled", resp, 200)
	apptest.MustStatus(t, "the final report", report("final", ""), 201)
	if n := len(env.AuditOf(t, "incident.report", inc.ID)); n != 3 {
		t.Errorf("%d reports audited, want 3", n)
	}
}

// Personal data found later: the affected are told in the notice's thread, and their clock as
// controllers starts then. An incident that is not significant owes no reports. A unit names only
// its own customers, and never hears of another unit's incidents.
func TestPersonalDataFoundLaterIsToldInTheThread(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-10-20 09:00")
	env.MeetGateOf(t, "751")
	env.SubscribeTo(t, "751", "midt")
	path := "/api/v1/units/midt/incidents"
	env.At(t, "2026-11-10 08:00")
	var inc incident.Incident
	resp := env.Do(apptest.Request{Method: "POST", Path: path, Token: env.Token("unit_admin.midt"), Header: apptest.Key(), Body: map[string]any{
		"title": "Suspicious logins", "aware_at": "2026-11-10T07:30:00+01:00", "severity": "medium", "municipalities": []string{"751"}}})
	apptest.MustStatus(t, "record", resp, 201)
	resp.Decode(t, &inc)
	if len(inc.Deadlines) != 0 || inc.Overdue {
		t.Errorf("an incident not significant: %+v", inc.Deadlines)
	}
	env.At(t, "2026-11-10 13:00")
	resp = env.Do(apptest.Request{Method: "PATCH", Path: path + "/" + inc.ID, Token: env.Token("unit_admin.midt"), Header: map[string]string{"If-Match": `"1"`},
		Body: map[string]any{"personal_data": true, "significant": true}})
	apptest.MustStatus(t, "personal data", resp, 200)
	var a incident.Affecting
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/incidents/" + inc.ID, Token: env.Token("spoc.751")}).Decode(t, &a)
	if a.ToldAt == nil || a.ToldAt.In(time.UTC).Format(time.RFC3339) != "2026-11-10T12:00:00Z" {
		t.Errorf("told at %v", a.ToldAt)
	}
	var thread apptest.List[struct {
		Seq  int
		Body string
	}]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/notices", Token: env.Token("spoc.751")}).Decode(t, &thread)
	bodies := ""
	for _, n := range thread.Items {
		bodies += n.Body
	}
	if !strings.Contains(bodies, "Personal data is involved") {
		t.Errorf("751's inbox: %+v", thread.Items)
	}

	for name, tc := range map[string]struct {
		token, path string
		body        map[string]any
		status      int
		says        string
	}{
		"a municipality not a customer": {env.Token("unit_admin.midt"), path, map[string]any{"title": "x", "aware_at": "2026-11-10T07:30:00+01:00", "severity": "low",
			"municipalities": []string{"101"}}, 400, `"/municipalities/0"`},
		"aware in the future": {env.Token("unit_admin.midt"), path, map[string]any{"title": "x", "aware_at": "2026-11-11T07:30:00+01:00", "severity": "low"}, 400, "is in the future"},
		"no such severity":    {env.Token("unit_admin.midt"), path, map[string]any{"title": "x", "aware_at": "2026-11-10T07:30:00+01:00", "severity": "grave"}, 400, "must be low, medium, high or critical"},
		"another unit's":      {env.Token("unit_admin.hovedstaden"), path, map[string]any{"title": "x", "aware_at": "2026-11-10T07:30:00+01:00", "severity": "low"}, 403, ""},
	} {
		resp := env.Do(apptest.Request{Method: "POST", Path: tc.path, Token: tc.token, Header: apptest.Key(), Body: tc.body})
		if resp.Status != tc.status || !strings.Contains(string(resp.Body), tc.says) {
			t.Errorf("%s: %d %s", name, resp.Status, resp.Body)
		}
	}
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/hovedstaden/incidents/" + inc.ID, Token: env.Token("unit_admin.hovedstaden")}); resp.Status != 404 {
		t.Errorf("another unit reads it: %d", resp.Status)
	}
}

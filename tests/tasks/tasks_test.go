package tasks_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/task"
)

// seed000 is seed 000 as a task: complete when the infrastructure mailbox is verified and a cover
// is set, which the platform's own data shows.
func seed000(number int, codes ...string) map[string]any {
	return map[string]any{"number": number, "title": "Opret infrastrukturpostkasse og dækning", "project": "Fælles it-infrastruktur",
		"type": "mandatory", "duration_days": 10, "start_on": "2026-11-23", "end_on": "2026-12-11",
		"goal": "Notices reach someone who acts on them, also in holidays.", "method": []string{"Register the mailbox.",
			"Confirm it from the mail.", "Set a cover."}, "result_criterion": "Fuldført, når postkassen er bekræftet og dækning sat.",
		"performer": "IT-driftschef", "parties": []string{"IT-drift"}, "contact": "sekretariatet@servicekatalog.example",
		"evidence": "mailbox_ready", "municipalities": codes}
}

// The secretariat issues a task with a platform check; the municipality starts it, cannot
// complete it until the data shows it done, completes it, and the secretariat confirms it.
// Another municipality tells an expected date; comments go both ways; a returned task is
// started again; an edit is a version; reminders and the overdue notice go once each.
func TestATaskIsIssuedCarriedOutProvedAndConfirmed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-11-23 09:00")
	sec, spoc := env.Token("secretariat"), env.Token("spoc.101")
	issue := func(body map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tasks", Token: sec, Header: apptest.Key(), Body: body})
	}
	var mailboxTask task.Task
	resp := issue(seed000(1, "101", "751"))
	apptest.MustStatus(t, "issue", resp, 201)
	resp.Decode(t, &mailboxTask)
	if mailboxTask.Recipients != 2 || mailboxTask.Version != 1 {
		t.Errorf("the task as issued: %+v", mailboxTask)
	}
	for name, tc := range map[string]struct {
		body    map[string]any
		pointer string
	}{
		"a number in use":         {seed000(1, "101"), "/number"},
		"no such municipality":    {seed000(2, "101", "999"), "/municipalities/1"},
		"more days than dates":    {func() map[string]any { b := seed000(3); b["duration_days"] = 30; return b }(), "/duration_days"},
		"an end before the start": {func() map[string]any { b := seed000(4); b["end_on"] = "2026-11-01"; return b }(), "/end_on"},
		"an unknown check":        {func() map[string]any { b := seed000(5); b["evidence"] = "looks_fine"; return b }(), "/evidence"},
	} {
		if resp := issue(tc.body); resp.Status != 400 || !strings.Contains(string(resp.Body), `"`+tc.pointer+`"`) {
			t.Errorf("%s: %d %s", name, resp.Status, resp.Body)
		}
	}

	path := "/api/v1/municipalities/101/tasks/" + mailboxTask.ID
	act := func(token, url string, body any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: url, Token: token, Body: body})
	}
	var a task.Assignment
	env.Do(apptest.Request{Method: "GET", Path: path, Token: spoc}).Decode(t, &a)
	if a.Status != task.NotStarted || a.Check == nil || a.Check.Met || a.Check.Detail != "no infrastructure mailbox registered; no cover set" ||
		a.Task == nil || a.Task.Title != "Opret infrastrukturpostkasse og dækning" {
		t.Errorf("101's task before anything: %+v %+v", a, a.Check)
	}
	apptest.MustStatus(t, "start", act(spoc, path+"/start", nil), 200)
	if resp := act(spoc, path+"/start", nil); resp.Status != 409 {
		t.Errorf("started twice: %d", resp.Status)
	}
	env.VerifyMailbox(t, "101", "it-drift@kk.example")
	if resp := act(spoc, path+"/complete", nil); resp.Status != 409 ||
		!strings.Contains(string(resp.Body), "it-drift@kk.example verified; no cover set") {
		t.Errorf("completed before the check passes: %d %s", resp.Status, resp.Body)
	}
	apptest.MustStatus(t, "cover", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/mailbox/covers", Token: spoc,
		Header: apptest.Key(), Body: map[string]any{"covering": "Lise Holm (IT-drift)", "deputies": []string{"vagt@kk.example"},
			"from": "2026-12-21T08:00", "to": "2027-01-04T08:00", "time_zone": "Europe/Copenhagen", "reason": "Juleferie"}}), 201)
	resp = act(spoc, path+"/complete", nil)
	apptest.MustStatus(t, "complete", resp, 200)
	if resp.Decode(t, &a); a.Status != task.Completed || !a.Check.Met || a.CompletedAt == nil {
		t.Errorf("completed: %+v", a)
	}
	if resp := act(spoc, "/api/v1/tasks/"+mailboxTask.ID+"/assignments/101/confirm", nil); resp.Status != 403 {
		t.Errorf("a SPOC confirms its own task: %d", resp.Status)
	}
	resp = act(sec, "/api/v1/tasks/"+mailboxTask.ID+"/assignments/101/confirm", nil)
	apptest.MustStatus(t, "confirm", resp, 200)
	if resp.Decode(t, &a); a.Status != task.Confirmed {
		t.Errorf("confirmed: %+v", a)
	}
	if len(env.AuditOf(t, "task.complete", mailboxTask.ID+"/101")) != 1 || len(env.AuditOf(t, "task.confirm", mailboxTask.ID+"/101")) != 1 {
		t.Error("the completion and the confirmation are not audited")
	}

	// 751 cannot make the end date: it says when and why; the issuer sees it.
	p751 := "/api/v1/municipalities/751/tasks/" + mailboxTask.ID
	spoc751 := env.Token("spoc.751")
	if resp := act(spoc751, p751+"/expected-date", map[string]any{"expected_on": "2026-11-01", "reason": "Holidays"}); resp.Status != 400 {
		t.Errorf("an expected date in the past: %d", resp.Status)
	}
	apptest.MustStatus(t, "expect", act(spoc751, p751+"/expected-date",
		map[string]any{"expected_on": "2026-12-18", "reason": "Our IT operations lead starts on 14 December."}), 200)
	if resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/tasks/" + mailboxTask.ID, Token: spoc}); resp.Status != 403 {
		t.Errorf("101 reads 751's task: %d", resp.Status)
	}

	// Comments both ways, each with its author's tenant.
	comment := func(token, url, body string) {
		t.Helper()
		apptest.MustStatus(t, "comment", env.Do(apptest.Request{Method: "POST", Path: url, Token: token, Header: apptest.Key(),
			Body: map[string]any{"body": body}}), 201)
	}
	comment(spoc751, p751+"/comments", "We will be late: see the expected date.")
	comment(sec, "/api/v1/tasks/"+mailboxTask.ID+"/assignments/751/comments", "Thank you; 18 December is fine.")
	var comments []task.Comment
	env.Do(apptest.Request{Method: "GET", Path: p751 + "/comments", Token: spoc751}).Decode(t, &comments)
	if len(comments) != 2 || comments[0].AuthorTenant != "municipality:751" || comments[1].AuthorTenant != "platform" {
		t.Errorf("the comments: %+v", comments)
	}

	// A task without a check, completed and returned with what is missing, is started again.
	var mapping task.Task
	issue(map[string]any{"number": 7, "title": "Kortlæg hvilke it-systemer kommunen anvender/ikke anvender", "type": "mandatory",
		"duration_days": 5, "start_on": "2026-11-23", "end_on": "2026-12-04", "municipalities": []string{"101"}}).Decode(t, &mapping)
	mpath := "/api/v1/municipalities/101/tasks/" + mapping.ID
	apptest.MustStatus(t, "complete at once", act(spoc, mpath+"/complete", nil), 200)
	if resp := act(sec, "/api/v1/tasks/"+mapping.ID+"/assignments/101/return", map[string]any{"reason": ""}); resp.Status != 400 {
		t.Errorf("returned without saying why: %d", resp.Status)
	}
	resp = act(sec, "/api/v1/tasks/"+mapping.ID+"/assignments/101/return", map[string]any{"reason": "The sheet has no answers for Records management."})
	apptest.MustStatus(t, "return", resp, 200)
	if resp.Decode(t, &a); a.Status != task.Started || a.CompletedAt != nil {
		t.Errorf("returned: %+v", a)
	}
	env.Do(apptest.Request{Method: "GET", Path: mpath + "/comments", Token: spoc}).Decode(t, &comments)
	if len(comments) != 1 || comments[0].Body != "The sheet has no answers for Records management." {
		t.Errorf("the return's reason as a comment: %+v", comments)
	}

	// An edit after issue is a version with its reason.
	edit := map[string]any{"title": mapping.Title, "type": "mandatory", "duration_days": 5, "start_on": "2026-11-23", "end_on": "2026-12-11",
		"reason": "The spreadsheet came out a week late."}
	resp = env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/tasks/" + mapping.ID, Token: sec, Header: map[string]string{"If-Match": `"1"`}, Body: edit})
	apptest.MustStatus(t, "edit", resp, 200)
	var versions []task.Version
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tasks/" + mapping.ID + "/versions", Token: sec}).Decode(t, &versions)
	if len(versions) != 2 || versions[1].Reason != "The spreadsheet came out a week late." || versions[1].Task.EndOn != "2026-12-11" ||
		versions[0].Task.EndOn != "2026-12-04" {
		t.Errorf("the versions: %+v", versions)
	}

	// Reminders: once, three days before the end; once more, high priority, when it is overdue.
	keys := func() []string {
		var out []string
		env.App.DB.Conn(context.Background()).Raw(`SELECT key || ' ' || (event->>'high_priority') FROM notice_events
			WHERE key LIKE 'task/%' ORDER BY key`).Scan(&out)
		return out
	}
	env.At(t, "2026-12-08 09:00")
	for i, want := range []int{2, 0} { // 751's mailbox task and 101's mapping; 101's mailbox task is confirmed
		if n, err := env.App.Tasks.Remind(env.System()); err != nil || n != want {
			t.Errorf("reminders %d: %d (%v), want %d", i+1, n, err, want)
		}
	}
	env.At(t, "2026-12-14 09:00")
	if n, err := env.App.Tasks.Remind(env.System()); err != nil || n != 2 {
		t.Errorf("overdue notices: %d (%v)", n, err)
	}
	want := []string{"task/" + mailboxTask.ID + "/751/overdue true", "task/" + mailboxTask.ID + "/751/reminder false",
		"task/" + mapping.ID + "/101/overdue true", "task/" + mapping.ID + "/101/reminder false"}
	slices.Sort(want)
	got := keys()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the notices:\n%s", strings.Join(got, "\n"))
	}
	var overdue apptest.List[task.Assignment]
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tasks/" + mailboxTask.ID + "/assignments?overdue=true", Token: env.Token("secretariat")})
	apptest.MustStatus(t, "the overdue list", resp, 200)
	resp.Decode(t, &overdue)
	if len(overdue.Items) != 1 || overdue.Items[0].Municipality != "751" || !overdue.Items[0].Overdue || *overdue.Items[0].ExpectedOn != "2026-12-18" {
		t.Errorf("the overdue list: %+v", overdue.Items)
	}
}

// The reminder reaches the municipality's infrastructure mailbox as a mail a person reads: the
// task, its end date and a link that opens it in Swagger UI.
func TestAReminderIsMailedToTheInfrastructureMailbox(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(2))
	env.At(t, "2026-12-09 09:00")
	env.VerifyMailbox(t, "101", "it-drift@kk.example")
	var issued task.Task
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tasks", Token: env.Token("secretariat"), Header: apptest.Key(), Body: seed000(1, "101")})
	apptest.MustStatus(t, "issue", resp, 201)
	resp.Decode(t, &issued)
	if n, err := env.App.Tasks.Remind(env.System()); err != nil || n != 1 {
		t.Fatalf("reminders: %d (%v)", n, err)
	}
	mails := env.MailsTo(t, "it-drift@kk.example", "[OPGAVE]", 1)
	if len(mails) != 1 {
		t.Fatal("no reminder mail")
	}
	m := mails[0]
	if m.Subject() != `[OPGAVE] Task 1 "Opret infrastrukturpostkasse og dækning" ends on 11.12.2026 (sekretariatet)` ||
		!strings.Contains(m.Text, "Slutdato / End date: 11.12.2026") || !strings.Contains(m.Text, "/swagger/index.html#/tasks/getMunicipalityTask") ||
		!strings.Contains(m.Text, issued.ID) {
		t.Errorf("the reminder: %q\n%s", m.Subject(), m.Text)
	}
}

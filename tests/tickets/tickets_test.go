package tickets_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

func TestTicketAcrossTheSplitWithSLAOverAHolidayAndAWeekend(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-05-11 09:00")
	sub := env.Subscribe(t)
	env.At(t, "2026-05-13 16:00")
	fl := env.Token("first_line.101")
	mt := "/api/v1/municipalities/101/tickets"
	resp := env.Do(apptest.Request{Method: "POST", Path: mt, Token: fl, Header: apptest.Key(), Body: map[string]any{
		"title": "S: drive unreachable", "description": "Jobcentre users cannot open S:.", "priority": "P3",
		"category": "incident", "reporter": "Jobcenter, Lise Holm", "subscription_id": sub}})
	apptest.MustStatus(t, "create", resp, 201)
	var tk ticket.Ticket
	resp.Decode(t, &tk)
	path := mt + "/" + tk.ID
	note := func(tok, base, body, vis string) {
		apptest.MustStatus(t, "note "+body, env.Do(apptest.Request{Method: "POST", Path: base + "/notes", Token: tok, Header: apptest.Key(),
			Body: map[string]any{"body": body, "visibility": vis}}), 201)
	}
	note(fl, path, "internal before escalation", "internal")
	note(fl, path, "public before escalation", "public")
	apptest.MustStatus(t, "unit cannot see it before escalation", env.Do(apptest.Request{Method: "GET",
		Path: "/api/v1/units/hovedstaden/tickets/" + tk.ID, Token: env.Token("second_line.hovedstaden")}), 404)
	apptest.MustStatus(t, "escalate without reason", env.Do(apptest.Request{Method: "POST", Path: path + "/escalate", Token: fl}), 400)

	env.At(t, "2026-05-13 16:30")
	fl = env.Token("first_line.101")
	apptest.MustStatus(t, "escalate", env.Do(apptest.Request{Method: "POST", Path: path + "/escalate", Token: fl,
		Body: map[string]any{"reason": "Storage controller suspected"}}), 200)

	sl := env.Token("second_line.hovedstaden")
	ut := "/api/v1/units/hovedstaden/tickets/" + tk.ID
	var queue apptest.List[ticket.Ticket]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/hovedstaden/tickets?active=true", Token: sl}).Decode(t, &queue)
	if len(queue.Items) != 1 || queue.Items[0].DueAt == nil {
		t.Fatalf("second line queue = %+v", queue.Items)
	}
	var view struct {
		ticket.Ticket
		History []ticket.Event `json:"history"`
	}
	env.Do(apptest.Request{Method: "GET", Path: ut, Token: sl}).Decode(t, &view)
	if len(view.History) != 1 || view.History[0].Action != "escalate" {
		t.Errorf("the unit sees history before escalation: %+v", view.History)
	}
	var notes apptest.List[ticket.Note]
	env.Do(apptest.Request{Method: "GET", Path: ut + "/notes", Token: sl}).Decode(t, &notes)
	if len(notes.Items) != 0 {
		t.Errorf("the unit sees notes from before escalation: %+v", notes.Items)
	}
	note(sl, ut, "unit internal", "internal")
	note(sl, ut, "unit public", "public")
	env.Do(apptest.Request{Method: "GET", Path: path + "/notes", Token: fl}).Decode(t, &notes)
	var bodies []string
	for _, n := range notes.Items {
		bodies = append(bodies, n.Body)
	}
	if strings.Join(bodies, "|") != "internal before escalation|public before escalation|unit public" {
		t.Errorf("the municipality reads notes %v", bodies)
	}

	for _, other := range []struct{ tok, path string }{
		{env.Token("second_line.midt"), "/api/v1/units/midt/tickets/" + tk.ID},
		{env.Token("spoc.751"), "/api/v1/municipalities/751/tickets/" + tk.ID},
	} {
		apptest.MustStatus(t, "foreign "+other.path, env.Do(apptest.Request{Method: "GET", Path: other.path, Token: other.tok}), 404)
	}
	apptest.MustStatus(t, "another unit's second line via hovedstaden", env.Do(apptest.Request{Method: "GET", Path: ut, Token: env.Token("second_line.midt")}), 403)

	env.At(t, "2026-05-15 08:00")
	sl = env.Token("second_line.hovedstaden") // Wednesday's has expired
	apptest.MustStatus(t, "acknowledge", env.Do(apptest.Request{Method: "POST", Path: ut + "/acknowledge", Token: sl}), 200)
	env.At(t, "2026-05-15 10:00")
	apptest.MustStatus(t, "request info", env.Do(apptest.Request{Method: "POST", Path: ut + "/request-info", Token: sl,
		Body: map[string]any{"reason": "Which share paths fail?"}}), 200)
	env.At(t, "2026-05-18 09:00")
	fl = env.Token("first_line.101") // Wednesday's has expired
	apptest.MustStatus(t, "provide info", env.Do(apptest.Request{Method: "POST", Path: path + "/provide-info", Token: fl}), 200)

	var s ticket.SLA
	env.Do(apptest.Request{Method: "GET", Path: path + "/sla", Token: fl}).Decode(t, &s)
	if len(s.Clocks) != 2 || s.Level != "standard" || s.Calendar != "dk-public" {
		t.Fatalf("sla = %+v", s)
	}
	resp0, rest := s.Clocks[0], s.Clocks[1]
	// Response P3 on standard: 240 business minutes. Counted Wed 16:30-17:00 and Fri 07:00-08:00.
	if resp0.StoppedAt == nil || resp0.ElapsedMinutes != 90 || resp0.PercentUsed != 37.5 || resp0.State != ticket.ClockOK {
		t.Errorf("response clock = %+v", resp0)
	}
	// Restore P3: 1800 min. Wed 30 + Fri 07-10 180 (Thursday is Ascension Day), paused Fri 10:00 to
	// Mon 09:00, then Mon 09-17, Tue 07-17, Wed 07:00-15:30: due Wednesday 20 May 15:30.
	loc, _ := time.LoadLocation("Europe/Copenhagen")
	if rest.Deadline == nil || rest.Deadline.In(loc).Format("2006-01-02 15:04") != "2026-05-20 15:30" || rest.ElapsedMinutes != 210 {
		t.Errorf("restore clock = %+v (deadline %v)", rest, rest.Deadline)
	}
	explained := strings.Join(rest.Explanation, "\n")
	t.Logf("restore clock: deadline %s, elapsed %d min, %.1f %%, %s; explanation:\n%s",
		rest.Deadline.In(loc).Format("2006-01-02 15:04"), rest.ElapsedMinutes, rest.PercentUsed, rest.State, explained)
	for _, want := range []string{"2026-05-14 Thursday: holiday (Kristi himmelfartsdag), not counted",
		"2026-05-16 Saturday: no support hours, not counted", "paused pending the customer from 2026-05-15 10:00 until 2026-05-18 09:00",
		"2026-05-13 Wednesday: support hours 07:00-17:00, counted 30 min",
		"2026-05-19 Tuesday: support hours 07:00-17:00, counted 0 min, 600 min more to the deadline"} {
		if !strings.Contains(explained, want) {
			t.Errorf("explanation lacks %q:\n%s", want, explained)
		}
	}

	// 75 % of the restore target is 1350 min: reached Wednesday 20 May 08:00 (1350 = 210 + 480 + 600 + 60).
	env.At(t, "2026-05-20 08:00")
	if n, err := env.App.Tickets.Sweep(env.System()); err != nil || n != 1 {
		t.Fatalf("sweep at 75 %%: %d %v", n, err)
	}
	env.At(t, "2026-05-20 16:00")
	if n, err := env.App.Tickets.Sweep(env.System()); err != nil || n != 1 {
		t.Fatalf("sweep past the deadline: %d %v", n, err)
	}
	if n, _ := env.App.Tickets.Sweep(env.System()); n != 0 {
		t.Errorf("a second sweep recorded %d more", n)
	}
	sl, fl = env.Token("second_line.hovedstaden"), env.Token("first_line.101")
	env.Do(apptest.Request{Method: "GET", Path: ut + "/sla", Token: sl}).Decode(t, &s)
	if s.Clocks[1].State != ticket.ClockBreached || len(s.Events) != 2 {
		t.Errorf("after the deadline: %+v events %+v", s.Clocks[1], s.Events)
	}
	if got := len(env.AuditOf(t, "ticket.sla_breach", tk.ID)); got != 1 {
		t.Errorf("breach audit records = %d", got)
	}

	apptest.MustStatus(t, "resolve", env.Do(apptest.Request{Method: "POST", Path: ut + "/resolve", Token: sl}), 200)
	apptest.MustStatus(t, "close", env.Do(apptest.Request{Method: "POST", Path: path + "/close", Token: fl}), 200)
	apptest.MustStatus(t, "reopen", env.Do(apptest.Request{Method: "POST", Path: path + "/reopen", Token: fl,
		Body: map[string]any{"reason": "S: fails again"}}), 200)
	env.Do(apptest.Request{Method: "GET", Path: path, Token: fl}).Decode(t, &view)
	if view.State != ticket.Acknowledged || len(view.History) != 8 {
		t.Errorf("reopened ticket: %s with %d events", view.State, len(view.History))
	}
	apptest.MustStatus(t, "resolve again", env.Do(apptest.Request{Method: "POST", Path: ut + "/resolve", Token: sl}), 200)
	env.At(t, "2026-06-10 09:00")
	apptest.MustStatus(t, "reopen after 14 days", env.Do(apptest.Request{Method: "POST", Path: path + "/reopen", Token: env.Token("first_line.101"),
		Body: map[string]any{"reason": "late"}}), 409)
}

func TestConflictingTicketTransitionsLetExactlyOneWin(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sub := env.Subscribe(t)
	fl := env.Token("first_line.101")
	var tk ticket.Ticket
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets", Token: fl, Header: apptest.Key(), Body: map[string]any{
		"title": "VPN down", "priority": "P1", "category": "incident", "subscription_id": sub}}).Decode(t, &tk)
	apptest.MustStatus(t, "escalate", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets/" + tk.ID + "/escalate",
		Token: fl, Body: map[string]any{"reason": "All users affected"}}), 200)
	sl := env.Token("second_line.hovedstaden")
	ut := "/api/v1/units/hovedstaden/tickets/" + tk.ID
	ack := apptest.Request{Method: "POST", Path: ut + "/acknowledge", Token: sl}
	back := apptest.Request{Method: "POST", Path: ut + "/hand-back", Token: sl, Body: map[string]any{"reason": "Not ours"}}
	statuses := env.DoAtOnce(ack, back, ack, back, ack, back)
	won := 0
	for _, s := range statuses {
		if s == 200 {
			won++
		} else if s != 409 {
			t.Errorf("status %d", s)
		}
	}
	// acknowledge then hand_back is a valid sequence; hand_back then acknowledge is not.
	if won < 1 || won > 2 {
		t.Errorf("statuses %v", statuses)
	}
	var view struct {
		History []ticket.Event `json:"history"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/tickets/" + tk.ID, Token: fl}).Decode(t, &view)
	if len(view.History) != 2+won {
		t.Errorf("history has %d events for %d winning transitions", len(view.History), won)
	}
	t.Logf("statuses of 3 concurrent acknowledges and 3 hand-backs: %v", statuses)
}

func TestAStoppedClockKeepsItsDeadline(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-11-23 10:00")
	sub := env.Subscribe(t)
	fl, sl := env.Token("first_line.101"), env.Token("second_line.hovedstaden")
	var tk ticket.Ticket
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets", Token: fl, Header: apptest.Key(), Body: map[string]any{
		"title": "Backup failed", "priority": "P4", "category": "incident", "subscription_id": sub}}).Decode(t, &tk)
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets/" + tk.ID + "/escalate", Token: fl, Body: map[string]any{"reason": "x y z"}})
	env.Clock.Advance(time.Hour)
	ut := "/api/v1/units/hovedstaden/tickets/" + tk.ID
	env.Do(apptest.Request{Method: "POST", Path: ut + "/acknowledge", Token: sl})
	env.Clock.Advance(time.Hour)
	resp := env.Do(apptest.Request{Method: "POST", Path: ut + "/request-info", Token: sl, Body: map[string]any{"reason": "Which job?"}})
	apptest.MustStatus(t, "request info", resp, 200)
	var s ticket.SLA
	env.Do(apptest.Request{Method: "GET", Path: ut + "/sla", Token: sl}).Decode(t, &s)
	r, rest := s.Clocks[0], s.Clocks[1]
	if r.StoppedAt == nil || r.Deadline == nil || r.Paused || r.ElapsedMinutes != 60 {
		t.Errorf("the acknowledged response clock: %+v", r)
	}
	if !rest.Paused || rest.Deadline != nil || rest.ElapsedMinutes != 120 {
		t.Errorf("the paused restore clock: %+v", rest)
	}
}

// TestFirstLineTriagesAnOpenTicket: triage is the only way to change a ticket's priority, mark,
// category, subscription or title; it needs the version read, works only while the ticket is
// open, and is in the ticket's history and the audit trail.
func TestFirstLineTriagesAnOpenTicket(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	sub := env.Subscribe(t)
	fl := env.Token("first_line.101")
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets", Token: fl, Header: apptest.Key(),
		Body: map[string]any{"title": "printer", "priority": "P4", "category": "request"}})
	apptest.MustStatus(t, "create", resp, 201)
	var tk ticket.Ticket
	resp.Decode(t, &tk)
	path := "/api/v1/municipalities/101/tickets/" + tk.ID
	triage := func(etag string, body map[string]any) apptest.Response {
		return env.Do(apptest.Request{Method: "PATCH", Path: path, Token: fl, Header: map[string]string{"If-Match": etag}, Body: body})
	}
	resp = triage(`"1"`, map[string]any{"priority": "P1", "high_priority": true, "category": "incident", "subscription_id": sub,
		"title": "  File server down for the whole jobcentre  "})
	apptest.MustStatus(t, "triage", resp, 200)
	var got ticket.Ticket
	resp.Decode(t, &got)
	if got.Priority != "P1" || !got.HighPriority || got.Category != "incident" || got.SubscriptionID == nil || *got.SubscriptionID != sub ||
		got.Title != "File server down for the whole jobcentre" || got.Version != 2 || resp.Header.Get("ETag") != `"2"` {
		t.Errorf("after triage: %+v, ETag %s", got, resp.Header.Get("ETag"))
	}
	apptest.MustStatus(t, "triage on a stale version", triage(`"1"`, map[string]any{"priority": "P2"}), 412)
	apptest.MustStatus(t, "triage to another municipality's subscription", triage(`"2"`, map[string]any{"subscription_id": uuid.NewString()}), 400)
	apptest.MustStatus(t, "escalate", env.Do(apptest.Request{Method: "POST", Path: path + "/escalate", Token: fl,
		Body: map[string]any{"reason": "Controller"}}), 200)
	apptest.MustStatus(t, "triage once escalated", triage("*", map[string]any{"priority": "P2"}), 409)
	if recs := env.AuditOf(t, "ticket.triage", tk.ID); len(recs) != 1 || !strings.Contains(string(recs[0].Diff), `"P1"`) {
		t.Errorf("triage audit: %+v", recs)
	}
}

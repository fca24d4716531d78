package notices_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/notice"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

var ackLink = regexp.MustCompile(`http://servicekatalog\.test/notices/acknowledge\?token=([A-Za-z0-9_-]+)`)

const outageBody = "Virtual servers in the Aarhus data centre do not answer.\n\n" +
	"- Affected: **CMP-01**\n- Next update at 10:30\n\nSee [the status page](https://status.hovedstaden.example).\n\n" +
	"<script>alert('x')</script><img src=\"https://tracker.example/p.gif\">"

func publish(t *testing.T, env *apptest.Env, high bool) notice.Notice {
	t.Helper()
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/notices", Token: env.Token("unit_admin.hovedstaden"),
		Header: apptest.Key(), Body: map[string]any{"tags": []string{"NEDBRUD", "SIKKERHED"}, "high_priority": high,
			"title": "Virtual servers unreachable", "body": outageBody, "scope": map[string]any{"services": []string{"CMP-01"}}}})
	apptest.MustStatus(t, "publish", resp, 201)
	var n notice.Notice
	resp.Decode(t, &n)
	return n
}

// A high-priority outage notice reaches exactly the subscribers' mailboxes and their routes, in
// the subject format rules route on, threaded with its update; a municipality acknowledges it
// through the link's page, which cancels its escalation.
func TestAHighPriorityOutageReachesTheSubscribersAndIsAcknowledged(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4))
	env.Subscribe(t) // 101 holds CMP-01 from hovedstaden, its mailbox verified
	env.VerifyMailbox(t, "751", "drift@aarhus.example")
	spoc := env.Token("spoc.101")
	apptest.MustStatus(t, "route", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/mailbox/routes", Token: spoc,
		Header: apptest.Key(), Body: map[string]any{"tag": "SIKKERHED", "addresses": []string{"soc@kk.example"}}}), 201)

	n := publish(t, env, true)
	if n.Subject != "[NEDBRUD][SIKKERHED] ! Virtual servers unreachable (hovedstaden)" || strings.Join(n.Recipients, ",") != "101" ||
		n.AckMinutes != 30 || n.AckDueAt == nil || !n.AckDueAt.Equal(n.PublishedAt.Add(30*time.Minute)) {
		t.Fatalf("published %+v", n)
	}
	first := map[string]*apptest.Mail{}
	for _, to := range []string{"it-drift@kk.example", "soc@kk.example"} {
		got := env.MailsTo(t, to, n.Subject, 1)
		if len(got) != 1 {
			t.Fatalf("%s received %d mails, want 1", to, len(got))
		}
		m := &got[0]
		first[to] = m
		h := m.Header
		subject, _ := h.Subject()
		mid, _ := h.MessageID()
		if subject != n.Subject || mid != delivery.ID("notice", n.ID, delivery.Mail, to)+"@servicekatalog.test" ||
			h.Get("Importance") != "high" || h.Get("X-Priority") != "1 (Highest)" ||
			h.Get("List-Id") != `"Servicekatalog DRIFT" <drift.notices.servicekatalog.test>` || h.Get("X-Servicekatalog-Tags") != "NEDBRUD,SIKKERHED" ||
			h.Get("Thread-Topic") != "Virtual servers unreachable" || h.Get("In-Reply-To") != "" {
			t.Errorf("the mail to %s: subject %q, Message-ID %q, headers %v", to, subject, mid, h.Map())
		}
		if idx, err := base64.StdEncoding.DecodeString(h.Get("Thread-Index")); err != nil || len(idx) != 22 {
			t.Errorf("Thread-Index %q is not 22 bytes", h.Get("Thread-Index"))
		}
		for _, want := range []string{"- Affected: CMP-01", "See the status page <https://status.hovedstaden.example>",
			"HØJ PRIORITET / HIGH PRIORITY", "Kvittér senest", "[NEDBRUD] Nedbrud / Outage: Orientér brugere"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("the text part lacks %q:\n%s", want, m.Text)
			}
		}
		if !strings.Contains(m.HTML, "<strong>CMP-01</strong>") || strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "tracker.example") ||
			strings.Contains(m.Text, "<script") {
			t.Errorf("the HTML part keeps raw HTML or lacks the Markdown:\n%s", m.HTML)
		}
	}
	if got := env.MailsTo(t, "drift@aarhus.example", "[", 0); len(got) != 0 {
		t.Errorf("751 holds nothing of CMP-01 but received %d notices", len(got))
	}
	if r := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/notices/" + n.ID, Token: env.Token("spoc.751")}); r.Status != 404 {
		t.Errorf("751 reads the notice: %d", r.Status)
	}

	// An update in the same thread: same subject, replying to the first mail to each address.
	env.Clock.Advance(20 * time.Minute)
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/notices/" + n.ID + "/follow-ups",
		Token: env.Token("unit_admin.hovedstaden"), Header: apptest.Key(), Body: map[string]any{"kind": "update", "body": "Half are back."}})
	apptest.MustStatus(t, "update", resp, 201)
	got := env.MailsTo(t, "soc@kk.example", n.Subject, 2)
	if len(got) != 2 {
		t.Fatalf("soc@ received %d mails after the update", len(got))
	}
	firstHeader := first["soc@kk.example"].Header
	firstID, _ := firstHeader.MessageID()
	upd := got[1].Header
	subject, _ := upd.Subject()
	if subject != n.Subject || upd.Get("In-Reply-To") != "<"+firstID+">" || upd.Get("References") != "<"+firstID+">" ||
		upd.Get("Importance") != "" {
		t.Errorf("the update: subject %q, In-Reply-To %q, References %q, Importance %q", subject, upd.Get("In-Reply-To"), upd.Get("References"), upd.Get("Importance"))
	}
	if idx, _ := base64.StdEncoding.DecodeString(upd.Get("Thread-Index")); len(idx) != 27 ||
		upd.Get("Thread-Index")[:20] != first["soc@kk.example"].Header.Get("Thread-Index")[:20] {
		t.Errorf("the update's Thread-Index %q does not extend the first's %q", upd.Get("Thread-Index"), first["soc@kk.example"].Header.Get("Thread-Index"))
	}

	// The acknowledgement: the link opens a page and changes nothing; its button acknowledges.
	token := ackLink.FindStringSubmatch(first["it-drift@kk.example"].Text)[1]
	// Nobody who reads the deliveries can act for the municipality: not the sending unit, nor the
	// secretariat. The message they see has a placeholder where the mail had the token.
	for _, read := range []apptest.Request{
		{Method: "GET", Path: "/api/v1/units/hovedstaden/notices/" + n.ID + "/deliveries", Token: env.Token("unit_admin.hovedstaden")},
		{Method: "GET", Path: "/api/v1/deliveries?limit=200", Token: env.Token("secretariat")},
	} {
		resp := env.Do(read)
		apptest.MustStatus(t, read.Path, resp, 200)
		if strings.Contains(string(resp.Body), token) || !strings.Contains(string(resp.Body), "token="+delivery.SecretPlaceholder) {
			t.Errorf("%s shows the acknowledgement token", read.Path)
		}
	}
	page := env.Do(apptest.Request{Method: "GET", Path: notice.AckPath + "?token=" + token, Header: map[string]string{"Accept": "text/html"}})
	if page.Status != 200 || !strings.Contains(string(page.Body), "<button") || !strings.Contains(string(page.Body), "Hovedstaden") {
		t.Errorf("the acknowledgement page: %d %s", page.Status, page.Body)
	}
	var inbox apptest.List[notice.Received]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/notices", Token: spoc}).Decode(t, &inbox)
	if len(inbox.Items) != 2 || !inbox.Items[0].MustAcknowledge || inbox.Items[0].AcknowledgedAt != nil || inbox.Items[1].MustAcknowledge ||
		inbox.Items[1].Kind != notice.Update {
		t.Fatalf("inbox before acknowledging: %+v", inbox.Items)
	}
	apptest.MustStatus(t, "acknowledge", env.Do(apptest.Request{Method: "POST", Path: notice.AckPath, Form: url.Values{"token": {token}}}), 200)
	var r notice.Received
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/notices/" + n.ID, Token: spoc}).Decode(t, &r)
	if r.AcknowledgedAt == nil || r.AcknowledgedBy == nil || !strings.Contains(*r.AcknowledgedBy, "link") {
		t.Errorf("after the button: %+v", r)
	}
	var cancelled int64
	env.App.DB.Conn(context.Background()).Raw(`SELECT count(*) FROM river_job WHERE kind = 'notice.escalate' AND state = 'cancelled'
		AND args->>'notice' = ?`, n.ID).Scan(&cancelled)
	if cancelled != int64(notice.Steps) {
		t.Errorf("%d escalation steps cancelled, want %d", cancelled, notice.Steps)
	}
	if len(env.AuditOf(t, "notice.acknowledge", n.ID)) != 1 || len(env.AuditOf(t, "notice.notice", n.ID)) != 1 {
		t.Error("the publication or the acknowledgement is not audited once")
	}
	again := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/notices/" + n.ID + "/acknowledge", Token: spoc})
	if again.Status != 200 || len(env.AuditOf(t, "notice.acknowledge", n.ID)) != 1 {
		t.Errorf("a second acknowledgement: %d, and it was audited again", again.Status)
	}
}

// A high-priority notice nobody acknowledges escalates once at its limit to the cover and the
// SPOCs and shows on the council's overview, until the municipality acknowledges it.
func TestAnUnacknowledgedNoticeEscalatesOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4))
	env.Subscribe(t)
	now := env.Clock.Now()
	apptest.MustStatus(t, "cover", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/mailbox/covers",
		Token: env.Token("spoc.101"), Header: apptest.Key(), Body: map[string]any{"covering": "Lise Holm", "deputies": []string{"vagt@kk.example"},
			"time_zone": "UTC", "from": now.UTC().Add(-2 * time.Hour).Format("2006-01-02T15:04"), "to": now.UTC().Add(24 * time.Hour).Format("2006-01-02T15:04")}}), 201)
	// Published 31 minutes ago: its 30 minutes are up.
	env.Clock.Set(now.Add(-31 * time.Minute))
	n := publish(t, env, true)
	env.Clock.Set(now)

	for _, to := range []string{"vagt@kk.example", "spoc.101@demo.example"} {
		esc := env.MailsTo(t, to, "[ESKALERING]", 1)
		if len(esc) != 1 {
			t.Fatalf("%s received %d escalations, want 1", to, len(esc))
		}
		if s, _ := esc[0].Header.Subject(); s != "[ESKALERING] ! København: "+n.Subject || !strings.Contains(esc[0].Text, "har ikke kvitteret") {
			t.Errorf("the escalation: %q\n%s", s, esc[0].Text)
		}
	}
	var overview apptest.List[notice.Unacknowledged]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/notice-overview", Token: env.Token("council")}).Decode(t, &overview)
	if len(overview.Items) != 1 || overview.Items[0].Municipality != "101" || len(overview.Items[0].Notices) != 1 ||
		overview.Items[0].Notices[0].Escalations != 1 || overview.Items[0].Notices[0].MinutesLate < 1 {
		t.Fatalf("the council's overview: %+v", overview.Items)
	}
	apptest.MustStatus(t, "acknowledge", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/notices/" + n.ID + "/acknowledge",
		Token: env.Token("first_line.101")}), 200)
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/notice-overview", Token: env.Token("council")}).Decode(t, &overview)
	if len(overview.Items) != 0 {
		t.Errorf("the overview after the acknowledgement: %+v", overview.Items)
	}
	var states []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		states = nil // the first step's job is marked completed a moment after its work
		env.App.DB.Conn(context.Background()).Raw(`SELECT state || ':' || (args->>'step') FROM river_job WHERE kind = 'notice.escalate'
			AND args->>'notice' = ? ORDER BY args->>'step'`, n.ID).Scan(&states)
		if strings.Join(states, ",") == "completed:1,cancelled:2" {
			break
		}
	}
	if strings.Join(states, ",") != "completed:1,cancelled:2" {
		t.Errorf("escalation steps: %v, want the first done and the second cancelled", states)
	}
	if n := len(env.AuditOf(t, "notice.escalate", n.ID)); n != 1 {
		t.Errorf("%d escalations audited", n)
	}
}

// Planned maintenance needs the affected levels' notice, unless it is an emergency with a reason;
// a notice nobody would receive is refused.
func TestPlannedMaintenanceNeedsItsNotice(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.Subscribe(t)
	admin := env.Token("unit_admin.hovedstaden")
	soon := env.Clock.Now().Add(72 * time.Hour)
	send := func(body map[string]any) apptest.Response {
		base := map[string]any{"tags": []string{"PLANLAGT"}, "title": "Storage firmware", "body": "Firmware update.",
			"scope": map[string]any{"services": []string{"CMP-01"}}, "planned_start": soon, "planned_end": soon.Add(2 * time.Hour)}
		for k, v := range body {
			base[k] = v
		}
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/notices", Token: admin, Header: apptest.Key(), Body: base})
	}
	if r := send(nil); r.Status != 400 || !strings.Contains(string(r.Body), "at least 10 days") {
		t.Errorf("three days' notice: %d %s", r.Status, r.Body)
	}
	if r := send(map[string]any{"emergency": true}); r.Status != 400 || !strings.Contains(string(r.Body), "/emergency_reason") {
		t.Errorf("an emergency without a reason: %d %s", r.Status, r.Body)
	}
	if r := send(map[string]any{"emergency": true, "emergency_reason": "A vendor security fix (CVE-2026-1234)."}); r.Status != 201 {
		t.Errorf("an emergency with a reason: %d %s", r.Status, r.Body)
	}
	later := env.Clock.Now().AddDate(0, 0, 11)
	if r := send(map[string]any{"planned_start": later, "planned_end": later.Add(time.Hour)}); r.Status != 201 {
		t.Errorf("eleven days' notice: %d %s", r.Status, r.Body)
	}
	if r := send(map[string]any{"scope": map[string]any{"services": []string{"NET-01"}}, "planned_start": later, "planned_end": later.Add(time.Hour)}); r.Status != 409 {
		t.Errorf("a notice nobody subscribes to: %d %s", r.Status, r.Body)
	}
}

// An order's changes of state and a ticket's SLA warnings and breaches reach the municipality's
// mailbox (with its routes for the event's tag) and the unit's people, once per event.
func TestOrderAndSLAEventsAreDeliveredOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4))
	sub := env.Subscribe(t) // an order acknowledged, accepted, started and completed
	for _, to := range []string{"it-drift@kk.example", "unit_admin.hovedstaden@demo.example"} {
		var subjects []string
		for _, m := range env.MailsTo(t, to, "[ORDRE]", 4) {
			subjects = append(subjects, regexp.MustCompile(`Order [0-9a-f]{8}`).ReplaceAllString(m.Subject(), "Order <id>"))
		}
		slices.Sort(subjects) // each is a delivery of its own: they race
		if strings.Join(subjects, "\n") != "[ORDRE] Order <id> is accepted (hovedstaden)\n[ORDRE] Order <id> is acknowledged (hovedstaden)\n"+
			"[ORDRE] Order <id> is completed (hovedstaden)\n[ORDRE] Order <id> is in progress (hovedstaden)" {
			t.Errorf("%s received:\n%s", to, strings.Join(subjects, "\n"))
		}
	}

	fl := env.Token("first_line.101")
	var tk struct{ ID string }
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets", Token: fl, Header: apptest.Key(),
		Body: map[string]any{"title": "Share gone", "priority": "P1", "category": "incident", "subscription_id": sub}}).Decode(t, &tk)
	apptest.MustStatus(t, "escalate", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets/" + tk.ID + "/escalate",
		Token: fl, Body: map[string]any{"reason": "Storage"}}), 200)
	env.Clock.Advance(30 * 24 * time.Hour) // every clock is past its deadline
	for range 2 {
		if _, err := env.App.Tickets.Sweep(env.System()); err != nil {
			t.Fatal(err)
		}
	}
	for _, to := range []string{"it-drift@kk.example", "second_line.hovedstaden@demo.example"} {
		var subjects []string
		for _, m := range env.MailsTo(t, to, "[SLA]", 4) {
			subjects = append(subjects, m.Subject())
		}
		slices.Sort(subjects)
		want := []string{
			`[SLA] ! P1 ticket "Share gone": the response deadline has passed (hovedstaden)`,
			`[SLA] ! P1 ticket "Share gone": the restore deadline has passed (hovedstaden)`,
			`[SLA] P1 ticket "Share gone": 75 % of the response time used (hovedstaden)`,
			`[SLA] P1 ticket "Share gone": 75 % of the restore time used (hovedstaden)`,
		}
		slices.Sort(want)
		if !slices.Equal(subjects, want) {
			t.Errorf("%s received:\n%s", to, strings.Join(subjects, "\n"))
		}
	}
}

// A new version of the notice tags is itself a notice to every mailbox: their rules route on the
// tags.
func TestANewVersionOfTheTagsIsANoticeToEveryMailbox(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.VerifyMailbox(t, "101", "it-drift@kk.example")
	if _, err := env.App.Catalog.SyncFiles(env.System(), apptest.CatalogueWith(func(path string, b []byte) []byte {
		if path == "vocabularies/notice-tags.yaml" {
			return []byte(strings.Replace(strings.Replace(string(b), "version: 3", "version: 4", 1), "ack_minutes: 30,", "ack_minutes: 20,", 1))
		}
		return b
	})); err != nil {
		t.Fatal(err)
	}
	var inbox apptest.List[notice.Received]
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/751/notices", Token: env.Token("spoc.751")}).Decode(t, &inbox)
	if len(inbox.Items) != 1 || inbox.Items[0].Subject != "[AENDRING] Notitsmærker version 4 / Notice tags version 4 (sekretariatet)" ||
		len(inbox.Items[0].Recipients) < 90 || !strings.Contains(inbox.Items[0].Body, "**[NEDBRUD]** Nedbrud / Outage") ||
		!strings.Contains(inbox.Items[0].Body, "acknowledge within 20 min") {
		t.Fatalf("751's inbox after the new tags: %+v", inbox.Items)
	}
	p, err := env.App.Deliveries.List(context.Background(), delivery.Filter{SubjectType: "notice", SubjectID: inbox.Items[0].ID}, page.Request{Limit: 10})
	if err != nil || len(p.Items) != 1 || p.Items[0].Recipient != "it-drift@kk.example" {
		t.Errorf("deliveries of the tags notice: %+v (%v), want one to the one verified mailbox", p.Items, err)
	}
}

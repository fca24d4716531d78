package mailbox_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/activation"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
)

var link = regexp.MustCompile(`http://servicekatalog\.test/mailbox/confirm\?token=([A-Za-z0-9_-]+)`)

func missing(t *testing.T, env *apptest.Env) []string {
	t.Helper()
	var st activation.Status
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/activation?family=compute", Token: env.Token("spoc.101")}).Decode(t, &st)
	var out []string
	for _, m := range st.Missing {
		out = append(out, m.Prerequisite)
	}
	return out
}

// A registered address counts once someone reading it has pressed the button on the page its
// link opens; opening the page changes nothing, and the link works once, for 72 hours.
func TestAMailboxCountsOnceConfirmedThroughItsLink(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(2))
	spoc := env.Token("spoc.101")
	get := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/mailbox", Token: spoc})
	apptest.MustStatus(t, "read", get, 200)
	var mb mailbox.Mailbox
	set := env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/municipalities/101/mailbox", Token: spoc,
		Header: map[string]string{"If-Match": get.Header.Get("ETag")}, Body: map[string]any{"address": "it-drift@kk.example"}})
	apptest.MustStatus(t, "register", set, 200)
	set.Decode(t, &mb)
	if mb.Address != nil || mb.Pending == nil || mb.Pending.Address != "it-drift@kk.example" || mb.Pending.ExpiresAt == nil {
		t.Fatalf("registered mailbox = %+v", mb)
	}
	if got := missing(t, env); !strings.Contains(strings.Join(got, ","), "infrastructure_mailbox") {
		t.Errorf("a pending address counts for the gate: missing %v", got)
	}

	mails := env.MailsTo(t, "it-drift@kk.example", "", 1)
	if len(mails) != 1 {
		t.Fatalf("%d confirmation mails", len(mails))
	}
	subject, _ := mails[0].Header.Subject()
	text, html := mails[0].Text, mails[0].HTML
	m := link.FindStringSubmatch(text)
	if m == nil || !strings.Contains(html, m[0]) || !strings.Contains(subject, "København") ||
		!strings.Contains(text, "Intet bekræftes, før du trykker på den") || !strings.Contains(text, "Nothing is confirmed until you press it") {
		t.Fatalf("the confirmation mail (%q):\n%s\n%s", subject, text, html)
	}
	token := m[1]
	page := env.Do(apptest.Request{Method: "GET", Path: mailbox.ConfirmPath + "?token=" + token, Header: map[string]string{"Accept": "text/html"}})
	apptest.MustStatus(t, "open the link", page, 200)
	for _, want := range []string{"<h1>Bekræft infrastrukturpostkassen</h1>", `<form method="post" action="/mailbox/confirm">`,
		`name="token" value="` + token + `"`, "it-drift@kk.example er registreret som infrastrukturpostkasse for København (101)"} {
		if !strings.Contains(string(page.Body), want) {
			t.Errorf("the page lacks %q:\n%s", want, page.Body)
		}
	}
	if page.Header.Get("Cache-Control") != "no-store" || page.Header.Get("Referrer-Policy") != "no-referrer" ||
		!strings.Contains(page.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the page's headers: %v", page.Header)
	}
	if got := missing(t, env); len(got) == 0 || got[0] != "infrastructure_mailbox" {
		t.Errorf("opening the link confirmed the address: missing %v", got)
	}

	confirm := func(accept string) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: mailbox.ConfirmPath, Form: url.Values{"token": {token}},
			Header: map[string]string{"Accept": accept}})
	}
	done := confirm("application/json")
	apptest.MustStatus(t, "press the button", done, 200)
	done.Decode(t, &mb)
	if mb.Address == nil || *mb.Address != "it-drift@kk.example" || mb.VerifiedAt == nil || mb.Pending != nil {
		t.Fatalf("confirmed mailbox = %+v", mb)
	}
	if got := missing(t, env); strings.Contains(strings.Join(got, ","), "infrastructure_mailbox") {
		t.Errorf("the confirmed address does not count: missing %v", got)
	}
	again := confirm("text/html")
	if again.Status != 404 || !strings.Contains(string(again.Body), "Det lykkedes ikke") || !strings.Contains(string(again.Body), "72 hours") {
		t.Errorf("the used link again: %d %s", again.Status, again.Body)
	}
	if n := len(env.AuditOf(t, "mailbox.confirm", "101")); n != 1 {
		t.Errorf("the confirmation wrote %d audit records", n)
	}

	// A new address waits for its own confirmation; the verified one stays in use meanwhile.
	env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/municipalities/101/mailbox", Token: spoc,
		Header: map[string]string{"If-Match": strconv.Quote(strconv.Itoa(mb.Version))}, Body: map[string]any{"address": "ny-drift@kk.example"}}).Decode(t, &mb)
	if mb.Address == nil || *mb.Address != "it-drift@kk.example" || mb.Pending == nil || mb.Pending.Address != "ny-drift@kk.example" {
		t.Errorf("after a new address: %+v", mb)
	}
	got, err := env.App.Mailboxes.Recipients(context.Background(), []string{"101"}, []string{"DRIFT"})
	if err != nil || len(got["101"]) != 1 || got["101"][0].Address != "it-drift@kk.example" {
		t.Errorf("recipients while the new address waits = %v (%v)", got, err)
	}
	text = env.MailsTo(t, "ny-drift@kk.example", "", 1)[0].Text
	env.Clock.Advance(mailbox.LinkValidity + time.Minute)
	late := env.Do(apptest.Request{Method: "GET", Path: mailbox.ConfirmPath + "?token=" + link.FindStringSubmatch(text)[1]})
	if late.Status != 404 || !strings.HasPrefix(late.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("an expired link: %d %s %s", late.Status, late.Header.Get("Content-Type"), late.Body)
	}
}

// Routing rules and cover decide who besides the mailbox receives a notice.
func TestRoutesAndCoverAddRecipients(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.VerifyMailbox(t, "101", "it-drift@kk.example")
	spoc := env.Token("spoc.101")
	post := func(path string, body any) apptest.Response {
		return env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/mailbox/" + path, Token: spoc, Header: apptest.Key(), Body: body})
	}
	bad := post("routes", map[string]any{"tag": "ÆNDRING", "addresses": []string{"cab@kk.example"}})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), `"pointer":"/tag"`) || !strings.Contains(string(bad.Body), "AENDRING") {
		t.Errorf("a tag that is not one: %d %s", bad.Status, bad.Body)
	}
	var route mailbox.Route
	created := post("routes", map[string]any{"tag": "SIKKERHED", "addresses": []string{"soc@kk.example"}})
	apptest.MustStatus(t, "add a route", created, 201)
	created.Decode(t, &route)
	if dup := post("routes", map[string]any{"tag": "SIKKERHED", "addresses": []string{"x@kk.example"}}); dup.Status != 400 {
		t.Errorf("a second rule for a tag: %d %s", dup.Status, dup.Body)
	}
	apptest.MustStatus(t, "change the route", env.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/municipalities/101/mailbox/routes/" + route.ID,
		Token: spoc, Header: map[string]string{"If-Match": `"1"`}, Body: map[string]any{"addresses": []string{"soc@kk.example", "ciso@kk.example"}}}), 200)
	local := env.Clock.Now().In(time.FixedZone("", 0))
	var cover mailbox.Cover
	c := post("covers", map[string]any{"covering": "Lise Holm (IT-drift)", "deputies": []string{"vagt@kk.example"}, "time_zone": "UTC",
		"from": local.Add(-time.Hour).Format("2006-01-02T15:04"), "to": local.Add(48 * time.Hour).Format("2006-01-02T15:04"), "reason": "Juleferie"})
	apptest.MustStatus(t, "add cover", c, 201)
	c.Decode(t, &cover)
	who := func() string {
		got, err := env.App.Mailboxes.Recipients(context.Background(), []string{"101", "751"}, []string{"SIKKERHED"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := got["751"]; ok {
			t.Error("751 has no verified mailbox but receives")
		}
		var out []string
		for _, r := range got["101"] {
			out = append(out, r.Address+" ("+r.Why+")")
		}
		return strings.Join(out, ", ")
	}
	if got := who(); got != "it-drift@kk.example (mailbox), soc@kk.example (route SIKKERHED), ciso@kk.example (route SIKKERHED), vagt@kk.example (cover for Lise Holm (IT-drift))" {
		t.Errorf("recipients = %s", got)
	}
	apptest.MustStatus(t, "end the cover", env.Do(apptest.Request{Method: "DELETE", Path: "/api/v1/municipalities/101/mailbox/covers/" + cover.ID,
		Token: spoc, Header: map[string]string{"If-Match": `"1"`}}), 204)
	if got := who(); strings.Contains(got, "vagt@") {
		t.Errorf("after the cover: %s", got)
	}
	for _, action := range []string{"mailbox.route.create", "mailbox.route.update", "mailbox.cover.create", "mailbox.cover.delete"} {
		id := route.ID
		if strings.HasPrefix(action, "mailbox.cover") {
			id = cover.ID
		}
		if n := len(env.AuditOf(t, action, id)); n != 1 {
			t.Errorf("%s: %d audit records", action, n)
		}
	}
}

// An address registered before verification existed is pending and gets its link from the sweep.
func TestAnAddressFromBeforeVerificationGetsALink(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	if err := env.App.DB.Conn(context.Background()).Exec(`INSERT INTO mailboxes (municipality, pending_address, pending_requested_by,
		pending_requested_at, updated_at) VALUES ('751', 'drift@aarhus.example', 'migration 00008', now(), now())`).Error; err != nil {
		t.Fatal(err)
	}
	n, err := env.App.Mailboxes.SendLinks(env.System())
	if err != nil || n != 1 {
		t.Fatalf("sweep sent %d links (%v), want 1", n, err)
	}
	if n, _ := env.App.Mailboxes.SendLinks(env.System()); n != 0 {
		t.Errorf("a second sweep sent %d more", n)
	}
	token := env.LinkToken(t, "drift@aarhus.example", "mailbox_confirmation")
	apptest.MustStatus(t, "confirm", env.Do(apptest.Request{Method: "POST", Path: mailbox.ConfirmPath, Form: url.Values{"token": {token}}}), 200)
}

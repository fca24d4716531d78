package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// A council member signs in to the dashboard with the token they use in Swagger UI and reads
// the fleet's months: one bar per unit and month with figures, each titled with its value; the
// page loads nothing from elsewhere and runs no script; signing out ends the session. A SPOC's
// token is refused with a page that says who the dashboard is for.
func TestTheCouncilReadsTheFleetOnTheDashboardInABrowser(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.At(t, "2026-10-01 09:00")
	hovedstaden := env.Subscribe(t)
	env.MeetGateOf(t, "751")
	env.SubscribeTo(t, "751", "midt")
	env.At(t, "2026-11-20 12:00")
	var offerings struct {
		OfferingID string `json:"offering_id"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/subscriptions/" + hovedstaden, Token: env.Token("spoc.101")}).
		Decode(t, &offerings)
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	for unit, span := range map[string][2]time.Time{
		"hovedstaden": {time.Date(2026, 10, 9, 10, 0, 0, 0, cph), time.Date(2026, 10, 9, 11, 0, 0, 0, cph)}, // breaches October
		"midt":        {time.Date(2026, 11, 3, 10, 0, 0, 0, cph), time.Date(2026, 11, 3, 10, 20, 0, 0, cph)},
	} {
		body := map[string]any{"kind": "outage", "started_at": span[0], "ended_at": span[1], "title": "Storage"}
		if unit == "hovedstaden" {
			body["offerings"] = []string{offerings.OfferingID}
		} else {
			var subs apptest.List[struct{ ID string }]
			env.Do(apptest.Request{Method: "GET", Path: "/api/v1/units/midt/subscriptions", Token: env.Token("unit_admin.midt")}).Decode(t, &subs)
			body["subscriptions"] = []string{subs.Items[0].ID}
		}
		apptest.MustStatus(t, "report "+unit, env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/" + unit + "/outages",
			Token: env.Token("unit_admin." + unit), Header: apptest.Key(), Body: body}), 201)
	}
	if _, err := env.App.Outages.Sweep(env.System()); err != nil {
		t.Fatal(err)
	}
	var tk struct{ ID string }
	fl := env.Token("first_line.101")
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets", Token: fl, Header: apptest.Key(),
		Body: map[string]any{"title": "Share slow", "priority": "P2", "category": "incident", "subscription_id": hovedstaden}}).Decode(t, &tk)
	env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/tickets/" + tk.ID + "/escalate", Token: fl,
		Body: map[string]any{"reason": "Storage"}})
	apptest.MustStatus(t, "acknowledge", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/tickets/" + tk.ID + "/acknowledge",
		Token: env.Token("second_line.hovedstaden"), Body: map[string]any{}}), 200)

	page := env.Do(apptest.Request{Method: "GET", Path: "/dashboard", Token: env.Token("council"), Header: map[string]string{"Accept": "text/html"}})
	if csp := page.Header.Get("Content-Security-Policy"); page.Status != 200 || !strings.Contains(csp, "default-src 'none'") ||
		strings.Contains(csp, "script-src") || strings.Contains(string(page.Body), "<script") || strings.Contains(string(page.Body), `src="http`) {
		t.Errorf("the page: %d, CSP %q", page.Status, csp)
	}

	ui := openBrowser(t)
	ui.do("open the dashboard", chromedp.Navigate(env.Server.URL+"/dashboard"))
	ui.wait("the sign-in page", chromedp.WaitVisible(`#token`))
	if h := ui.text("h1"); !strings.HasPrefix(h, "Log ind på rådets oversigt") {
		t.Errorf("the sign-in page: %q", h)
	}
	ui.do("paste the token", chromedp.SendKeys(`#token`, env.Token("council")))
	ui.do("sign in", chromedp.Click(`button[type=submit]`))
	ui.wait("the dashboard", chromedp.WaitVisible(`svg[data-chart=compliance]`))

	bars := func(chart string) []string {
		return run(ui, "the bars of "+chart, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('svg[data-chart=`+chart+`] rect.bar > title'), t => t.textContent)`))
	}
	for chart, want := range map[string][]string{
		// A bar per unit and month that has figures: both units in October and November.
		"compliance": {"hovedstaden 2026-10: 0.0 %", "hovedstaden 2026-11: 100.0 %", "midt 2026-10: 100.0 %", "midt 2026-11: 100.0 %"},
		"credits":    {"hovedstaden 2026-10: 69.00 DKK", "hovedstaden 2026-11: 0.00 DKK", "midt 2026-10: 0.00 DKK", "midt 2026-11: 0.00 DKK"},
		"tickets":    {"hovedstaden 2026-11: 100.0 %"},
	} {
		if got := bars(chart); strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("the %s chart's bars: %q, want %q", chart, got, want)
		}
	}
	if text := ui.text("main"); !strings.Contains(text, "Servicekredit / Service credits") || !strings.Contains(ui.text("header"), "council") {
		t.Errorf("the dashboard reads:\n%s", text)
	}
	shot := ui.shot("dashboard")

	ui.do("sign out", chromedp.Click(`header button[type=submit]`))
	ui.wait("signed out", chromedp.WaitVisible(`#token`))
	if msg := ui.text(".message"); !strings.Contains(msg, "You are signed out") {
		t.Errorf("after signing out: %q", msg)
	}
	ui.do("open the dashboard again", chromedp.Navigate(env.Server.URL+"/dashboard"))
	ui.wait("the sign-in page again", chromedp.WaitVisible(`#token`))

	ui.do("paste a SPOC's token", chromedp.SendKeys(`#token`, env.Token("spoc.101")))
	ui.do("sign in", chromedp.Click(`button[type=submit]`))
	ui.wait("the refusal", chromedp.WaitVisible(`div.en`))
	if h := ui.text("h1"); h != "Ingen adgang" {
		t.Errorf("a SPOC signing in sees %q", h)
	}
	t.Logf("screenshot of the dashboard: %s", shot)
}

// The council opens the adoption page from the dashboard and reads each peer group's spread:
// the region where six municipalities answered as a box with its median, the regions without
// answers marked as not shown, never a ranking; switching to population bands says they are
// not filled in yet.
func TestTheCouncilComparesAdoptionByPeerGroupInABrowser(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	env.AnswerAsSixOfHovedstaden(t)

	ui := openBrowser(t)
	ui.do("open the dashboard", chromedp.Navigate(env.Server.URL+"/dashboard"))
	ui.wait("the sign-in page", chromedp.WaitVisible(`#token`))
	ui.do("paste the token", chromedp.SendKeys(`#token`, env.Token("council")))
	ui.do("sign in", chromedp.Click(`button[type=submit]`))
	ui.wait("the dashboard", chromedp.WaitVisible(`svg[data-chart=compliance]`))
	ui.do("go to adoption", chromedp.Click(`nav a[href="/dashboard/adoption"]`))
	ui.wait("the adoption page", chromedp.WaitVisible(`svg[data-chart=adoption]`))

	titles := func(selector string) []string {
		return run(ui, "the titles of "+selector, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('`+selector+`'), t => t.textContent)`))
	}
	for chart, want := range map[string]string{
		"connection": "Region Hovedstaden: median 12.5 %, quartiles 12.5–12.5 % (6 of 29 municipalities from their own answers)",
		"adoption":   "Region Hovedstaden: median 83.4 %, quartiles 16.7–100.0 % (6 of 29 municipalities from their own answers)",
	} {
		if got := titles(`svg[data-chart=` + chart + `] g.spread > title`); len(got) != 1 || got[0] != want {
			t.Errorf("the %s chart's boxes: %q, want %q", chart, got, want)
		}
		if n := len(titles(`svg[data-chart=` + chart + `] text.not-shown`)); n != 4 {
			t.Errorf("the %s chart marks %d regions as not shown, want 4", chart, n)
		}
	}
	if got := titles(`svg[data-chart=goal_fulfilment] g.spread > title`); len(got) != 0 {
		t.Errorf("goal fulfilment without targets: %q", got)
	}
	if text := ui.text("main"); !strings.Contains(text, "DOM-12 Dokumenthåndtering / Records management") || !strings.Contains(ui.text("header"), "never ranked") {
		t.Errorf("the adoption page reads:\n%s", text)
	}
	shot := ui.shot("adoption")

	ui.do("compare by population", chromedp.Click(`.peers a[href$="peer=population"]`))
	ui.wait("by population", chromedp.WaitVisible(`.peers a[href$="peer=region"]`))
	if cur, groups := ui.text(".peers strong"), titles(`svg[data-chart=adoption] text.not-shown > title`); cur != "Indbyggertal / Population" ||
		len(groups) != 1 || groups[0] != "population not filled in: not shown, not a peer group: the secretariat fills in what these municipalities are grouped by" {
		t.Errorf("by population: %q, groups %q", cur, groups)
	}
	t.Logf("screenshot of the adoption page: %s", shot)
}

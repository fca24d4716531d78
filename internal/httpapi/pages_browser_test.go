package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// readMail opens a mail's HTML part as a mail client shows it, from a web mail server of the test.
func (ui *person) readMail(html string) {
	ui.t.Helper()
	webmail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(html))
	}))
	ui.t.Cleanup(webmail.Close)
	ui.do("open the mail", chromedp.Navigate(webmail.URL))
}

// The pages a mail links to, as the person reading the infrastructure mailbox uses them: the
// confirmation link opens a page that confirms nothing until its button is pressed, and so does
// a high-priority notice's acknowledgement link. Chromium resolves the links' host (the service's
// PUBLIC_URL) to the test's server, so the links are followed as they are in the mails. The mail's
// link to the notice opens it in Swagger UI.
func TestTheMailboxIsConfirmedAndANoticeAcknowledgedFromTheMailsInABrowser(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(2))
	env.Subscribe(t)
	server, _ := url.Parse(env.Server.URL)
	ui := openBrowser(t, chromedp.Flag("host-resolver-rules", "MAP servicekatalog.test "+server.Host))
	const box = "infrastruktur@kk.example" // the new address; Subscribe has confirmed it-drift@kk.example

	spoc := env.Token("spoc.101")
	get := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/mailbox", Token: spoc})
	apptest.MustStatus(t, "register the mailbox", env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/municipalities/101/mailbox", Token: spoc,
		Header: map[string]string{"If-Match": get.Header.Get("ETag")}, Body: map[string]any{"address": box}}), 200)
	confirmation := env.MailsTo(t, box, "Bekræft infrastrukturpostkassen", 1)
	if len(confirmation) != 1 {
		t.Fatal("no confirmation mail")
	}
	ui.readMail(confirmation[0].HTML)
	ui.do("follow the link", chromedp.Click(`a[href*="/mailbox/confirm"]`, chromedp.NodeVisible))
	ui.wait("the confirmation page", chromedp.WaitVisible(`button[type=submit]`))
	if h := ui.text("h1"); h != "Bekræft infrastrukturpostkassen" || !strings.Contains(ui.text("main"), box+" er registreret som infrastrukturpostkasse for København") {
		t.Errorf("the confirmation page: %q\n%s", h, ui.text("main"))
	}
	ui.shot("mailbox-confirmation-page")
	var mailbox struct {
		Address *string `json:"address"`
		Pending *struct {
			Address string `json:"address"`
		} `json:"pending"`
	}
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/mailbox", Token: spoc}).Decode(t, &mailbox)
	if mailbox.Address == nil || *mailbox.Address != "it-drift@kk.example" || mailbox.Pending == nil || mailbox.Pending.Address != box {
		t.Fatalf("opening the page changed the mailbox: %+v", mailbox)
	}
	ui.do("confirm", chromedp.Click(`button[type=submit]`))
	ui.wait("the answer", chromedp.WaitNotPresent(`button[type=submit]`))
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/mailbox", Token: spoc}).Decode(t, &mailbox)
	if mailbox.Address == nil || *mailbox.Address != box {
		t.Fatalf("the button did not confirm the mailbox: %+v\n%s", mailbox, ui.text("main"))
	}
	ui.shot("mailbox-confirmed")

	apptest.MustStatus(t, "publish", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/hovedstaden/notices",
		Token: env.Token("unit_admin.hovedstaden"), Header: apptest.Key(), Body: map[string]any{"tags": []string{"NEDBRUD"},
			"high_priority": true, "title": "Virtual servers unreachable", "body": "Virtual servers in Ballerup do not answer.\n\n- Next update at **10:00**",
			"scope": map[string]any{"services": []string{"CMP-01"}}}}), 201)
	outage := env.MailsTo(t, box, "[NEDBRUD] !", 1)
	if len(outage) != 1 {
		t.Fatal("no notice mail")
	}
	ui.readMail(outage[0].HTML)
	if got := ui.text("strong"); got != "10:00" {
		t.Errorf("the body's Markdown shows as %q", got)
	}
	ui.shot("notice-mail")
	ui.do("follow the acknowledgement link", chromedp.Click(`a[href*="/notices/acknowledge"]`, chromedp.NodeVisible))
	ui.wait("the acknowledgement page", chromedp.WaitVisible(`button[type=submit]`))
	main := ui.text("main")
	if h := ui.text("h1"); h != "Kvittér for driftsmeddelelsen" || !strings.Contains(main, "[NEDBRUD] ! Virtual servers unreachable (hovedstaden)") ||
		!strings.Contains(main, "beder København kvittere for, at meddelelsen er set, senest") {
		t.Errorf("the acknowledgement page: %q\n%s", h, main)
	}
	page := ui.shot("acknowledgement-page")
	acknowledged := func() bool {
		var inbox apptest.List[struct {
			AcknowledgedBy *string `json:"acknowledged_by"`
		}]
		env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/notices", Token: spoc}).Decode(t, &inbox)
		return len(inbox.Items) == 1 && inbox.Items[0].AcknowledgedBy != nil
	}
	if acknowledged() {
		t.Fatal("opening the page acknowledged the notice")
	}
	ui.do("acknowledge", chromedp.Click(`button[type=submit]`))
	ui.wait("the thanks", chromedp.WaitNotPresent(`button[type=submit]`))
	if h := ui.text("h1"); h != "Tak – der er kvitteret" || !acknowledged() {
		t.Errorf("after the button: %q, acknowledged %v", h, acknowledged())
	}
	t.Logf("screenshots: %s and beside it mailbox-confirmation-page, mailbox-confirmed, notice-mail, acknowledged", page)
	ui.shot("acknowledged")
	link := regexp.MustCompile(`http://servicekatalog\.test/notices/acknowledge\?token=[A-Za-z0-9_-]+`).FindString(outage[0].Text)
	ui.do("open the link again", chromedp.Navigate(link))
	ui.wait("the page again", chromedp.WaitVisible(`h1`))
	if main := ui.text("main"); !strings.Contains(main, "Der er allerede kvitteret") || strings.Contains(main, "Kvittér / Acknowledge") {
		t.Errorf("the link after the acknowledgement:\n%s", main)
	}
	ui.readMail(outage[0].HTML)
	ui.do("see the notice in Servicekatalog", chromedp.Click(`a[href*="/swagger/"]`, chromedp.NodeVisible))
	ui.wait("Swagger UI at the notice", chromedp.WaitVisible(`#operations-notices-getMunicipalityNotice .opblock-body`))
}

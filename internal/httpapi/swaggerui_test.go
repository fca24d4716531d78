package httpapi_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/offering"
)

// browser finds Debian's Chromium; the test is skipped, saying so, where it is not installed.
func browser(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("browser test skipped: Chromium is not installed (apt-get install chromium)")
	return ""
}

// person is someone at a page (Swagger UI, a page a mail links to) in headless Chromium.
type person struct {
	t     *testing.T
	ctx   context.Context
	steps int // clicks and typing, as a person would count them
}

// openBrowser starts Chromium, with extra options, for the rest of the test.
func openBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) *person {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser(t)), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 1600))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The browser starts with the first run on a context: this one, which lives as long as the
	// test, not an action's, which times out.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	return &person{t: t, ctx: ctx}
}

func openSwaggerUI(t *testing.T, env *apptest.Env) *person {
	t.Helper()
	ui := openBrowser(t)
	if err := chromedp.Do(ui.ctx, chromedp.Navigate(env.Server.URL+"/swagger/index.html")); err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	ui.wait("the page", chromedp.WaitVisible(`.btn.authorize`))
	return ui
}

// do runs one action a person takes, counting it; wait one the page does.
func (ui *person) do(what string, a chromedp.Action[chromedp.Void]) {
	ui.t.Helper()
	ui.steps++
	run(ui, what, a)
}
func (ui *person) wait(what string, a chromedp.Action[chromedp.Void]) {
	ui.t.Helper()
	run(ui, what, a)
}

func run[T any](ui *person, what string, a chromedp.Action[T]) T {
	ui.t.Helper()
	ctx, cancel := context.WithTimeout(ui.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		ui.shot("failed")
		ui.t.Fatalf("in the browser, %s: %v", what, err)
	}
	return v
}

// shot keeps a screenshot of the page (or of one operation) with the test's artifacts.
func (ui *person) shot(name string, of ...string) string {
	a := chromedp.FullScreenshot(100)
	if len(of) > 0 {
		a = chromedp.Screenshot(of[0])
	}
	b, err := chromedp.Run(ui.ctx, a)
	if err != nil {
		ui.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(ui.t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		ui.t.Fatal(err)
	}
	return path
}

func (ui *person) text(sel string) string {
	ui.t.Helper()
	return run(ui, "read "+sel, chromedp.Text(sel))
}

// authorize pastes the bearer credential as the dialog asks.
func (ui *person) authorize(token string) {
	ui.do("open Authorize", chromedp.Click(`.btn.authorize`))
	ui.wait("the dialog", chromedp.WaitVisible(`.modal-ux input`))
	ui.do("paste the token", chromedp.SendKeys(`.modal-ux input`, "Bearer "+token))
	ui.do("authorise", chromedp.Click(`.modal-ux .auth-btn-wrapper .authorize`))
	ui.wait("authorised", chromedp.WaitVisible(`.modal-ux .btn-done`))
	ui.do("close the dialog", chromedp.Click(`.modal-ux .btn-done`))
	ui.wait("closed", chromedp.WaitNotPresent(`.modal-ux`))
}

// execute runs the open operation op and returns the status and body it shows.
func (ui *person) execute(op string) (string, string) {
	ui.do("execute", chromedp.Click(op+` .btn.execute`))
	result := op + ` .live-responses-table tbody`
	ui.wait("the answer", chromedp.WaitVisible(result+` .response-col_status`))
	ui.wait("scroll to it", chromedp.ScrollIntoView(result))
	return strings.TrimSpace(ui.text(result + ` .response-col_status`)), ui.text(result + ` .response-col_description pre`)
}

// setBody replaces the request body in the editor with text, as a person does: select all in it,
// paste the new body.
func (ui *person) setBody(op, text string) {
	editor := op + ` textarea.body-param__text`
	ui.wait("focus the body", chromedp.Click(editor))
	ui.do("select the body", chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	ui.do("paste the body", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return chromedp.Void{}, err
	})
}

// The council member's work in Swagger UI, from the queue to a decision, using only the page:
// the queue names the offering and links its decision, which takes the id the queue shows.
func TestCouncilDecidesFromTheQueueInSwaggerUI(t *testing.T) {
	t.Parallel()
	browser(t)
	env := apptest.New(t)
	admin := env.Token("unit_admin.midt")
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings", Token: admin, Header: apptest.Key(),
		Body: map[string]any{"service_id": "CMP-01", "terms": apptest.Terms(true, "basis", "standard")}})
	apptest.MustStatus(t, "create", resp, 201)
	var o offering.Offering
	resp.Decode(t, &o)
	apptest.MustStatus(t, "submit", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings/" + o.ID + "/submit", Token: admin}), 200)

	ui := openSwaggerUI(t, env)
	ui.authorize(env.Token("council"))
	queue := `#operations-review-reviewQueue`
	first := run(ui, "the first operation", chromedp.Evaluate[string](`document.querySelector('.opblock').id`))
	if first != strings.TrimPrefix(queue, "#") {
		t.Errorf("the first operation on the page is %s, not the queue", first)
	}
	ui.do("open the queue", chromedp.Click(queue+` .opblock-summary-control`))
	ui.do("try it out", chromedp.Click(queue+` .try-out__btn`))
	status, body := ui.execute(queue)
	queueShot := ui.shot("swagger-ui-review-queue", queue)
	var q struct {
		Items []struct {
			ID, Title string
			SwaggerUI string `json:"swagger_ui"`
			Submitter struct{ Name, Tenant string }
		}
	}
	if err := json.Unmarshal([]byte(body), &q); status != "200" || err != nil || len(q.Items) != 1 {
		t.Fatalf("the queue answered %s: %v\n%s", status, err, body)
	}
	item := q.Items[0]
	if item.ID != o.ID || item.Title != "CMP-01 from unit midt, version 1" || item.Submitter.Tenant != "unit:midt" {
		t.Errorf("the queue shows %+v", item)
	}

	// The person opens the decision the item links to (pasting the link, or clicking the
	// operation below the queue: the same page, still authorised).
	decide := `#operations-review-decideOffering`
	ui.do("open the decision", chromedp.Navigate(env.Server.URL+item.SwaggerUI))
	ui.wait("the decision", chromedp.WaitVisible(decide+` .try-out__btn`))
	ui.do("try it out", chromedp.Click(decide+` .try-out__btn`))
	ui.do("paste the id", chromedp.SendKeys(decide+` tr[data-param-name="id"] input`, item.ID))
	ui.setBody(decide, `{"outcome":"approved","reason":"Meets basis and standard; prices within the common frame."}`)
	status, body = ui.execute(decide)
	decisionShot := ui.shot("swagger-ui-decision", decide)
	if status != "200" || !strings.Contains(body, `"state": "published"`) {
		t.Fatalf("the decision answered %s:\n%s", status, body)
	}
	t.Logf("from Authorize to the decision: %d clicks and typing steps; screenshots %s and %s", ui.steps, queueShot, decisionShot)
}

// A SPOC of a municipality other than 101 orders from the example Swagger UI shows, changing only
// the offering id to one of its owner unit's published offerings.
func TestASPOCOrdersFromTheShippedExampleInSwaggerUI(t *testing.T) {
	t.Parallel()
	browser(t)
	env := apptest.New(t)
	off := env.Publish(t, "midt", "CMP-01", map[string]string{"basis": "450.00", "standard": "690.00"}) // Aarhus (751) buys from midt
	ui := openSwaggerUI(t, env)
	ui.authorize(env.Token("spoc.751"))
	op := `#operations-orders-createOrder`
	ui.do("open Order from the owner unit", chromedp.Navigate(env.Server.URL+"/swagger/index.html#/orders/createOrder"))
	ui.wait("the operation", chromedp.WaitVisible(op+` .try-out__btn`))
	ui.do("try it out", chromedp.Click(op+` .try-out__btn`))
	ui.do("type the municipality", chromedp.SendKeys(op+` tr[data-param-name="code"] input`, "751"))
	ui.do("type a key", chromedp.SendKeys(op+` tr[data-param-name="Idempotency-Key"] input`, "aarhus-esdh-servers"))
	shipped := run(ui, "the example body", chromedp.Value(op+` textarea.body-param__text`))
	ids := regexp.MustCompile(`"offering_id": "[^"]+"`)
	if !ids.MatchString(shipped) {
		t.Fatalf("the example body has no offering_id:\n%s", shipped)
	}
	ui.setBody(op, ids.ReplaceAllString(shipped, `"offering_id": "`+off.ID+`"`))
	status, body := ui.execute(op)
	shot := ui.shot("swagger-ui-order", op)
	if status != "201" || !strings.Contains(body, `"municipality": "751"`) || !strings.Contains(body, `"state": "acknowledged"`) {
		t.Fatalf("the order answered %s:\n%s", status, body)
	}
	t.Logf("the shipped example, with the offering id changed, ordered: %s; screenshot %s", status, shot)
}

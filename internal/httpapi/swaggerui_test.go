package httpapi_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// The council reviews through Swagger UI: it authorises with its token, runs the review queue
// and sees the offering waiting in it. The screenshot of the operation (locked padlock, the
// request, the response) is kept with go test -artifacts, as make test runs it.
func TestCouncilRunsTheReviewQueueInSwaggerUI(t *testing.T) {
	exe := browser(t)
	env := apptest.New(t)
	admin := env.Token("unit_admin.midt")
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings", Token: admin, Header: key(),
		Body: map[string]any{"service_id": "CMP-01", "terms": terms(true, "basis", "standard")}})
	mustStatus(t, "create", resp, 201)
	var o offering.Offering
	resp.Decode(t, &o)
	mustStatus(t, "submit", env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings/" + o.ID + "/submit", Token: admin}), 200)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 1600))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	const op = `#operations-review-reviewQueue` // GET /api/v1/reviews: tag review, @ID reviewQueue
	result := op + ` .live-responses-table`
	steps := []struct {
		what string
		do   chromedp.Action[chromedp.Void]
	}{
		{"open", chromedp.Navigate(env.Server.URL + "/swagger/index.html")},
		{"authorize button", chromedp.WaitVisible(`.btn.authorize`)},
		{"open the dialog", chromedp.Click(`.btn.authorize`)},
		{"token field", chromedp.WaitVisible(`.modal-ux input`)},
		{"type the token", chromedp.SendKeys(`.modal-ux input`, "Bearer "+env.Token("council"))},
		{"authorise", chromedp.Click(`.modal-ux .auth-btn-wrapper .authorize`)},
		{"authorised", chromedp.WaitVisible(`.modal-ux .btn-done`)},
		{"close the dialog", chromedp.Click(`.modal-ux .btn-done`)},
		{"dialog closed", chromedp.WaitNotPresent(`.modal-ux`)},
		{"open the review queue", chromedp.Click(op + ` .opblock-summary-control`)},
		{"try it out", chromedp.Click(op + ` .try-out__btn`)},
		{"execute", chromedp.Click(op + ` .btn.execute`)},
		{"response", chromedp.WaitVisible(result + ` tbody .response-col_status`)},
		{"scroll to it", chromedp.ScrollIntoView(result)},
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser, which lives as long as ctx
		t.Fatalf("Chromium: %v", err)
	}
	for _, st := range steps {
		sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		err := chromedp.Do(sctx, st.do)
		cancel()
		if err != nil {
			if shot, serr := chromedp.Run(ctx, chromedp.CaptureScreenshot()); serr == nil {
				_ = os.WriteFile(filepath.Join(t.ArtifactDir(), "swagger-ui-failed.png"), shot, 0o644)
			}
			t.Fatalf("Swagger UI, step %q: %v", st.what, err)
		}
	}
	status, err := chromedp.Run(ctx, chromedp.Text(result+` tbody .response-col_status`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(result+` tbody .response-col_description`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.Screenshot(op))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.ArtifactDir(), "swagger-ui-review-queue.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if strings.TrimSpace(status) != "200" || !strings.Contains(body, o.ID) || !strings.Contains(body, "CMP-01") {
		t.Fatalf("the review queue in Swagger UI answered %q:\n%s", status, body)
	}
}

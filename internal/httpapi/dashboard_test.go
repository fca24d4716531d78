package httpapi_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// A sign-in is a session of thirty minutes kept by the database: its cookie is out of scripts'
// reach and sent only to the dashboard from the same site; it expires, and signing out ends it.
func TestADashboardSessionExpiresAndEndsWithSigningOut(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path, cookie string, form url.Values) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, env.Server.URL+path, body)
		req.Header.Set("Accept", "text/html")
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	signIn := func(token string) (string, *http.Response, string) {
		t.Helper()
		resp, body := send("POST", "/dashboard/session", "", url.Values{"token": {token}})
		set := resp.Header.Get("Set-Cookie")
		cookie, _, _ := strings.Cut(set, ";")
		return cookie, resp, body + set
	}

	cookie, resp, set := signIn(env.Token("council"))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/dashboard" || !strings.Contains(set, "HttpOnly") ||
		!strings.Contains(set, "SameSite=Strict") || !strings.Contains(set, "Path=/dashboard") || !strings.Contains(set, "Max-Age=1800") {
		t.Fatalf("sign-in: %d %s", resp.StatusCode, set)
	}
	if resp, body := send("GET", "/dashboard", cookie, nil); resp.StatusCode != 200 || !strings.Contains(body, `<svg class="chart" data-chart="compliance"`) {
		t.Errorf("the dashboard with the session: %d", resp.StatusCode)
	}
	if got := env.AuditOf(t, "session.start", ""); len(got) == 0 {
		t.Error("the sign-in is not audited")
	}

	env.Clock.Advance(31 * time.Minute)
	if resp, body := send("GET", "/dashboard", cookie, nil); resp.StatusCode != 401 || !strings.Contains(body, "the sign-in has expired") ||
		!strings.Contains(body, `name="token"`) {
		t.Errorf("an expired session: %d %s", resp.StatusCode, body)
	}

	cookie, _, _ = signIn(env.Token("council"))
	if resp, _ := send("POST", "/dashboard/sign-out", cookie, url.Values{}); resp.StatusCode != 200 ||
		!strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("sign-out: %d %s", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	if resp, _ := send("GET", "/dashboard", cookie, nil); resp.StatusCode != 401 {
		t.Errorf("a session signed out: %d", resp.StatusCode)
	}
	if resp, _ := send("GET", "/dashboard", "servicekatalog_session=forged", nil); resp.StatusCode != 401 {
		t.Errorf("a forged session: %d", resp.StatusCode)
	}
	if _, resp, body := signIn("not-a-token"); resp.StatusCode != 401 || !strings.Contains(body, "That token was not accepted") {
		t.Errorf("a wrong token: %d %s", resp.StatusCode, body)
	}
	if _, resp, body := signIn(env.Token("spoc.101")); resp.StatusCode != 403 || !strings.Contains(body, "Ingen adgang") {
		t.Errorf("a SPOC's token: %d %s", resp.StatusCode, body)
	}
}

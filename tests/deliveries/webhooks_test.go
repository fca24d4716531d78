package deliveries_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/servicekatalog/servicekatalog/internal/app"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/notice"
)

// receiver is an HTTP endpoint that answers with the statuses given, in turn (then 200), and
// keeps what it was sent.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []received
	srv      *httptest.Server
}

type received struct {
	Header http.Header
	Body   []byte
	Status int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		status := 200
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.got = append(r.got, received{Header: req.Header.Clone(), Body: body, Status: status})
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r.mu.Lock()
		got := append([]received(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
	}
	t.Fatalf("the receiver got fewer than %d posts", n)
	return nil
}

func register(t *testing.T, env *apptest.Env, url string) delivery.EndpointWithSecret {
	t.Helper()
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tenants/municipality:101/webhooks", Token: env.Token("spoc.101"),
		Header: apptest.Key(), Body: map[string]any{"url": url}})
	apptest.MustStatus(t, "register the webhook", resp, 201)
	var w delivery.EndpointWithSecret
	resp.Decode(t, &w)
	return w
}

func info(t *testing.T, env *apptest.Env, title string) notice.Notice {
	t.Helper()
	var n notice.Notice
	resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/notices", Token: env.Token("secretariat"), Header: apptest.Key(),
		Body: map[string]any{"tags": []string{"INFO"}, "title": title, "body": "For your information.", "scope": map[string]any{"all": true}}})
	apptest.MustStatus(t, "publish", resp, 201)
	resp.Decode(t, &n)
	return n
}

// A notice is posted to the municipality's webhook signed as Standard Webhooks prescribes; a 503
// is retried with the same webhook-id, a 410 stops the deliveries; after a rotation both secrets
// sign for a day.
func TestWebhooksAreSignedRetriedAndRotated(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(4), apptest.FastRetries())
	rcv := newReceiver(t, 503)
	hook := register(t, env, rcv.srv.URL+"/hooks/servicekatalog")
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("secret %q", hook.Secret)
	}
	n := info(t, env, "New contact form")
	got := rcv.wait(t, 2)
	verifier, err := standardwebhooks.NewWebhook(hook.Secret)
	if err != nil {
		t.Fatal(err)
	}
	id := "msg_" + delivery.ID("notice", n.ID, delivery.Webhook, hook.URL)
	for i, g := range got {
		if err := verifier.Verify(g.Body, g.Header); err != nil {
			t.Errorf("post %d does not verify: %v", i+1, err)
		}
		if g.Header.Get("webhook-id") != id {
			t.Errorf("post %d webhook-id %q, want %q on every attempt", i+1, g.Header.Get("webhook-id"), id)
		}
	}
	var body struct {
		Type string
		Data map[string]any
	}
	json.Unmarshal(got[1].Body, &body)
	if body.Type != "notice.notice" || body.Data["subject"] != "[INFO] New contact form (sekretariatet)" || body.Data["recipients"] != nil {
		t.Errorf("the payload: %s", got[1].Body)
	}
	d := settled(t, env, delivery.ID("notice", n.ID, delivery.Webhook, hook.URL))
	if d.State != delivery.Delivered || d.Attempts != 2 || !strings.Contains(d.History[0].Error, "503") {
		t.Errorf("the webhook delivery: %s after %d attempts (%+v)", d.State, d.Attempts, d.History)
	}

	rotated := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tenants/municipality:101/webhooks/" + hook.ID + "/rotate",
		Token: env.Token("spoc.101"), Header: map[string]string{"If-Match": `"1"`}})
	apptest.MustStatus(t, "rotate", rotated, 200)
	var fresh delivery.EndpointWithSecret
	rotated.Decode(t, &fresh)
	info(t, env, "Second notice")
	last := rcv.wait(t, 3)[2]
	for name, secret := range map[string]string{"old": hook.Secret, "new": fresh.Secret} {
		v, _ := standardwebhooks.NewWebhook(secret)
		if err := v.Verify(last.Body, last.Header); err != nil {
			t.Errorf("after the rotation the %s secret does not verify: %v (%s)", name, err, last.Header.Get("webhook-signature"))
		}
	}

	gone := newReceiver(t, 410)
	goneHook := register(t, env, gone.srv.URL+"/gone")
	n3 := info(t, env, "Third notice")
	dead := settled(t, env, delivery.ID("notice", n3.ID, delivery.Webhook, goneHook.URL))
	if dead.State != delivery.Dead || dead.Attempts != 1 || !strings.Contains(dead.LastError, "410") {
		t.Errorf("a 410: %s after %d attempts (%s)", dead.State, dead.Attempts, dead.LastError)
	}
}

// Webhooks do not reach loopback, private or link-local addresses, nor take plain http, unless
// development allows it.
func TestWebhooksDoNotReachIntoTheNetwork(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.Working(2), func(o *app.Options) { o.AllowPrivateWebhooks = false })
	spoc := env.Token("spoc.101")
	if r := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tenants/municipality:101/webhooks", Token: spoc, Header: apptest.Key(),
		Body: map[string]any{"url": "http://hooks.kk.example/x"}}); r.Status != 400 || !strings.Contains(string(r.Body), "must be https") {
		t.Errorf("plain http: %d %s", r.Status, r.Body)
	}
	for _, target := range []string{"https://127.0.0.1:8443/x", "https://10.1.2.3/x", "https://169.254.169.254/latest/meta-data"} {
		hook := register(t, env, target)
		n := info(t, env, "To "+target)
		d := settled(t, env, delivery.ID("notice", n.ID, delivery.Webhook, hook.URL))
		if d.State != delivery.Dead || d.Attempts != 1 || !strings.Contains(d.LastError, "not a public address") {
			t.Errorf("%s: %s after %d attempts (%s)", target, d.State, d.Attempts, d.LastError)
		}
	}
}

package httpapi_test

import (
	"testing"
	"time"

	"github.com/servicekatalog/servicekatalog/internal/app"
	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// Each caller has a bucket: 3 requests at once, one more a second. Over it a request is a 429
// problem with Retry-After that changes nothing; other callers are not affected.
func TestCallersAreRateLimited(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, func(o *app.Options) { o.RateLimit, o.RateBurst = 1, 3 })
	spoc, council := env.Token("spoc.101"), env.Token("council")
	me := func(token string) apptest.Response {
		return env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: token})
	}
	for i, want := range []string{"2", "1", "0"} {
		resp := me(spoc)
		apptest.MustStatus(t, "within the burst", resp, 200)
		if resp.Header.Get("RateLimit-Limit") != "3" || resp.Header.Get("RateLimit-Remaining") != want || resp.Header.Get("RateLimit-Reset") == "" {
			t.Errorf("request %d: RateLimit headers %v", i+1, resp.Header)
		}
	}
	before := env.Fingerprint(t)
	over := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/tenants/municipality:101/users", Token: spoc, Header: apptest.Key(),
		Body: map[string]any{"username": "too.fast", "name": "Too Fast", "email": "too.fast@example.org"}})
	apptest.MustStatus(t, "over the limit", over, 429)
	if p := over.Problem(t); p["type"] != "/problems/too-many-requests" || over.Header.Get("Retry-After") != "1" {
		t.Errorf("429: %v %s", over.Header, over.Body)
	}
	env.Unchanged(t, before, "a refused request")
	apptest.MustStatus(t, "another caller", me(council), 200)
	env.Clock.Advance(time.Second)
	apptest.MustStatus(t, "a second later", me(spoc), 200)
	apptest.MustStatus(t, "and again at once", me(spoc), 429)
}

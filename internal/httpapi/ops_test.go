package httpapi_test

import (
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

func TestOperationsEndpoints(t *testing.T) {
	env := apptest.New(t)
	env.Do(apptest.Request{Method: "GET", Path: "/api/v1/me", Token: env.Token("council")})
	tests := []struct {
		path     string
		contains []string
	}{
		{"/livez", []string{`"status":"ok"`}},
		{"/readyz", []string{`"status":"ready"`}},
		{"/metrics", []string{
			`servicekatalog_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1`,
			`servicekatalog_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",status="200"`,
			`go_sql_open_connections{db_name="servicekatalog"}`,
		}},
		{"/swagger/index.html", []string{"Swagger UI"}},
		{"/swagger/doc.json", []string{`"BearerAuth"`, `"/api/v1/tenants/{tenant}/role-assignments"`}},
	}
	for _, tc := range tests {
		resp := env.Do(apptest.Request{Method: "GET", Path: tc.path})
		if resp.Status != 200 {
			t.Errorf("%s: %d", tc.path, resp.Status)
		}
		for _, want := range tc.contains {
			if !strings.Contains(string(resp.Body), want) {
				t.Errorf("%s does not contain %s", tc.path, want)
			}
		}
		if resp.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID", tc.path)
		}
	}
	resp := env.Do(apptest.Request{Method: "GET", Path: "/livez", Header: map[string]string{"X-Request-ID": "abc-123"}})
	if resp.Header.Get("X-Request-ID") != "abc-123" {
		t.Errorf("the caller's request id is not kept: %q", resp.Header.Get("X-Request-ID"))
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/livez", Header: map[string]string{"X-Request-ID": "bad id\twith spaces"}})
	if resp.Header.Get("X-Request-ID") == "bad id\twith spaces" {
		t.Error("an unsafe request id is echoed")
	}
}

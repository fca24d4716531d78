package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
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
		{"/swagger/index.html", []string{"<title>Servicekatalog API</title>", "swagger-ui-bundle.js", "initializer.js"}},
		{"/swagger/initializer.js", []string{`url: "/openapi.json"`, "persistAuthorization: false"}},
		{"/openapi.json", []string{`"openapi":"3.0.3"`, `"BearerAuth"`, `"/api/v1/tenants/{tenant}/role-assignments"`}},
		{"/", []string{`"swagger_ui":"/swagger/index.html"`, `"openapi":"/openapi.json"`}},
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

// TestTheDocumentAndUIAreServedCompressedAndRevalidated: the spec and Swagger UI's files go out
// gzip-compressed to clients that accept it, with a strong ETag, and a matching If-None-Match
// gets 304 without a body.
func TestTheDocumentAndUIAreServedCompressedAndRevalidated(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	for _, path := range []string{"/openapi.json", "/swagger/swagger-ui-bundle.js", "/swagger/index.html"} {
		req, _ := http.NewRequest("GET", env.Server.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		zipped, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || etag == "" || resp.Header.Get("Cache-Control") == "" {
			t.Fatalf("%s: %d, encoding %q, ETag %q, Cache-Control %q", path, resp.StatusCode, resp.Header.Get("Content-Encoding"), etag, resp.Header.Get("Cache-Control"))
		}
		plain := env.Do(apptest.Request{Method: "GET", Path: path, Header: map[string]string{"Accept-Encoding": "identity"}})
		t.Logf("%s: %d bytes, %d gzip-compressed", path, len(plain.Body), len(zipped))
		again := env.Do(apptest.Request{Method: "GET", Path: path, Header: map[string]string{"If-None-Match": etag}})
		if again.Status != 304 || len(again.Body) != 0 {
			t.Errorf("%s with If-None-Match: %d, %d bytes", path, again.Status, len(again.Body))
		}
	}
	page := env.Do(apptest.Request{Method: "GET", Path: "/", Header: map[string]string{"Accept": "text/html"}})
	if !strings.Contains(string(page.Body), `href="/swagger/index.html"`) || page.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("the landing page for browsers: %s %s", page.Header.Get("Content-Type"), page.Body)
	}
}

package httpapi_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

func TestMalformedBodiesAreRefusedWithProblems(t *testing.T) {
	env := apptest.New(t)
	sec := env.Token("secretariat")
	tests := []struct {
		name        string
		body        string
		contentType string
		status      int
		pointer     string // the field the problem must name; "-" for none
	}{
		{"empty body", "", "application/json", 400, "-"},
		{"null", "null", "application/json", 400, "-"},
		{"an array", "[]", "application/json", 400, "-"},
		{"a string", `"unit"`, "application/json", 400, "-"},
		{"truncated", `{"slug":"x"`, "application/json", 400, "-"},
		{"trailing garbage", `{"slug":"abc","name":"A","region":"R"} x`, "application/json", 400, "-"},
		{"two values", `{"slug":"abc","name":"A","region":"R"}{}`, "application/json", 400, "-"},
		{"unknown field", `{"slug":"abc","name":"A","region":"R","admin":true}`, "application/json", 400, "/admin"},
		{"server-owned field", `{"slug":"abc","name":"A","region":"R","version":9}`, "application/json", 400, "/version"},
		{"duplicate key", `{"slug":"abc","slug":"def","name":"A","region":"R"}`, "application/json", 400, "/slug"},
		{"wrong type", `{"slug":42,"name":"A","region":"R"}`, "application/json", 400, "/slug"},
		{"missing required", `{"slug":"abc"}`, "application/json", 400, "/name"},
		{"too long", `{"slug":"abc","name":"` + strings.Repeat("n", 201) + `","region":"R"}`, "application/json", 400, "/name"},
		{"bad slug", `{"slug":"Not A Slug","name":"A","region":"R"}`, "application/json", 400, "/slug"},
		{"NUL character", `{"slug":"abc","name":"A\u0000B","region":"R"}`, "application/json", 400, "/name"},
		{"invalid UTF-8", "{\"slug\":\"abc\",\"name\":\"\xff\xfe\",\"region\":\"R\"}", "application/json", 400, "-"},
		{"NaN", `{"slug":"abc","name":NaN,"region":"R"}`, "application/json", 400, "-"},
		{"deep nesting", strings.Repeat("[", 100) + strings.Repeat("]", 100), "application/json", 400, "-"},
		{"huge number", `{"slug":1e999,"name":"A","region":"R"}`, "application/json", 400, "-"},
		{"not JSON media type", `{"slug":"abc","name":"A","region":"R"}`, "text/plain", 415, "-"},
		{"over 1 MiB", `{"slug":"abc","name":"A","region":"` + strings.Repeat("r", 1<<20) + `"}`, "application/json", 413, "-"},
	}
	before := env.Fingerprint(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units", Token: sec,
				Header: map[string]string{"Idempotency-Key": uuid.NewString(), "Content-Type": tc.contentType}, Body: []byte(tc.body)})
			if resp.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.Status, tc.status, resp.Body)
			}
			p := resp.Problem(t)
			if tc.pointer != "-" && !strings.Contains(string(resp.Body), `"pointer":"`+tc.pointer+`"`) {
				t.Errorf("problem does not name %s: %s", tc.pointer, resp.Body)
			}
			if p["status"].(float64) != float64(tc.status) || p["request_id"] == "" {
				t.Errorf("problem = %v", p)
			}
		})
	}
	env.Unchanged(t, before, "refused requests")
}

func TestUnknownRoutesAndMethodsAreProblems(t *testing.T) {
	env := apptest.New(t)
	resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/nowhere"})
	if resp.Status != 404 {
		t.Errorf("unknown route: %d", resp.Status)
	}
	resp.Problem(t)
	resp = env.Do(apptest.Request{Method: "PUT", Path: "/api/v1/units/midt"})
	if resp.Status != 405 || resp.Header.Get("Allow") != "GET, PATCH" {
		t.Errorf("wrong method: %d, Allow %q", resp.Status, resp.Header.Get("Allow"))
	}
	resp.Problem(t)
	for _, path := range []string{"/api/v1/tenants/nonsense/users", "/api/v1/tenants/municipality:999/users"} {
		resp = env.Do(apptest.Request{Method: "GET", Path: path, Token: env.Token("secretariat")})
		if resp.Status != 404 {
			t.Errorf("%s: %d, want 404", path, resp.Status)
		}
		resp.Problem(t)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/tenants/municipality:101/users/not-a-uuid", Token: env.Token("secretariat")})
	if resp.Status != 404 {
		t.Errorf("malformed id: %d, want 404", resp.Status)
	}
}

package httpapi_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

func TestMalformedBodiesAreRefusedWithProblems(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// TestQueryParametersAreStrictOnEveryRoute: every protected route refuses a parameter it does
// not document, naming it, and every documented parameter with listed values refuses another
// value, naming the values it takes.
func TestQueryParametersAreStrictOnEveryRoute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	roles, rows := matrix(t)
	before := env.Fingerprint(t)
	enums := 0
	for _, r := range env.App.API.Routes() {
		if r.Public() {
			continue
		}
		role := allowedRole(t, roles, rows, r)
		path, token := concrete(r.Path, callers[role].tenant), env.Token(callers[role].user)
		call := func(query string) apptest.Response {
			return env.Do(apptest.Request{Method: r.Method, Path: path + "?" + query, Token: token,
				Header: map[string]string{"Idempotency-Key": uuid.NewString(), "If-Match": `"1"`}})
		}
		resp := call("sort=name&garbage=1")
		if resp.Status != 400 || !strings.Contains(string(resp.Body), `"parameter":"garbage"`) ||
			!strings.Contains(string(resp.Body), `"parameter":"sort"`) {
			t.Errorf("%s %s with unknown parameters: %d %.300s", r.Method, r.Path, resp.Status, resp.Body)
		}
		for _, p := range apptest.Operation(t, r.Method, r.Path).Parameters {
			if p.Value.In != "query" || p.Value.Schema.Value.Enum == nil {
				continue
			}
			enums++
			resp := call(p.Value.Name + "=garbage")
			if resp.Status != 400 || !strings.Contains(string(resp.Body), `"parameter":"`+p.Value.Name+`","reason":"must be one of: `) {
				t.Errorf("%s %s with %s=garbage: %d %.300s", r.Method, r.Path, p.Value.Name, resp.Status, resp.Body)
			}
		}
	}
	resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/orders?state=accepted&state=rejected", Token: env.Token("spoc.101")})
	if resp.Status != 400 || !strings.Contains(string(resp.Body), "must be given once") {
		t.Errorf("a filter given twice: %d %s", resp.Status, resp.Body)
	}
	resp = env.Do(apptest.Request{Method: "GET", Path: "/api/v1/catalog/services?mandatory=yes", Token: env.Token("spoc.101")})
	if resp.Status != 400 || !strings.Contains(string(resp.Body), "must be true or false") {
		t.Errorf("a boolean that is not: %d %s", resp.Status, resp.Body)
	}
	env.Unchanged(t, before, "refused parameters")
	if enums < 8 {
		t.Errorf("only %d parameters with listed values", enums)
	}
}

// TestAmountsAndDatesHaveOneSpelling: an amount is a string of digits with at most two decimals
// and a date is YYYY-MM-DD from 2000 to 2099; every other spelling is refused by name.
func TestAmountsAndDatesHaveOneSpelling(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin, spoc := env.Token("unit_admin.midt"), env.Token("spoc.101")
	before := env.Fingerprint(t)
	for _, price := range []any{100, 12.5, "1e2", "+1.00", ".50", "1.", "-1", "01.00", "1,00", "12.345", " 1.00"} {
		resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/units/midt/offerings", Token: admin, Header: apptest.Key(),
			Body: map[string]any{"service_id": "CMP-01", "terms": map[string]any{"levels": []any{map[string]any{"level": "basis",
				"monthly_price": price, "one_off_fee": "0"}}, "delivery": "own", "contact": "servicedesk@midt.example"}}})
		if resp.Status != 400 || !strings.Contains(string(resp.Body), `"pointer":"/terms/levels/0/monthly_price"`) {
			t.Errorf("price %#v: %d %.300s", price, resp.Status, resp.Body)
		}
	}
	for _, day := range []string{"0000-01-01", "1999-12-31", "2100-01-01", "2026-02-30", "2026-1-15", "15-01-2026", "2026-01-15T00:00:00Z"} {
		resp := env.Do(apptest.Request{Method: "POST", Path: "/api/v1/municipalities/101/risk-assessments", Token: spoc, Header: apptest.Key(),
			Body: map[string]any{"family": "compute", "document_ref": "ESDH 2026-004711", "sha256": strings.Repeat("ab", 32),
				"assessed_on": day, "approved_by": "Kommunaldirektør Jens Hansen"}})
		if resp.Status != 400 || !strings.Contains(string(resp.Body), `"pointer":"/assessed_on","reason":"must be a date from 2000-01-01 to 2099-12-31`) {
			t.Errorf("assessed_on %s: %d %.300s", day, resp.Status, resp.Body)
		}
	}
	for _, month := range []string{"0000-01", "2026-13", "2026-1", "26-11"} {
		resp := env.Do(apptest.Request{Method: "GET", Path: "/api/v1/municipalities/101/costs?month=" + month, Token: spoc})
		if resp.Status != 400 || !strings.Contains(string(resp.Body), `"parameter":"month"`) {
			t.Errorf("month %s: %d %.300s", month, resp.Status, resp.Body)
		}
	}
	env.Unchanged(t, before, "refused amounts and dates")
}

// TestIfMatchStarMatchesTheCurrentVersion: "If-Match: *" (RFC 9110) applies a change to whatever
// version is current on every route that takes If-Match, and is never refused as stale.
func TestIfMatchStarMatchesTheCurrentVersion(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	roles, rows := matrix(t)
	sec := env.Token("secretariat")
	for _, name := range []string{"Gentofte Kommune", "Gentofte"} {
		resp := env.Do(apptest.Request{Method: "PATCH", Path: "/api/v1/municipalities/157", Token: sec,
			Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"name": name}})
		if resp.Status != 200 {
			t.Fatalf("PATCH with If-Match *: %d %s", resp.Status, resp.Body)
		}
	}
	for _, r := range env.App.API.Routes() {
		if r.Method != "PATCH" && r.Method != "PUT" && r.Method != "DELETE" {
			continue
		}
		role := allowedRole(t, roles, rows, r)
		resp := env.Do(apptest.Request{Method: r.Method, Path: concrete(r.Path, callers[role].tenant), Token: env.Token(callers[role].user),
			Header: map[string]string{"If-Match": "*"}, Body: map[string]any{"name": "x"}})
		if resp.Status == 412 || resp.Status == 428 {
			t.Errorf("%s %s with If-Match *: %d %s", r.Method, r.Path, resp.Status, resp.Body)
		}
	}
}

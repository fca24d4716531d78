package httpapi_test

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// undocumented are the routes the OpenAPI document does not describe: the metrics scrape and the
// Swagger UI itself.
var undocumented = map[string]bool{"GET /metrics": true, "GET /swagger/*any": true}

// TestTheSpecDescribesExactlyTheRouter: every route is in api-docs/openapi.json with its method,
// and the document names no route the router lacks.
func TestTheSpecDescribesExactlyTheRouter(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	documented := map[string]bool{}
	for path, item := range apptest.Spec(t).Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+param.ReplaceAllString(path, ":$1")] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range env.App.API.Routes() {
		key := r.Method + " " + r.Path
		if !undocumented[key] {
			routed[key] = true
		}
	}
	var missing, extra []string
	for k := range routed {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing)+len(extra) > 0 {
		t.Errorf("routes without documentation: %v\ndocumented routes the router lacks: %v", missing, extra)
	}
	if len(routed) < 80 {
		t.Errorf("only %d routes compared", len(routed))
	}
}

// TestEveryOperationDeclaresWhatItCanAnswer: from the router, what each route can answer beyond
// its own outcomes, and the published document must say so: the protocol answers of a protected
// route with the caller's rate-limit headers, the idempotency answers and headers of a creating
// one, the precondition answers of a change, 404 where the path names an object, 503 everywhere
// but liveness; successes in application/json (or a file type), errors in application/problem+json
// with an example of their own status, and never a 500.
func TestEveryOperationDeclaresWhatItCanAnswer(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	files := map[string]bool{"text/csv": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
		"application/yaml": true, "application/x-ndjson": true, "application/jwk-set+json": true, "text/html": true}
	checked := 0
	for _, r := range env.App.API.Routes() {
		if undocumented[r.Method+" "+r.Path] {
			continue
		}
		op := apptest.Operation(t, r.Method, r.Path)
		if op == nil {
			t.Errorf("%s %s is not documented", r.Method, r.Path)
			continue
		}
		checked++
		want := map[int]bool{503: r.Path != "/livez"}
		if strings.HasPrefix(r.Path, "/api/") {
			want[400] = true
		}
		if strings.Contains(r.Path, "/:") {
			want[404] = true
		}
		if !r.Public() {
			want[401], want[403], want[429] = true, true, true
		}
		if r.Creates {
			want[409], want[422] = true, true
			if op.Parameters.GetByInAndName("header", "Idempotency-Key") == nil {
				t.Errorf("%s %s creates but does not document Idempotency-Key", r.Method, r.Path)
			}
		}
		if r.Method == "PATCH" || r.Method == "PUT" || r.Method == "DELETE" {
			want[412], want[428] = true, true
			if op.Parameters.GetByInAndName("header", "If-Match") == nil {
				t.Errorf("%s %s changes but does not document If-Match", r.Method, r.Path)
			}
		}
		for status, needed := range want {
			if needed && op.Responses.Status(status) == nil {
				t.Errorf("%s %s does not declare %d", r.Method, r.Path, status)
			}
		}
		for code, ref := range op.Responses.Map() {
			status, _ := strconv.Atoi(code)
			resp := ref.Value
			if status >= 500 && status != 503 {
				t.Errorf("%s %s documents %d", r.Method, r.Path, status)
			}
			for mt := range resp.Content {
				if status < 400 && mt != "application/json" && !files[mt] || status >= 400 && mt != "application/problem+json" {
					t.Errorf("%s %s %d is documented as %s", r.Method, r.Path, status, mt)
				}
			}
			if status >= 400 {
				ex, _ := resp.Content.Get("application/problem+json").Example.(map[string]any)
				if ex["status"] != float64(status) {
					t.Errorf("%s %s %d shows the example of %v", r.Method, r.Path, status, ex["status"])
				}
			}
			if !r.Public() && (status < 500 || status == 503) {
				for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
					if resp.Headers[h] == nil {
						t.Errorf("%s %s %d does not declare %s", r.Method, r.Path, status, h)
					}
				}
			}
			if (status == 429 || status == 503) && resp.Headers["Retry-After"] == nil {
				t.Errorf("%s %s %d does not declare Retry-After", r.Method, r.Path, status)
			}
			if r.Creates && status == 201 && (resp.Headers["Idempotent-Replayed"] == nil || resp.Headers["ETag"] == nil) {
				t.Errorf("%s %s 201 does not declare Idempotent-Replayed and ETag", r.Method, r.Path)
			}
		}
	}
	t.Logf("%d operations checked against the router", checked)
}

package httpapi_test

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/offering"
	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

// undocumented are the routes the OpenAPI document does not describe: the metrics scrape, the
// Swagger UI itself and the dashboard's stylesheet.
var undocumented = map[string]bool{"GET /metrics": true, "GET /swagger/*any": true, "GET /dashboard/dashboard.css": true}

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
		// A page for people answers a browser's failure with a page too.
		page := op.Responses.Status(200) != nil && op.Responses.Status(200).Value.Content.Get("text/html") != nil
		for code, ref := range op.Responses.Map() {
			status, _ := strconv.Atoi(code)
			resp := ref.Value
			if status >= 500 && status != 503 {
				t.Errorf("%s %s documents %d", r.Method, r.Path, status)
			}
			for mt := range resp.Content {
				if status < 400 && mt != "application/json" && !files[mt] || status >= 400 && mt != "application/problem+json" && !(page && mt == "text/html") {
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

// TestEachVocabularyHasOneList: the states, actions and priorities are Go types with one list
// each; the document's enums (swag reads them from the constants) and the query filters' listed
// values are that list, and so are the oneof rules requests are validated by.
func TestEachVocabularyHasOneList(t *testing.T) {
	t.Parallel()
	spec := apptest.Spec(t)
	strs := func(vs any) []string {
		var out []string
		v := reflect.ValueOf(vs)
		for i := 0; i < v.Len(); i++ {
			out = append(out, fmt.Sprint(v.Index(i).Interface()))
		}
		return out
	}
	lists := map[string][]string{
		"order.State": strs(order.States), "order.Action": strs(order.Actions), "ticket.State": strs(ticket.States),
		"ticket.Priority": strs(ticket.Priorities), "offering.State": strs(offering.States), "offering.WaiverState": strs(offering.WaiverStates),
		"subscription.State": strs(subscription.States), "catalog.ProposalState": strs(catalog.ProposalStates),
	}
	for name, want := range lists {
		s := spec.Components.Schemas[name]
		if s == nil {
			t.Errorf("the document has no schema %s", name)
			continue
		}
		var got []string
		for _, v := range s.Value.Enum {
			got = append(got, v.(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the document lists %v, the code %v", name, got, want)
		}
	}
	filters := []struct{ route, param, vocabulary string }{
		{"GET /api/v1/municipalities/:code/orders", "state", "order.State"}, {"GET /api/v1/units/:unit/orders", "state", "order.State"},
		{"GET /api/v1/municipalities/:code/tickets", "state", "ticket.State"}, {"GET /api/v1/units/:unit/tickets", "state", "ticket.State"},
		{"GET /api/v1/municipalities/:code/tickets", "priority", "ticket.Priority"}, {"GET /api/v1/units/:unit/tickets", "priority", "ticket.Priority"},
		{"GET /api/v1/municipalities/:code/subscriptions", "state", "subscription.State"},
		{"GET /api/v1/units/:unit/subscriptions", "state", "subscription.State"}, {"GET /api/v1/subscriptions", "state", "subscription.State"},
	}
	for _, f := range filters {
		method, path, _ := strings.Cut(f.route, " ")
		p := apptest.Operation(t, method, path).Parameters.GetByInAndName("query", f.param)
		if p == nil {
			t.Errorf("%s has no %s filter", f.route, f.param)
			continue
		}
		if got := strs(p.Schema.Value.Enum); !slices.Equal(got, lists[f.vocabulary]) {
			t.Errorf("%s ?%s= lists %v, %s is %v", f.route, f.param, got, f.vocabulary, lists[f.vocabulary])
		}
	}
	oneofs := map[string]struct {
		typ   reflect.Type
		field string
	}{
		"order.Action":    {reflect.TypeFor[order.NewItem](), "Action"},
		"ticket.Priority": {reflect.TypeFor[ticket.NewTicket](), "Priority"},
	}
	for vocabulary, f := range oneofs {
		sf, _ := f.typ.FieldByName(f.field)
		_, rule, _ := strings.Cut(sf.Tag.Get("validate"), "oneof=")
		rule, _, _ = strings.Cut(rule, ",")
		if got := strings.Fields(rule); !slices.Equal(got, lists[vocabulary]) {
			t.Errorf("%s.%s is validated as one of %v, %s is %v", f.typ.Name(), f.field, got, vocabulary, lists[vocabulary])
		}
	}
	tri, _ := reflect.TypeFor[ticket.Triage]().FieldByName("Priority")
	if !strings.Contains(tri.Tag.Get("validate"), "oneof="+strings.Join(lists["ticket.Priority"], " ")) {
		t.Errorf("triage validates the priority as %q", tri.Tag.Get("validate"))
	}
}

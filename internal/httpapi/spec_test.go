package httpapi_test

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// undocumented are the routes the OpenAPI document does not describe: the metrics scrape and the
// Swagger UI itself.
var undocumented = map[string]bool{"GET /metrics": true, "GET /swagger/*any": true}

// TestTheSpecDescribesExactlyTheRouter: every route is in api-docs/swagger.json with its method,
// and the document names no route the router lacks.
func TestTheSpecDescribesExactlyTheRouter(t *testing.T) {
	env := apptest.New(t)
	raw, err := os.ReadFile("../../api-docs/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		BasePath string                                `json:"basePath"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+strings.TrimSuffix(doc.BasePath, "/")+param.ReplaceAllString(path, ":$1")] = true
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

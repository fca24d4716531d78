package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// Operation is the documented operation of a route, named as the router names it
// (GET /api/v1/units/:unit), or nil when the document has none.
func Operation(t testing.TB, method, route string) *openapi3.Operation {
	t.Helper()
	if _, err := loadSpec(); err != nil {
		t.Fatal(err)
	}
	path := ginParam.ReplaceAllString(route, "{$1}")
	item := specDoc.Paths.Find(path)
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

// loadSpec reads api-docs/swagger.json (Swagger 2.0, as swag writes it) as OpenAPI 3.
func loadSpec() (routers.Router, error) {
	specOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "api-docs", "swagger.json"))
		if err != nil {
			specErr = err
			return
		}
		var v2 openapi2.T
		if err := json.Unmarshal(raw, &v2); err != nil {
			specErr = err
			return
		}
		v3, err := openapi2conv.ToV3(&v2)
		if err != nil {
			specErr = err
			return
		}
		v3.Servers = openapi3.Servers{{URL: "/"}}
		if err := v3.Validate(context.Background()); err != nil {
			specErr = fmt.Errorf("api-docs is not a valid OpenAPI document: %w", err)
			return
		}
		specDoc = v3
		specRouter, specErr = gorillamux.NewRouter(v3)
	})
	return specRouter, specErr
}

// checkAgainstSpec validates a response against the documented operation: its status must be
// documented and a JSON body must match the documented schema. Routes the document leaves out
// (metrics, Swagger UI) are not checked, nor the bodies of file exports (CSV, XLSX, YAML), which
// Swagger 2 cannot give a schema per media type.
func checkAgainstSpec(req *http.Request, status int, header http.Header, body []byte) error {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	file := mt != "" && mt != "application/json" && !strings.HasSuffix(mt, "+json")
	router, err := loadSpec()
	if err != nil {
		return err
	}
	r := req.Clone(context.Background())
	r.URL.Host, r.URL.Scheme, r.Host = "", "", ""
	r.Body = io.NopCloser(bytes.NewReader(nil))
	route, params, err := router.FindRoute(r)
	if err != nil {
		return nil
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: file}}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), out)
}

package apptest

import (
	"bytes"
	"context"
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

// Spec is the published OpenAPI 3 document, api-docs/openapi.json.
func Spec(t testing.TB) *openapi3.T {
	t.Helper()
	if _, err := loadSpec(); err != nil {
		t.Fatal(err)
	}
	return specDoc
}

// Operation is the documented operation of a route, named as the router names it
// (GET /api/v1/units/:unit), or nil when the document has none.
func Operation(t testing.TB, method, route string) *openapi3.Operation {
	t.Helper()
	item := Spec(t).Paths.Find(ginParam.ReplaceAllString(route, "{$1}"))
	if item == nil {
		return nil
	}
	return item.GetOperation(method)
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

func loadSpec() (routers.Router, error) {
	specOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "api-docs", "openapi.json"))
		if err != nil {
			specErr = err
			return
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			specErr = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = fmt.Errorf("api-docs/openapi.json is not a valid OpenAPI document: %w", err)
			return
		}
		specDoc = doc
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	return specRouter, specErr
}

// checkedHeaders are the headers of ours a response may carry only where the document says so.
var checkedHeaders = []string{"ETag", "Idempotent-Replayed", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
	"Retry-After", "WWW-Authenticate"}

// checkAgainstSpec validates a response against the documented operation: its status must be
// documented; its Content-Type must be the one documented for that status (application/json for
// a success, application/problem+json for an error, or the file type of an export); a JSON body
// must match the documented schema; and each header of ours it carries must be declared for that
// status. Routes the document leaves out
// (metrics, Swagger UI) are not checked, nor the bodies of file exports.
func checkAgainstSpec(req *http.Request, status int, header http.Header, body []byte) error {
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
	resp := route.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return fmt.Errorf("status %d is not documented", status)
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if mt != "" && resp.Value.Content.Get(mt) == nil {
		return fmt.Errorf("Content-Type %s is not documented for %d (documented: %v)", mt, status, mediaTypes(resp.Value.Content))
	}
	for _, h := range checkedHeaders {
		if header.Get(h) != "" && resp.Value.Headers[h] == nil {
			return fmt.Errorf("header %s is sent with %d but not declared", h, status)
		}
	}
	file := mt != "" && mt != "application/json" && !strings.HasSuffix(mt, "+json")
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: file}}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), out)
}

func mediaTypes(c openapi3.Content) []string {
	var out []string
	for k := range c {
		out = append(out, k)
	}
	return out
}

package httpapi_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// sample is the body Swagger UI fills in for an operation: the request's example if the
// document gives one, else one built from the schema's examples, as Swagger UI builds it.
func sample(media *openapi3.MediaType) any {
	if media.Example != nil {
		return media.Example
	}
	for _, ex := range media.Examples {
		return ex.Value.Value
	}
	return fromSchema(media.Schema.Value, 0)
}

func fromSchema(s *openapi3.Schema, depth int) any {
	switch {
	case s.Example != nil:
		return s.Example
	case len(s.Enum) > 0:
		return s.Enum[0]
	case len(s.AllOf) > 0:
		return fromSchema(s.AllOf[0].Value, depth)
	case depth > 8:
		return nil
	}
	switch {
	case s.Type.Is("object"):
		out := map[string]any{}
		for name, p := range s.Properties {
			if !p.Value.ReadOnly {
				out[name] = fromSchema(p.Value, depth+1)
			}
		}
		return out
	case s.Type.Is("array"):
		return []any{fromSchema(s.Items.Value, depth+1)}
	case s.Type.Is("integer"), s.Type.Is("number"):
		return 0
	case s.Type.Is("boolean"):
		return true
	}
	switch s.Format {
	case "uuid":
		return "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	case "date":
		return "2026-11-23"
	case "date-time":
		return "2026-11-23T09:30:00Z"
	case "email":
		return "user@example.com"
	}
	return "string"
}

// TestEveryDocumentedExampleBodyIsAccepted sends, on every write route, the body Swagger UI
// offers as shipped. It must be accepted, or refused only because the object in the path is not
// there (the test's ids are made up), or for the members the example's description says to
// replace (x-replace: an id of the caller's own world); never for being malformed.
func TestEveryDocumentedExampleBodyIsAccepted(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	roles, rows := matrix(t)
	sent := 0
	for _, r := range env.App.API.Routes() {
		op := apptest.Operation(t, r.Method, r.Path)
		if op == nil || op.RequestBody == nil {
			continue
		}
		media := op.RequestBody.Value.Content.Get("application/json")
		if media == nil {
			continue // a page's form, which Swagger UI does not fill from an example
		}
		body := sample(media)
		var replace []string
		if x, ok := media.Extensions["x-replace"].([]any); ok {
			for _, p := range x {
				replace = append(replace, p.(string))
			}
		}
		role := allowedRole(t, roles, rows, r)
		resp := env.Do(apptest.Request{Method: r.Method, Path: concrete(r.Path, callers[role].tenant), Token: env.Token(callers[role].user),
			Body: body, Header: map[string]string{"Idempotency-Key": uuid.NewString(), "If-Match": "*"}})
		sent++
		raw, _ := json.Marshal(body)
		switch {
		case resp.Status < 300:
		case resp.Status == 404 && strings.Contains(r.Path, "/:id"):
		case resp.Status == 409:
		case resp.Status == 400 || resp.Status == 422:
			var p struct {
				Errors []struct{ Pointer, Parameter, Reason string }
			}
			resp.Decode(t, &p)
			for _, e := range p.Errors {
				if e.Pointer == "" || !slices.Contains(replace, e.Pointer) {
					t.Errorf("%s %s: the shipped example %s is refused: %s %s", r.Method, r.Path, raw, e.Pointer+e.Parameter, e.Reason)
				}
			}
			if len(p.Errors) == 0 {
				t.Errorf("%s %s: the shipped example %s is refused: %s", r.Method, r.Path, raw, resp.Body)
			}
		default:
			t.Errorf("%s %s: the shipped example %s: %d %s", r.Method, r.Path, raw, resp.Status, resp.Body)
		}
	}
	t.Logf("%d example bodies sent as shipped", sent)
}

// Package apispec turns the Swagger 2.0 document swag writes from the handlers' annotations into
// the published OpenAPI 3 document, api-docs/openapi.json. Swagger 2.0 cannot give one response
// its own media type, and the answers every operation shares would be copied into every
// handler's annotations; here they are declared once, by rule:
//
//   - a success is application/json (or the file type the operation produces), an error is
//     application/problem+json only, with an example problem of its own status, and for a page
//     for people (a success in text/html) also a page that says what went wrong;
//   - a protected operation can answer 401, 403 and 429, and carries the RateLimit headers;
//   - every operation but liveness can answer 503 (the database is down, or the service starts);
//   - an API operation can answer 400 (an unknown or malformed parameter), one with path
//     parameters 404, one with a body 413 and 415;
//   - an operation taking Idempotency-Key can answer 409 and 422, and its 201 carries ETag and
//     Idempotent-Replayed; one taking If-Match can answer 412 and 428, and its 200 carries ETag.
//
// examples.json gives the operations whose examples Swagger UI would otherwise build wrong from
// the schemas (an order for a real catalogue service with the parameters it needs; a decision's
// resulting state) an example of their own, valid against the schema (Build checks it), with
// x-replace naming the members a caller must replace with ids of its own world.
package apispec

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed examples.json
var examplesJSON []byte

// example is one named example of an operation's body or answer.
type example struct {
	Summary     string   `json:"summary"`
	Description string   `json:"description,omitempty"`
	Replace     []string `json:"replace,omitempty"`
	Value       any      `json:"value"`
}

type examples struct {
	Request   *example           `json:"request"`
	Responses map[string]example `json:"responses"`
}

const problemJSON = "application/problem+json"

// common is what each error status means when an operation says nothing more specific, and the
// example problem it shows.
var common = map[int]struct {
	name, description, kind, title, detail string
	fields                                 []map[string]string
}{
	400: {"BadRequest", "The request is malformed: a parameter, header or body member is invalid; `errors` names each one.",
		"invalid", "Invalid request", "the request has invalid fields",
		[]map[string]string{{"pointer": "/items/0/quantity", "reason": "must be at least 1"}, {"parameter": "state", "reason": "must be one of: acknowledged, accepted, rejected, in_progress, completed, failed, cancelled"}}},
	401: {"Unauthorized", "No valid credentials: send `Authorization: Bearer <token>` with a token of the identity provider, or an API key.",
		"unauthorized", "Unauthorized", "the token has expired", nil},
	403: {"Forbidden", "The caller's roles do not allow this operation in the tenant the path names.",
		"forbidden", "Forbidden", "your roles (spoc in municipality:751) do not allow create on order in municipality:101", nil},
	404: {"NotFound", "Nothing with this id is visible to the caller: it does not exist, or it belongs to another tenant.",
		"not-found", "Not found", "order not found", nil},
	409: {"Conflict", "The request conflicts with the object's current state, or a request with the same Idempotency-Key is still in flight.",
		"conflict", "Conflict", "the order is accepted already; only an acknowledged order can be accepted", nil},
	412: {"PreconditionFailed", "If-Match names a version that is no longer current: read the object again.",
		"precondition-failed", "Precondition failed", "the object has changed (now version 3, you sent 2); read it again", nil},
	413: {"TooLarge", "The body exceeds 1 MiB.", "too-large", "Request body too large", "the body exceeds 1048576 bytes", nil},
	415: {"UnsupportedMediaType", "The body is not application/json.", "unsupported-media-type", "Unsupported media type",
		"the body must be application/json", []map[string]string{{"header": "Content-Type", "reason": "the body must be application/json"}}},
	422: {"Unprocessable", "The Idempotency-Key was used before with a different request.", "unprocessable", "Unprocessable request",
		"this key was used with a different request", []map[string]string{{"header": "Idempotency-Key", "reason": "this key was used with a different request"}}},
	428: {"PreconditionRequired", "If-Match is required: send the ETag of the version you read.", "precondition-required",
		"Precondition required", "is required: send the ETag of the version you read", []map[string]string{{"header": "If-Match", "reason": "is required: send the ETag of the version you read"}}},
	429: {"TooManyRequests", "Over the caller's rate limit: retry after Retry-After seconds.", "too-many-requests", "Too many requests",
		"over the rate limit of 100 requests at once", nil},
	503: {"Unavailable", "The database is unavailable or the service is starting: retry after Retry-After seconds.", "unavailable",
		"Service unavailable", "the database is unavailable", nil},
}

// headers are the response headers declared once and referred to.
var headers = map[string]map[string]any{
	"RateLimit-Limit":     {"description": "Requests the caller may make at once.", "schema": map[string]any{"type": "integer", "minimum": 1}},
	"RateLimit-Remaining": {"description": "Requests the caller has left at once.", "schema": map[string]any{"type": "integer", "minimum": 0}},
	"RateLimit-Reset":     {"description": "Seconds until the caller's allowance is full again.", "schema": map[string]any{"type": "integer", "minimum": 0}},
	"Retry-After":         {"description": "Seconds until the caller may try again.", "schema": map[string]any{"type": "integer", "minimum": 1}},
	"WWW-Authenticate":    {"description": "The Bearer challenge, with the reason the credentials were refused.", "schema": map[string]any{"type": "string"}},
	"ETag":                {"description": "The object's version, to send as If-Match with a change.", "schema": map[string]any{"type": "string", "example": `"3"`}},
	"Idempotent-Replayed": {"description": "`true` when this is the stored answer of an earlier request with the same Idempotency-Key.", "schema": map[string]any{"type": "string", "enum": []any{"true"}}},
}

var rateLimit = []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}

// Build converts swag's Swagger 2.0 document into the published OpenAPI 3 document.
func Build(swagger2 []byte) ([]byte, error) {
	var v2 openapi2.T
	if err := json.Unmarshal(swagger2, &v2); err != nil {
		return nil, err
	}
	v3, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, err
	}
	v3.Servers = openapi3.Servers{{URL: "/"}}
	raw, err := json.Marshal(v3)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	doc["openapi"] = "3.0.3"
	components := obj(doc, "components")
	hs := obj(components, "headers")
	for name, h := range headers {
		hs[name] = h
	}
	rs := obj(components, "responses")
	for status, c := range common {
		rs[c.name] = response(status, c.description, true)
	}
	typeNullables(components["schemas"], components["schemas"].(map[string]any))
	var given map[string]examples
	if err := json.Unmarshal(examplesJSON, &given); err != nil {
		return nil, fmt.Errorf("examples.json: %w", err)
	}
	paths := obj(doc, "paths")
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		for method, op := range paths[path].(map[string]any) {
			op := op.(map[string]any)
			if err := operation(strings.ToUpper(method)+" "+path, path, op); err != nil {
				return nil, err
			}
			if method == "get" {
				exemplifyList(path, op, components["schemas"].(map[string]any))
			}
			id, _ := op["operationId"].(string)
			if ex, ok := given[id]; ok {
				if err := exemplify(op, ex); err != nil {
					return nil, fmt.Errorf("examples.json %s: %w", id, err)
				}
				delete(given, id)
			}
		}
	}
	if len(given) > 0 {
		return nil, fmt.Errorf("examples.json names operations that do not exist: %v", slices.Sorted(maps.Keys(given)))
	}
	out, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, err
	}
	loaded, err := openapi3.NewLoader().LoadFromData(out)
	if err != nil {
		return nil, err
	}
	if err := loaded.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the OpenAPI 3 document is not valid: %w", err)
	}
	return append(out, '\n'), nil
}

// typeNullables gives a nullable reference the type of what it refers to: OpenAPI 3.0 allows
// nullable only beside a type, and swag writes a nullable field of a named type as allOf one $ref.
func typeNullables(v any, schemas map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		if all, ok := v["allOf"].([]any); ok && v["nullable"] == true && v["type"] == nil && len(all) > 0 {
			ref, _ := all[0].(map[string]any)["$ref"].(string)
			target, _ := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
			if typ, ok := target["type"]; ok {
				v["type"] = typ
			}
		}
		for _, x := range v {
			typeNullables(x, schemas)
		}
	case []any:
		for _, x := range v {
			typeNullables(x, schemas)
		}
	}
}

// operation applies the rules to one operation.
func operation(name, path string, op map[string]any) error {
	responses := obj(op, "responses")
	protected := op["security"] != nil
	api := strings.HasPrefix(path, "/api/")
	var idempotent, ifMatch, pathParams bool
	for _, p := range list(op, "parameters") {
		p := p.(map[string]any)
		if ex, ok := p["x-example"]; ok { // Swagger 2's vendor example is OpenAPI 3's example
			p["example"] = ex
			delete(p, "x-example")
		}
		switch {
		case p["in"] == "header" && p["name"] == "Idempotency-Key":
			idempotent = true
		case p["in"] == "header" && p["name"] == "If-Match":
			ifMatch = true
		case p["in"] == "path":
			pathParams = true
		}
	}
	_, body := op["requestBody"]
	want := map[int]bool{503: path != "/livez", 400: api, 404: pathParams, 401: protected, 403: protected, 429: protected,
		413: body, 415: body, 409: idempotent, 422: idempotent, 412: ifMatch, 428: ifMatch}
	for status, ok := range want {
		key := strconv.Itoa(status)
		if _, has := responses[key]; !ok || has {
			continue
		}
		if protected {
			responses[key] = map[string]any{"$ref": "#/components/responses/" + common[status].name}
		} else {
			responses[key] = response(status, common[status].description, false)
		}
	}
	page := false // a page for people, which tells a browser what went wrong as a page too
	if success, _ := responses["200"].(map[string]any); success != nil {
		_, page = obj(success, "content")["text/html"]
	}
	for key, r := range responses {
		status, err := strconv.Atoi(key)
		if err != nil {
			return fmt.Errorf("%s: response %q is not a status", name, key)
		}
		r := r.(map[string]any)
		if _, shared := r["$ref"]; shared {
			continue
		}
		if status >= 400 {
			c, ok := common[status]
			if !ok {
				return fmt.Errorf("%s: no common answer for status %d", name, status)
			}
			own := response(status, describe(r["description"], c.description), protected)
			if page && status != 503 {
				own["content"].(map[string]any)["text/html"] = map[string]any{"schema": map[string]any{"type": "string"}}
			}
			clear(r)
			maps.Copy(r, own)
			continue
		}
		content := obj(r, "content")
		delete(content, problemJSON)
		if len(content) == 0 {
			delete(r, "content")
		}
		hs := obj(r, "headers")
		if protected {
			for _, h := range rateLimit {
				hs[h] = ref(h)
			}
		}
		if (status == 201 && idempotent) || (status == 200 && ifMatch) {
			hs["ETag"] = ref("ETag")
		}
		if status == 201 && idempotent {
			hs["Idempotent-Replayed"] = ref("Idempotent-Replayed")
		}
		if len(hs) == 0 {
			delete(r, "headers")
		}
	}
	return nil
}

// listCursor is a cursor as the lists issue them (a creation time and an id).
const listCursor = "WyIyMDI2LTExLTIzVDA5OjMwOjAwWiIsIjk4NTAwYTU4LTI1NDctNDQ0NS1iMzRmLTJiMjA2NTMzNTYwYyJd"

var pathExamples = strings.NewReplacer("{code}", "101", "{unit}", "midt", "{tenant}", "municipality:101",
	"{id}", "98500a58-2547-4445-b34f-2b206533560c")

// exemplifyList gives a list operation an example answer of its own: an item built from the
// item schema's examples, and a next link to the same list, not to another one.
func exemplifyList(path string, op map[string]any, schemas map[string]any) {
	ok, _ := obj(op, "responses")["200"].(map[string]any)
	content, _ := ok["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	ref, _ := schema["$ref"].(string)
	name := strings.TrimPrefix(ref, "#/components/schemas/")
	if !strings.HasPrefix(name, "httpapi.List-") {
		return
	}
	items, _ := obj(obj(schemas[name].(map[string]any), "properties"), "items")["items"].(map[string]any)
	media["example"] = map[string]any{"items": []any{sampleOf(items, schemas, 0)},
		"next": pathExamples.Replace(path) + "?cursor=" + listCursor + "&limit=50"}
}

// sampleOf builds a value from a schema's examples, as Swagger UI does.
func sampleOf(s map[string]any, schemas map[string]any, depth int) any {
	if ref, ok := s["$ref"].(string); ok {
		target, _ := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
		return sampleOf(target, schemas, depth)
	}
	if ex, ok := s["example"]; ok {
		return ex
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	if all, ok := s["allOf"].([]any); ok && len(all) > 0 {
		return sampleOf(all[0].(map[string]any), schemas, depth)
	}
	if depth > 6 {
		return nil
	}
	switch s["type"] {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			out[name] = sampleOf(p.(map[string]any), schemas, depth+1)
		}
		return out
	case "array":
		items, _ := s["items"].(map[string]any)
		return []any{sampleOf(items, schemas, depth+1)}
	case "integer", "number":
		return 0
	case "boolean":
		return false
	}
	switch s["format"] {
	case "uuid":
		return "98500a58-2547-4445-b34f-2b206533560c"
	case "date-time":
		return "2026-11-23T09:30:00Z"
	case "date":
		return "2026-11-23"
	}
	return "string"
}

// exemplify puts an operation's own examples on its JSON body and answers.
func exemplify(op map[string]any, ex examples) error {
	set := func(content any, e example) error {
		media, ok := obj(content.(map[string]any), "application/json")["schema"]
		if !ok || media == nil {
			return fmt.Errorf("has no application/json schema")
		}
		m := content.(map[string]any)["application/json"].(map[string]any)
		m["examples"] = map[string]any{"example": map[string]any{"summary": e.Summary, "description": e.Description, "value": e.Value}}
		if len(e.Replace) > 0 {
			m["x-replace"] = e.Replace
		}
		return nil
	}
	if ex.Request != nil {
		body, ok := op["requestBody"].(map[string]any)
		if !ok {
			return fmt.Errorf("has no request body")
		}
		if err := set(body["content"], *ex.Request); err != nil {
			return err
		}
	}
	for status, e := range ex.Responses {
		r, ok := obj(op, "responses")[status].(map[string]any)
		if !ok {
			return fmt.Errorf("has no %s answer", status)
		}
		if err := set(r["content"], e); err != nil {
			return err
		}
	}
	return nil
}

// response is an error response: its problem content, the headers of its status and, for a
// protected operation, the caller's rate-limit headers.
func response(status int, description string, protected bool) map[string]any {
	r := map[string]any{"description": description, "content": map[string]any{problemJSON: problemContent(status)}}
	hs := map[string]any{}
	switch status {
	case 401:
		hs["WWW-Authenticate"] = ref("WWW-Authenticate")
	case 429, 503:
		hs["Retry-After"] = ref("Retry-After")
	}
	if protected {
		for _, h := range rateLimit {
			hs[h] = ref(h)
		}
	}
	if len(hs) > 0 {
		r["headers"] = hs
	}
	return r
}

func problemContent(status int) map[string]any {
	c := common[status]
	ex := map[string]any{"type": "/problems/" + c.kind, "title": c.title, "status": status, "detail": c.detail,
		"instance": "/api/v1/municipalities/101/orders", "request_id": "2f1c0e7e-3c1b-4a43-9f0e-7d1b9a1c2b3d"}
	if c.fields != nil {
		ex["errors"] = c.fields
	}
	return map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/httpapi.Problem"}, "example": ex}
}

// describe is the operation's own sentence for a status, or the common one.
func describe(own any, fallback string) string {
	if s, _ := own.(string); s != "" {
		return s
	}
	return fallback
}

func ref(header string) map[string]any {
	return map[string]any{"$ref": "#/components/headers/" + header}
}

func obj(m map[string]any, key string) map[string]any {
	if v, ok := m[key].(map[string]any); ok {
		return v
	}
	v := map[string]any{}
	m[key] = v
	return v
}

func list(m map[string]any, key string) []any {
	v, _ := m[key].([]any)
	return v
}

package httpapi_test

import (
	"strings"
	"testing"

	"github.com/servicekatalog/servicekatalog/internal/apptest"
)

// hostileBodies are sent to every write route. None may yield a 5xx, every refusal is a problem
// document (a 400 names the fields), and no table's content changes.
var hostileBodies = map[string]string{
	"empty":                  "",
	"null":                   "null",
	"array":                  "[]",
	"array of numbers":       "[1,2,3]",
	"string":                 `"hello"`,
	"number":                 "42",
	"boolean":                "true",
	"truncated":              `{"name":`,
	"trailing garbage":       `{}x`,
	"two documents":          `{} {}`,
	"duplicate keys":         `{"name":"a","name":"b"}`,
	"deep nesting":           strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200),
	"invalid UTF-8":          "{\"name\":\"\xc3\x28\"}",
	"NUL character":          `{"name":"a\u0000b","title":"a\u0000b","body":"a\u0000b","reason":"a\u0000b"}`,
	"NaN":                    `{"quantity":NaN}`,
	"huge number":            `{"quantity":1e400,"expires_in_days":99999999999999999999}`,
	"negative numbers":       `{"quantity":-5,"expires_in_days":-1,"lead_time_days":-3}`,
	"wrong types":            `{"name":42,"title":[],"reason":{},"items":"many","terms":"cheap","roles":"admin","active":"yes"}`,
	"unknown enums":          `{"action":"explode","outcome":"maybe","visibility":"secret","priority":"P9","role":"god","change":"all","delivery":"drone"}`,
	"impossible dates":       `{"expires_on":"2026-02-30","retire_on":"2026-13-01","assessed_on":"0000-00-00","terms_version":"1999"}`,
	"server-owned fields":    `{"id":"6f1c1a8e-56bb-4d7e-9d5b-2a54a6b7a0c1","version":99,"created_at":"2020-01-01T00:00:00Z","state":"closed"}`,
	"nulls everywhere":       `{"name":null,"items":null,"terms":null,"levels":[null],"user_id":null}`,
	"huge string":            `{"name":"` + strings.Repeat("x", 300000) + `","title":"` + strings.Repeat("y", 300000) + `"}`,
	"over the size limit":    `{"name":"` + strings.Repeat("z", 1<<20) + `"}`,
	"hostile strings":        `{"name":"'; DROP TABLE users; --","title":"<script>alert(1)</script>","body":"{{7*7}}","reason":"../../etc/passwd"}`,
	"items of wrong shape":   `{"items":[1,"two",{"action":"add","quantity":"many"}]}`,
	"whitespace only":        " \n\t ",
	"byte order mark":        "\xef\xbb\xbf{}",
	"UTF-16":                 "\xff\xfe{\x00}\x00",
	"lone surrogate":         `{"name":"\ud800","title":"\udfff"}`,
	"control characters":     `{"name":"a\u0007b\u001bc","title":"\u202eevil","reason":"\u0008"}`,
	"Infinity":               `{"quantity":Infinity,"lead_time_days":-Infinity}`,
	"fractions for integers": `{"quantity":1.5,"expires_in_days":2.5,"lead_time_days":0.1,"version":1.0001}`,
	"integer overflow":       `{"quantity":9223372036854775808,"lead_time_days":2147483648,"expires_in_days":-9223372036854775809}`,
	"numbers as strings":     `{"quantity":"5","lead_time_days":"5","expires_in_days":"30"}`,
	"empty strings":          `{"name":"","title":"","reason":"","service_id":"","offering_id":"","level":"","user_id":"","role":""}`,
	"wrong-case enums":       `{"priority":"p1","level":"STANDARD","action":"ADD","role":"SPOC","outcome":"Approved"}`,
	"impossible timestamps":  `{"valid_from":"2026-11-31T25:61:00Z","at":"yesterday","expires_on":"31-12-2026"}`,
	"comments":               `{/* hi */"name":"a"}`,
	"single quotes":          `{'name':'a'}`,
	"prototype keys":         `{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}`,
	"very long key":          `{"` + strings.Repeat("k", 100000) + `":1}`,
	"many keys":              "{" + strings.Repeat(`"k":1,`, 50000) + `"z":1}`,
	"huge array":             `{"items":[` + strings.Repeat(`{},`, 100000) + `{}]}`,
	"amounts in other forms": `{"terms":{"levels":[{"level":"basis","monthly_price":"1e2","one_off_fee":100}]},"monthly_price":"+1.00"}`,
	"dates of year zero":     `{"assessed_on":"0000-01-01","expires_on":"0000-01-01","retire_on":"0000-12-31","family":"compute"}`,
	"keys in capitals":       `{"ADDRESS":"attacker@evil.example","Name":"x","TITLE":"y","Reason":"z"}`,
}

func TestHostileBodiesOnEveryWriteRoute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	roles, rows := matrix(t)
	tokens := map[string]string{}
	for role, c := range callers {
		tokens[role] = env.Token(c.user)
	}
	before := env.Fingerprint(t)
	routes := 0
	for _, r := range env.App.API.Routes() {
		if r.Method == "GET" {
			continue
		}
		role := allowedRole(t, roles, rows, r)
		routes++
		for name, body := range hostileBodies {
			resp := env.Do(apptest.Request{Method: r.Method, Path: concrete(r.Path, callers[role].tenant), Token: tokens[role], Body: []byte(body),
				Header: map[string]string{"Idempotency-Key": "hostile-" + name, "If-Match": `"1"`, "Content-Type": "application/json"}})
			if resp.Status >= 500 || resp.Status < 400 {
				t.Errorf("%s %s as %s with %s: %d %.200s", r.Method, r.Path, role, name, resp.Status, resp.Body)
				continue
			}
			p := resp.Problem(t)
			if resp.Status == 400 && p["errors"] == nil {
				t.Errorf("%s %s with %s: 400 without field errors: %s", r.Method, r.Path, name, resp.Body)
			}
		}
	}
	env.Unchanged(t, before, "hostile bodies")
	t.Logf("%d hostile bodies × %d write routes: no 5xx, all problem documents, nothing changed", len(hostileBodies), routes)
}

// TestKeysInAnotherCaseAreUnknownOnEveryWriteRoute: every member the spec documents for a write
// route's body, sent in capitals, is refused as an unknown field naming it; none fills the field.
func TestKeysInAnotherCaseAreUnknownOnEveryWriteRoute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	roles, rows := matrix(t)
	before := env.Fingerprint(t)
	checked := 0
	for _, r := range env.App.API.Routes() {
		op := apptest.Operation(t, r.Method, r.Path)
		if r.Method == "GET" || op == nil || op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
			continue // no body, or a page's form
		}
		schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
		role := allowedRole(t, roles, rows, r)
		for name := range schema.Properties {
			upper := strings.ToUpper(name)
			body := `{"` + name + `":null,"` + upper + `":"x"}`
			resp := env.Do(apptest.Request{Method: r.Method, Path: concrete(r.Path, callers[role].tenant), Token: env.Token(callers[role].user),
				Body: []byte(body), Header: map[string]string{"Idempotency-Key": "case-" + name, "If-Match": `"1"`}})
			if resp.Status != 400 || !strings.Contains(string(resp.Body), `"pointer":"/`+upper+`"`) ||
				!strings.Contains(string(resp.Body), "case-sensitive") {
				t.Errorf("%s %s with %s: %d %.300s, want 400 naming /%s", r.Method, r.Path, upper, resp.Status, resp.Body, upper)
			}
			checked++
		}
	}
	env.Unchanged(t, before, "keys in another case")
	if checked < 40 {
		t.Errorf("only %d members checked", checked)
	}
	t.Logf("%d documented body members sent in capitals: each refused by name", checked)
}

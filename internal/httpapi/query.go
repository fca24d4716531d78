package httpapi

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	apidocs "github.com/servicekatalog/servicekatalog/api-docs"
	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// queryParam is what the API document says of one query parameter of an operation.
type queryParam struct {
	kind  string   // string, integer, boolean or array
	enum  []string // the values allowed, if listed
	multi bool     // may be given more than once (an array)
}

// queryParams are the documented query parameters of every operation, keyed "GET /api/v1/…/:id":
// the document is the one list of what each operation takes, so that nothing it does not name
// is silently ignored.
var queryParams = sync.OnceValue(func() map[string]map[string]queryParam {
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				In, Name string
				Schema   struct {
					Type  string
					Enum  []any
					Items struct{ Enum []any }
				}
			}
		}
	}
	if err := json.Unmarshal(apidocs.OpenAPI, &doc); err != nil {
		panic("api-docs/openapi.json: " + err.Error())
	}
	brace := regexp.MustCompile(`\{([a-z_]+)\}`)
	out := map[string]map[string]queryParam{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			params := map[string]queryParam{}
			for _, p := range op.Parameters {
				if p.In != "query" {
					continue
				}
				q := queryParam{kind: p.Schema.Type, multi: p.Schema.Type == "array"}
				for _, v := range append(p.Schema.Enum, p.Schema.Items.Enum...) {
					q.enum = append(q.enum, toString(v))
				}
				params[p.Name] = q
			}
			out[strings.ToUpper(method)+" "+brace.ReplaceAllString(path, ":$1")] = params
		}
	}
	return out
})

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// strictQuery refuses, all at once, query parameters the operation does not document, a
// parameter given twice that takes one value, values outside its listed ones, and numbers or
// booleans that are not.
func (s *Server) strictQuery(method, path string) gin.HandlerFunc {
	params := queryParams()[method+" "+path]
	names := slices.Sorted(maps.Keys(params))
	takes := "it takes none"
	if len(names) > 0 {
		takes = "it takes " + strings.Join(names, ", ")
	}
	return func(c *gin.Context) {
		if c.Request.URL.RawQuery == "" { // most requests: no map to make
			c.Next()
			return
		}
		query := c.Request.URL.Query()
		if len(query) == 0 {
			c.Next()
			return
		}
		keys := make([]string, 0, len(query))
		for k := range query {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		e := &apperr.Error{Kind: apperr.Invalid, Msg: "the request has invalid parameters"}
		for _, k := range keys {
			p, ok := params[k]
			values := query[k]
			switch {
			case !ok:
				e.Fields = append(e.Fields, apperr.FieldError{Parameter: k, Reason: "is not a parameter of this operation; " + takes})
			case !p.multi && len(values) > 1:
				e.Fields = append(e.Fields, apperr.FieldError{Parameter: k, Reason: "must be given once"})
			default:
				for _, v := range values {
					if reason := p.check(v); reason != "" {
						e.Fields = append(e.Fields, apperr.FieldError{Parameter: k, Reason: reason})
						break
					}
				}
			}
		}
		if len(e.Fields) > 0 {
			s.fail(c, e)
			return
		}
		c.Next()
	}
}

func (p queryParam) check(v string) string {
	switch {
	case v == "":
		return "" // empty is absent
	case len(p.enum) > 0 && !slices.Contains(p.enum, v):
		return "must be one of: " + strings.Join(p.enum, ", ")
	case p.kind == "boolean" && v != "true" && v != "false":
		return "must be true or false"
	case p.kind == "integer":
		if n, err := strconv.Atoi(v); err != nil || strconv.Itoa(n) != v {
			return "must be a whole number"
		}
	}
	return ""
}

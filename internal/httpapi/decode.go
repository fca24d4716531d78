package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// MaxBody is the largest request body accepted, trailing bytes included.
const MaxBody = 1 << 20

// maxDepth bounds the nesting of request bodies.
const maxDepth = 32

var validate = func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}()

// bind reads the JSON body into dst strictly: JSON media type, at most MaxBody bytes, valid
// UTF-8, no duplicate or unknown keys, no trailing data, no NUL characters, then validates it.
func bind(c *gin.Context, dst any) error {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return apperr.Header(apperr.UnsupportedMedia, "Content-Type", "the body must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return apperr.Newf(apperr.TooLarge, "the body exceeds %d bytes", MaxBody)
	}
	if err != nil {
		return apperr.Wrap(apperr.Invalid, "the body could not be read", err)
	}
	if err := decodeStrict(body, dst); err != nil {
		return err
	}
	if err := noNUL(reflect.ValueOf(dst), ""); err != nil {
		return err
	}
	return validateStruct(dst)
}

func decodeStrict(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.Field("", "a JSON body is required")
	}
	if !utf8.Valid(body) {
		return apperr.Field("", "the body is not valid UTF-8")
	}
	if trimmed := bytes.TrimSpace(body); trimmed[0] != '{' {
		return apperr.Field("", "the body must be a JSON object")
	}
	if err := checkStructure(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apperr.Field("", "unexpected data after the JSON value")
	}
	return nil
}

// checkStructure walks the first JSON value once to refuse duplicate keys and excessive nesting,
// which encoding/json would silently accept.
func checkStructure(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return checkValue(dec, "", 0)
}

func checkValue(dec *json.Decoder, path string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return decodeError(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= maxDepth {
		return apperr.Field(path, fmt.Sprintf("nests deeper than %d levels", maxDepth))
	}
	if d == '{' {
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return decodeError(err)
			}
			key, _ := kt.(string)
			p := path + "/" + escapePointer(key)
			if seen[key] {
				return apperr.Field(p, "appears twice in the object")
			}
			seen[key] = true
			if err := checkValue(dec, p, depth+1); err != nil {
				return err
			}
		}
	} else {
		for i := 0; dec.More(); i++ {
			if err := checkValue(dec, path+"/"+strconv.Itoa(i), depth+1); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return decodeError(err)
	}
	return nil
}

func escapePointer(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return apperr.Field("", fmt.Sprintf("is not valid JSON at byte %d: %s", syntax.Offset, syntax.Error()))
	case errors.As(err, &typ):
		ptr := ""
		if typ.Field != "" {
			ptr = "/" + strings.ReplaceAll(typ.Field, ".", "/")
		}
		return apperr.Field(ptr, "must be "+jsonKind(typ.Type)+", not "+typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return apperr.Field("", "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return apperr.Field("/"+escapePointer(name), "is not a field of this request")
	}
	return apperr.Field("", "is not valid JSON: "+err.Error())
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}

// noNUL refuses NUL characters in any string: PostgreSQL text cannot hold them.
func noNUL(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return noNUL(v.Elem(), path)
		}
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return apperr.Field(path, "must not contain NUL characters")
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if t.Field(i).IsExported() && name != "-" {
				if err := noNUL(v.Field(i), path+"/"+name); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := noNUL(v.Index(i), path+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if err := noNUL(it.Key(), path); err != nil {
				return err
			}
			if err := noNUL(it.Value(), path+"/"+escapePointer(fmt.Sprint(it.Key()))); err != nil {
				return err
			}
		}
	}
	return nil
}

// emptyPatch reports whether v points to a patch (a struct of pointer fields only) that names no
// field: a change that changes nothing is refused rather than recorded.
func emptyPatch(v any) bool {
	rv := reflect.ValueOf(v).Elem()
	if rv.Kind() != reflect.Struct || rv.NumField() == 0 {
		return false
	}
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Field(i)
		if f.Kind() != reflect.Pointer || !f.IsNil() {
			return false
		}
	}
	return true
}

// validateStruct runs the validate tags and names every failing field by its JSON pointer.
func validateStruct(dst any) error {
	err := validate.Struct(dst)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err
	}
	out := &apperr.Error{Kind: apperr.Invalid, Msg: "the request has invalid fields"}
	for _, fe := range verrs {
		out.Fields = append(out.Fields, apperr.FieldError{Pointer: pointerOf(fe.Namespace()), Reason: reasonOf(fe)})
	}
	return out
}

// pointerOf turns a validator namespace (NewKey.roles[0]) into a JSON pointer (/roles/0).
func pointerOf(ns string) string {
	_, rest, _ := strings.Cut(ns, ".")
	rest = strings.NewReplacer("[", ".", "]", "").Replace(rest)
	return "/" + strings.ReplaceAll(rest, ".", "/")
}

func reasonOf(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be an email address"
	case "uuid":
		return "must be a UUID"
	case "oneof":
		return "must be one of: " + fe.Param()
	case "min":
		if fe.Kind() == reflect.String {
			return "must be at least " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at least " + fe.Param() + " items"
		}
		return "must be at least " + fe.Param()
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at most " + fe.Param() + " items"
		}
		return "must be at most " + fe.Param()
	}
	return "fails the rule " + fe.Tag()
}

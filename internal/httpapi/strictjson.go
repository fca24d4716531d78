package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// maxDepth bounds the nesting of request bodies.
const maxDepth = 32

// maxFieldErrors bounds how many problems one answer lists.
const maxFieldErrors = 20

// decodeStrict reads a JSON object body into dst and validates it, reporting every problem it
// finds in one error: keys are matched exactly (encoding/json would fold case, so "ADDRESS"
// would fill address), unknown and duplicate keys are refused, every value must have its field's
// JSON type and range, strings hold no NUL, then the validate tags run. A body that is not JSON
// at all is reported once.
func decodeStrict(body []byte, dst any) error {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return apperr.Field("", "a JSON body is required")
	case !utf8.Valid(body):
		return apperr.Field("", "the body is not valid UTF-8")
	case trimmed[0] != '{':
		return apperr.Field("", "the body must be a JSON object")
	}
	root, err := parseJSON(body)
	if err != nil {
		return err
	}
	var problems fieldErrors
	problems.check(root, reflect.TypeOf(dst).Elem(), "")
	if len(problems) == 0 {
		if err := json.Unmarshal(body, dst); err != nil { // the shape is checked: this cannot fail
			return apperr.Wrap(apperr.Invalid, "the body could not be decoded", err)
		}
		return validateStruct(dst, nil)
	}
	// Decode what is left once the refused members are dropped, so that the validate tags can
	// report the rest of the body's problems in the same answer.
	clean, err := json.Marshal(root)
	if err == nil {
		err = json.Unmarshal(clean, dst)
	}
	if err != nil {
		return problems.err()
	}
	return validateStruct(dst, problems)
}

// node is a parsed JSON value: an object (ordered members, duplicates kept), an array, a string,
// a json.Number, a bool or nil.
type node struct {
	kind    byte // '{', '[', 's', 'n', 'b', '0' (null)
	members []member
	items   []*node
	str     string
	num     json.Number
	boolean bool
}

type member struct {
	key   string
	value *node
	drop  bool
}

// parseJSON reads exactly one JSON value, no deeper than maxDepth.
func parseJSON(body []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	n, err := parseValue(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, apperr.Field("", "unexpected data after the JSON value")
	}
	return n, nil
}

func parseValue(dec *json.Decoder, path string, depth int) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(err)
	}
	switch v := tok.(type) {
	case string:
		return &node{kind: 's', str: v}, nil
	case json.Number:
		return &node{kind: 'n', num: v}, nil
	case bool:
		return &node{kind: 'b', boolean: v}, nil
	case nil:
		return &node{kind: '0'}, nil
	}
	if depth >= maxDepth {
		return nil, apperr.Field(path, fmt.Sprintf("nests deeper than %d levels", maxDepth))
	}
	n := &node{kind: byte(tok.(json.Delim))}
	for dec.More() {
		if n.kind == '{' {
			kt, err := dec.Token()
			if err != nil {
				return nil, syntaxError(err)
			}
			key, _ := kt.(string)
			v, err := parseValue(dec, path+"/"+escapePointer(key), depth+1)
			if err != nil {
				return nil, err
			}
			n.members = append(n.members, member{key: key, value: v})
		} else {
			v, err := parseValue(dec, path+"/"+strconv.Itoa(len(n.items)), depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return nil, syntaxError(err)
	}
	return n, nil
}

func syntaxError(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return apperr.Field("", fmt.Sprintf("is not valid JSON at byte %d: %s", syntax.Offset, syntax.Error()))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return apperr.Field("", "the JSON body ends too early")
	}
	return apperr.Field("", "is not valid JSON: "+err.Error())
}

// MarshalJSON writes the node back, without the members check dropped.
func (n *node) MarshalJSON() ([]byte, error) {
	switch n.kind {
	case 's':
		return json.Marshal(n.str)
	case 'n':
		return []byte(n.num), nil
	case 'b':
		return json.Marshal(n.boolean)
	case '0':
		return []byte("null"), nil
	case '[':
		if len(n.items) == 0 {
			return []byte("[]"), nil
		}
		return json.Marshal(n.items)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, m := range n.members {
		if m.drop {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(m.key)
		v, err := m.value.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// fieldErrors collects the problems of one body.
type fieldErrors []apperr.FieldError

func (fe *fieldErrors) add(pointer, reason string) {
	if len(*fe) < maxFieldErrors {
		*fe = append(*fe, apperr.FieldError{Pointer: pointer, Reason: reason})
	}
}

// names reports whether a problem is already listed for pointer or a member inside it.
func (fe fieldErrors) names(pointer string) bool {
	for _, e := range fe {
		if e.Pointer == pointer || strings.HasPrefix(pointer, e.Pointer+"/") {
			return true
		}
	}
	return false
}

func (fe fieldErrors) err() error {
	return &apperr.Error{Kind: apperr.Invalid, Msg: "the request has invalid fields", Fields: fe}
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// check reports whether n has the JSON type of Go type t, recording every problem under path.
// Inside it, members that do not fit are dropped and array items that do not fit become null, so
// that the rest can still be decoded and validated.
func (fe *fieldErrors) check(n *node, t reflect.Type, path string) bool {
	if n.kind == '0' {
		return true // null leaves the field as it is, as encoding/json does
	}
	if n.kind == 's' && strings.IndexByte(n.str, 0) >= 0 {
		fe.add(path, "must not contain NUL characters")
		return false
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return fe.custom(n, t, path)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return fe.check(n, t.Elem(), path)
	case reflect.Interface:
		return fe.noNUL(n, path)
	case reflect.String:
		return fe.want(n.kind == 's', path, "must be a string")
	case reflect.Bool:
		return fe.want(n.kind == 'b', path, "must be true or false")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fe.whole(n, path, func(s string) error { _, err := strconv.ParseInt(s, 10, t.Bits()); return err })
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fe.whole(n, path, func(s string) error { _, err := strconv.ParseUint(s, 10, t.Bits()); return err })
	case reflect.Float32, reflect.Float64:
		if n.kind != 'n' {
			return fe.want(false, path, "must be a number")
		}
		_, err := strconv.ParseFloat(string(n.num), t.Bits())
		return fe.want(err == nil, path, "must be a number in range")
	case reflect.Slice, reflect.Array:
		if n.kind != '[' {
			return fe.want(false, path, "must be an array")
		}
		for i, item := range n.items {
			if !fe.check(item, t.Elem(), path+"/"+strconv.Itoa(i)) {
				n.items[i] = &node{kind: '0'} // keeps the other items at their index
			}
		}
		return true
	case reflect.Map:
		if n.kind != '{' {
			return fe.want(false, path, "must be an object")
		}
		return fe.members(n, path, func(string) (reflect.Type, string) { return t.Elem(), "" })
	case reflect.Struct:
		if n.kind != '{' {
			return fe.want(false, path, "must be an object")
		}
		fields := fieldsOf(t)
		return fe.members(n, path, func(key string) (reflect.Type, string) {
			if ft, ok := fields[key]; ok {
				return ft, ""
			}
			for name := range fields {
				if strings.EqualFold(name, key) {
					return nil, fmt.Sprintf("is not a field of this request: field names are case-sensitive (did you mean %q?)", name)
				}
			}
			return nil, "is not a field of this request"
		})
	}
	return fe.want(false, path, "cannot be set")
}

// members checks an object's members, dropping those that do not fit; field gives a member's
// type, or nil and the reason it is not accepted.
func (fe *fieldErrors) members(n *node, path string, field func(key string) (reflect.Type, string)) bool {
	seen := make(map[string]bool, len(n.members))
	for i := range n.members {
		m := &n.members[i]
		p := path + "/" + escapePointer(m.key)
		switch t, reason := field(m.key); {
		case strings.IndexByte(m.key, 0) >= 0:
			fe.add(p, "must not contain NUL characters")
		case seen[m.key]:
			fe.add(p, "appears twice in the object")
		case t == nil:
			fe.add(p, reason)
		default:
			seen[m.key] = true
			if fe.check(m.value, t, p) {
				continue
			}
		}
		seen[m.key] = true
		m.drop = true
	}
	return true
}

// custom checks a value whose type decodes itself (amounts, raw JSON) by letting it try.
func (fe *fieldErrors) custom(n *node, t reflect.Type, path string) bool {
	if !fe.noNUL(n, path) {
		return false
	}
	raw, err := n.MarshalJSON()
	if err == nil {
		err = reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(raw)
	}
	return fe.want(err == nil, path, reasonOfUnmarshal(err))
}

func reasonOfUnmarshal(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// noNUL refuses NUL characters anywhere inside a free-form value: PostgreSQL text and jsonb
// cannot hold them.
func (fe *fieldErrors) noNUL(n *node, path string) bool {
	switch n.kind {
	case 's':
		return fe.want(strings.IndexByte(n.str, 0) < 0, path, "must not contain NUL characters")
	case '[':
		ok := true
		for i, item := range n.items {
			ok = fe.noNUL(item, path+"/"+strconv.Itoa(i)) && ok
		}
		return ok
	case '{':
		ok := true
		for _, m := range n.members {
			p := path + "/" + escapePointer(m.key)
			if strings.IndexByte(m.key, 0) >= 0 {
				ok = fe.want(false, p, "must not contain NUL characters")
				continue
			}
			ok = fe.noNUL(m.value, p) && ok
		}
		return ok
	}
	return true
}

func (fe *fieldErrors) want(ok bool, path, reason string) bool {
	if !ok {
		fe.add(path, reason)
	}
	return ok
}

// whole checks a whole number against the range parse allows.
func (fe *fieldErrors) whole(n *node, path string, parse func(string) error) bool {
	if n.kind != 'n' {
		return fe.want(false, path, "must be a whole number")
	}
	if err := parse(string(n.num)); err != nil {
		return fe.want(false, path, numberReason(n.num, err))
	}
	return true
}

func numberReason(n json.Number, err error) string {
	if errors.Is(err, strconv.ErrRange) {
		return "is out of range"
	}
	if strings.ContainsAny(string(n), ".eE") {
		return "must be a whole number, without a fraction or exponent"
	}
	return "must be a whole number"
}

var structFields sync.Map // reflect.Type → map[string]reflect.Type

// fieldsOf maps a struct's JSON member names to their types, with the fields of embedded
// structs promoted as encoding/json does.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := structFields.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range fieldsOf(ft) {
					if _, taken := out[k]; !taken {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	structFields.Store(t, out)
	return out
}

func escapePointer(s string) string { return pointerEscaper.Replace(s) }

// pointerEscaper escapes a JSON pointer's reference token (RFC 6901); built once, as building
// it cost more than the replacing on every member of every body.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

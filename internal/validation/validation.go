// Package validation runs the rules an input type states in its validate tags, the same for every
// way in: the HTTP API, the command line, the seed and background jobs call the services, and the
// services check their input with Check at their entry. Each problem is named by its JSON
// pointer and said in words a person can act on.
package validation

import (
	"errors"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

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

// Fields lists every rule v breaks, by JSON pointer.
func Fields(v any) []apperr.FieldError {
	var verrs validator.ValidationErrors
	if err := validate.Struct(v); !errors.As(err, &verrs) {
		return nil
	}
	out := make([]apperr.FieldError, len(verrs))
	for i, fe := range verrs {
		out[i] = apperr.FieldError{Pointer: pointerOf(fe.Namespace()), Reason: reasonOf(fe)}
	}
	return out
}

// Check returns an Invalid error naming every rule v breaks, or nil.
func Check(v any) error {
	if fields := Fields(v); len(fields) > 0 {
		return &apperr.Error{Kind: apperr.Invalid, Msg: "the request has invalid fields", Fields: fields}
	}
	return nil
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
	case "min", "max":
		least := map[string]string{"min": "at least", "max": "at most"}[fe.Tag()]
		switch fe.Kind() {
		case reflect.String:
			return "must be " + least + " " + fe.Param() + " characters"
		case reflect.Slice:
			return "must have " + least + " " + items(fe.Param())
		}
		return "must be " + least + " " + fe.Param()
	}
	return "fails the rule " + fe.Tag()
}

func items(n string) string {
	if n == "1" {
		return "1 item"
	}
	return n + " items"
}

package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// MaxBody is the largest request body accepted, trailing bytes included.
const MaxBody = 1 << 20

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

// bind reads the JSON body into dst strictly (JSON media type, at most MaxBody bytes, then
// decodeStrict) and validates it.
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
	return decodeStrict(body, dst)
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

// validateStruct runs the validate tags and names every failing field by its JSON pointer, after
// the problems already found in the body (a field reported there is not reported again).
func validateStruct(dst any, prior fieldErrors) error {
	err := validate.Struct(dst)
	var verrs validator.ValidationErrors
	if err != nil && !errors.As(err, &verrs) {
		return err
	}
	problems := prior
	for _, fe := range verrs {
		if p := pointerOf(fe.Namespace()); !prior.names(p) {
			problems.add(p, reasonOf(fe))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return problems.err()
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
			return "must have at least " + items(fe.Param())
		}
		return "must be at least " + fe.Param()
	case "max":
		if fe.Kind() == reflect.String {
			return "must be at most " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at most " + items(fe.Param())
		}
		return "must be at most " + fe.Param()
	}
	return "fails the rule " + fe.Tag()
}

func items(n string) string {
	if n == "1" {
		return "1 item"
	}
	return n + " items"
}

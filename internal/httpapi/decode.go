package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/validation"
)

// MaxBody is the largest request body accepted, trailing bytes included.
const MaxBody = 1 << 20

// bind reads the JSON body into dst strictly (JSON media type, at most MaxBody bytes, then
// decodeStrict) and validates it.
func bind(c *gin.Context, dst any) error {
	if mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type")); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return apperr.Header(apperr.UnsupportedMedia, "Content-Type", "the body must be application/json")
	}
	body, err := readBody(c, MaxBody, fmt.Sprintf("the body exceeds %d bytes", MaxBody))
	if err != nil {
		return err
	}
	return decodeStrict(body, dst)
}

// readBody reads the request's body, at most limit bytes; tooLarge says so when it is more.
func readBody(c *gin.Context, limit int64, tooLarge string) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var over *http.MaxBytesError
	if errors.As(err, &over) {
		return nil, apperr.New(apperr.TooLarge, tooLarge)
	}
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "the body could not be read", err)
	}
	return body, nil
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

// validateStruct adds the problems of dst's validate tags to those already found in the body (a
// member reported there is not reported again): the one answer names them all.
func validateStruct(dst any, prior fieldErrors) error {
	problems := prior
	for _, fe := range validation.Fields(dst) {
		if !prior.names(fe.Pointer) {
			problems.add(fe.Pointer, fe.Reason)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return problems.err()
}

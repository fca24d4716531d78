package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/postgres"
)

// Problem is an RFC 9457 problem details document, the body of every error response.
type Problem struct {
	Type      string              `json:"type" example:"/problems/invalid"`
	Title     string              `json:"title" example:"Invalid request"`
	Status    int                 `json:"status" example:"400"`
	Detail    string              `json:"detail" example:"the request has invalid fields"`
	Instance  string              `json:"instance" example:"/api/v1/tenants/municipality:101/users"`
	RequestID string              `json:"request_id" example:"2f1c0e7e-3c1b-4a43-9f0e-7d1b9a1c2b3d"`
	Errors    []apperr.FieldError `json:"errors,omitempty"`
}

const problemJSON = "application/problem+json"

var kinds = map[apperr.Kind]struct {
	status int
	title  string
}{
	apperr.Invalid:              {http.StatusBadRequest, "Invalid request"},
	apperr.Unprocessable:        {http.StatusUnprocessableEntity, "Unprocessable request"},
	apperr.NotFound:             {http.StatusNotFound, "Not found"},
	apperr.Conflict:             {http.StatusConflict, "Conflict"},
	apperr.PreconditionFailed:   {http.StatusPreconditionFailed, "Precondition failed"},
	apperr.PreconditionRequired: {http.StatusPreconditionRequired, "Precondition required"},
	apperr.Unauthorized:         {http.StatusUnauthorized, "Unauthorized"},
	apperr.Forbidden:            {http.StatusForbidden, "Forbidden"},
	apperr.TooLarge:             {http.StatusRequestEntityTooLarge, "Request body too large"},
	apperr.UnsupportedMedia:     {http.StatusUnsupportedMediaType, "Unsupported media type"},
	apperr.MethodNotAllowed:     {http.StatusMethodNotAllowed, "Method not allowed"},
	apperr.TooManyRequests:      {http.StatusTooManyRequests, "Too many requests"},
	apperr.HeadersTooLarge:      {http.StatusRequestHeaderFieldsTooLarge, "Request headers too large"},
	apperr.ExpectationFailed:    {http.StatusExpectationFailed, "Expectation failed"},
	apperr.NotImplemented:       {http.StatusNotImplemented, "Not implemented"},
	apperr.HTTPVersion:          {http.StatusHTTPVersionNotSupported, "HTTP version not supported"},
	apperr.Unavailable:          {http.StatusServiceUnavailable, "Service unavailable"},
	apperr.Internal:             {http.StatusInternalServerError, "Internal error"},
}

// fail answers the request with the problem document for err and stops the handler chain.
// Unclassified errors are logged with the request id and answered with a bare 500.
func (s *Server) fail(c *gin.Context, err error) {
	err = postgres.Translate(err)
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		c.Abort() // the client went away; nobody reads an answer
		return
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		s.Log.Error("internal error", "request_id", requestID(c), "route", c.FullPath(), "err", err)
		ae = apperr.New(apperr.Internal, "internal error")
	} else if ae.Kind == apperr.Internal || ae.Kind == apperr.Unavailable {
		s.Log.Error("request failed", "request_id", requestID(c), "route", c.FullPath(), "kind", ae.Kind, "err", err)
	}
	k, ok := kinds[ae.Kind]
	if !ok {
		k = kinds[apperr.Internal]
	}
	switch ae.Kind {
	case apperr.Unauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="servicekatalog", error="invalid_token", error_description="`+sanitizeHeader(ae.Msg)+`"`)
	case apperr.Unavailable:
		c.Header("Retry-After", "5")
	}
	body := gin.H{
		"type": "/problems/" + string(ae.Kind), "title": k.title, "status": k.status,
		"detail": ae.Msg, "instance": c.Request.URL.Path, "request_id": requestID(c),
	}
	if len(ae.Fields) > 0 {
		body["errors"] = ae.Fields
	}
	for key, v := range ae.Extra {
		if _, taken := body[key]; !taken {
			body[key] = v
		}
	}
	c.Abort()
	c.Header("Content-Type", problemJSON)
	c.Header("Cache-Control", "no-store")
	c.PureJSON(k.status, body) // keeps the Content-Type set above; no HTML escaping of details
}

func sanitizeHeader(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			out = append(out, r)
		}
	}
	return string(out)
}

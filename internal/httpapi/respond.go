package httpapi

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/idempotency"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// List is one page of a list. Next is the link to the following page, null on the last.
type List[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next" example:"/api/v1/municipalities?cursor=WyIxNTEiXQ&limit=50" extensions:"x-nullable"`
}

// list answers a page, linking the next page with the same query and the new cursor.
func list[T any](c *gin.Context, p page.Page[T]) {
	out := List[T]{Items: p.Items}
	if p.Next != "" {
		q := c.Request.URL.Query()
		q.Set("cursor", p.Next)
		link := (&url.URL{Path: c.Request.URL.Path, RawQuery: q.Encode()}).String()
		out.Next = &link
	}
	c.JSON(200, out)
}

// pageOf reads limit and cursor.
func pageOf(c *gin.Context) (page.Request, error) {
	return page.Parse(c.Query("limit"), c.Query("cursor"))
}

// versioned answers an object that can be changed, with its version as ETag.
func versioned(c *gin.Context, status int, version int, body any) {
	c.Header("ETag", strconv.Quote(strconv.Itoa(version)))
	c.JSON(status, body)
}

// created answers a creating POST: 201, or the stored answer of a replayed Idempotency-Key.
func created(c *gin.Context, version int, body any) {
	if idempotency.Replayed(c.Request.Context()) {
		c.Header("Idempotent-Replayed", "true")
	}
	versioned(c, 201, version, body)
}

// ifMatch reads the version a change is based on from If-Match: required (428), and it must be
// an ETag this API sent (strong, quoted), or "*" for whatever version is current (RFC 9110).
func ifMatch(c *gin.Context) (int, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" {
		return 0, apperr.Header(apperr.PreconditionRequired, "If-Match", "is required: send the ETag of the version you read")
	}
	if h == "*" {
		return apperr.AnyVersion, nil
	}
	v, err := strconv.Unquote(h)
	n, convErr := strconv.Atoi(v)
	if err != nil || convErr != nil || n < 1 {
		return 0, apperr.Header(apperr.PreconditionFailed, "If-Match", "does not match the current ETag")
	}
	return n, nil
}

// idParam reads a UUID path parameter; anything else names nothing that exists.
func idParam(c *gin.Context, name, what string) (string, error) {
	id := c.Param(name)
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return "", apperr.NotFoundf(what)
	}
	return strings.ToLower(id), nil
}

// listed answers one page of a list use case.
func listed[T any](s *Server, c *gin.Context, fetch func(page.Request) (page.Page[T], error)) {
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := fetch(p)
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, res)
}

// changed runs a change use case on the version named by If-Match with the decoded body and
// answers the changed object with its new ETag.
func changed[In any, Out any](s *Server, c *gin.Context, apply func(version int, in In) (Out, int, error)) {
	var in In
	version, err := ifMatch(c)
	if err == nil {
		err = bind(c, &in)
	}
	if err == nil && emptyPatch(&in) {
		err = apperr.Field("", "names no field to change")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	out, newVersion, err := apply(version, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, newVersion, out)
}

// creates runs a creating use case with the decoded body and answers 201 (or the replay).
func creates[In any, Out any](s *Server, c *gin.Context, create func(in In) (Out, int, error)) {
	var in In
	if err := bind(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	out, version, err := create(in)
	if err != nil {
		s.fail(c, err)
		return
	}
	created(c, version, out)
}

// removed runs a deleting use case on the object named by the id path parameter at the If-Match
// version, and answers 204.
func removed(s *Server, c *gin.Context, what string, remove func(id string, version int) error) {
	id, err := idParam(c, "id", what)
	var version int
	if err == nil {
		version, err = ifMatch(c)
	}
	if err == nil {
		err = remove(id, version)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Status(204)
}

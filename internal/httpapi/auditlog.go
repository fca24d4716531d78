package httpapi

import (
	"encoding/json"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/audit"
	"github.com/servicekatalog/servicekatalog/internal/date"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// listAudit godoc
// @Summary  Read the audit log (auditor, council)
// @Description Records oldest first, filtered; cursor pagination. With format=jsonl (or Accept:
// @Description application/x-ndjson) every matching record is exported as JSON lines.
// @ID       listAudit
// @Tags     audit
// @Produce  json,application/problem+json
// @Produce  application/x-ndjson
// @Param    tenant      query string false "Chain (tenant), e.g. municipality:101"
// @Param    action      query string false "Action, e.g. role_assignment.create"
// @Param    object_type query string false "Object type, e.g. user"
// @Param    object_id   query string false "Object id"
// @Param    actor       query string false "Actor subject, e.g. user:<id>"
// @Param    from        query string false "From (inclusive), RFC 3339, years 2000-2099" format(date-time)
// @Param    to          query string false "To (exclusive), RFC 3339, years 2000-2099" format(date-time)
// @Param    format      query string false "jsonl to export every match" Enums(jsonl)
// @Param    limit       query int    false "Page size, 1-200" default(50)
// @Param    cursor      query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[audit.Record]
// @Security BearerAuth
// @Router   /api/v1/audit [get]
func (s *Server) listAudit(c *gin.Context) {
	f, err := auditFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Query("format") == "jsonl" || c.GetHeader("Accept") == "application/x-ndjson" {
		s.exportAudit(c, f)
		return
	}
	listed(s, c, func(p page.Request) (page.Page[audit.Record], error) { return s.Audit.List(ctx(c), f, p) })
}

func (s *Server) exportAudit(c *gin.Context, f audit.Filter) {
	p := page.Request{Limit: page.MaxLimit}
	res, err := s.Audit.List(ctx(c), f, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", "application/x-ndjson")
	c.Header("Content-Disposition", `attachment; filename="audit.jsonl"`)
	c.Status(200)
	enc := json.NewEncoder(c.Writer)
	for {
		for _, r := range res.Items {
			if err := enc.Encode(r); err != nil {
				return
			}
		}
		if res.Next == "" {
			return
		}
		if p, err = page.Parse("200", res.Next); err == nil {
			res, err = s.Audit.List(ctx(c), f, p)
		}
		if err != nil {
			// The status is sent; the export ends early and the log says why.
			s.Log.Error("audit export", "request_id", requestID(c), "err", err)
			return
		}
	}
}

// instants reads the query parameters named in dsts as RFC 3339 instants; one left out leaves its
// destination as it was.
func instants(c *gin.Context, dsts map[string]*time.Time) error {
	for name, dst := range dsts {
		if v := c.Query(name); v != "" {
			t, err := date.ParseInstant(v)
			if err != nil {
				return apperr.Param(name, err.Error())
			}
			*dst = t
		}
	}
	return nil
}

func auditFilter(c *gin.Context) (audit.Filter, error) {
	f := audit.Filter{Tenant: c.Query("tenant"), Action: c.Query("action"), ObjectType: c.Query("object_type"),
		ObjectID: c.Query("object_id"), Actor: c.Query("actor")}
	if err := instants(c, map[string]*time.Time{"from": &f.From, "to": &f.To}); err != nil {
		return f, err
	}
	if v := c.Query("format"); v != "" && v != "jsonl" {
		return f, apperr.Param("format", "must be jsonl or absent")
	}
	return f, nil
}

// verifyAudit godoc
// @Summary  Verify the audit chains (auditor)
// @Description Recomputes every tenant's hash chain and reports the first broken link of each.
// @ID       verifyAudit
// @Tags     audit
// @Produce  json,application/problem+json
// @Success  200 {object} audit.Report
// @Security BearerAuth
// @Router   /api/v1/audit/verify [get]
func (s *Server) verifyAudit(c *gin.Context) {
	rep, err := s.Audit.Verify(ctx(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, rep)
}

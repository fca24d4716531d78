package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	apidocs "github.com/servicekatalog/servicekatalog/api-docs"
	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/swaggerui"
)

// asset is a file served as it is: compressed once, with a strong ETag, revalidated by clients.
type asset struct {
	body, gzipped []byte
	ctype, etag   string
}

func newAsset(body []byte, ctype string) *asset {
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(body)
	w.Close()
	sum := sha256.Sum256(body)
	return &asset{body: body, gzipped: z.Bytes(), ctype: ctype, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

func (a *asset) serve(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "no-cache") // kept, but checked with If-None-Match: a new release shows at once
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Content-Type-Options", "nosniff")
	if match := c.GetHeader("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	body := a.body
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = a.gzipped
	}
	c.Data(http.StatusOK, a.ctype, body)
}

func acceptsGzip(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(params, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// spec is the published OpenAPI document, compact.
var spec = sync.OnceValue(func() *asset {
	var b bytes.Buffer
	if err := json.Compact(&b, apidocs.OpenAPI); err != nil {
		panic("api-docs/openapi.json: " + err.Error())
	}
	return newAsset(b.Bytes(), "application/json")
})

var swaggerAssets = sync.OnceValue(func() map[string]*asset {
	out := map[string]*asset{}
	for _, name := range swaggerui.Names() {
		b, ctype, _ := swaggerui.File(name)
		out[name] = newAsset(b, ctype)
	}
	return out
})

// openAPI godoc
// @Summary  The OpenAPI 3 document of this API
// @Description This document, compact; gzip-compressed when the client accepts it, with an ETag.
// @ID       getOpenAPI
// @Tags     operations
// @Produce  json
// @Success  200 {object} map[string]any
// @Header   200 {string} ETag "The document's digest, for If-None-Match"
// @Success  304 "Not modified: the client has this document (If-None-Match)"
// @Header   304 {string} ETag "The document's digest"
// @Router   /openapi.json [get]
func (s *Server) openAPI(c *gin.Context) { spec().serve(c) }

// swaggerUI serves Swagger UI under /swagger/; it is not part of the API document.
func (s *Server) swaggerUI(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("any"), "/")
	if name == "" {
		name = "index.html"
	}
	a, ok := swaggerAssets()[name]
	if !ok {
		s.fail(c, apperr.Newf(apperr.NotFound, "Swagger UI has no file %q; open /swagger/index.html", name))
		return
	}
	if name == "index.html" {
		// The page loads only its own scripts and styles; Swagger UI styles inline and draws data: images.
		c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
	}
	a.serve(c)
}

// Landing is what the root of the service says: where the documentation and health checks are.
type Landing struct {
	Name    string            `json:"name" example:"Servicekatalog"`
	Version string            `json:"version" example:"c703e5f"`
	Links   map[string]string `json:"links"`
}

var landingPage = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>Servicekatalog</title></head>
<body><h1>Servicekatalog</h1>
<p>The shared-service catalogue and SLA governance platform. Version {{.Version}}.</p>
<ul>
<li><a href="{{index .Links "swagger_ui"}}">Swagger UI</a>: read and try the API (press Authorize and paste <code>Bearer</code> and your token)</li>
<li><a href="{{index .Links "openapi"}}">The OpenAPI 3 document</a>, for generating clients</li>
<li><a href="{{index .Links "livez"}}">Liveness</a> and <a href="{{index .Links "readyz"}}">readiness</a></li>
</ul></body></html>
`))

// landing godoc
// @Summary  Where to start
// @Description Links to Swagger UI, the OpenAPI document and the health checks; a page for browsers.
// @ID       getLanding
// @Tags     operations
// @Produce  json,text/html
// @Success  200 {object} Landing
// @Router   / [get]
func (s *Server) landing(c *gin.Context) {
	l := Landing{Name: "Servicekatalog", Version: s.Version, Links: map[string]string{
		"swagger_ui": "/swagger/index.html", "openapi": "/openapi.json", "livez": "/livez", "readyz": "/readyz"}}
	if strings.Contains(c.GetHeader("Accept"), "text/html") {
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Status(http.StatusOK)
		landingPage.Execute(c.Writer, l)
		return
	}
	c.JSON(http.StatusOK, l)
}

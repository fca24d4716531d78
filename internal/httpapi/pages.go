package httpapi

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
)

// Page is what a page for people says: in Danish, then in English, with at most one button,
// which posts the form's hidden fields back to Action.
type Page struct {
	Title, TitleEN string
	Lines, LinesEN []string
	Action         string
	Hidden         map[string]string
	Button         string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="da"><head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} – Servicekatalog</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
button{font-size:1.1rem;padding:.6rem 1.4rem;border-radius:.3rem;border:0;background:#0b5;color:#fff;cursor:pointer}
.en{color:#555;border-top:1px solid #ddd;margin-top:2rem;padding-top:1rem}</style></head>
<body><main><h1>{{.Title}}</h1>{{range .Lines}}<p>{{.}}</p>{{end}}
{{if .Action}}<form method="post" action="{{.Action}}">{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">{{end}}
<button type="submit">{{.Button}}</button></form>{{end}}
<div class="en" lang="en"><h2>{{.TitleEN}}</h2>{{range .LinesEN}}<p>{{.}}</p>{{end}}</div></main></body></html>
`))

// wantsPage reports whether the caller is a browser, which gets pages rather than JSON.
func wantsPage(c *gin.Context) bool { return strings.Contains(c.GetHeader("Accept"), "text/html") }

// showPage answers a browser with p, or any other caller with body as JSON. A page carries a link
// token in its URL, so it is never cached, never sent on as a referrer and never framed.
func showPage(c *gin.Context, status int, p Page, body any) {
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	if !wantsPage(c) {
		c.JSON(status, body)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	pageTemplate.Execute(c.Writer, p)
}

// failPage answers a failure: a browser gets a page that says what went wrong, any other caller
// the problem document.
func (s *Server) failPage(c *gin.Context, err error) {
	var ae *apperr.Error
	if !wantsPage(c) || !errors.As(err, &ae) || ae.Kind == apperr.Internal || ae.Kind == apperr.Unavailable {
		s.fail(c, err)
		return
	}
	k := kinds[ae.Kind]
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer")
	showPage(c, k.status, Page{Title: "Det lykkedes ikke", TitleEN: "That did not work", Lines: []string{ae.Msg},
		LinesEN: []string{"Ask the person who registered the address to register it again, or contact the secretariat."}}, nil)
}

// formToken reads the token a page's form posts back; any other body is refused.
func formToken(c *gin.Context) (string, error) {
	return formField(c, "token", 200, "is required: open the link from the mail and press the button")
}

// formField reads field name, of at most maxLen bytes, from a page's form; missing says why it
// is needed when it is absent. Any other body is refused.
func formField(c *gin.Context, name string, maxLen int, missing string) (string, error) {
	if !strings.HasPrefix(c.GetHeader("Content-Type"), "application/x-www-form-urlencoded") {
		return "", apperr.Header(apperr.UnsupportedMedia, "Content-Type", "the body must be the page's form (application/x-www-form-urlencoded)")
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, int64(maxLen)+4096)
	if err := c.Request.ParseForm(); err != nil {
		return "", apperr.Field("/"+name, "the form could not be read")
	}
	v := c.Request.PostForm.Get(name)
	if v == "" || len(v) > maxLen {
		return "", apperr.Field("/"+name, missing)
	}
	return v, nil
}

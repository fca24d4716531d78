package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// FuzzQuery drives the query checks of a list with filters and a cursor (GET orders): no query
// string panics or yields anything but a 400 problem or a pass, and one that passes has a limit
// and cursor the page parser accepts or refuses by name.
func FuzzQuery(f *testing.F) {
	for _, seed := range []string{"", "state=accepted", "state=garbage", "state=a&state=b", "limit=5&cursor=WyIxIl0",
		"unknown=1", "limit=1e2", "%zz", "state=%00", "cursor=" + string(make([]byte, 600))} {
		f.Add(seed)
	}
	s := &Server{Deps: Deps{Log: slog.New(slog.DiscardHandler)}}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/orders", s.strictQuery("GET", "/api/v1/municipalities/:code/orders"), func(c *gin.Context) {
		switch _, err := page.Parse(c.Query("limit"), c.Query("cursor")); {
		case err == nil:
			c.Status(http.StatusNoContent)
		case apperr.KindOf(err) == apperr.Invalid:
			c.Status(http.StatusBadRequest)
		default:
			c.Status(http.StatusInternalServerError)
		}
	})
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/orders", nil)
		req.URL.RawQuery = raw
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent && w.Code != http.StatusBadRequest {
			t.Fatalf("%q: %d %s", raw, w.Code, w.Body)
		}
	})
}

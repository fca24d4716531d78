package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/clock"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
)

func subscriptionFilter(c *gin.Context) subscription.Filter {
	return subscription.Filter{State: c.Query("state"), ServiceID: c.Query("service_id"), Unit: c.Query("unit"),
		Municipality: c.Query("municipality")}
}

// listMunicipalitySubscriptions godoc
// @Summary  List a municipality's subscriptions
// @ID       listMunicipalitySubscriptions
// @Tags     subscriptions
// @Produce  json,application/problem+json
// @Param    code       path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    state      query string false "Only subscriptions in this state" Enums(active,terminating,terminated)
// @Param    service_id query string false "Standard service id"
// @Param    limit      query int    false "Page size, 1-200" default(50)
// @Param    cursor     query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[subscription.Subscription]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/subscriptions [get]
func (s *Server) listMunicipalitySubscriptions(c *gin.Context) {
	f := subscriptionFilter(c)
	f.Municipality = c.Param("code")
	s.listSubscriptions(c, f)
}

// listUnitSubscriptions godoc
// @Summary  List the subscriptions a unit delivers
// @ID       listUnitSubscriptions
// @Tags     subscriptions
// @Produce  json,application/problem+json
// @Param    unit         path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    municipality query string false "Municipality code"
// @Param    state        query string false "Only subscriptions in this state" Enums(active,terminating,terminated)
// @Param    service_id   query string false "Standard service id"
// @Param    limit        query int    false "Page size, 1-200" default(50)
// @Param    cursor       query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[subscription.Subscription]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/subscriptions [get]
func (s *Server) listUnitSubscriptions(c *gin.Context) {
	f := subscriptionFilter(c)
	f.Unit = c.Param("unit")
	s.listSubscriptions(c, f)
}

// listAllSubscriptions godoc
// @Summary  List every subscription (council)
// @ID       listAllSubscriptions
// @Tags     subscriptions
// @Produce  json,application/problem+json
// @Param    municipality query string false "Municipality code"
// @Param    unit         query string false "Unit slug"
// @Param    state        query string false "Only subscriptions in this state" Enums(active,terminating,terminated)
// @Param    service_id   query string false "Standard service id"
// @Param    limit        query int    false "Page size, 1-200" default(50)
// @Param    cursor       query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[subscription.Subscription]
// @Security BearerAuth
// @Router   /api/v1/subscriptions [get]
func (s *Server) listAllSubscriptions(c *gin.Context) { s.listSubscriptions(c, subscriptionFilter(c)) }

func (s *Server) listSubscriptions(c *gin.Context, f subscription.Filter) {
	listed(s, c, func(p page.Request) (page.Page[subscription.Subscription], error) {
		return s.Subscriptions.List(ctx(c), f, p)
	})
}

// getMunicipalitySubscription godoc
// @Summary  Get one of a municipality's subscriptions
// @ID       getMunicipalitySubscription
// @Tags     subscriptions
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Subscription id" format(uuid)
// @Success  200 {object} subscription.Subscription
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/subscriptions/{id} [get]
func (s *Server) getMunicipalitySubscription(c *gin.Context) {
	s.getSubscription(c, c.Param("code"), "")
}

// getUnitSubscription godoc
// @Summary  Get one of the subscriptions a unit delivers
// @ID       getUnitSubscription
// @Tags     subscriptions
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Subscription id" format(uuid)
// @Success  200 {object} subscription.Subscription
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/subscriptions/{id} [get]
func (s *Server) getUnitSubscription(c *gin.Context) { s.getSubscription(c, "", c.Param("unit")) }

func (s *Server) getSubscription(c *gin.Context, code, unit string) {
	id, err := idParam(c, "id", "subscription")
	if err != nil {
		s.fail(c, err)
		return
	}
	sub, err := s.Subscriptions.Get(ctx(c), code, unit, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, sub.Version, sub)
}

// getCosts godoc
// @Summary  A municipality's costs for a month
// @Description Recurring costs pro rata by day, one-off fees, totals per standard service and per unit;
// @Description exact decimals in DKK. format=csv or format=xlsx for a file.
// @ID       getCosts
// @Tags     subscriptions
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    month  query string false "The month, YYYY-MM, 2000-01 to 2099-12; this month when absent"
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} subscription.CostReport
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/costs [get]
func (s *Server) getCosts(c *gin.Context) {
	raw := c.Query("month")
	if raw == "" {
		raw = clock.Today(s.Clock.Now()).Format("2006-01")
	}
	month, err := subscription.ParseMonth(raw)
	var format string
	if err == nil {
		format, err = exportFormat(c)
	}
	var rep subscription.CostReport
	if err == nil {
		rep, err = s.Subscriptions.Costs(ctx(c), c.Param("code"), month)
	}
	s.exported(c, format, rep, err)
}

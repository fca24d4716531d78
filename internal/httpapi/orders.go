package httpapi

import (
	"bytes"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/activation"
	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/subscription"
)

// getActivation godoc
// @Summary  Where a municipality stands at the activation gate
// @Description The mailbox, the terms acceptance, the risk assessments, and what is missing to order
// @Description from every service family (or from family, repeated).
// @ID       getActivation
// @Tags     orders
// @Produce  json,application/problem+json
// @Param    code   path  string   true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    family query []string false "Only these families" collectionFormat(multi)
// @Success  200 {object} activation.Status
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/activation [get]
func (s *Server) getActivation(c *gin.Context) {
	st, err := s.Activation.Status(ctx(c), c.Param("code"), c.QueryArray("family"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, st)
}

// MailboxResponse is the registered infrastructure mailbox.
type MailboxResponse struct {
	Address string `json:"address" example:"it-drift@kk.example"`
}

// setMailbox godoc
// @Summary  Register the municipality's infrastructure mailbox (SPOC)
// @Description A functional address (not a person's) where notices are delivered. If-Match takes
// @Description the municipality's ETag (GET /municipalities/{code}).
// @ID       setMailbox
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code     path   string                  true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    If-Match header string                  true "The municipality's ETag"
// @Param    body     body   activation.MailboxInput true "The address"
// @Success  200 {object} MailboxResponse
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/mailbox [put]
func (s *Server) setMailbox(c *gin.Context) {
	changed(s, c, func(version int, in activation.MailboxInput) (MailboxResponse, int, error) {
		addr, v, err := s.Activation.SetMailbox(ctx(c), c.Param("code"), version, in)
		return MailboxResponse{Address: addr}, v, err
	})
}

// acceptTerms godoc
// @Summary  Accept the terms of use (signatory)
// @ID       acceptTerms
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string                true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string                true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   activation.TermsInput true "The terms version accepted"
// @Success  201 {object} activation.TermsAcceptance
// @Failure  400 {object} Problem "terms_version is not the current terms of use."
// @Failure  403 {object} Problem "Only a signatory of the municipality may accept the terms."
// @Failure  409 {object} Problem "The municipality has accepted these terms already."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/terms-acceptances [post]
func (s *Server) acceptTerms(c *gin.Context) {
	creates(s, c, func(in activation.TermsInput) (activation.TermsAcceptance, int, error) {
		a, err := s.Activation.AcceptTerms(ctx(c), c.Param("code"), in)
		return a, 1, err
	})
}

// registerROS godoc
// @Summary  Register a risk assessment (ROS) for a service family (SPOC)
// @ID       registerRiskAssessment
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string                       true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string                       true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   activation.NewRiskAssessment true "The assessment"
// @Success  201 {object} activation.RiskAssessment
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/risk-assessments [post]
func (s *Server) registerROS(c *gin.Context) {
	creates(s, c, func(in activation.NewRiskAssessment) (activation.RiskAssessment, int, error) {
		a, err := s.Activation.RegisterRiskAssessment(ctx(c), c.Param("code"), in)
		return a, 1, err
	})
}

// listMunicipalityOrders godoc
// @Summary  List a municipality's orders
// @ID       listMunicipalityOrders
// @Tags     orders
// @Produce  json,application/problem+json
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    state  query string false "Only orders in this state" Enums(acknowledged,accepted,rejected,in_progress,completed,failed,cancelled)
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[order.Order]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/orders [get]
func (s *Server) listMunicipalityOrders(c *gin.Context) {
	s.listOrders(c, order.Scope{Municipality: c.Param("code")})
}

// listUnitOrders godoc
// @Summary  List the orders addressed to a unit
// @ID       listUnitOrders
// @Tags     orders
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    state  query string false "Only orders in this state" Enums(acknowledged,accepted,rejected,in_progress,completed,failed,cancelled)
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[order.Order]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/orders [get]
func (s *Server) listUnitOrders(c *gin.Context) { s.listOrders(c, order.Scope{Unit: c.Param("unit")}) }

func (s *Server) listOrders(c *gin.Context, sc order.Scope) {
	listed(s, c, func(p page.Request) (page.Page[order.Order], error) {
		return s.Orders.List(ctx(c), sc, order.State(c.Query("state")), p)
	})
}

// createOrder godoc
// @Summary  Order from the owner unit (SPOC)
// @Description Items add a published offering (level, quantity, parameters valid against the standard
// @Description service's schema), modify a subscription's level or quantity, or terminate one. Prices are
// @Description pinned at order time. The order is acknowledged; the unit accepts it once the activation
// @Description gate is met. The parameters each standard service takes are its order_parameters (a JSON
// @Description Schema) in GET /api/v1/catalog/services/{id}; the example is for CMP-01, virtual servers.
// @ID       createOrder
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string         true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string         true "Required; a retry with the same key and body returns the same order"
// @Param    body            body   order.NewOrder true "The items"
// @Success  201 {object} order.Order
// @Failure  400 {object} Problem "An item is not valid: errors names the item and the field (an offering that is not published, a level it does not offer, parameters outside the service's schema)."
// @Failure  409 {object} Problem "The municipality has no owner unit to order from, or a request with the same Idempotency-Key is still in flight."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/orders [post]
func (s *Server) createOrder(c *gin.Context) {
	creates(s, c, func(in order.NewOrder) (order.Order, int, error) {
		o, err := s.Orders.Create(ctx(c), c.Param("code"), in)
		return o, o.Version, err
	})
}

// getMunicipalityOrder godoc
// @Summary  Get one of a municipality's orders with its items and history
// @ID       getMunicipalityOrder
// @Tags     orders
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Order id" format(uuid)
// @Success  200 {object} order.Order
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/orders/{id} [get]
func (s *Server) getMunicipalityOrder(c *gin.Context) {
	s.getOrder(c, order.Scope{Municipality: c.Param("code")})
}

// getUnitOrder godoc
// @Summary  Get one of the orders addressed to a unit
// @ID       getUnitOrder
// @Tags     orders
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Order id" format(uuid)
// @Success  200 {object} order.Order
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/orders/{id} [get]
func (s *Server) getUnitOrder(c *gin.Context) { s.getOrder(c, order.Scope{Unit: c.Param("unit")}) }

func (s *Server) getOrder(c *gin.Context, sc order.Scope) {
	id, err := idParam(c, "id", "order")
	if err != nil {
		s.fail(c, err)
		return
	}
	o, err := s.Orders.Get(ctx(c), sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, o.Version, o)
}

// transitionOrder runs a state transition; the body (a reason) is optional for those that need none.
func (s *Server) transitionOrder(c *gin.Context, sc order.Scope, transition order.Transition) {
	id, err := idParam(c, "id", "order")
	var in order.TransitionInput
	if err == nil && c.Request.ContentLength != 0 {
		err = bind(c, &in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	o, err := s.Orders.Transition(ctx(c), sc, id, transition, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, o.Version, o)
}

// cancelOrder godoc
// @Summary  Cancel an order before work starts (SPOC)
// @ID       cancelOrder
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code path string                true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string                true "Order id" format(uuid)
// @Param    body body order.TransitionInput true "Why"
// @Success  200 {object} order.Order
// @Failure  400 {object} Problem "A reason is required."
// @Failure  409 {object} Problem "The order is in progress or done, and can no longer be cancelled."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/orders/{id}/cancel [post]
func (s *Server) cancelOrder(c *gin.Context) {
	s.transitionOrder(c, order.Scope{Municipality: c.Param("code")}, order.Cancel)
}

// acceptOrder godoc
// @Summary  Accept an order (unit admin)
// @Description Refused with 409 and a machine-readable "missing" list while the municipality lacks an
// @Description activation prerequisite: infrastructure mailbox, accepted terms of use, or a ROS per family.
// @ID       acceptOrder
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Order id" format(uuid)
// @Param    body body order.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} order.Order
// @Failure  409 {object} Problem "The order is not acknowledged, or the municipality has not met the activation gate (missing lists what it lacks)."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/orders/{id}/accept [post]
func (s *Server) acceptOrder(c *gin.Context) {
	s.transitionOrder(c, order.Scope{Unit: c.Param("unit")}, order.Accept)
}

// rejectOrder godoc
// @Summary  Reject an order with a reason (unit admin)
// @ID       rejectOrder
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string                true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string                true "Order id" format(uuid)
// @Param    body body order.TransitionInput true "Why"
// @Success  200 {object} order.Order
// @Failure  400 {object} Problem "A reason is required."
// @Failure  409 {object} Problem "Only an acknowledged order can be rejected."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/orders/{id}/reject [post]
func (s *Server) rejectOrder(c *gin.Context) {
	s.transitionOrder(c, order.Scope{Unit: c.Param("unit")}, order.Reject)
}

// startOrder godoc
// @Summary  Start work on an accepted order (unit admin)
// @ID       startOrder
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Order id" format(uuid)
// @Param    body body order.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} order.Order
// @Failure  409 {object} Problem "Only an accepted order can be started."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/orders/{id}/start [post]
func (s *Server) startOrder(c *gin.Context) {
	s.transitionOrder(c, order.Scope{Unit: c.Param("unit")}, order.Start)
}

// completeOrder godoc
// @Summary  Complete an order (unit admin)
// @Description Adds create subscriptions pinned to offering version, level, quantity and prices;
// @Description modifies change them from today; terminations start the level's notice period.
// @ID       completeOrder
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Order id" format(uuid)
// @Param    body body order.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} order.Order
// @Failure  409 {object} Problem "The order is not in progress, or a subscription it changes has changed meanwhile."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/orders/{id}/complete [post]
func (s *Server) completeOrder(c *gin.Context) {
	s.transitionOrder(c, order.Scope{Unit: c.Param("unit")}, order.Complete)
}

// failOrder godoc
// @Summary  Mark an order in progress as failed (unit admin)
// @ID       failOrder
// @Tags     orders
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string                true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string                true "Order id" format(uuid)
// @Param    body body order.TransitionInput true "Why"
// @Success  200 {object} order.Order
// @Failure  400 {object} Problem "A reason is required."
// @Failure  409 {object} Problem "Only an order in progress can fail."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/orders/{id}/fail [post]
func (s *Server) failOrder(c *gin.Context) {
	s.transitionOrder(c, order.Scope{Unit: c.Param("unit")}, order.Fail)
}

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
		raw = subscription.Today(s.Clock.Now()).Format("2006-01")
	}
	month, err := subscription.ParseMonth(raw)
	format := c.Query("format")
	if err == nil && format != "" && format != "csv" && format != "xlsx" {
		err = apperr.Param("format", "must be csv, xlsx or absent")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	rep, err := s.Subscriptions.Costs(ctx(c), c.Param("code"), month)
	if err != nil {
		s.fail(c, err)
		return
	}
	name := "costs-" + rep.Municipality + "-" + rep.Month
	var buf bytes.Buffer
	switch format {
	case "":
		c.JSON(200, rep)
		return
	case "csv":
		err = rep.WriteCSV(&buf)
		c.Header("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	case "xlsx":
		err = rep.WriteXLSX(&buf)
		c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		name += ".xlsx"
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(200, c.Writer.Header().Get("Content-Type"), buf.Bytes())
}

package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/order"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

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

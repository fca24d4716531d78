package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/delivery"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// listWebhooks godoc
// @Summary  The tenant's webhooks
// @Description Notices and events to the tenant are also posted to each, signed as Standard Webhooks
// @Description prescribes (webhook-id, webhook-timestamp, webhook-signature).
// @ID       listWebhooks
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    tenant path string true "The tenant: municipality:CODE (e.g. municipality:101) or unit:SLUG (e.g. unit:midt)"
// @Success  200 {object} List[delivery.Endpoint]
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/webhooks [get]
func (s *Server) listWebhooks(c *gin.Context) {
	ws, err := s.Deliveries.Webhooks(ctx(c), tenantOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, page.Page[delivery.Endpoint]{Items: ws})
}

// addWebhook godoc
// @Summary  Register a webhook (SPOC, unit admin)
// @Description An https URL; the answer carries the secret (whsec_…) to verify the signatures with, this
// @Description once. Deliveries retry on the Standard Webhooks schedule; 410 Gone stops them. Addresses in
// @Description loopback, private or link-local networks are refused when dialled.
// @ID       addWebhook
// @Tags     notices
// @Accept   json
// @Produce  json,application/problem+json
// @Param    tenant          path   string              true "The tenant: municipality:CODE (e.g. municipality:101) or unit:SLUG (e.g. unit:midt)"
// @Param    Idempotency-Key header string              true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   delivery.NewWebhook true "The endpoint"
// @Success  201 {object} delivery.EndpointWithSecret
// @Failure  400 {object} Problem "The URL is not https, carries credentials, or is registered already."
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/webhooks [post]
func (s *Server) addWebhook(c *gin.Context) {
	creates(s, c, func(in delivery.NewWebhook) (delivery.EndpointWithSecret, int, error) {
		w, err := s.Deliveries.AddWebhook(ctx(c), tenantOf(c), in)
		return w, w.Version, err
	})
}

// rotateWebhook godoc
// @Summary  Give a webhook a new secret (SPOC, unit admin)
// @Description The new secret is in the answer, this once; the previous one keeps signing for 24 hours beside
// @Description it (two signatures in webhook-signature), so the receiver can switch without losing a message.
// @ID       rotateWebhook
// @Tags     notices
// @Produce  json,application/problem+json
// @Param    tenant   path   string true "The tenant: municipality:CODE (e.g. municipality:101) or unit:SLUG (e.g. unit:midt)"
// @Param    id       path   string true "Webhook id" format(uuid)
// @Param    If-Match header string true "The webhook's ETag"
// @Success  200 {object} delivery.EndpointWithSecret
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/webhooks/{id}/rotate [post]
func (s *Server) rotateWebhook(c *gin.Context) {
	id, err := idParam(c, "id", "webhook")
	var version int
	if err == nil {
		version, err = ifMatch(c)
	}
	var w delivery.EndpointWithSecret
	if err == nil {
		w, err = s.Deliveries.RotateWebhook(ctx(c), tenantOf(c), id, version)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, w.Version, w)
}

// deleteWebhook godoc
// @Summary  Remove a webhook (SPOC, unit admin)
// @ID       deleteWebhook
// @Tags     notices
// @Produce  application/problem+json
// @Param    tenant   path   string true "The tenant: municipality:CODE (e.g. municipality:101) or unit:SLUG (e.g. unit:midt)"
// @Param    id       path   string true "Webhook id" format(uuid)
// @Param    If-Match header string true "The webhook's ETag"
// @Success  204
// @Security BearerAuth
// @Router   /api/v1/tenants/{tenant}/webhooks/{id} [delete]
func (s *Server) deleteWebhook(c *gin.Context) {
	removed(s, c, "webhook", func(id string, version int) error {
		return s.Deliveries.RemoveWebhook(ctx(c), tenantOf(c), id, version)
	})
}

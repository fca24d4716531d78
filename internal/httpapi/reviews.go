package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// QueueItem is one thing waiting for the council, with where to read it and decide on it: in
// the API, and as the decision's operation in Swagger UI.
type QueueItem struct {
	review.Item
	Read      string `json:"read" example:"/api/v1/offerings/f860a1c2-3b4d-4e5f-8a9b-0c1d2e3f4e52"`
	Decide    string `json:"decide" example:"/api/v1/offerings/f860a1c2-3b4d-4e5f-8a9b-0c1d2e3f4e52/decision"`
	SwaggerUI string `json:"swagger_ui" example:"/swagger/index.html#/review/decideOffering"`
}

// reviewPaths are where each kind of item is read and decided, and its decision's operation.
var reviewPaths = map[string]struct{ read, operation string }{
	review.KindOfferingVersion: {V1 + "/offerings/", "decideOffering"},
	review.KindProposal:        {V1 + "/catalog/proposals/", "decideProposal"},
	review.KindWaiver:          {V1 + "/waivers/", "decideWaiver"},
}

// reviewQueue godoc
// @Summary  The queue: everything waiting for the council's decision (council)
// @Description Submitted offering versions, catalogue proposals and waiver requests, oldest first, with
// @Description who submitted them and how long ago. Each item's id is what its decision takes; swagger_ui
// @Description opens the decision here.
// @ID       reviewQueue
// @Tags     review
// @Produce  json,application/problem+json
// @Success  200 {object} List[QueueItem]
// @Security BearerAuth
// @x-order  1
// @Router   /api/v1/reviews [get]
func (s *Server) reviewQueue(c *gin.Context) {
	items, err := s.Reviews.Queue(ctx(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, page.Map(page.Page[review.Item]{Items: items}, func(it review.Item) QueueItem {
		p := reviewPaths[it.Kind]
		return QueueItem{Item: it, Read: p.read + it.ID, Decide: p.read + it.ID + "/decision",
			SwaggerUI: "/swagger/index.html#/review/" + p.operation}
	}))
}

// decided runs a council decision on the subject named by the id path parameter.
func decided[Out any](s *Server, c *gin.Context, what string, decide func(id string, in review.Input) (Out, int, error)) {
	id, err := idParam(c, "id", what)
	var in review.Input
	if err == nil {
		err = bind(c, &in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	out, version, err := decide(id, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, version, out)
}

package httpapi

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/apperr"
	"github.com/servicekatalog/servicekatalog/internal/catalog"
	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/review"
)

// catalogList answers a page of current entries of one kind.
func catalogList[T any](s *Server, c *gin.Context, kind string) {
	listed(s, c, func(p page.Request) (page.Page[T], error) { return catalog.List[T](ctx(c), s.Catalog, kind, p) })
}

// catalogGet answers one current entry of one kind.
func catalogGet[T any](s *Server, c *gin.Context, kind string) {
	v, err := catalog.Get[T](ctx(c), s.Catalog, kind, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, v)
}

// listFamilies godoc
// @Summary  List service families
// @ID       listFamilies
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[catalog.Family]
// @Security BearerAuth
// @Router   /api/v1/catalog/families [get]
func (s *Server) listFamilies(c *gin.Context) { catalogList[catalog.Family](s, c, catalog.KindFamily) }

// listLevels godoc
// @Summary  List service levels
// @Description The common levels (basis, standard, plus): support hours, availability, P1-P4
// @Description response and restore targets with their clocks, backup, RPO/RTO, maintenance, credits.
// @ID       listLevels
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[catalog.Level]
// @Security BearerAuth
// @Router   /api/v1/catalog/levels [get]
func (s *Server) listLevels(c *gin.Context) { catalogList[catalog.Level](s, c, catalog.KindLevel) }

// getLevel godoc
// @Summary  Get a service level
// @ID       getLevel
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    id path string true "Level id" extensions(x-example=standard)
// @Success  200 {object} catalog.Level
// @Security BearerAuth
// @Router   /api/v1/catalog/levels/{id} [get]
func (s *Server) getLevel(c *gin.Context) { catalogGet[catalog.Level](s, c, catalog.KindLevel) }

// listCalendars godoc
// @Summary  List holiday calendars
// @ID       listCalendars
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[catalog.Calendar]
// @Security BearerAuth
// @Router   /api/v1/catalog/calendars [get]
func (s *Server) listCalendars(c *gin.Context) {
	catalogList[catalog.Calendar](s, c, catalog.KindCalendar)
}

// getCalendar godoc
// @Summary  Get a holiday calendar
// @ID       getCalendar
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    id path string true "Calendar id" extensions(x-example=dk-public)
// @Success  200 {object} catalog.Calendar
// @Security BearerAuth
// @Router   /api/v1/catalog/calendars/{id} [get]
func (s *Server) getCalendar(c *gin.Context) {
	catalogGet[catalog.Calendar](s, c, catalog.KindCalendar)
}

// listVocabularies godoc
// @Summary  List vocabularies
// @Description Notice tags, priorities, clock profiles, control sets (ISO 27001, NIS2, GDPR, STM-2024),
// @Description and the example municipal domains and IT systems.
// @ID       listVocabularies
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[catalog.Vocabulary]
// @Security BearerAuth
// @Router   /api/v1/catalog/vocabularies [get]
func (s *Server) listVocabularies(c *gin.Context) {
	catalogList[catalog.Vocabulary](s, c, catalog.KindVocabulary)
}

// getVocabulary godoc
// @Summary  Get a vocabulary
// @ID       getVocabulary
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    id path string true "Vocabulary id" extensions(x-example=notice-tags)
// @Success  200 {object} catalog.Vocabulary
// @Security BearerAuth
// @Router   /api/v1/catalog/vocabularies/{id} [get]
func (s *Server) getVocabulary(c *gin.Context) {
	catalogGet[catalog.Vocabulary](s, c, catalog.KindVocabulary)
}

// listServices godoc
// @Summary  List standard services
// @ID       listStandardServices
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    family          query string false "Family id"
// @Param    level           query string false "Only services offerable at this level"
// @Param    mandatory       query bool   false "Only mandatory (true) or optional (false) services"
// @Param    q               query string false "Part of the Danish or English name"
// @Param    include_retired query bool   false "Also services retired from the catalogue"
// @Param    limit           query int    false "Page size, 1-200" default(50)
// @Param    cursor          query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[catalog.ServiceEntry]
// @Security BearerAuth
// @Router   /api/v1/catalog/services [get]
func (s *Server) listServices(c *gin.Context) {
	f := catalog.ServiceFilter{Family: c.Query("family"), Level: c.Query("level"), Query: c.Query("q")}
	var err error
	if f.Mandatory, err = optionalBool(c, "mandatory"); err == nil {
		var retired *bool
		retired, err = optionalBool(c, "include_retired")
		f.IncludeRetired = retired != nil && *retired
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	listed(s, c, func(p page.Request) (page.Page[catalog.ServiceEntry], error) {
		return s.Catalog.ListServices(ctx(c), f, p)
	})
}

func optionalBool(c *gin.Context, name string) (*bool, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, apperr.Param(name, "must be true or false")
	}
	return &b, nil
}

// getService godoc
// @Summary  Get a standard service
// @ID       getStandardService
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    id path string true "Standard service id" extensions(x-example=CMP-01)
// @Success  200 {object} catalog.ServiceEntry
// @Security BearerAuth
// @Router   /api/v1/catalog/services/{id} [get]
func (s *Server) getService(c *gin.Context) {
	e, err := s.Catalog.GetService(ctx(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, e)
}

// listProposals godoc
// @Summary  List catalogue proposals
// @Description The council sees every proposal; a unit sees its own.
// @ID       listProposals
// @Tags     catalogue
// @Produce  json,application/problem+json
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[catalog.Proposal]
// @Security BearerAuth
// @Router   /api/v1/catalog/proposals [get]
func (s *Server) listProposals(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[catalog.Proposal], error) { return s.Catalog.ListProposals(ctx(c), p) })
}

// createProposal godoc
// @Summary  Propose a new or changed standard service (unit admin, council)
// @Description The service is checked against the published schema (catalog/schema/service.schema.json)
// @Description and the current catalogue; every problem is listed with a pointer into the body.
// @ID       createProposal
// @Tags     catalogue
// @Accept   json
// @Produce  json,application/problem+json
// @Param    Idempotency-Key header string true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body body catalog.NewProposal true "The proposal"
// @Success  201 {object} catalog.Proposal
// @Failure  400 {object} Problem "The proposed service breaks the catalogue's schema or rules (a level that does not exist, a dependency on an unknown service, a new id that is taken); errors names each."
// @Security BearerAuth
// @Router   /api/v1/catalog/proposals [post]
func (s *Server) createProposal(c *gin.Context) {
	creates(s, c, func(in catalog.NewProposal) (catalog.Proposal, int, error) {
		p, err := s.Catalog.Propose(ctx(c), in)
		return p, p.Version, err
	})
}

// getProposal godoc
// @Summary  Read a catalogue proposal (its proposer and the council)
// @ID       getProposal
// @Tags     catalogue,review
// @Produce  json,application/problem+json
// @Param    id path string true "Proposal id" format(uuid)
// @Success  200 {object} catalog.Proposal
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @x-order  4
// @Router   /api/v1/catalog/proposals/{id} [get]
func (s *Server) getProposal(c *gin.Context) {
	id, err := idParam(c, "id", "proposal")
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.Catalog.GetProposal(ctx(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, p.Version, p)
}

// exportProposal godoc
// @Summary  Export an accepted proposal as YAML
// @Description The file to commit as catalog/services/<id>.yaml; the next sync loads it.
// @ID       exportProposal
// @Tags     catalogue
// @Produce  application/yaml
// @Produce  application/problem+json
// @Param    id path string true "Proposal id" format(uuid)
// @Success  200 {string} string "services/<id>.yaml"
// @Failure  409 {object} Problem "Only an accepted proposal can be exported."
// @Security BearerAuth
// @Router   /api/v1/catalog/proposals/{id}/yaml [get]
func (s *Server) exportProposal(c *gin.Context) {
	id, err := idParam(c, "id", "proposal")
	if err != nil {
		s.fail(c, err)
		return
	}
	name, body, err := s.Catalog.ExportYAML(ctx(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(200, "application/yaml; charset=utf-8", body)
}

// decideProposal godoc
// @Summary  Accept or reject a catalogue proposal (council)
// @ID       decideProposal
// @Tags     review
// @Accept   json
// @Produce  json,application/problem+json
// @Param    id   path string       true "Proposal id" format(uuid)
// @Param    body body review.Input true "approved or rejected, with the reason"
// @Success  200 {object} catalog.Proposal
// @Failure  409 {object} Problem "The proposal is decided already."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @x-order  5
// @Router   /api/v1/catalog/proposals/{id}/decision [post]
func (s *Server) decideProposal(c *gin.Context) {
	decided(s, c, "proposal", func(id string, in review.Input) (catalog.Proposal, int, error) {
		p, err := s.Catalog.DecideProposal(ctx(c), id, in)
		return p, p.Version, err
	})
}

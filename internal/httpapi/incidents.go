package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/incident"
	"github.com/servicekatalog/servicekatalog/internal/page"
)

// recordIncident godoc
// @Summary  Record a security incident (unit admin, second line): its NIS2 deadlines, and the affected told at once
// @Description The clocks of the Danish NIS2 act run from aware_at in calendar time, never paused: for a significant
// @Description incident the early warning is due 24 hours later, the notification 72 hours later, the final report a
// @Description month after the notification (or a progress report then, if it is still ongoing, and the final report a
// @Description month after it is handled). Every municipality holding a named offering or subscription, and every one
// @Description named, gets a high-priority SIKKERHED notice from the unit to acknowledge; where personal data is
// @Description involved it says so, and the municipality's own 72-hour clock as controller (GDPR Art. 33) starts.
// @ID       recordIncident
// @Tags     security
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string               true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    Idempotency-Key header string               true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   incident.NewIncident true "The incident"
// @Success  201 {object} incident.Incident
// @Header   201 {string} ETag "The version, for If-Match"
// @Failure  400 {object} Problem "aware_at in the future, or an offering, subscription or municipality not the unit's."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/incidents [post]
func (s *Server) recordIncident(c *gin.Context) {
	creates(s, c, func(in incident.NewIncident) (incident.Incident, int, error) {
		i, err := s.Incidents.Record(ctx(c), c.Param("unit"), in)
		return i, i.Version, err
	})
}

// listIncidents godoc
// @Summary  The unit's security incidents with their deadlines, oldest first
// @ID       listIncidents
// @Tags     security
// @Produce  json,application/problem+json
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[incident.Incident]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/incidents [get]
func (s *Server) listIncidents(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[incident.Incident], error) {
		return s.Incidents.List(ctx(c), c.Param("unit"), p)
	})
}

// getIncident godoc
// @Summary  One of the unit's security incidents: its deadlines as they stand and the reports submitted
// @ID       getIncident
// @Tags     security
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Incident id" format(uuid)
// @Success  200 {object} incident.Incident
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/incidents/{id} [get]
func (s *Server) getIncident(c *gin.Context) {
	id, err := idParam(c, "id", "incident")
	var i incident.Incident
	if err == nil {
		i, err = s.Incidents.Get(ctx(c), c.Param("unit"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, i.Version, i)
}

// updateIncident godoc
// @Summary  Change what the unit knows of an incident: severity, significance, personal data, when it was handled
// @Description When personal data turns out to be involved, the affected municipalities are told at once in the
// @Description notice's thread (high priority), and their 72-hour clock as controllers starts then.
// @ID       updateIncident
// @Tags     security
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit     path   string          true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id       path   string          true "Incident id" format(uuid)
// @Param    If-Match header string          true "The incident's ETag"
// @Param    body     body   incident.Change true "What changes"
// @Success  200 {object} incident.Incident
// @Header   200 {string} ETag "The version, for If-Match"
// @Failure  400 {object} Problem "handled_at before aware_at or in the future."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/incidents/{id} [patch]
func (s *Server) updateIncident(c *gin.Context) {
	changed(s, c, func(version int, in incident.Change) (incident.Incident, int, error) {
		id, err := idParam(c, "id", "incident")
		if err != nil {
			return incident.Incident{}, 0, err
		}
		i, err := s.Incidents.Update(ctx(c), c.Param("unit"), id, version, in)
		return i, i.Version, err
	})
}

// reportIncident godoc
// @Summary  Record a report submitted to the CSIRT: early warning, notification, progress or final report
// @Description Its submission time (now, unless submitted_at says otherwise) is kept; a report after its deadline is
// @Description marked late. The final report needs the incident handled.
// @ID       reportIncident
// @Tags     security
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string             true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id              path   string             true "Incident id" format(uuid)
// @Param    Idempotency-Key header string             true "A key of your choice, unique per change (8-255 characters)"
// @Param    body            body   incident.NewReport true "The report"
// @Success  201 {object} incident.Incident
// @Header   201 {string} ETag "The version, for If-Match"
// @Failure  409 {object} Problem "That report is recorded already."
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/incidents/{id}/reports [post]
func (s *Server) reportIncident(c *gin.Context) {
	creates(s, c, func(in incident.NewReport) (incident.Incident, int, error) {
		id, err := idParam(c, "id", "incident")
		if err != nil {
			return incident.Incident{}, 0, err
		}
		i, err := s.Incidents.AddReport(ctx(c), c.Param("unit"), id, in)
		return i, i.Version, err
	})
}

// listOverdueIncidents godoc
// @Summary  Every incident with a NIS2 report due and not submitted (council, secretariat, auditor)
// @ID       listOverdueIncidents
// @Tags     security
// @Produce  json,application/problem+json
// @Success  200 {array} incident.Incident
// @Security BearerAuth
// @Router   /api/v1/incidents/overdue [get]
func (s *Server) listOverdueIncidents(c *gin.Context) {
	is, err := s.Incidents.Overdue(ctx(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, is)
}

// listAffectingIncidents godoc
// @Summary  The security incidents that affect the municipality, with its own clock where personal data is involved
// @ID       listAffectingIncidents
// @Tags     security
// @Produce  json,application/problem+json
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    limit  query int    false "Page size, 1-200" default(50)
// @Param    cursor query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[incident.Affecting]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/incidents [get]
func (s *Server) listAffectingIncidents(c *gin.Context) {
	listed(s, c, func(p page.Request) (page.Page[incident.Affecting], error) {
		return s.Incidents.Affecting(ctx(c), c.Param("code"), p)
	})
}

// getAffectingIncident godoc
// @Summary  One security incident that affects the municipality
// @ID       getAffectingIncident
// @Tags     security
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Incident id" format(uuid)
// @Success  200 {object} incident.Affecting
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/incidents/{id} [get]
func (s *Server) getAffectingIncident(c *gin.Context) {
	id, err := idParam(c, "id", "incident")
	var a incident.Affecting
	if err == nil {
		a, err = s.Incidents.AffectingOne(ctx(c), c.Param("code"), id)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, a)
}

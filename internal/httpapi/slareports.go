package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/slareport"
)

// fleetReport godoc
// @Summary  The fleet's service levels (council): every unit and municipality, month by month
// @Description Availability and credits summed per unit and per municipality and month from the kept
// @Description subscription-months: how many met their level (compliance), the SLI of all of them together, the
// @Description downtime, the outages and the credits; and the ticket SLA performance per unit, level, priority and
// @Description month. format=csv gives the summaries, format=xlsx every sheet.
// @ID       fleetSLAReport
// @Tags     service levels
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    from   query string false "The first month, e.g. 2026-01; eleven months before to when absent"
// @Param    to     query string false "The last month, e.g. 2026-12; this month when absent (at most 24 months)"
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} slareport.Report
// @Security BearerAuth
// @Router   /api/v1/sla-report [get]
func (s *Server) fleetReport(c *gin.Context) {
	s.slaReport(c, func(from, to string) (slareport.Report, error) { return s.Reports.Fleet(ctx(c), from, to) })
}

// serviceReport godoc
// @Summary  A standard service's service levels across the units that offer it (council)
// @Description Summed per unit and month, with the subscription-months that were not met or warned.
// @ID       serviceSLAReport
// @Tags     service levels
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    id     path  string true  "Standard service id, e.g. CMP-01"
// @Param    from   query string false "The first month, e.g. 2026-01; eleven months before to when absent"
// @Param    to     query string false "The last month, e.g. 2026-12; this month when absent (at most 24 months)"
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} slareport.Report
// @Security BearerAuth
// @Router   /api/v1/catalog/services/{id}/sla-report [get]
func (s *Server) serviceReport(c *gin.Context) {
	s.slaReport(c, func(from, to string) (slareport.Report, error) {
		return s.Reports.StandardService(ctx(c), c.Param("id"), from, to)
	})
}

// unitReport godoc
// @Summary  The unit's service levels: its standard services month by month, what it missed, its tickets
// @Description Summed per standard service and month, the subscription-months that were not met or warned, and
// @Description the ticket SLA performance per level, priority and month.
// @ID       unitSLAReport
// @Tags     service levels
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    unit   path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    from   query string false "The first month, e.g. 2026-01; eleven months before to when absent"
// @Param    to     query string false "The last month, e.g. 2026-12; this month when absent (at most 24 months)"
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} slareport.Report
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/sla-report [get]
func (s *Server) unitReport(c *gin.Context) {
	s.slaReport(c, func(from, to string) (slareport.Report, error) {
		return s.Reports.Unit(ctx(c), c.Param("unit"), from, to)
	})
}

// municipalityReport godoc
// @Summary  The municipality's service levels: every subscription month by month, and its tickets
// @Description Each subscription's months (availability, breaches, credit), summed per standard service, and the
// @Description ticket SLA performance of the tickets it escalated. format=csv gives the months.
// @ID       municipalitySLAReport
// @Tags     service levels
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    from   query string false "The first month, e.g. 2026-01; eleven months before to when absent"
// @Param    to     query string false "The last month, e.g. 2026-12; this month when absent (at most 24 months)"
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} slareport.Report
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/sla-report [get]
func (s *Server) municipalityReport(c *gin.Context) {
	s.slaReport(c, func(from, to string) (slareport.Report, error) {
		return s.Reports.Municipality(ctx(c), c.Param("code"), from, to)
	})
}

// subscriptionReport godoc
// @Summary  One subscription's service levels, month by month
// @ID       subscriptionSLAReport
// @Tags     service levels
// @Produce  json,application/problem+json
// @Produce  text/csv
// @Produce  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
// @Param    code   path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id     path  string true  "Subscription id" format(uuid)
// @Param    from   query string false "The first month, e.g. 2026-01; eleven months before to when absent"
// @Param    to     query string false "The last month, e.g. 2026-12; this month when absent (at most 24 months)"
// @Param    format query string false "csv or xlsx" Enums(csv,xlsx)
// @Success  200 {object} slareport.Report
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/subscriptions/{id}/sla-report [get]
func (s *Server) subscriptionReport(c *gin.Context) {
	id, err := idParam(c, "id", "subscription")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.slaReport(c, func(from, to string) (slareport.Report, error) {
		return s.Reports.Subscription(ctx(c), c.Param("code"), "", id, from, to)
	})
}

// slaReport answers the report build makes of the months in the query, in its format.
func (s *Server) slaReport(c *gin.Context, build func(from, to string) (slareport.Report, error)) {
	format, err := exportFormat(c)
	var rep slareport.Report
	if err == nil {
		rep, err = build(c.Query("from"), c.Query("to"))
	}
	s.exported(c, format, rep, err)
}

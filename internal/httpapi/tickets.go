package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/page"
	"github.com/servicekatalog/servicekatalog/internal/ticket"
)

func municipalTickets(c *gin.Context) ticket.Scope {
	return ticket.Scope{Municipality: c.Param("code")}
}

func unitTickets(c *gin.Context) ticket.Scope { return ticket.Scope{Unit: c.Param("unit")} }

// TicketView is a ticket with the history the caller may see.
type TicketView struct {
	ticket.Ticket
	History []ticket.Event `json:"history"`
}

func (s *Server) listTickets(c *gin.Context, sc ticket.Scope) {
	f := ticket.Filter{State: ticket.State(c.Query("state")), Priority: ticket.Priority(c.Query("priority"))}
	var err error
	var active *bool
	if active, err = optionalBool(c, "active"); err != nil {
		s.fail(c, err)
		return
	}
	f.Active = active != nil && *active
	listed(s, c, func(p page.Request) (page.Page[ticket.Ticket], error) { return s.Tickets.List(ctx(c), sc, f, p) })
}

func (s *Server) getTicket(c *gin.Context, sc ticket.Scope) {
	id, err := idParam(c, "id", "ticket")
	if err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.Tickets.Get(ctx(c), sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.Tickets.History(ctx(c), sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, t.Version, TicketView{Ticket: t, History: h})
}

func (s *Server) ticketTransition(c *gin.Context, sc ticket.Scope, name ticket.Action) {
	id, err := idParam(c, "id", "ticket")
	var in ticket.TransitionInput
	if err == nil && c.Request.ContentLength != 0 {
		err = bind(c, &in)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.Tickets.Transition(ctx(c), sc, id, name, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	versioned(c, 200, t.Version, t)
}

func (s *Server) ticketNotes(c *gin.Context, sc ticket.Scope) {
	id, err := idParam(c, "id", "ticket")
	if err != nil {
		s.fail(c, err)
		return
	}
	notes, err := s.Tickets.Notes(ctx(c), sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, page.Page[ticket.Note]{Items: notes})
}

func (s *Server) addTicketNote(c *gin.Context, sc ticket.Scope) {
	id, err := idParam(c, "id", "ticket")
	if err != nil {
		s.fail(c, err)
		return
	}
	creates(s, c, func(in ticket.NewNote) (ticket.Note, int, error) {
		n, err := s.Tickets.AddNote(ctx(c), sc, id, in)
		return n, 1, err
	})
}

func (s *Server) ticketSLA(c *gin.Context, sc ticket.Scope) {
	id, err := idParam(c, "id", "ticket")
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.Tickets.SLA(ctx(c), sc, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(200, v)
}

// listMunicipalTickets godoc
// @Summary  First line's queue: the municipality's tickets
// @ID       listMunicipalTickets
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    code     path  string true  "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    state    query string false "Only tickets in this state" Enums(open,escalated,acknowledged,pending_customer,resolved,closed)
// @Param    priority query string false "Only tickets of this priority" Enums(P1,P2,P3,P4)
// @Param    active   query bool   false "Only tickets not resolved or closed"
// @Param    limit    query int    false "Page size, 1-200" default(50)
// @Param    cursor   query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[ticket.Ticket]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets [get]
func (s *Server) listMunicipalTickets(c *gin.Context) { s.listTickets(c, municipalTickets(c)) }

// createTicket godoc
// @Summary  Open a ticket (first line)
// @ID       createTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string           true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    Idempotency-Key header string           true "Unique key; a retry with the same key and body returns the first answer"
// @Param    body            body   ticket.NewTicket true "The ticket"
// @Success  201 {object} ticket.Ticket
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets [post]
func (s *Server) createTicket(c *gin.Context) {
	creates(s, c, func(in ticket.NewTicket) (ticket.Ticket, int, error) {
		t, err := s.Tickets.Create(ctx(c), c.Param("code"), in)
		return t, t.Version, err
	})
}

// getMunicipalTicket godoc
// @Summary  Get a ticket of the municipality with its history
// @ID       getMunicipalTicket
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Ticket id" format(uuid)
// @Success  200 {object} TicketView
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id} [get]
func (s *Server) getMunicipalTicket(c *gin.Context) { s.getTicket(c, municipalTickets(c)) }

// triageTicket godoc
// @Summary  Triage an open ticket (first line)
// @ID       triageTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code     path   string        true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id       path   string        true "Ticket id" format(uuid)
// @Param    If-Match header string        true "ETag of the ticket read"
// @Param    body     body   ticket.Triage true "What to change"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "Only an open ticket can be triaged."
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id} [patch]
func (s *Server) triageTicket(c *gin.Context) {
	id, err := idParam(c, "id", "ticket")
	if err != nil {
		s.fail(c, err)
		return
	}
	changed(s, c, func(version int, in ticket.Triage) (ticket.Ticket, int, error) {
		t, err := s.Tickets.Triage(ctx(c), c.Param("code"), id, version, in)
		return t, t.Version, err
	})
}

// escalateTicket godoc
// @Summary  Escalate to the unit delivering the subscription (first line)
// @Description Starts the SLA clocks of the subscription's level for the ticket's priority.
// @ID       escalateTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code path string                 true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string                 true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput true "Why (required)"
// @Success  200 {object} ticket.Ticket
// @Failure  400 {object} Problem "A reason is required, and the ticket must name a subscription (which gives the unit and the level)."
// @Failure  409 {object} Problem "Only an open ticket can be escalated."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/escalate [post]
func (s *Server) escalateTicket(c *gin.Context) {
	s.ticketTransition(c, municipalTickets(c), ticket.Escalate)
}

// resolveHere godoc
// @Summary  Resolve at first line
// @ID       resolveTicketAtFirstLine
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "Only an open ticket can be resolved by the first line."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/resolve [post]
func (s *Server) resolveHere(c *gin.Context) {
	s.ticketTransition(c, municipalTickets(c), ticket.ResolveHere)
}

// provideInfo godoc
// @Summary  Answer the unit's question (first line); the clocks run again
// @ID       provideTicketInfo
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "The ticket is not waiting for information from the municipality."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/provide-info [post]
func (s *Server) provideInfo(c *gin.Context) {
	s.ticketTransition(c, municipalTickets(c), ticket.ProvideInfo)
}

// closeTicket godoc
// @Summary  Confirm the resolution and close (first line)
// @ID       closeTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "Only a resolved ticket can be closed."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/close [post]
func (s *Server) closeTicket(c *gin.Context) {
	s.ticketTransition(c, municipalTickets(c), ticket.Close)
}

// reopenTicket godoc
// @Summary  Reopen a resolved ticket within the reopen period (first line)
// @ID       reopenTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code path string                 true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string                 true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput true "Why (required)"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "The ticket is not resolved, or the reopening period after its resolution is over."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/reopen [post]
func (s *Server) reopenTicket(c *gin.Context) {
	s.ticketTransition(c, municipalTickets(c), ticket.Reopen)
}

// listMunicipalNotes godoc
// @Summary  The notes of a ticket the municipality may read
// @Description Public notes and the municipality's own internal notes.
// @ID       listMunicipalTicketNotes
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Ticket id" format(uuid)
// @Success  200 {object} List[ticket.Note]
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/notes [get]
func (s *Server) listMunicipalNotes(c *gin.Context) { s.ticketNotes(c, municipalTickets(c)) }

// addMunicipalNote godoc
// @Summary  Add a public or internal note (first line)
// @ID       addMunicipalTicketNote
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    code            path   string         true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id              path   string         true "Ticket id" format(uuid)
// @Param    Idempotency-Key header string         true "Unique key; a retry returns the first answer"
// @Param    body            body   ticket.NewNote true "The note"
// @Success  201 {object} ticket.Note
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/notes [post]
func (s *Server) addMunicipalNote(c *gin.Context) { s.addTicketNote(c, municipalTickets(c)) }

// municipalTicketSLA godoc
// @Summary  Explain a ticket's SLA clocks
// @Description For response and restore: target and clock, start, pauses, calendar and support hours
// @Description applied day by day, deadline, elapsed time, percentage used and state (ok, warning, breached).
// @ID       municipalTicketSLA
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    code path string true "Your municipality's official code, e.g. 101 (København) or 751 (Aarhus)"
// @Param    id   path string true "Ticket id" format(uuid)
// @Success  200 {object} ticket.SLA
// @Security BearerAuth
// @Router   /api/v1/municipalities/{code}/tickets/{id}/sla [get]
func (s *Server) municipalTicketSLA(c *gin.Context) { s.ticketSLA(c, municipalTickets(c)) }

// listUnitTickets godoc
// @Summary  Second line's queue: tickets escalated to the unit, soonest deadline first
// @ID       listUnitTickets
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    unit     path  string true  "Your unit's slug, e.g. midt or hovedstaden"
// @Param    state    query string false "Only tickets in this state (open: handed back)" Enums(open,escalated,acknowledged,pending_customer,resolved,closed)
// @Param    priority query string false "Only tickets of this priority" Enums(P1,P2,P3,P4)
// @Param    active   query bool   false "Only tickets not resolved or closed"
// @Param    limit    query int    false "Page size, 1-200" default(50)
// @Param    cursor   query string false "Cursor from the previous page's next link"
// @Success  200 {object} List[ticket.Ticket]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets [get]
func (s *Server) listUnitTickets(c *gin.Context) { s.listTickets(c, unitTickets(c)) }

// getUnitTicket godoc
// @Summary  Get a ticket escalated to the unit, with its history from escalation
// @ID       getUnitTicket
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Ticket id" format(uuid)
// @Success  200 {object} TicketView
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id} [get]
func (s *Server) getUnitTicket(c *gin.Context) { s.getTicket(c, unitTickets(c)) }

// acknowledgeTicket godoc
// @Summary  Acknowledge an escalated ticket (second line); stops the response clock
// @ID       acknowledgeTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "Only an escalated ticket can be acknowledged."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id}/acknowledge [post]
func (s *Server) acknowledgeTicket(c *gin.Context) {
	s.ticketTransition(c, unitTickets(c), ticket.Acknowledge)
}

// requestInfo godoc
// @Summary  Ask the municipality for information (second line); the clocks pause
// @ID       requestTicketInfo
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string                 true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string                 true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput true "The question (required)"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "Only an acknowledged ticket can wait for information."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id}/request-info [post]
func (s *Server) requestInfo(c *gin.Context) {
	s.ticketTransition(c, unitTickets(c), ticket.RequestInfo)
}

// resolveTicket godoc
// @Summary  Resolve (second line); stops the restore clock
// @ID       resolveTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput false "Optional: a note kept in the history"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "Only an acknowledged ticket can be resolved by the unit."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id}/resolve [post]
func (s *Server) resolveTicket(c *gin.Context) { s.ticketTransition(c, unitTickets(c), ticket.Resolve) }

// handBack godoc
// @Summary  Hand the ticket back to first line with a reason (second line)
// @ID       handBackTicket
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit path string                 true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string                 true "Ticket id" format(uuid)
// @Param    body body ticket.TransitionInput true "Why (required)"
// @Success  200 {object} ticket.Ticket
// @Failure  409 {object} Problem "The ticket is not with the unit."
// @Header   200 {string} ETag "The version, for If-Match"
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id}/hand-back [post]
func (s *Server) handBack(c *gin.Context) { s.ticketTransition(c, unitTickets(c), ticket.HandBack) }

// listUnitNotes godoc
// @Summary  The notes of a ticket the unit may read
// @Description Public notes from the escalation on, and the unit's own internal notes.
// @ID       listUnitTicketNotes
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Ticket id" format(uuid)
// @Success  200 {object} List[ticket.Note]
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id}/notes [get]
func (s *Server) listUnitNotes(c *gin.Context) { s.ticketNotes(c, unitTickets(c)) }

// addUnitNote godoc
// @Summary  Add a public or internal note (second line)
// @ID       addUnitTicketNote
// @Tags     tickets
// @Accept   json
// @Produce  json,application/problem+json
// @Param    unit            path   string         true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id              path   string         true "Ticket id" format(uuid)
// @Param    Idempotency-Key header string         true "Unique key; a retry returns the first answer"
// @Param    body            body   ticket.NewNote true "The note"
// @Success  201 {object} ticket.Note
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id}/notes [post]
func (s *Server) addUnitNote(c *gin.Context) { s.addTicketNote(c, unitTickets(c)) }

// unitTicketSLA godoc
// @Summary  Explain a ticket's SLA clocks (unit)
// @ID       unitTicketSLA
// @Tags     tickets
// @Produce  json,application/problem+json
// @Param    unit path string true "Your unit's slug, e.g. midt or hovedstaden"
// @Param    id   path string true "Ticket id" format(uuid)
// @Success  200 {object} ticket.SLA
// @Security BearerAuth
// @Router   /api/v1/units/{unit}/tickets/{id}/sla [get]
func (s *Server) unitTicketSLA(c *gin.Context) { s.ticketSLA(c, unitTickets(c)) }

package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/servicekatalog/servicekatalog/internal/identity"
	"github.com/servicekatalog/servicekatalog/internal/mailbox"
	"github.com/servicekatalog/servicekatalog/internal/notice"
)

// V1 is the prefix of the versioned API.
const V1 = "/api/v1"

// register declares every route with the casbin rule it needs. policies/routes.csv holds the
// expected role × route matrix that the route tests check this table against.
func (s *Server) register() {
	s.public(http.MethodGet, "/livez", s.livez)
	s.public(http.MethodGet, "/readyz", s.readyz)
	s.public(http.MethodGet, "/metrics", s.metrics.handler)
	s.public(http.MethodGet, "/", s.landing)
	s.public(http.MethodGet, "/openapi.json", s.openAPI)
	s.public(http.MethodGet, "/swagger/*any", s.swaggerUI)
	// The pages a link in a mail opens: the link's token is the credential.
	s.public(http.MethodGet, mailbox.ConfirmPath, s.confirmationPage)
	s.public(http.MethodPost, mailbox.ConfirmPath, s.confirmMailbox)
	s.public(http.MethodGet, notice.AckPath, s.ackPage)
	s.public(http.MethodPost, notice.AckPath, s.acknowledgeByLink)
	s.page(http.MethodGet, dashboardPath, can("dashboard", "read"), s.showDashboard)
	s.page(http.MethodGet, dashboardPath+"/adoption", can("dashboard", "read"), s.showAdoption)
	s.public(http.MethodPost, signInPath, s.signIn)
	s.public(http.MethodPost, signOutPath, s.signOut)
	s.public(http.MethodGet, dashboardPath+"/dashboard.css", s.dashboardStylesheet)
	if s.DevIssuer != nil {
		s.public(http.MethodGet, identity.DevIssuerPath+"/.well-known/openid-configuration", s.devDiscovery)
		s.public(http.MethodGet, identity.DevIssuerPath+"/.well-known/jwks.json", s.devJWKS)
	}

	s.protected(http.MethodGet, V1+"/me", can("me", "read"), s.me)

	s.protected(http.MethodGet, V1+"/municipalities", can("municipality", "read"), s.listMunicipalities)
	s.protected(http.MethodGet, V1+"/municipalities/:code", can("municipality", "read"), s.getMunicipality)
	s.protected(http.MethodPatch, V1+"/municipalities/:code", can("municipality", "update"), s.updateMunicipality)

	s.protected(http.MethodGet, V1+"/units", can("unit", "read"), s.listUnits)
	s.protected(http.MethodPost, V1+"/units", can("unit", "create").creating(), s.createUnit)
	s.protected(http.MethodGet, V1+"/units/:unit", can("unit", "read"), s.getUnit)
	s.protected(http.MethodPatch, V1+"/units/:unit", can("unit", "update"), s.updateUnit)

	t := V1 + "/tenants/:tenant"
	s.protected(http.MethodGet, t+"/users", can("user", "read").in("tenant"), s.listUsers)
	s.protected(http.MethodPost, t+"/users", can("user", "create").in("tenant").creating(), s.createUser)
	s.protected(http.MethodGet, t+"/users/:id", can("user", "read").in("tenant"), s.getUser)
	s.protected(http.MethodPatch, t+"/users/:id", can("user", "update").in("tenant"), s.updateUser)

	s.protected(http.MethodGet, t+"/role-assignments", can("role_assignment", "read").in("tenant"), s.listAssignments)
	s.protected(http.MethodPost, t+"/role-assignments", can("role_assignment", "create").in("tenant").creating(), s.createAssignment)
	s.protected(http.MethodDelete, t+"/role-assignments/:id", can("role_assignment", "delete").in("tenant"), s.deleteAssignment)

	s.protected(http.MethodGet, t+"/api-keys", can("api_key", "read").in("tenant"), s.listKeys)
	s.protected(http.MethodPost, t+"/api-keys", can("api_key", "create").in("tenant").creating(), s.createKey)
	s.protected(http.MethodDelete, t+"/api-keys/:id", can("api_key", "revoke").in("tenant"), s.revokeKey)

	s.protected(http.MethodGet, t+"/webhooks", can("webhook", "read").in("tenant"), s.listWebhooks)
	s.protected(http.MethodPost, t+"/webhooks", can("webhook", "manage").in("tenant").creating(), s.addWebhook)
	s.protected(http.MethodPost, t+"/webhooks/:id/rotate", can("webhook", "manage").in("tenant"), s.rotateWebhook)
	s.protected(http.MethodDelete, t+"/webhooks/:id", can("webhook", "manage").in("tenant"), s.deleteWebhook)

	s.protected(http.MethodGet, V1+"/catalog/families", can("catalog", "read"), s.listFamilies)
	s.protected(http.MethodGet, V1+"/catalog/levels", can("catalog", "read"), s.listLevels)
	s.protected(http.MethodGet, V1+"/catalog/levels/:id", can("catalog", "read"), s.getLevel)
	s.protected(http.MethodGet, V1+"/catalog/calendars", can("catalog", "read"), s.listCalendars)
	s.protected(http.MethodGet, V1+"/catalog/calendars/:id", can("catalog", "read"), s.getCalendar)
	s.protected(http.MethodGet, V1+"/catalog/vocabularies", can("catalog", "read"), s.listVocabularies)
	s.protected(http.MethodGet, V1+"/catalog/vocabularies/:id", can("catalog", "read"), s.getVocabulary)
	s.protected(http.MethodGet, V1+"/catalog/services", can("catalog", "read"), s.listServices)
	s.protected(http.MethodGet, V1+"/catalog/services/:id", can("catalog", "read"), s.getService)

	s.protected(http.MethodGet, V1+"/catalog/proposals", can("proposal", "read"), s.listProposals)
	s.protected(http.MethodPost, V1+"/catalog/proposals", can("proposal", "create").creating(), s.createProposal)
	s.protected(http.MethodGet, V1+"/catalog/proposals/:id", can("proposal", "read"), s.getProposal)
	s.protected(http.MethodGet, V1+"/catalog/proposals/:id/yaml", can("proposal", "read"), s.exportProposal)
	s.protected(http.MethodPost, V1+"/catalog/proposals/:id/decision", can("proposal", "decide"), s.decideProposal)

	s.protected(http.MethodGet, V1+"/offerings", can("offering", "read"), s.listOfferings)
	s.protected(http.MethodGet, V1+"/offerings/:id", can("offering", "read"), s.getOffering)
	s.protected(http.MethodPost, V1+"/offerings/:id/decision", can("offering", "decide"), s.decideOffering)

	u := V1 + "/units/:unit"
	s.protected(http.MethodGet, u+"/offerings", can("unit_offering", "read").in("unit"), s.listUnitOfferings)
	s.protected(http.MethodPost, u+"/offerings", can("unit_offering", "create").in("unit").creating(), s.createOffering)
	s.protected(http.MethodGet, u+"/offerings/:id", can("unit_offering", "read").in("unit"), s.getUnitOffering)
	s.protected(http.MethodPatch, u+"/offerings/:id/draft", can("unit_offering", "edit").in("unit"), s.editDraft)
	s.protected(http.MethodPost, u+"/offerings/:id/submit", can("unit_offering", "submit").in("unit"), s.submitOffering)
	s.protected(http.MethodPost, u+"/offerings/:id/versions", can("unit_offering", "create").in("unit").creating(), s.newOfferingVersion)
	s.protected(http.MethodPost, u+"/offerings/:id/retire", can("unit_offering", "retire").in("unit"), s.retireOffering)
	s.protected(http.MethodGet, u+"/waivers", can("waiver", "read").in("unit"), s.listUnitWaivers)
	s.protected(http.MethodPost, u+"/waivers", can("waiver", "create").in("unit").creating(), s.requestWaiver)
	s.protected(http.MethodGet, u+"/conformance", can("conformance", "read").in("unit"), s.unitConformance)

	s.protected(http.MethodGet, u+"/orders", can("order", "handle_read").in("unit"), s.listUnitOrders)
	s.protected(http.MethodGet, u+"/orders/:id", can("order", "handle_read").in("unit"), s.getUnitOrder)
	s.protected(http.MethodPost, u+"/orders/:id/accept", can("order", "handle").in("unit"), s.acceptOrder)
	s.protected(http.MethodPost, u+"/orders/:id/reject", can("order", "handle").in("unit"), s.rejectOrder)
	s.protected(http.MethodPost, u+"/orders/:id/start", can("order", "handle").in("unit"), s.startOrder)
	s.protected(http.MethodPost, u+"/orders/:id/complete", can("order", "handle").in("unit"), s.completeOrder)
	s.protected(http.MethodPost, u+"/orders/:id/fail", can("order", "handle").in("unit"), s.failOrder)
	s.protected(http.MethodGet, u+"/subscriptions", can("subscription", "read").in("unit"), s.listUnitSubscriptions)
	s.protected(http.MethodGet, u+"/subscriptions/:id", can("subscription", "read").in("unit"), s.getUnitSubscription)

	m := V1 + "/municipalities/:code"
	s.protected(http.MethodGet, m+"/activation", can("activation", "read").in("code"), s.getActivation)
	s.protected(http.MethodGet, m+"/notices", can("inbox", "read").in("code"), s.inbox)
	s.protected(http.MethodGet, m+"/notices/:id", can("inbox", "read").in("code"), s.received)
	s.protected(http.MethodPost, m+"/notices/:id/acknowledge", can("inbox", "acknowledge").in("code"), s.acknowledge)
	s.protected(http.MethodGet, m+"/mailbox", can("mailbox", "read").in("code"), s.getMailbox)
	s.protected(http.MethodPut, m+"/mailbox", can("mailbox", "update").in("code"), s.setMailbox)
	s.protected(http.MethodGet, m+"/mailbox/routes", can("mailbox", "read").in("code"), s.listRoutes)
	s.protected(http.MethodPost, m+"/mailbox/routes", can("mailbox", "update").in("code").creating(), s.addRoute)
	s.protected(http.MethodPatch, m+"/mailbox/routes/:id", can("mailbox", "update").in("code"), s.updateRoute)
	s.protected(http.MethodDelete, m+"/mailbox/routes/:id", can("mailbox", "update").in("code"), s.deleteRoute)
	s.protected(http.MethodGet, m+"/mailbox/covers", can("mailbox", "read").in("code"), s.listCovers)
	s.protected(http.MethodPost, m+"/mailbox/covers", can("mailbox", "update").in("code").creating(), s.addCover)
	s.protected(http.MethodDelete, m+"/mailbox/covers/:id", can("mailbox", "update").in("code"), s.deleteCover)
	s.protected(http.MethodPost, m+"/terms-acceptances", can("terms", "accept").in("code").creating(), s.acceptTerms)
	s.protected(http.MethodPost, m+"/risk-assessments", can("activation", "register").in("code").creating(), s.registerROS)
	s.protected(http.MethodGet, m+"/orders", can("order", "read").in("code"), s.listMunicipalityOrders)
	s.protected(http.MethodPost, m+"/orders", can("order", "create").in("code").creating(), s.createOrder)
	s.protected(http.MethodGet, m+"/orders/:id", can("order", "read").in("code"), s.getMunicipalityOrder)
	s.protected(http.MethodPost, m+"/orders/:id/cancel", can("order", "cancel").in("code"), s.cancelOrder)
	s.protected(http.MethodGet, m+"/subscriptions", can("subscription", "read").in("code"), s.listMunicipalitySubscriptions)
	s.protected(http.MethodGet, m+"/subscriptions/:id", can("subscription", "read").in("code"), s.getMunicipalitySubscription)
	s.protected(http.MethodGet, m+"/costs", can("cost", "read").in("code"), s.getCosts)
	s.protected(http.MethodGet, V1+"/subscriptions", can("subscription", "review"), s.listAllSubscriptions)
	s.protected(http.MethodGet, m+"/subscriptions/:id/availability", can("subscription", "read").in("code"), s.getAvailability)
	s.protected(http.MethodGet, u+"/subscriptions/:id/availability", can("subscription", "read").in("unit"), s.getUnitAvailability)
	s.protected(http.MethodPost, u+"/outages", can("outage", "report").in("unit").creating(), s.reportOutage)
	s.protected(http.MethodGet, u+"/outages", can("outage", "read").in("unit"), s.listOutages)
	s.protected(http.MethodGet, u+"/outages/:id", can("outage", "read").in("unit"), s.getOutage)
	s.protected(http.MethodPost, u+"/outages/:id/end", can("outage", "report").in("unit"), s.endOutage)
	s.protected(http.MethodPut, u+"/outages/:id", can("outage", "report").in("unit"), s.correctOutage)
	s.protected(http.MethodGet, u+"/outages/:id/versions", can("outage", "read").in("unit"), s.listOutageVersions)
	s.protected(http.MethodPost, u+"/incidents", can("incident", "record").in("unit").creating(), s.recordIncident)
	s.protected(http.MethodGet, u+"/incidents", can("incident", "read").in("unit"), s.listIncidents)
	s.protected(http.MethodGet, u+"/incidents/:id", can("incident", "read").in("unit"), s.getIncident)
	s.protected(http.MethodPatch, u+"/incidents/:id", can("incident", "record").in("unit"), s.updateIncident)
	s.protected(http.MethodPost, u+"/incidents/:id/reports", can("incident", "record").in("unit").creating(), s.reportIncident)
	s.protected(http.MethodGet, V1+"/incidents/overdue", can("incident", "review"), s.listOverdueIncidents)
	s.protected(http.MethodPost, V1+"/closed-months", can("month", "close").creating(), s.closeMonth)
	s.protected(http.MethodGet, V1+"/closed-months", can("month", "read"), s.listClosedMonths)
	s.protected(http.MethodGet, V1+"/sla-report", can("sla_report", "review"), s.fleetReport)
	s.protected(http.MethodGet, V1+"/catalog/services/:id/sla-report", can("sla_report", "review"), s.serviceReport)
	s.protected(http.MethodGet, u+"/sla-report", can("sla_report", "read").in("unit"), s.unitReport)
	s.protected(http.MethodGet, m+"/sla-report", can("sla_report", "read").in("code"), s.municipalityReport)
	s.protected(http.MethodGet, m+"/subscriptions/:id/sla-report", can("sla_report", "read").in("code"), s.subscriptionReport)

	s.protected(http.MethodPost, u+"/notices", can("unit_notice", "publish").in("unit").creating(), s.publishUnitNotice)
	s.protected(http.MethodGet, u+"/notices", can("unit_notice", "read").in("unit"), s.listUnitNotices)
	s.protected(http.MethodGet, u+"/notices/:id", can("unit_notice", "read").in("unit"), s.getUnitNotice)
	s.protected(http.MethodPost, u+"/notices/:id/follow-ups", can("unit_notice", "publish").in("unit").creating(), s.followUpUnitNotice)
	s.protected(http.MethodGet, u+"/notices/:id/deliveries", can("unit_notice", "read").in("unit"), s.listUnitNoticeDeliveries)
	s.protected(http.MethodPost, V1+"/notices", can("notice", "publish").creating(), s.publishNotice)
	s.protected(http.MethodGet, V1+"/notices", can("notice", "read"), s.listNotices)
	s.protected(http.MethodGet, V1+"/notices/:id", can("notice", "read"), s.getNotice)
	s.protected(http.MethodPost, V1+"/notices/:id/follow-ups", can("notice", "publish").creating(), s.followUpNotice)
	s.protected(http.MethodGet, V1+"/notice-overview", can("notice", "read"), s.unacknowledged)
	s.protected(http.MethodGet, V1+"/deliveries", can("delivery", "read"), s.listDeliveries)
	s.protected(http.MethodGet, V1+"/deliveries/:id", can("delivery", "read"), s.getDelivery)
	s.protected(http.MethodPost, V1+"/deliveries/:id/redrive", can("delivery", "redrive"), s.redrive)

	s.protected(http.MethodGet, m+"/tickets", can("ticket", "read").in("code"), s.listMunicipalTickets)
	s.protected(http.MethodPost, m+"/tickets", can("ticket", "create").in("code").creating(), s.createTicket)
	s.protected(http.MethodGet, m+"/tickets/:id", can("ticket", "read").in("code"), s.getMunicipalTicket)
	s.protected(http.MethodPatch, m+"/tickets/:id", can("ticket", "triage").in("code"), s.triageTicket)
	s.protected(http.MethodPost, m+"/tickets/:id/escalate", can("ticket", "escalate").in("code"), s.escalateTicket)
	s.protected(http.MethodPost, m+"/tickets/:id/resolve", can("ticket", "resolve").in("code"), s.resolveHere)
	s.protected(http.MethodPost, m+"/tickets/:id/provide-info", can("ticket", "work").in("code"), s.provideInfo)
	s.protected(http.MethodPost, m+"/tickets/:id/close", can("ticket", "close").in("code"), s.closeTicket)
	s.protected(http.MethodPost, m+"/tickets/:id/reopen", can("ticket", "close").in("code"), s.reopenTicket)
	s.protected(http.MethodGet, m+"/tickets/:id/notes", can("ticket", "read").in("code"), s.listMunicipalNotes)
	s.protected(http.MethodPost, m+"/tickets/:id/notes", can("ticket", "work").in("code").creating(), s.addMunicipalNote)
	s.protected(http.MethodGet, m+"/tickets/:id/sla", can("ticket", "read").in("code"), s.municipalTicketSLA)

	s.protected(http.MethodGet, u+"/tickets", can("unit_ticket", "read").in("unit"), s.listUnitTickets)
	s.protected(http.MethodGet, u+"/tickets/:id", can("unit_ticket", "read").in("unit"), s.getUnitTicket)
	s.protected(http.MethodPost, u+"/tickets/:id/acknowledge", can("unit_ticket", "work").in("unit"), s.acknowledgeTicket)
	s.protected(http.MethodPost, u+"/tickets/:id/request-info", can("unit_ticket", "work").in("unit"), s.requestInfo)
	s.protected(http.MethodPost, u+"/tickets/:id/resolve", can("unit_ticket", "work").in("unit"), s.resolveTicket)
	s.protected(http.MethodPost, u+"/tickets/:id/hand-back", can("unit_ticket", "work").in("unit"), s.handBack)
	s.protected(http.MethodGet, u+"/tickets/:id/notes", can("unit_ticket", "read").in("unit"), s.listUnitNotes)
	s.protected(http.MethodPost, u+"/tickets/:id/notes", can("unit_ticket", "work").in("unit").creating(), s.addUnitNote)
	s.protected(http.MethodGet, u+"/tickets/:id/sla", can("unit_ticket", "read").in("unit"), s.unitTicketSLA)

	s.protected(http.MethodPost, V1+"/tasks", can("task", "issue").creating(), s.issueTask)
	s.protected(http.MethodGet, V1+"/tasks", can("task", "read"), s.listTasks)
	s.protected(http.MethodGet, V1+"/tasks/:id", can("task", "read"), s.getTask)
	s.protected(http.MethodPut, V1+"/tasks/:id", can("task", "issue"), s.editTask)
	s.protected(http.MethodGet, V1+"/tasks/:id/versions", can("task", "read"), s.listTaskVersions)
	s.protected(http.MethodGet, V1+"/tasks/:id/assignments", can("task", "read"), s.listTaskAssignments)
	s.protected(http.MethodPost, V1+"/tasks/:id/assignments/:code/confirm", can("task", "confirm"), s.confirmTask)
	s.protected(http.MethodPost, V1+"/tasks/:id/assignments/:code/return", can("task", "confirm"), s.returnTask)
	s.protected(http.MethodGet, V1+"/tasks/:id/assignments/:code/comments", can("task", "read"), s.listIssuerTaskComments)
	s.protected(http.MethodPost, V1+"/tasks/:id/assignments/:code/comments", can("task", "confirm").creating(), s.addIssuerTaskComment)
	s.protected(http.MethodGet, m+"/tasks", can("municipal_task", "read").in("code"), s.listMunicipalityTasks)
	s.protected(http.MethodGet, m+"/tasks/:id", can("municipal_task", "read").in("code"), s.getMunicipalityTask)
	s.protected(http.MethodPost, m+"/tasks/:id/start", can("municipal_task", "work").in("code"), s.startTask)
	s.protected(http.MethodPost, m+"/tasks/:id/complete", can("municipal_task", "work").in("code"), s.completeTask)
	s.protected(http.MethodPost, m+"/tasks/:id/expected-date", can("municipal_task", "work").in("code"), s.expectTask)
	s.protected(http.MethodGet, m+"/tasks/:id/comments", can("municipal_task", "read").in("code"), s.listMunicipalityTaskComments)
	s.protected(http.MethodPost, m+"/tasks/:id/comments", can("municipal_task", "work").in("code").creating(), s.addMunicipalityTaskComment)

	s.protected(http.MethodGet, m+"/usage-mapping", can("usage", "read").in("code"), s.getUsageMapping)
	s.protected(http.MethodPost, m+"/usage-mapping/answers", can("usage", "answer").in("code").creating(), s.answerUsage)
	s.protected(http.MethodGet, m+"/usage-mapping/history", can("usage", "read").in("code"), s.listUsageHistory)
	s.protected(http.MethodGet, m+"/usage-mapping/sheet", can("usage", "read").in("code"), s.downloadUsageSheet)
	s.protected(http.MethodPost, m+"/usage-mapping/sheet", can("usage", "answer").in("code").creating(), s.uploadUsageSheet)
	s.protected(http.MethodPost, m+"/usage-mapping/submissions", can("usage", "answer").in("code").creating(), s.submitUsageMapping)
	s.protected(http.MethodPost, m+"/usage-mapping/proposals", can("usage", "answer").in("code").creating(), s.proposeSystem)
	s.protected(http.MethodGet, m+"/usage-mapping/proposals", can("usage", "read").in("code"), s.listMunicipalityProposals)
	s.protected(http.MethodGet, V1+"/usage-mapping/proposals", can("usage", "review"), s.listProposedSystems)
	s.protected(http.MethodGet, m+"/adoption", can("usage", "read").in("code"), s.getAdoption)
	s.protected(http.MethodGet, m+"/incidents", can("incident", "read").in("code"), s.listAffectingIncidents)
	s.protected(http.MethodGet, m+"/incidents/:id", can("incident", "read").in("code"), s.getAffectingIncident)
	s.protected(http.MethodGet, V1+"/adoption", can("usage", "review"), s.fleetAdoption)
	s.protected(http.MethodGet, V1+"/adoption-targets", can("adoption_target", "read"), s.listAdoptionTargets)
	s.protected(http.MethodPut, V1+"/adoption-targets/:id", can("adoption_target", "set"), s.setAdoptionTarget)
	s.protected(http.MethodPost, V1+"/usage-mapping/proposals/:id/decision", can("usage", "decide"), s.decideProposedSystem)

	s.protected(http.MethodGet, V1+"/waivers", can("waiver", "review"), s.listWaivers)
	s.protected(http.MethodGet, V1+"/waivers/:id", can("waiver", "read"), s.getWaiver)
	s.protected(http.MethodPost, V1+"/waivers/:id/decision", can("waiver", "decide"), s.decideWaiver)
	s.protected(http.MethodGet, V1+"/conformance", can("conformance", "review"), s.fleetConformance)
	s.protected(http.MethodGet, V1+"/reviews", can("review", "read"), s.reviewQueue)

	s.protected(http.MethodGet, V1+"/audit", can("audit", "read"), s.listAudit)
	s.protected(http.MethodGet, V1+"/audit/verify", can("audit", "verify"), s.verifyAudit)
}

// ctx is the request's context, carrying principal, origin and idempotency key.
func ctx(c *gin.Context) context.Context { return c.Request.Context() }

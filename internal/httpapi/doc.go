package httpapi

// The general API description for swag.
//
// @title                      Servicekatalog API
// @version                    1.0
// @description                Shared-service catalogue and SLA governance for municipalities and their shared IT service units.
// @description                Every error is an RFC 9457 problem document (application/problem+json). Lists are cursor-paginated.
// @description                Changes need If-Match with the ETag read; creating POSTs need an Idempotency-Key.
// @license.name               EUPL-1.2
// @license.url                https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12
// @BasePath                   /
// @tag.name                   review
// @tag.description            The architecture council's work, in order: the queue of everything waiting for a decision, reading an item, deciding on it.
// @tag.name                   orders
// @tag.description            Municipalities' orders to their owner unit (TMF622 states) and the activation gate.
// @tag.name                   subscriptions
// @tag.description            What municipalities hold, and its monthly costs (JSON, CSV, XLSX).
// @tag.name                   notices
// @tag.description            Notices to the infrastructure mailboxes: publishing (units, secretariat), threads, each municipality's inbox and acknowledgements, the council's overview of what is overdue, and the deliveries with their dead letter list.
// @tag.name                   mailbox
// @tag.description            Each municipality's infrastructure mailbox: the address and its confirmation link, routing rules by tag, cover while someone is away.
// @tag.name                   service levels
// @tag.description            Outages and maintenance the units report, and each subscription's monthly availability against its level: SLI, SLO, error budget, credit.
// @tag.name                   security
// @tag.description            Each unit's security compliance per control (ISO 27001, NIS2, GDPR, STM-2024, the common obligations) with evidence, validity and the council's review; security incidents the units record under the Danish NIS2 act: the deadlines of the early warning, notification and final report, the reports submitted, the overdue list, and the affected municipalities told at once.
// @tag.name                   onboarding
// @tag.description            Onboarding programmes: a municipality taking a unit's shared service into use and establishing its management, through decision gates with the documents they require and the decisions of the roles that decide them.
// @tag.name                   council
// @tag.description            The secretariat's recommendations (indstillinger) to the architecture council, the council's notes and decisions, and the one register of every decision it makes.
// @tag.name                   tasks
// @tag.description            Tasks the secretariat issues to municipalities (KLIK style): each municipality's execution status, expected dates, comments both ways, platform checks that prove completion, reminders.
// @tag.name                   usage mapping
// @tag.description            The IT-system usage mapping (seed 002): each municipality's answer per system of the municipal domains, its history, proposed systems, submissions.
// @tag.name                   tickets
// @tag.description            Support across the split: first line in the municipality, second line in the unit; SLA clocks.
// @tag.name                   offerings
// @tag.description            The units' offerings of standard services: versions, terms and prices, submission for review, retirement; conformance and waivers.
// @tag.name                   catalogue
// @tag.description            The common service catalogue: families, standard services, service levels, holiday calendars, vocabularies; proposals to change it.
// @tag.name                   directory
// @tag.description            Tenants, users, role assignments and API keys.
// @tag.name                   audit
// @tag.description            The hash-chained audit trail and its verification.
// @tag.name                   identity
// @tag.description            Who the caller is; the dev issuer's keys.
// @tag.name                   operations
// @tag.description            Liveness and readiness.
// @securityDefinitions.apikey BearerAuth
// @in                         header
// @name                       Authorization
// @description                Paste the word Bearer, a space, then a token (from `servicekatalog token --user USERNAME` with the dev issuer) or an API key (skat_...).

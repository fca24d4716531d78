package httpapi

// The general API description for swag.
//
// @title                      Servicekatalog API
// @version                    1.0
// @description                Shared-service catalogue and SLA governance for municipalities and their shared IT service units.
// @description                Every error is an RFC 9457 problem document (application/problem+json). Lists are cursor-paginated.
// @description                Changes need If-Match with the ETag read; creating POSTs need an Idempotency-Key.
// @license.name               EUPL-1.2
// @BasePath                   /
// @securityDefinitions.apikey BearerAuth
// @in                         header
// @name                       Authorization
// @description                "Bearer <token>" (from `servicekatalog token --user <username>`) or "Bearer <API key>".

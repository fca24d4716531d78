// Package apidocs holds the API's documents: swagger.json and swagger.yaml as swag writes them
// from the handlers' annotations, and openapi.json, the published OpenAPI 3 document that
// cmd/apispec makes from them (make docs; make test fails when any is stale).
package apidocs

import _ "embed"

// OpenAPI is the published OpenAPI 3 document.
//
//go:embed openapi.json
var OpenAPI []byte

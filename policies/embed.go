// Package policies embeds the casbin model, the role permissions and the expected role × route
// matrix that the route tests check the router against.
package policies

import _ "embed"

// Model is the casbin model (model.conf).
//
//go:embed model.conf
var Model string

// Policy is the casbin policy (policy.csv): role, resource, action.
//
//go:embed policy.csv
var Policy string

// Routes is the expected role × route matrix (routes.csv).
//
//go:embed routes.csv
var Routes string

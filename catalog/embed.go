// Package catalog embeds the catalogue kept as code: reference data and, as it grows, the
// common service catalogue's YAML files.
package catalog

import _ "embed"

// Municipalities is the reference list of the 98 Danish municipalities (code, name, region,
// region_code), copied from the public list.
//
//go:embed municipalities.csv
var Municipalities string

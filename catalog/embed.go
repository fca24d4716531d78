// Package catalog embeds the common service catalogue kept as code (YAML: families, levels,
// calendars, standard services and vocabularies), the JSON Schemas those files must satisfy,
// and the reference list of municipalities.
package catalog

import "embed"

// Files is the catalogue: families.yaml, levels/, calendars/, services/ and vocabularies/.
//
//go:embed families.yaml levels calendars services vocabularies
var Files embed.FS

// Schemas holds the published JSON Schemas of the catalogue files (schema/*.schema.json).
//
//go:embed schema
var Schemas embed.FS

// Municipalities is the reference list of the 98 Danish municipalities (code, name, region,
// region_code), copied from the public list.
//
//go:embed municipalities.csv
var Municipalities string

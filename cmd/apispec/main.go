// Command apispec writes the published OpenAPI 3 document from swag's Swagger 2.0 output:
// apispec api-docs/swagger.json api-docs/openapi.json (make docs runs it).
package main

import (
	"fmt"
	"os"

	"github.com/servicekatalog/servicekatalog/internal/apispec"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: apispec <swagger.json> <openapi.json>")
		os.Exit(2)
	}
	in, err := os.ReadFile(os.Args[1])
	if err == nil {
		var out []byte
		if out, err = apispec.Build(in); err == nil {
			err = os.WriteFile(os.Args[2], out, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apispec:", err)
		os.Exit(1)
	}
}

package app_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/servicekatalog/servicekatalog/"

// transport is where HTTP lives; the capabilities and the packages under them never import it,
// so their rules run the same from the CLI, the seed and background jobs.
var transport = []string{"github.com/gin-gonic/gin", module + "internal/httpapi"}

// above are the packages that may: the transport itself, its wiring, its tests' fixtures and the
// documents and client generated from it.
var above = []string{"internal/httpapi", "internal/app", "internal/apptest", "internal/apiclient", "internal/apispec", "internal/swaggerui"}

// TestCapabilitiesNeverImportTheTransport reads every internal package's imports from the go
// command: none but the transport's own and the wiring import gin or internal/httpapi.
func TestCapabilitiesNeverImportTheTransport(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "apiclient", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"internal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		if slices.ContainsFunc(above, func(a string) bool { return pkg == a || strings.HasPrefix(pkg, a+"/") }) {
			continue
		}
		checked++
		for _, imp := range fields[1:] {
			if slices.Contains(transport, imp) {
				t.Errorf("%s imports %s: capabilities hold rules and use cases, and leave HTTP to internal/httpapi", pkg, imp)
			}
		}
	}
	if checked < 15 {
		t.Errorf("only %d packages checked", checked)
	}
}

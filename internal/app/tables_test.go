package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// owners says which package keeps each table: only it writes the table, and others read it
// through its API.
var owners = map[string][]string{
	"audit":        {"audit_records", "audit_heads"},
	"idempotency":  {"idempotency_keys"},
	"identity":     {"signing_keys"},
	"directory":    {"municipalities", "units", "users", "role_assignments", "api_keys"},
	"catalog":      {"catalog_entries", "catalog_proposals"},
	"review":       {"decisions"},
	"offering":     {"offerings", "offering_versions", "waivers"},
	"activation":   {"terms_acceptances", "risk_assessments"},
	"order":        {"orders", "order_items", "order_events"},
	"subscription": {"subscriptions", "subscription_periods"},
	"ticket":       {"tickets", "ticket_events", "ticket_notes", "sla_events"},
	"delivery":     {"deliveries", "delivery_attempts", "webhooks"},
	"mailbox":      {"mailboxes", "mailbox_routes", "mailbox_covers"},
	"notice":       {"notices", "notice_acks", "notice_events"},
	"outage":       {"outages", "outage_versions", "closed_months", "availability_months"},
	"incident":     {"security_incidents", "security_incident_reports"},
	"compliance":   {"compliance_attestations"},
	"council":      {"council_cases"},
	"onboarding":   {"programmes", "programme_documents", "programme_decisions"},
	"session":      {"sessions"},
	"task":         {"tasks", "task_versions", "task_assignments", "task_comments"},
	"usage": {"usage_system_proposals", "usage_answers", "usage_submissions", "usage_uploads", "adoption_targets",
		"adoption_figures"},
}

// reads are the direct reads of another package's tables, each named in the owner's package doc.
var reads = map[string][]string{
	"authz":    {"users", "role_assignments", "api_keys"},
	"offering": {"units"},
}

// outside are the packages that are not capabilities: the fixtures of the tests and the generated
// documents and client.
var outside = []string{"apptest", "apiclient", "apispec"}

var (
	sqlTable  = regexp.MustCompile(`(?i)\b(?:from|join|into|update|table)\s+([a-z_]+)`)
	bareTable = regexp.MustCompile(`^([a-z_]+)(?:\s+(?:as\s+)?[a-z]+)?$`) // .Table("subscription_periods p"), TableName()
	created   = regexp.MustCompile(`(?i)\bcreate table (?:if not exists )?([a-z_]+)`)
	dropped   = regexp.MustCompile(`(?i)\bdrop table (?:if exists )?([a-z_]+)`)
)

// TestEachTableIsWrittenByItsOwner reads the SQL in every internal package's string literals: a
// package names no table of another's but the documented reads, and every table the migrations
// leave has an owner.
func TestEachTableIsWrittenByItsOwner(t *testing.T) {
	owner := map[string]string{}
	for pkg, tables := range owners {
		for _, table := range tables {
			owner[table] = pkg
		}
	}
	for _, table := range liveTables(t) {
		if owner[table] == "" {
			t.Errorf("table %s has no owner in this test: add it to the package that keeps it", table)
		}
	}
	dirs, err := filepath.Glob("../*")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, dir := range dirs {
		pkg := filepath.Base(dir)
		if slices.Contains(outside, pkg) {
			continue
		}
		for file, tables := range tablesNamedIn(t, dir, owner) {
			checked++
			for _, table := range tables {
				if o := owner[table]; o != pkg && !slices.Contains(reads[pkg], table) {
					t.Errorf("%s names table %s, which %s keeps: go through %s's API (or name the read in its package doc and here)",
						file, table, o, o)
				}
			}
		}
	}
	if checked < 10 {
		t.Errorf("only %d files name tables", checked)
	}
}

// liveTables are the tables the up migrations create and do not drop again.
func liveTables(t *testing.T) []string {
	files, err := filepath.Glob("../../migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	var live []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		up, _, _ := strings.Cut(string(b), "-- +goose Down")
		for _, m := range created.FindAllStringSubmatch(up, -1) {
			live = append(live, strings.ToLower(m[1]))
		}
		for _, m := range dropped.FindAllStringSubmatch(up, -1) {
			live = slices.DeleteFunc(live, func(s string) bool { return s == strings.ToLower(m[1]) })
		}
	}
	return live
}

// tablesNamedIn returns, per non-test file of dir, the known tables its string literals name.
func tablesNamedIn(t *testing.T, dir string, known map[string]string) map[string][]string {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		// A bare name is a table where gorm takes one: .Table("x"), Model/Joins aside, and
		// TableName's result; elsewhere ("outages" as a column heading) it is only a word.
		tableArgs := map[*ast.BasicLit]bool{}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Table" && len(n.Args) > 0 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok {
						tableArgs[lit] = true
					}
				}
			case *ast.FuncDecl:
				if n.Name.Name == "TableName" {
					ast.Inspect(n.Body, func(m ast.Node) bool {
						if lit, ok := m.(*ast.BasicLit); ok {
							tableArgs[lit] = true
						}
						return true
					})
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			var names []string
			for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
				names = append(names, m[1])
			}
			if m := bareTable.FindStringSubmatch(s); m != nil && tableArgs[lit] {
				names = append(names, m[1])
			}
			for _, name := range names {
				if known[name] != "" && !slices.Contains(out[file], name) {
					out[file] = append(out[file], name)
				}
			}
			return true
		})
	}
	return out
}

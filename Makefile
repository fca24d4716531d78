# Servicekatalog. `make run` serves the API on a private PostgreSQL; `make test` runs every test.
GO      ?= go
BIN     := bin/servicekatalog
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
SWAG    := $(GO) tool swag init --parseInternal --packageName apidocs -g internal/httpapi/doc.go --outputTypes json,yaml --quiet
OAPI    := $(GO) tool oapi-codegen -package apiclient -generate types,client
TEST_PG := .data/test-pg
TEST_OUT := .data/test-output
COMMA   := ,

.PHONY: build run test cover help docs docs-check client fmt-check clean bench lint

## build: compile the server into bin/
build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/servicekatalog

## run: build, start the private PostgreSQL unless DATABASE_URL is set, migrate, seed, serve
run: build
	./$(BIN) serve

# with-test-db runs $(1) with TEST_DATABASE_URL set: the one given, or a private cluster under
# .data/test-pg started for the run and stopped after it.
define with-test-db
	@set -e; rm -rf $(TEST_OUT); mkdir -p $(TEST_OUT); \
	if [ -z "$$TEST_DATABASE_URL" ]; then \
		TEST_DATABASE_URL=$$(./$(BIN) devdb start --dir $(TEST_PG)); export TEST_DATABASE_URL; \
		trap './$(BIN) devdb stop --dir $(TEST_PG)' EXIT; \
	fi; \
	$(1)
endef

## test: static checks (gofmt, go vet, staticcheck), stale-docs check, then the whole suite
##       against a real PostgreSQL (a private one under .data/test-pg unless TEST_DATABASE_URL is
##       set); test output files such as the Swagger UI screenshots go to .data/test-output/_artifacts
test: build fmt-check docs-check client
	$(GO) vet -tags apiclient ./...
	$(GO) tool staticcheck -tags apiclient ./...
	@command -v chromium >/dev/null || echo "browser test: skipped, Chromium is not installed (apt-get install chromium)"
	@command -v jq >/dev/null || echo "README walk-through test: skipped, jq is not installed (apt-get install jq)"
	@command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || echo "scale-out test: skipped, PgBouncer is not installed (apt-get install pgbouncer)"
	$(call with-test-db,$(GO) test -tags apiclient -count=1 -timeout 9m -artifacts -outputdir $(CURDIR)/$(TEST_OUT) ./...)
	@find $(TEST_OUT) -name '*.png' | sed 's/^/test output: /'

## cover: the suite with coverage of every package of ours but the generated client, printing the
##        total (the profile is .data/test-output/cover.out; go tool cover -html reads it)
cover: build client
	$(call with-test-db,$(GO) test -tags apiclient -count=1 -timeout 9m -coverprofile=$(CURDIR)/$(TEST_OUT)/cover.out \
		-coverpkg=$$($(GO) list ./cmd/... ./internal/... | grep -v /internal/apiclient | paste -sd$(COMMA)) ./... >/dev/null; \
		$(GO) tool cover -func=$(TEST_OUT)/cover.out | tail -1)

## help: this list
help:
	@sed -n 's/^## //p' Makefile

## docs: regenerate api-docs/ from the swag annotations (swagger.json, swagger.yaml) and the
##       published OpenAPI 3 document from them (api-docs/openapi.json)
docs:
	$(SWAG) -o api-docs
	$(GO) run ./cmd/apispec api-docs/swagger.json api-docs/openapi.json

## client: generate the Go client from api-docs/openapi.json with the pinned oapi-codegen, as a
##         test of the published document (not committed; built with the tag apiclient)
client:
	@$(OAPI) -o internal/apiclient/apiclient.gen.go.tmp api-docs/openapi.json
	@{ printf '//go:build apiclient\n\n'; cat internal/apiclient/apiclient.gen.go.tmp; } > internal/apiclient/apiclient.gen.go
	@rm internal/apiclient/apiclient.gen.go.tmp
	@echo "generated internal/apiclient/apiclient.gen.go from api-docs/openapi.json"

## docs-check: fail when api-docs/ is not what the annotations generate
docs-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(SWAG) -o $$tmp >/dev/null 2>&1 || { echo "swag failed"; exit 1; }; \
	$(GO) run ./cmd/apispec $$tmp/swagger.json $$tmp/openapi.json || exit 1; \
	stale=0; for f in swagger.json swagger.yaml openapi.json; do \
		cmp -s api-docs/$$f $$tmp/$$f || { diff api-docs/$$f $$tmp/$$f | head -20; stale=1; }; done; \
	if [ $$stale = 1 ]; then echo "api-docs/ is stale: run 'make docs' and commit it"; exit 1; fi; \
	echo "api-docs/ is current"

## lint: lint the published spec, api-docs/openapi.json, with the linters pinned in lint/package.json
##       (installed by npm ci): redocly's recommended rules, and spectral's OpenAPI rules with the
##       OWASP API Security ruleset (findings in .data/lint/spectral.txt)
lint:
	@cd lint && npm ci --no-audit --no-fund --silent
	@mkdir -p .data/lint
	lint/node_modules/.bin/redocly lint api-docs/openapi.json --config lint/redocly.yaml --format=summary
	@echo "spectral lint (OpenAPI + OWASP API Security) api-docs/openapi.json:"; \
	status=0; lint/node_modules/.bin/spectral lint --ruleset lint/.spectral.yaml --format text \
		--output .data/lint/spectral.txt api-docs/openapi.json >/dev/null 2>&1 || status=$$?; \
	awk '{print $$2, $$3}' .data/lint/spectral.txt | grep -E '^(error|warning) ' | sort | uniq -c | sort -rn; \
	exit $$status

fmt-check:
	@out=$$(gofmt -l cmd internal tests catalog policies migrations bench); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## clean: remove the build and the private clusters' data
clean:
	-./$(BIN) devdb stop --dir .data/pg 2>/dev/null
	-./$(BIN) devdb stop --dir $(TEST_PG) 2>/dev/null
	rm -rf bin .data

## bench: the benchmark (not a test): product vs bare gin+pgx baselines on a private PostgreSQL;
##        prints the ratios and writes bench/results/latest.json
bench:
	$(GO) run ./bench

# Servicekatalog. `make run` serves the API on a private PostgreSQL; `make test` runs every test.
GO      ?= go
BIN     := bin/servicekatalog
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
SWAG    := $(GO) tool swag init --parseInternal --packageName apidocs -g internal/httpapi/doc.go --outputTypes go,json,yaml --quiet
TEST_PG := .data/test-pg

.PHONY: build run test docs docs-check fmt-check clean bench

## build: compile the server into bin/
build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/servicekatalog

## run: build, start the private PostgreSQL unless DATABASE_URL is set, migrate, seed, serve
run: build
	./$(BIN) serve

## test: static checks, stale-docs check, then the whole suite against a real PostgreSQL
##       (a private one under .data/test-pg unless TEST_DATABASE_URL is set)
test: build fmt-check docs-check
	$(GO) vet ./...
	@set -e; \
	if [ -z "$$TEST_DATABASE_URL" ]; then \
		TEST_DATABASE_URL=$$(./$(BIN) devdb start --dir $(TEST_PG)); export TEST_DATABASE_URL; \
		trap './$(BIN) devdb stop --dir $(TEST_PG)' EXIT; \
	fi; \
	$(GO) test -count=1 -timeout 9m ./...

## docs: regenerate api-docs/ from the swag annotations
docs:
	$(SWAG) -o api-docs

## docs-check: fail when api-docs/ is not what the annotations generate
docs-check:
	@tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	$(SWAG) -o $$tmp >/dev/null 2>&1 || { echo "swag failed"; exit 1; }; \
	if ! diff -r -q api-docs $$tmp >/dev/null; then \
		diff -r api-docs $$tmp | head -40; \
		echo "api-docs/ is stale: run 'make docs' and commit it"; exit 1; \
	fi; echo "api-docs/ is current"

fmt-check:
	@out=$$(gofmt -l cmd internal catalog policies migrations bench); \
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

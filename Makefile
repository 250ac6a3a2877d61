# 就业帮 — the two commands a newcomer needs:
#   make run    build the H5 app if needed, then serve on the embedded default
#   make test   install what the tests need and run every test
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
BIN      := bin/jiuyebang
MINI     := miniprogram
WEB_DIST := api/web/dist
ARTIFACTS ?= test-artifacts
SERVICES := scripts/services.sh
# Go packages of this module (node_modules ships a stray Go package).
PKGS = $(shell $(GO) list ./... | grep -v /node_modules/)

.PHONY: help run build web web-deps test test-deps test-go test-go-real test-mini test-e2e bench clean

help:
	@echo "make run    — start 就业帮 on the embedded default (SQLite + in-process Redis)"
	@echo "make test   — every test: Go (embedded and real MariaDB + Redis), mini-program, Chromium"
	@echo "make build  — bin/jiuyebang with the H5 app embedded"
	@echo "make bench  — benchmarks against MariaDB + Redis, beside the machine's ceilings"

$(MINI)/node_modules/.installed: $(MINI)/package.json
	cd $(MINI) && npm install --no-audit --no-fund --loglevel=error
	touch $@

web-deps: $(MINI)/node_modules/.installed

# The H5 build, copied where the Go binary embeds it.
$(WEB_DIST)/index.html: $(MINI)/node_modules/.installed $(shell find $(MINI)/src $(MINI)/config -type f 2>/dev/null)
	cd $(MINI) && npm run --silent build:h5
	find $(WEB_DIST) -mindepth 1 ! -name .keep -delete
	cp -r $(MINI)/dist/h5/. $(WEB_DIST)/

web: $(WEB_DIST)/index.html

build: web
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN) .

run: build
	./$(BIN) serve

test-deps:
	bash scripts/install-deps.sh
	$(GO) mod download

# Go tests on the embedded default (SQLite + miniredis). Without -race here:
# the race detector instruments the pure-Go SQLite engine too (the report
# tests take 2 minutes instead of 7 seconds); the real pass below runs every
# package with -race.
test-go:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

# The same suite against real MariaDB and Redis started on loopback, plus a
# three-node Redis Cluster for scaletest/ (two serves, two workers).
test-go-real:
	bash $(SERVICES) start
	bash $(SERVICES) start-cluster
	eval "$$(bash $(SERVICES) env)"; $(GO) test -race -count=1 -timeout 20m $(PKGS)

test-mini: web-deps
	cd $(MINI) && npm test
	cd $(MINI) && npm run --silent build:weapp && npm run --silent smoke:weapp

# A real `serve` on MariaDB + Redis with the H5 app, clicked through in Chromium.
test-e2e: build
	bash $(SERVICES) start
	bash scripts/e2e.sh $(BIN) $(ARTIFACTS)

test: test-deps
	@trap 'bash $(SERVICES) stop >/dev/null 2>&1 || true' EXIT; \
	$(MAKE) --no-print-directory test-go && \
	$(MAKE) --no-print-directory test-go-real && \
	$(MAKE) --no-print-directory test-mini && \
	$(MAKE) --no-print-directory test-e2e

bench: build
	bash scripts/bench.sh $(BIN)

clean:
	rm -rf bin $(MINI)/dist .tmp $(ARTIFACTS)
	find $(WEB_DIST) -mindepth 1 ! -name .keep -delete

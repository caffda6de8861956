# `make run` and `make test` do every set-up step that is missing on a fresh clone, then run.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint api-types check-api-types frontend install system-packages

run: install frontend
	$(VENV)/bin/visionflow demo
	$(VENV)/bin/visionflow serve --host $(HOST) --port $(PORT)

test: check-api-types lint frontend system-packages
	cd frontend && npm test
	$(PY) -m pytest

# Python: ruff's lint and format check; browser: TypeScript 7's type check and ESLint (see frontend/eslint.config.js).
lint: install frontend/node_modules/.package-lock.json
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	cd frontend && npm run typecheck && npm run lint

# The browser's API types are generated from the server's OpenAPI schema: regenerate after changing a route or a
# request/response model, and commit the result.
API_TYPES := frontend/src/api/schema.gen.ts

api-types: install frontend/node_modules/.package-lock.json
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m backend.openapi > "$$tmp/openapi.json" && \
	frontend/node_modules/.bin/openapi-typescript "$$tmp/openapi.json" -o $(API_TYPES) >/dev/null && \
	echo "wrote $(API_TYPES)"

# Generates into a temporary file and compares: fails when the committed types no longer match the server.
check-api-types: install frontend/node_modules/.package-lock.json
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PY) -m backend.openapi > "$$tmp/openapi.json" && \
	frontend/node_modules/.bin/openapi-typescript "$$tmp/openapi.json" -o "$$tmp/schema.gen.ts" >/dev/null && \
	if ! diff -u $(API_TYPES) "$$tmp/schema.gen.ts" > "$$tmp/diff"; then \
		head -n 40 "$$tmp/diff"; \
		echo "$(API_TYPES) is stale: the server's OpenAPI schema changed. Run \`make api-types\` and commit it."; \
		exit 1; \
	fi

install: $(INSTALLED)

# torch and torchvision first, pinned: pip takes them from this machine's local wheel store.
$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q torch==2.14.1 torchvision==0.29.1
	$(PY) -m pip install -q -e '.[dev,ray]'
	touch $@

frontend: frontend/dist/index.html

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json frontend/package.json $(FRONTEND_SOURCES)
	cd frontend && npm run build

# Debian's Chromium for the browser tests (Playwright cannot download browsers here) and PostgreSQL
# for the database tests; installed only when missing.
system-packages:
	@missing=""; command -v chromium >/dev/null || missing="chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# Salesflow — the two commands of the README:  make run  ·  make test
# Installs are stamped (.venv/.installed*), so a repeated make only reinstalls when a lock file changes.

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
SALESFLOW := $(VENV)/bin/salesflow
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run install install-dev test lint check-django test-sqlite test-postgres bench demo lock clean

help:
	@echo "make run          install, migrate, load the demo data and serve on http://$(HOST):$(PORT)/ (with the worker)"
	@echo "make test         lint, Django checks, migrations check, tests on SQLite (and on PostgreSQL if DATABASE_URL says so)"
	@echo "make install      runtime dependencies from requirements.lock into $(VENV)"
	@echo "make install-dev  plus requirements-dev.lock"
	@echo "make lint         ruff check"
	@echo "make bench        performance benchmarks (bench/)"
	@echo "make lock         regenerate the lock files (scripts/lock.sh)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(PY)
	$(PIP) install --quiet -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PIP) install --quiet -r requirements.lock -r requirements-dev.lock
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(SALESFLOW) migrate
	$(SALESFLOW) demo
	$(SALESFLOW) serve --host $(HOST) --port $(PORT)

demo: install
	$(SALESFLOW) demo

lint: install-dev
	$(VENV)/bin/ruff check .

check-django: install-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# The SQLite run unsets DATABASE_URL explicitly, so it never touches a configured PostgreSQL database.
test-sqlite: install-dev
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install-dev
	@case "$$DATABASE_URL" in \
	  postgres://*|postgresql://*|pgsql://*) \
	    echo "== pytest on PostgreSQL ($${DATABASE_URL%%@*}@…)"; \
	    $(PY) -m pytest $(PYTEST_ARGS) ;; \
	  *) echo "DATABASE_URL is not a PostgreSQL URL: skipping the PostgreSQL run." ;; \
	esac

test: install-dev
	scripts/ensure_chromium.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check-django
	@echo "== pytest on SQLite"
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# bench/bench_customers.py: 100,000-customer import/list/export timings; e.g. make bench BENCH_ARGS="--db postgres"
bench: install-dev
	$(PY) bench/bench_customers.py $(BENCH_ARGS)

lock:
	scripts/lock.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache *.egg-info

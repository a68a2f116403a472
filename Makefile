# cyberplan: the two commands a newcomer needs are `make demo` and `make test`.
.DEFAULT_GOAL := help
PY := .venv/bin/python
PORT ?= 8000

.PHONY: help demo test test-fast test-postgres test-browser lint schema messages bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

demo:  ## Install what is needed, build the demo workspace and serve it with its worker on 127.0.0.1
	@scripts/bootstrap.sh
	$(PY) -m cyberplan.cli demo --port $(PORT)

test:  ## Install what tests need and run the whole suite (SQLite, browser tests included)
	@scripts/bootstrap.sh --test
	CYBERPLAN_ENV=test $(PY) -m pytest

FAST := not slow and not browser and not worker and not spark

test-fast:  ## The quick tier: the suite less the slow, browser, worker and Spark tests (under 3 minutes)
	@scripts/bootstrap.sh --test
	CYBERPLAN_ENV=test $(PY) -m pytest -m "$(FAST)"

test-postgres:  ## Run the database tests against PostgreSQL (needs DATABASE_URL; the Django-free pipeline and analytics tests are not repeated)
	@scripts/bootstrap.sh --test
	@test -n "$$DATABASE_URL" || { echo "make test-postgres: set DATABASE_URL to a PostgreSQL database"; exit 2; }
	CYBERPLAN_ENV=test $(PY) -m pytest -m "not browser and not spark" --ignore=tests/pipeline --ignore=tests/analytics

lint:  ## Ruff (check and format), strict mypy over the package, and the import-graph check; CI runs it first
	@scripts/bootstrap.sh --test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	@# The import-graph check is its own target, lint-imports; lint runs it once it is defined.
	@if $(MAKE) --no-print-directory -n lint-imports >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory lint-imports; \
	else \
	  echo "lint: no lint-imports target yet, the import graph is not checked"; \
	fi

schema:  ## Regenerate the committed OpenAPI schema
	@scripts/bootstrap.sh --test
	CYBERPLAN_ENV=test $(PY) -m cyberplan.cli spectacular --file docs/reference/openapi.yaml --validate

messages:  ## Extract translatable strings into the Spanish catalogue
	@scripts/bootstrap.sh --test
	cd cyberplan && ../$(PY) -m cyberplan.cli makemessages -l es --no-obsolete --no-location --ignore 'static/*'

bench:  ## Run the benchmarks in bench/
	@scripts/bootstrap.sh --test
	@$(MAKE) --no-print-directory bench-env
	$(PY) bench/run.py

.PHONY: bench-env
bench-env:  ## IntelMQ 3.5 in .cache/bench/intelmq-venv, the baseline of bench/bench_ingest.py
	@if .cache/bench/intelmq-venv/bin/python -c 'import intelmq, sys; sys.exit(intelmq.__version__ != "3.5.0")' 2>/dev/null; then \
	  exit 0; \
	fi; \
	echo "bench-env: installing IntelMQ 3.5.0 into .cache/bench/intelmq-venv (PyPI)"; \
	rm -rf .cache/bench/intelmq-venv; \
	if python3 -m venv .cache/bench/intelmq-venv && \
	   .cache/bench/intelmq-venv/bin/pip install --quiet --disable-pip-version-check 'intelmq==3.5.0' 'setuptools<81'; then \
	  echo "bench-env: IntelMQ 3.5.0 installed"; \
	else \
	  echo "bench-env: IntelMQ could not be installed (see pip's message above); make bench runs without its baseline"; \
	  rm -rf .cache/bench/intelmq-venv; \
	fi

clean:  ## Remove the virtual environment and caches (not var/, the data)
	rm -rf .venv .cache .pytest_cache .mypy_cache .ruff_cache

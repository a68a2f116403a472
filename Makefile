# cyberplan: the two commands a newcomer needs are `make demo` and `make test`.
.DEFAULT_GOAL := help
PY := .venv/bin/python
PORT ?= 8000

.PHONY: help demo test test-fast test-postgres test-browser lint lint-imports schema messages screenshots bench clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

demo:  ## Install what is needed, build the demo workspace and serve it with its worker on 127.0.0.1
	@scripts/bootstrap.sh
	$(PY) -m cyberplan.cli demo --port $(PORT)

# The whole suite runs in TEST_PROCESSES processes (pytest-xdist), a test file staying in one process;
# each process has its own test database and data directory. TEST_PROCESSES=0 runs it in this process.
TEST_PROCESSES ?= 2

test:  ## Install what tests need and run the whole suite (SQLite, browser tests included) in two processes
	@scripts/bootstrap.sh --test
	CYBERPLAN_ENV=test $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile --durations=25

FAST := not slow and not browser and not worker and not spark

test-fast:  ## The quick tier: the suite less the slow, browser, worker and Spark tests (under 3 minutes)
	@scripts/bootstrap.sh --test
	CYBERPLAN_ENV=test $(PY) -m pytest -m "$(FAST)"

# On PostgreSQL the Django-free pipeline and analytics tests are not repeated, nor are the two sweeps whose
# answers come from Python code the database does not change (every endpoint x reader for access, every API
# operation for the contract; about four minutes together): the access rules they cover are also tested on
# PostgreSQL by tests/core/test_access_matrix.py and each app's access tests. The two-instance regional test
# is not repeated either: its two instances run on SQLite databases of their own whatever the suite's database.
test-postgres:  ## Run the database tests against PostgreSQL (needs DATABASE_URL)
	@scripts/bootstrap.sh --test
	@test -n "$$DATABASE_URL" || { echo "make test-postgres: set DATABASE_URL to a PostgreSQL database"; exit 2; }
	CYBERPLAN_ENV=test $(PY) -m pytest --durations=25 -m "not browser and not spark" --ignore=tests/pipeline --ignore=tests/analytics \
	  --ignore=tests/core/test_access_exhaustive.py --ignore=tests/api/test_contract.py \
	  --ignore=tests/regional/test_two_instances.py

lint:  ## Ruff (check and format), strict mypy over the package, and the import-graph contracts; CI runs it first
	@scripts/bootstrap.sh --test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports --no-cache

lint-imports:  ## Check the import graph: layers, no cycles, Django-free pipeline and analytics (pyproject.toml)
	@scripts/bootstrap.sh --test
	.venv/bin/lint-imports --no-cache

schema:  ## Regenerate the committed OpenAPI schema
	@scripts/bootstrap.sh --test
	CYBERPLAN_ENV=test $(PY) -m cyberplan.cli spectacular --file docs/reference/openapi.yaml --validate

screenshots:  ## Regenerate docs/screenshots/ (overview and trends, desktop and phone, both languages) from the demo
	@scripts/bootstrap.sh --test
	$(PY) scripts/screenshots.py

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

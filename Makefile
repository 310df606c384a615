# backoffice — `make help` lists the targets.
VENV   ?= .venv
PY     := $(VENV)/bin/python
DB     ?= data/backoffice.duckdb
PORT   ?= 8501
PYTEST_WORKERS ?= 2
STAMP  := $(VENV)/.installed

.PHONY: help install run demo test test-fast lint format e2e e2e-cluster bench wheel clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its test tools

demo: $(STAMP) ## create data/backoffice.duckdb with the demo organization (once)
	$(VENV)/bin/backoffice demo --db $(DB)

run: $(STAMP) ## start the app on 127.0.0.1:8501 (creates data/backoffice.duckdb with demo data the first time)
	@if [ ! -f $(DB) ]; then $(VENV)/bin/backoffice demo --db $(DB); \
	else echo "Using $(DB). Demo sign-in (if you loaded the demo): admin@demo.example / Demo#2026!"; fi
	BACKOFFICE_DATABASE_URL=duckdb:///$(abspath $(DB)) $(PY) -m streamlit run streamlit_app.py \
		--server.address 127.0.0.1 --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

lint: $(STAMP) ## ruff (lint + format check), mypy on backoffice/, the layer contract (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy backoffice
	$(VENV)/bin/lint-imports

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint ## the whole suite: lint, domain tests on DuckDB and PostgreSQL, page tests, browser tests
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile -p no:cacheprovider -q

test-fast: $(STAMP) ## domain and page tests only (no browser), on this machine's engines
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q -m "not e2e and not slow" --ignore=tests/e2e

e2e: $(STAMP) ## the browser tests alone (Debian's chromium)
	$(PY) -m pytest -q tests/e2e

e2e-cluster: $(STAMP) ## PostgreSQL, two app processes and nginx on 127.0.0.1 (docs/deploy.md), driven in chromium
	$(PY) -m pytest -q -p no:cacheprovider tests/e2e/test_cluster.py

bench: $(STAMP) ## benchmark figures as ratios against the raw tools (not part of `make test`)
	$(PY) -m benchmarks

wheel: $(STAMP) ## build dist/backoffice-*.whl: the whole app, `backoffice serve` starts it wherever it is installed
	rm -rf build
	$(PY) -m pip wheel --no-deps --quiet -w dist .

clean: ## remove caches, test and build output (keeps .venv and data/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache test-results .hypothesis build dist backoffice.egg-info

# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark
AS_OF ?= 2025-12-04
# One Dagster instance (DAGSTER_HOME) for `make run` and `make dagster`: the UI shows the last CLI run.
# Removed with the rest of .r57 by `make clean`.
DAGSTER_INSTANCE ?= $(CURDIR)/.r57/dagster
# Browser tests drive Debian's Chromium (Playwright uses it; no browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup browser postgres java spark run test test-fast suites sample dagster bench bench-engines clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The dbt project of dbt_like_sql/ generated per database and parsed (a server's checkout is read-only to r57).
setup: $(STAMP)
	$(BIN)/python -m r57_pipelines.dbt_project

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

browser: $(CHROMIUM)  ## Debian's Chromium for the browser tests (apt; sudo unless root)

# The deployment test (tests/ui/test_postgres_deployment.py) runs Debian's PostgreSQL server binaries
# (initdb, pg_ctl under /usr/lib/postgresql/<version>/bin) on a port and folder of its own.
postgres:  ## Debian's PostgreSQL server for the deployment test, unless there is one (apt; sudo unless root)
	@if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql; \
	fi

# The Spark tests (marked `spark`) run pyspark in local[2] on a Java runtime: Debian's
# openjdk-17-jre-headless, or default-jre-headless (17 or 21, both run Spark 4) where Debian has no 17.
java:  ## a Java runtime for Spark, unless `java` is on the PATH (apt; sudo unless root)
	@if ! command -v java >/dev/null 2>&1; then \
	  $(SUDO) apt-get update && \
	  if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then jre=openjdk-17-jre-headless; else jre=default-jre-headless; fi && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$jre; \
	fi

# pyspark (about 490 MB) is the `spark` extra: only `make test` and `make spark` install it, `make run` stays DuckDB.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(SPARK_STAMP)

spark: $(SPARK_STAMP) java  ## pyspark and Java for the Spark engine and its tests

$(DAGSTER_INSTANCE)/dagster.yaml:  ## the shared Dagster instance: storage in its folder, no telemetry, no sign-up dialog
	mkdir -p '$(DAGSTER_INSTANCE)'
	printf 'telemetry:\n  enabled: false\nnux:\n  enabled: false\n' > '$@'

run: setup $(DAGSTER_INSTANCE)/dagster.yaml  ## the whole pipeline on the sample estate as of 2025-12-04
	DAGSTER_HOME='$(DAGSTER_INSTANCE)' $(BIN)/r57 run --sources sample_sources --home .r57 --as-of $(AS_OF)
	@echo "Report: .r57/reports/index.html (readiness.json and readiness.xlsx beside it; warehouse: .r57/warehouse.duckdb)"

# Two pytest-xdist workers (the machine's two cores), each given a whole module at a time so that a module's
# fixtures (one pipeline run shared by its tests) are made once; the longest modules start first
# (tests/conftest.py). The end-to-end runs spend much of their time waiting on subprocesses and storage: two
# at once keep both cores busy. `$(BIN)/pytest` alone runs everything in one process, as before.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadscope --no-loadscope-reorder

test: setup browser postgres spark  ## every test, slow end-to-end ones included (what CI runs)
	$(BIN)/pytest $(PYTEST_PARALLEL)

test-fast: setup browser
	$(BIN)/pytest $(PYTEST_PARALLEL) -m "not slow"

suites: setup  ## regenerate expectations/ from the registry contracts
	$(BIN)/r57 suites

sample: setup  ## regenerate sample_sources/ (deterministic)
	$(BIN)/r57 generate --out sample_sources

dagster: setup $(DAGSTER_INSTANCE)/dagster.yaml  ## the Dagster UI on 127.0.0.1:3000, runs as of $(AS_OF) unless told otherwise
	DAGSTER_HOME='$(DAGSTER_INSTANCE)' R57_AS_OF=$(AS_OF) $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: setup
	$(BIN)/python benchmarks/bench_validation.py

bench-engines: spark  ## DuckDB vs Spark local[2]: ingest + validation of one generated table
	$(BIN)/python benchmarks/bench_engines.py --rows 200000

clean:
	rm -rf .r57 .pytest_cache

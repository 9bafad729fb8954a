# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`. Every target
# bootstraps its own environment (uv in .tools/, the locked dependencies in .venv/).
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := $(CURDIR)/.tools
UV := $(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
# Compiled once at install: where PYTHONDONTWRITEBYTECODE is set (as on CI here), every run would
# otherwise compile ~900 modules of pandas, polars and Dagster from source (about 3 s per run).
export UV_COMPILE_BYTECODE := 1
export DAGSTER_HOME ?= $(CURDIR)/warehouse/dagster
# On a development machine the shared GeoNames extract beside the project saves the download (see README).
SHARED_GEONAMES := $(wildcard $(CURDIR)/../shared/data/geonames/UA.zip)
ifneq ($(SHARED_GEONAMES),)
export SITREP_GEONAMES ?= $(SHARED_GEONAMES)
endif
RUN := $(UV) run --locked --no-progress

.PHONY: setup run test dev bench bench-scale query clean eval

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --no-progress
	@touch $@

# One run at a time from the sensor, the schedule and the UI: runs queue rather than race for the cache.
# Rewritten when the Makefile changes, but only if make wrote it (a user's own dagster.yaml is left alone).
MADE_BY_MAKE := \# written by make: delete this line to keep your own edits
$(DAGSTER_HOME)/dagster.yaml: Makefile
	@mkdir -p $(DAGSTER_HOME)
	@if [ ! -f $@ ] || grep -q '^$(MADE_BY_MAKE)' $@ || [ "$$(cat $@)" = "$$(printf 'telemetry:\n  enabled: false')" ]; then \
		printf '$(MADE_BY_MAKE)\ntelemetry:\n  enabled: false\nconcurrency:\n  runs:\n    max_concurrent_runs: 1\n' > $@; \
	else touch $@; fi

setup: .venv/.synced

run: setup $(DAGSTER_HOME)/dagster.yaml ## materialise every asset, then print the warehouse summary
	$(RUN) python -m pipelines.run

test: setup ## the test suite (temporary DuckDB files only; never touches warehouse/)
	env -u DAGSTER_HOME $(RUN) pytest -q

dev: setup $(DAGSTER_HOME)/dagster.yaml ## the Dagster UI on http://127.0.0.1:3000
	$(RUN) dagster dev -h 127.0.0.1 -p 3000

bench: setup ## ingest, extraction, query and geocoding figures on the shared corpus, then the scale benchmark
	$(RUN) python -m pipelines.bench
	$(RUN) python -m pipelines.bench_scale

bench-scale: setup ## whole runs on 1,000 and 10,000 reports cut from the shared ISW text, then 1% more
	$(RUN) python -m pipelines.bench_scale

query: setup ## make query SQL="select ..." or NAME=<sql/queries name> PARAMS="key=value", read-only
	@$(RUN) python -m pipelines.query $(if $(NAME),--named "$(NAME)" $(foreach p,$(PARAMS),--param "$(p)"),"$(SQL)")

clean: ## remove the published file, staged tables and the extraction cache (the next run extracts everything)
	rm -rf warehouse/staging warehouse/cache warehouse/sitrep.duckdb

EVAL_WAREHOUSE := $(CURDIR)/warehouse/eval/sitrep.duckdb
eval: setup $(DAGSTER_HOME)/dagster.yaml ## build a warehouse over ../shared and score it against the gold files
	SITREP_REPORTS_DIR=$(CURDIR)/../shared SITREP_WAREHOUSE=$(EVAL_WAREHOUSE) $(RUN) python -m pipelines.run > /dev/null
	$(RUN) python -m pipelines.evaluate $(EVAL_WAREHOUSE) ../shared/examples/vuhledar-gold.json seeds/gold/dev seeds/gold/heldout \
		'isw-to-june+seed=seeds/gold/*/isw-2022-0[2-6]-*.json+../shared/examples/vuhledar-gold.json'

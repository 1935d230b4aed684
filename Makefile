# Every target builds its own environment from nothing: a fresh clone needs only python3 (3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SOTAWATCH_DATA ?= $(abspath ../shared/data)

.PHONY: run test test-lake bench clean chromium postgresql

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The nightly flow once with the example configuration (history from ../shared/data, live sources from the network;
# without a network each of those says so in one line and the rest load: a first run offline has done its job, exit
# 0; any other failure exits 1), then today's ImageNet SOTA with the date of its newest data.
run: $(STAMP)
	$(BIN)/sota run --config sota.example.toml --unreachable-ok; status=$$?; \
	$(BIN)/sota asof $$(date -u +%F) --task "Image Classification" --dataset ImageNet --db sota.duckdb; \
	exit $$status

test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 -q

# The report tests open pages in headless Chromium: Debian's package, installed when missing (as root, or with sudo).
# Should that fail, those tests skip and say why; the rest still run.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  as_root=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  $$as_root apt-get update -qq && $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	  || echo "warning: could not install chromium (apt-get); the browser tests will be skipped"; }

# The lake tests (issue 16) in an environment of their own: the base install with the lake extra (duckdb 1.5.5 and the
# DuckLake, PostgreSQL and httpfs extensions as wheels, and moto's S3 server), and PostgreSQL from Debian's package,
# installed when missing; the tests start their own PostgreSQL cluster, Prefect server, workers and moto on 127.0.0.1
# and stop them.
LAKE_VENV := .venv-lake
LAKE_STAMP := $(LAKE_VENV)/.installed

$(LAKE_STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(LAKE_VENV)
	$(LAKE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LAKE_VENV)/bin/python -m pip install --quiet -r requirements.lock
	$(LAKE_VENV)/bin/python -m pip install --quiet -e '.[lake]'
	touch $(LAKE_STAMP)

postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  as_root=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  $$as_root apt-get update -qq && $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

test-lake: $(LAKE_STAMP) postgresql
	$(LAKE_VENV)/bin/python -m pytest -q tests/lake tests/warehouse/test_lake_location.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(LAKE_VENV)

# Every target builds its own environment from nothing: a fresh clone needs only python3 (3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARCHIVE_URL := https://huggingface.co/datasets/pwc-archive/files/resolve/main/jul-28-evaluation-tables.json.gz
export SOTAWATCH_DATA ?= $(abspath ../shared/data)

.PHONY: run test bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The main job until the nightly flow exists: load the final Papers with Code dump and show today's ImageNet SOTA.
run: $(STAMP)
	$(BIN)/sota load $(ARCHIVE_URL) --source pwc-dump
	$(BIN)/sota asof $$(date -u +%F) --task "Image Classification" --dataset ImageNet

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV)

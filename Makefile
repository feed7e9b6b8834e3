# Two commands set everything up on a fresh machine: `make lab` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test test-py lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $@

setup: $(STAMP)

test: setup lint test-py

test-py: setup
	$(BIN)/python -m pytest -q -ra

lint: setup
	$(BIN)/ruff check mock_interviewer_lab tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/harness_bench.py --json bench/results/harness.json
	$(BIN)/python bench/engine_bench.py --json bench/results/engine.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

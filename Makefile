# The two commands: `make report` and `make test`. Everything else is for developers and workshops.
PYTHON ?= python3.11
ifeq (, $(shell command -v $(PYTHON) 2>/dev/null))
PYTHON := python3
endif
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CODE    := playbook tests benchmarks tools

.DEFAULT_GOAL := help
.PHONY: help report test lint lab notebooks samples bench figures calibrate lock clean-venv translations

## List these targets and what each does (the default).
help:
	@awk '/^## /{doc=substr($$0, 4); next} /^[a-z-]+:/{if (doc) {split($$1, t, ":"); printf "  make %-10s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

# Create the virtual environment if missing and install the pinned versions.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,lab,spark,postgres]'
	touch $(STAMP)

## Run every notebook on the default sample company; print the board pack's path.
report: $(STAMP)
	$(BIN)/playbook run

## Lint, unit tests, the CLI end to end, the browser tests, and nbval over the committed notebooks.
test: lint
	$(BIN)/python -m pytest --nbval --nbval-current-env --durations=25 tests notebooks

## Ruff (lint rules, formatting) and vulture (dead code), configured in pyproject.toml; part of make test.
lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/python tools/notebook_code.py build/notebook_code.py
	$(BIN)/vulture playbook benchmarks tests build/notebook_code.py

## JupyterLab on the project's environment (workshops); prints the URL to open.
LAB_DIR  ?= notebooks
LAB_ARGS ?=
lab: $(STAMP)
	@echo "Starting JupyterLab on $(LAB_DIR)/: open the http://127.0.0.1:... URL printed below (Ctrl-C stops it)."
	$(BIN)/jupyter lab --notebook-dir=$(LAB_DIR) --ip=127.0.0.1 --no-browser \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## Re-execute the committed notebooks in place on the default sample company (after changing playbook/).
notebooks: $(STAMP)
	$(BIN)/python -m playbook.runner.refresh

## Extract the words of views/ and the templates (babel.cfg) into the catalogues; translate the new ones.
translations: $(STAMP)
	$(BIN)/python -m playbook.runner.translations

## Regenerate the sample companies under data/samples/.
samples: $(STAMP)
	$(BIN)/python -m playbook.samples

## Speed benchmarks whose figures go in docs/performance.md.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_foundation.py

## Rewrite the studies' figures in docs/ (about 15 minutes; FIGURES="public-backtest" for one).
FIGURES ?=
figures: $(STAMP)
	$(BIN)/python benchmarks/figures.py $(FIGURES)

## Re-resolve the lock from pyproject.toml (a developer step; commit the result).
lock:
	rm -rf /tmp/playbook-lock && $(PYTHON) -m venv /tmp/playbook-lock
	/tmp/playbook-lock/bin/pip install --quiet -e '.[test,lab,spark,postgres]'
	{ head -3 constraints.txt; /tmp/playbook-lock/bin/pip freeze --exclude-editable; } > constraints.tmp \
		&& mv constraints.tmp constraints.txt

## Remove the virtual environment.
clean-venv:
	rm -rf $(VENV)

## The calibration study over the scenario library (both cores; QUICK=1: 20 companies a scenario) -> docs/methods.md.
calibrate: $(STAMP)
	$(BIN)/python -m playbook.runner.calibrate $(if $(QUICK),--quick)

# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
CORE_VENV := .venv-core
BIN := $(VENV)/bin
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: run test setup bytecode lint test-core test-all bench sheets screenshots docs clean

# --- environments

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) --upgrade pip
	$(BIN)/pip install $(PIP_FLAGS) -e '.[gui,test,test-gui]'
	touch $@

# The core's tests also run here, where PySide6 is not installed at all.
$(CORE_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/pip install $(PIP_FLAGS) --upgrade pip
	$(CORE_VENV)/bin/pip install $(PIP_FLAGS) -e '.[test]'
	touch $@

setup:
	PYTHON=$(PYTHON) scripts/system-deps.sh run
	$(MAKE) --no-print-directory $(VENV)/.installed bytecode

# Compiled once here, as pip does for an installed wheel: the editable install leaves the
# kiosk's own modules as source, and where PYTHONDONTWRITEBYTECODE is set every start would
# compile them again (a tenth of the start).
bytecode:
	$(BIN)/python -m compileall -q kiosk ui content printouts bench

# --- the two commands

run: setup
	$(BIN)/discharge-kiosk demo

test:
	PYTHON=$(PYTHON) scripts/system-deps.sh test
	$(MAKE) --no-print-directory $(VENV)/.installed $(CORE_VENV)/.installed
	$(MAKE) --no-print-directory lint test-core test-all

# --- parts of `make test`

lint:
	$(BIN)/ruff check kiosk ui printouts content tests scripts bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test-core:
	@echo "== core tests without PySide6 =="
	$(CORE_VENV)/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('PySide6') is not None)"
	$(CORE_VENV)/bin/python -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning tests/kiosk tests/printouts tests/content

test-all:
	@echo "== the whole suite =="
	$(BIN)/python -m pytest

# --- speed, beside bare baselines (bench/README.md); needs the test packages for CUPS

bench:
	PYTHON=$(PYTHON) scripts/system-deps.sh test
	$(MAKE) --no-print-directory $(VENV)/.installed bytecode
	$(BIN)/python -m bench $(ARGS)

# --- pictures for people

sheets: $(VENV)/.installed
	$(BIN)/python scripts/make_docs.py sheets docs

screenshots: $(VENV)/.installed
	$(BIN)/python scripts/make_docs.py screens docs

docs: sheets screenshots

clean:
	rm -rf $(VENV) $(CORE_VENV) .pytest_cache .mypy_cache .ruff_cache

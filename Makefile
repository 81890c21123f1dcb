# Every target sets itself up from nothing: a virtualenv in .venv with the
# package installed in editable mode, plus (for tests) PostgreSQL and tj3.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: demo test bench lint system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,postgresql]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

system-deps:
	@tools/ensure_system_deps.sh

test: $(STAMP) system-deps
	$(PY) -m ruff check src tests benchmarks examples
	$(PY) -m mypy src
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks examples
	$(PY) -m ruff format --check src tests benchmarks examples
	$(PY) -m mypy src

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build src/*.egg-info

# The two commands: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SHIGEN := $(VENV)/bin/shigen
export SHIGEN_HOME ?= $(CURDIR)/.shigen

.PHONY: demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(SHIGEN) run studies/japan-2009.toml
	$(SHIGEN) report studies/japan-2009.toml --format html -o reports/japan-2009.html

test: $(VENV)/.installed-dev
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports --no-cache --no-logo  # the layer contracts in pyproject.toml

clean:
	rm -rf $(VENV) .shigen reports

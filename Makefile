# The two commands: `make demo` and `make test`. Both set up .venv themselves, with the
# dependency versions the test suite passed with (requirements/constraints.txt).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SHIGEN := $(VENV)/bin/shigen
LOCK := requirements/constraints.txt
export SHIGEN_HOME ?= $(CURDIR)/.shigen
# what the README's tour uses besides the core: the dashboard (serve), Dask ensembles, NetCDF export
DEMO_EXTRAS := web,dask,netcdf

.PHONY: demo test lint bench clean lock docs

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[$(DEMO_EXTRAS)]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(SHIGEN) run studies/japan-2009.toml
	$(SHIGEN) report studies/japan-2009.toml --format html -o reports/japan-2009.html

$(VENV)/.installed-docs: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[docs]"
	touch $@

# the documentation site into site/ (warnings are errors; works offline); `mkdocs serve` to browse
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict -d site

test: $(VENV)/.installed-dev
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports --no-cache --no-logo  # the layer contracts in pyproject.toml

# Re-resolve the newest versions pyproject.toml allows, in a scratch venv, and pin them.
# Then run `make test` (it reinstalls .venv from the new pins) and commit the file if it passes.
lock:
	tmp=$$(mktemp -d) && $(PYTHON) -m venv $$tmp \
	&& $$tmp/bin/python -m pip install --quiet --upgrade pip \
	&& $$tmp/bin/python -m pip install --quiet -e ".[dev]" \
	&& { echo "# Versions the test suite passed with (pip freeze of the tested .venv, shigen itself left out)."; \
	     echo "# make demo / make test install with: pip install -c $(LOCK) -e .[dev]"; \
	     echo "# Refresh: make lock (re-resolves what pyproject.toml allows in a scratch venv), then make test."; \
	     $$tmp/bin/python -m pip freeze --exclude-editable | sed -E 's/^([A-Za-z0-9_.-]+) @ .*/\1/' ; } > $(LOCK).new \
	&& mv $(LOCK).new $(LOCK); status=$$?; rm -rf $$tmp; exit $$status

clean:
	rm -rf $(VENV) .shigen reports site

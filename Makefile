# sendcast: two commands do everything on a fresh machine.
#   make run   - set up .venv if needed, build the data and run the main job: compare the
#                Gloucestershire baseline with early identification (forecast, simulation,
#                costs, finance workbook and commissioners' report in a new reports/ folder)
#   make test  - set up .venv if needed, run the whole test suite
#   make notebooks - execute the notebooks and export them as HTML into reports/notebooks
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast lint notebooks setup browser clean-venv

# The end-to-end tests look at the report and the web app in headless Chromium, from Debian's
# packages (chromium + chromium-driver). Installed here when missing and we may (root with apt);
# otherwise those tests are skipped and say why.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing headless Chromium from Debian's packages (for the browser tests)"; \
	  (apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium chromium-driver >/dev/null 2>&1)) || \
	  echo "could not install chromium: the browser tests will be skipped"; \
	else echo "no chromium and no apt as root: the browser tests will be skipped"; fi


setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sendcast needs Python 3.11 or newer")'
	@$(MAKE) --no-print-directory browser
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sendcast data build
	$(BIN)/sendcast summary --la Gloucestershire
	$(BIN)/sendcast compare scenarios/baseline.toml scenarios/early-identification.toml --backend processes

# Test runs keep compiled bytecode, and pytest's rewritten test modules, in a cache outside the
# source tree (.pytest_cache/pycache, ignored by git). Where PYTHONDONTWRITEBYTECODE is set (as
# in some containers) every worker would otherwise compile the package and rewrite the asserts
# of about 390 modules afresh: collecting the fast tier took 9.5 CPU-s a worker without the
# cache and 4.9 with it (measured, December 2026).
TEST_ENV := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(CURDIR)/.pytest_cache/pycache

# the suite runs on every core (pytest-xdist), one test file per worker at a time
test: $(STAMP) browser
	$(TEST_ENV) $(BIN)/python -m pytest -n auto --dist loadfile

# ruff (lint and format) and mypy on the engines, pyflakes on everything (ARCHITECTURE.md: Tests)
lint: $(STAMP)
	$(BIN)/ruff check forecast simulation
	$(BIN)/ruff format --check forecast simulation
	$(BIN)/ruff check --select F .
	$(BIN)/mypy forecast simulation

# the quick inner loop: everything not marked slow (under a minute)
test-fast: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -n auto --dist loadfile -m "not slow"

# Execute every notebook on the shipped data and export HTML for commissioners: charts inline,
# code cells hidden; says which notebook (and, on a terminal, which cell) it is on.
notebooks: $(STAMP)
	@mkdir -p reports/notebooks
	$(BIN)/python -m sendcast.reporting.notebook_export notebooks reports/notebooks

clean-venv:
	rm -rf $(VENV)

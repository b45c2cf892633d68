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

.PHONY: run test notebooks setup clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sendcast needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/sendcast data build
	$(BIN)/sendcast summary --la Gloucestershire
	$(BIN)/sendcast compare scenarios/baseline.toml scenarios/early-identification.toml --backend processes

# the suite runs on every core (pytest-xdist), one test file per worker at a time
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

# Execute every notebook on the shipped data and export HTML for commissioners.
notebooks: $(STAMP)
	@mkdir -p reports/notebooks
	$(BIN)/jupyter nbconvert --to html --execute --output-dir reports/notebooks notebooks/*.ipynb

clean-venv:
	rm -rf $(VENV)

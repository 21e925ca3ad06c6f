# CX Workbook: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cxwb-installed

.PHONY: env run test lint lab data lock clean

env: $(STAMP)

# The environment: pinned versions from requirements.lock, the workbook itself (editable),
# a Jupyter kernel, and the CJK font (shipped by the mplfonts package) registered with matplotlib.
$(STAMP): requirements.lock pyproject.toml
	@echo "== creating the environment in $(VENV) (first run takes a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CX Workbook)" > /dev/null
	$(BIN)/python -c "from cxlib import plots; print('== CJK font:', plots.register_cjk_font())"
	@touch $(STAMP)

run: env
	$(BIN)/cxwb run

test: env
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

lint: env
	$(BIN)/ruff check .

lab: env
	$(BIN)/jupyter lab notebooks/

data: env
	$(BIN)/cxwb data regenerate

# Re-resolve the newest versions into requirements.lock (then update environment.yml to match).
lock:
	rm -rf .lockvenv
	$(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet --upgrade pip
	.lockvenv/bin/python -m pip install --quiet -e '.[dev]'
	.lockvenv/bin/python -m pip freeze --exclude-editable > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) reports dist .pytest_cache .ruff_cache .hypothesis

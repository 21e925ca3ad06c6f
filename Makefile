# CX Workbook: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.cxwb-installed
PIP := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: env run test lint lab app data lock check-lock clean

env: $(STAMP)

# Before the environment exists: one line, no stack trace, when the machine's Python cannot make it
# (Debian/Ubuntu ship python3 without venv/ensurepip until python3-venv is installed).
PYTHON_PROBLEM = $(shell if ! command -v $(PYTHON) > /dev/null 2>&1; then echo "$(PYTHON) is missing: install Python 3.11 or newer (Debian/Ubuntu: sudo apt-get install python3 python3-venv)"; elif ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' > /dev/null 2>&1; then echo "$(PYTHON) is older than 3.11: run make PYTHON=python3.11 (or newer)"; elif ! $(PYTHON) -c 'import venv, ensurepip' > /dev/null 2>&1; then echo "$(PYTHON) -m venv is missing: run  sudo apt-get install python3-venv  and make again"; fi)
ifeq ($(wildcard $(BIN)/python),)
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),env)),)
ifneq ($(PYTHON_PROBLEM),)
$(error $(PYTHON_PROBLEM))
endif
endif
endif

# The environment: pinned versions from requirements.lock, the workbook itself (editable, with
# every extra), a Jupyter kernel, and the lab's Chinese web font (a server extension of the
# workbook, enabled by a config file in the environment). The CJK font ships inside cxlib.
$(STAMP): requirements.lock pyproject.toml
	@echo "== creating the environment in $(VENV) (first run takes a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (CX Workbook)" > /dev/null
	$(BIN)/python -m cxwb.labfont install
	$(BIN)/python -c "from cxlib import plots; print('== CJK font:', plots.register_cjk_font())"
	@touch $(STAMP)

run: env
	$(BIN)/cxwb run

test: env
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: env
	$(BIN)/ruff check .

lab: env
	JUPYTER_CONFIG_PATH=$(CURDIR)/cxwb/jupyter_student $(BIN)/jupyter lab notebooks/

# the lessons as click-through apps (Voila), in one language: make app LANG_APP=zh
LANG_APP ?= en
app: env
	$(BIN)/cxwb app --lang $(LANG_APP)

data: env
	$(BIN)/cxwb data regenerate

# Re-resolve the newest versions into requirements.lock (caps with reasons in lock-constraints.txt),
# then check that it installs on every supported Python. Then update environment.yml to match.
lock:
	rm -rf .lockvenv
	$(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet --upgrade pip
	.lockvenv/bin/python -m pip install --quiet -c lock-constraints.txt -e '.[dev]'
	{ sed -n '1,2p' requirements.lock; .lockvenv/bin/python -m pip freeze --all --exclude-editable | grep -v -E '^(pip|wheel)=='; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	.lockvenv/bin/python .ci/check_lock.py
	rm -rf .lockvenv

# requirements.lock resolves on Python 3.11.2 (Debian 12), 3.12 and 3.13 (pip --dry-run; about a minute)
check-lock: env
	$(BIN)/python .ci/check_lock.py

clean:
	rm -rf $(VENV) reports dist .pytest_cache .ruff_cache .hypothesis

# Two commands do everything on a fresh machine:
#   make run    set up and start the dashboard on its embedded defaults (demo feed on)
#   make test   set up, lint (ruff, the floors), build the manual and run the whole test suite (installs Debian's chromium and postgresql if missing)
#   make test-unit   the unit tier: pure rules, no Redis, database, app or network (seconds)
#   make test-fast   the fast tier: no browser, no app server, SQLite only
# Extra arguments for app.py: make run ARGS="--no-demo --port 8060"

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
ARGS   ?=

.PHONY: run test test-fast test-unit lint docs setup setup-dev test-deps bench bench-tools clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

# Debian's chromium + chromedriver for the real-browser tests, a PostgreSQL server the store tests start
# throwaway clusters of, and poppler-utils (pdftotext, pdftoppm) to read printed pages back (root, or sudo).
test-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/pdftoppm ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver postgresql \
	  poppler-utils >/dev/null

run: $(VENV)/.runtime
	$(PY) app.py $(ARGS)

test: $(VENV)/.dev test-deps lint docs
	REQUIRE_BROWSER=1 REQUIRE_POSTGRES=1 $(PY) -m pytest $(PYTEST_ARGS)

# The unit tier: pure rules and shapes, no Redis, database, app or network (tests/unit/conftest.py refuses sockets).
test-unit: $(VENV)/.dev
	$(PY) -m pytest -q tests/unit $(PYTEST_ARGS)

# The fast tier: every test that needs no browser, no `python app.py` stack and no PostgreSQL (and not the fuzz).
test-fast: $(VENV)/.dev
	$(PY) -m pytest -n auto --dist worksteal -m "not browser and not stack and not postgres and not fuzz" $(PYTEST_ARGS)

# ruff's rules (with complexity at most 25), its formatter, the floors (the import contract in pyproject.toml: no
# import runs up), and dead code (vulture, its exceptions in pyproject.toml). The sizes of modules and functions:
# tests/unit/test_house_rules.py.
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/vulture

# The manual (docs/, mkdocs-material), built strictly: a broken link or a missing page fails; performance.md is
# generated from bench/results/ by docs/hooks.py.
docs: $(VENV)/.dev
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

# wrk drives the ingest benchmark.
bench-tools:
	@if command -v wrk >/dev/null; then exit 0; fi; \
	SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null

bench: $(VENV)/.dev test-deps bench-tools
	$(PY) -m bench.run_all

clean:
	rm -rf $(VENV) var tests/artifacts .pytest_cache site

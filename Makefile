# Quire: `make run` sets everything up (first time only) and starts the app; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .build/stamps

.PHONY: setup run test test-fast bench chromium vendor clean

setup: $(STAMPS)/venv $(STAMPS)/npm vendor

$(STAMPS)/venv: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/npm: package.json package-lock.json
	ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

# Cheap when nothing changed: every step is cached by its inputs' hashes (scripts/README.md).
vendor: $(STAMPS)/venv $(STAMPS)/npm
	@$(PY) scripts/vendor.py

chromium:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: setup
	$(VENV)/bin/quire serve

# Two workers: much of the suite waits (on browsers, servers and Pyodide), so two test
# processes on two cores finish far sooner than one. `make test TEST_WORKERS=0` runs in one.
TEST_WORKERS ?= 2
TEST_ARGS := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

test: setup chromium
	$(PY) -m pytest $(TEST_ARGS)

test-fast: setup
	$(PY) -m pytest tests/pylib tests/proxy

bench: setup chromium
	$(PY) -m bench

clean:
	rm -rf web/vendor .build

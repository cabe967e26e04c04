# `make demo` serves the example site; `make test` runs every test on both runtimes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MPY_DIR := tests/micropython

.PHONY: demo test test-cpython test-micropython clean

demo: $(VENV)/ready
	cd examples && ../$(BIN)/python example_webapp.py

test: test-cpython test-micropython

test-cpython: $(VENV)/ready
	$(BIN)/python -m pytest -q tests

test-micropython: $(MPY_DIR)/node_modules/ready
	node $(MPY_DIR)/heap.mjs
	node $(MPY_DIR)/manifests.mjs
	node $(MPY_DIR)/run.mjs

$(VENV)/ready: setup.py requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[templates]' -r requirements-test.txt
	touch $@

$(MPY_DIR)/node_modules/ready: $(MPY_DIR)/package-lock.json
	cd $(MPY_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) $(MPY_DIR)/node_modules

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

# `make bench` measures picoweb against its peers and floors (about 8 minutes
# on 2 cores) into bench/results.{md,png}; `make bench-smoke` runs the same
# suite with tiny durations (about a minute) to prove it still works. Neither
# fails on slowness. bench/setup.sh brings wrk, nginx and bench/.venv.
BENCH_PY := bench/.venv/bin/python

.PHONY: bench bench-smoke

bench: $(MPY_DIR)/node_modules/ready
	PYTHON=$(PYTHON) sh bench/setup.sh
	timeout 1200 $(BENCH_PY) bench/run.py

bench-smoke: $(MPY_DIR)/node_modules/ready
	PYTHON=$(PYTHON) sh bench/setup.sh
	timeout 600 $(BENCH_PY) bench/run.py --smoke

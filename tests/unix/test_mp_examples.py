"""Every example under the MicroPython unix port, started with `app.run()`
exactly as written (from examples/, through launch.py, which only makes
run() serve on a free port), and browsed with the
very checks tests/test_examples.py makes of it on CPython: those test
functions are collected again here, with a `run_example` fixture that
starts MicroPython instead. Ctrl-C stops it (the unix port has no
SIGTERM handler: SIGTERM kills it)."""

import os
import time

import httpx
import pytest

import test_examples as on_cpython
from mpserver import EXAMPLES, MpServer, require_micropython

# Generate the script that imports an example and serves it, as the
# CPython suite's IMPORT_AND_RUN does (`setup` may change module settings).
IMPORT_AND_RUN = """\
import sys
sys.path.insert(0, "")  # examples/, the working directory, as `python -c` has it
import {module} as m
{setup}
print("imported")
m.app.run(host="127.0.0.1", port=0, debug=0)
"""


class ExampleServer(MpServer):
    """An example under MicroPython, with the CPython suite's ExampleServer API."""

    def __init__(self, script, lib):
        super().__init__(script, cwd=EXAMPLES, lib=lib)
        self.client = httpx.Client(base_url=self.url, timeout=on_cpython.REQUEST_TIMEOUT)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def stop(self, tracebacks=False):
        """Ctrl-C; assert it exits 0 in time, with no traceback unless `tracebacks`."""
        self.client.close()
        self.interrupt()
        return self.wait_exit_clean(tracebacks)

    def wait_exit_clean(self, tracebacks=False):
        code = MpServer.wait_exit(self)
        assert code == 0, "exit status %r; output:\n%s" % (code, self.output)
        assert tracebacks or "Traceback" not in self.output, self.output
        return self.output

    wait_exit = wait_exit_clean

    def kill(self):
        self.client_close()
        MpServer.kill(self)

    def client_close(self):
        client = getattr(self, "client", None)
        if client is not None:
            client.close()


@pytest.fixture
def run_example(mp_lib, tmp_path):
    """run_example("example_x", setup="m.X = 1", as_main=False) under MicroPython."""
    require_micropython()
    servers = []

    def start(module, setup="", as_main=False):
        if as_main:
            script = module + ".py"
        else:
            script = str(tmp_path / ("run_%s.py" % module))
            with open(script, "w", encoding="utf-8") as f:
                f.write(IMPORT_AND_RUN.format(module=module, setup=setup))
        server = ExampleServer(script, mp_lib)
        servers.append(server)
        if not as_main:
            assert "imported" in server.lines, server.output
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="module", autouse=True)
def fresh_templates():
    # As on CPython: MicroPython compiles the .tpl sources itself.
    compiled = os.path.join(EXAMPLES, "templates", "compiled")
    if os.path.isdir(compiled):
        for name in os.listdir(compiled):
            if name.endswith(".py"):
                os.remove(os.path.join(compiled, name))


@pytest.mark.parametrize("module", on_cpython.EXAMPLE_MODULES)
def test_example_runs_as_a_script(run_example, module):
    on_cpython.test_example_runs_as_a_script(run_example, module)


test_webapp = on_cpython.test_webapp
test_webapp2 = on_cpython.test_webapp2
test_app1_alone = on_cpython.test_app1_alone
test_app2_alone = on_cpython.test_app2_alone
test_app_router = on_cpython.test_app_router
test_header_modes = on_cpython.test_header_modes
test_eventsource_counts_and_resumes_from_last_event_id = on_cpython.test_eventsource_counts_and_resumes_from_last_event_id
test_eventsource_bounded_stream = on_cpython.test_eventsource_bounded_stream
test_cors_api = on_cpython.test_cors_api
test_basic_auth = on_cpython.test_basic_auth
test_extra_headers = on_cpython.test_extra_headers
test_unicode = on_cpython.test_unicode
test_api = on_cpython.test_api
test_json = on_cpython.test_json


@pytest.fixture
def division_error():
    return "ZeroDivisionError: divide by zero"  # MicroPython's words for 1/0


test_global_exc = on_cpython.test_global_exc


def test_eventsource_ends_on_ctrl_c(run_example):
    # CPython's test sends SIGTERM, which kills the unix port: Ctrl-C here.
    # MicroPython raises KeyboardInterrupt in whatever Python code runs; in
    # the handler's task it would end that stream short. Right after an
    # event arrives the handler is still running, so wait until it sleeps
    # (events half a second apart): the interrupt then meets the event
    # loop, and the stream ends as the app stops.
    from httpx_sse import connect_sse

    server = run_example("example_eventsource", setup="m.INTERVAL = 0.5")
    with connect_sse(server.client, "GET", "/counter") as source:
        events = source.iter_sse()
        assert on_cpython.ticks(on_cpython.take(events, 2)[1:]) == [("tick", "1", "1")]
        time.sleep(0.1)
        server.interrupt()
        rest = list(events)  # the stream ends by itself once the app stops
        assert len(rest) < 3, server.collect()
    server.wait_exit()

"""Fixtures shared by the app, mount, test-client and server tests.

`client(app)` drives an app in-process through `picoweb.testclient.TestClient`
with plain (synchronous) calls; `serve_app(app)` runs the real server on an
ephemeral 127.0.0.1 port in a background thread and stops it afterwards.
"""

import asyncio
import os
import shutil
import sys
import threading

import pytest

from picoweb.testclient import TestClient
from rawhttp import ON_UVLOOP

HERE = os.path.dirname(os.path.abspath(__file__))

# PICOWEB_TEST_LOOP=uvloop runs the real-socket tests on uvloop's event loop
# (`make test` does one such pass), as an app run with
# loop_factory=uvloop.new_event_loop would.
if ON_UVLOOP:
    import uvloop

    new_event_loop = uvloop.new_event_loop
else:
    new_event_loop = asyncio.new_event_loop


# `make test` runs the suite once, then again on the streams transport and
# on uvloop with PICOWEB_SERVER_TESTS_ONLY=1: those passes keep the tests
# that run a real server, which is all a transport or a loop changes.
SERVER_FIXTURES = {"serve_app", "run_example", "shutdown_server", "server_process"}


def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PICOWEB_SERVER_TESTS_ONLY"):
        return
    kept, dropped = [], []
    for item in items:
        uses_server = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses_server or item.get_closest_marker("server") else dropped).append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept


def pytest_configure(config):
    config.addinivalue_line("markers", "server: runs a real server (kept by the transport passes)")


class SyncClient:
    """TestClient whose async methods are run to completion, one loop each."""

    def __init__(self, app, lazy_init=False):
        self.app = app
        self.async_client = TestClient(app, lazy_init)

    def __getattr__(self, name):
        method = getattr(self.async_client, name)

        def run(*args, **kwargs):
            return asyncio.run(asyncio.wait_for(method(*args, **kwargs), 10))

        return run


@pytest.fixture
def client():
    """client(app, lazy_init=False) -> a SyncClient for the app."""
    return SyncClient


class ServerThread:
    """`app.serve()` on 127.0.0.1:0 in a thread with its own event loop."""

    start_timeout = 5
    stop_timeout = 5

    def __init__(self, app, serve=None):
        self.app = app
        self.serve = serve  # coroutine function (app) -> awaitable, default app.serve
        self.loop = None
        self.thread = None
        self.error = None
        self.ready = threading.Event()

    @property
    def port(self):
        return self.app.port

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.app.port

    def start(self):
        self.app.port = None
        self.thread = threading.Thread(target=self._run, name="picoweb-test-server", daemon=True)
        self.thread.start()
        if not self.ready.wait(self.start_timeout):
            raise AssertionError("server did not start: %r" % (self.error,))
        if self.error is not None:
            raise self.error
        return self

    def _run(self):
        self.loop = new_event_loop()
        try:
            self.loop.run_until_complete(self._main())
        except BaseException as exc:  # reported by start() or stop()
            self.error = exc
        finally:
            self.ready.set()
            self.loop.close()

    async def _main(self):
        serving = self.serve(self.app) if self.serve else self.app.serve(host="127.0.0.1", port=0)
        task = asyncio.ensure_future(serving)
        while self.app.port is None and not task.done():
            await asyncio.sleep(0.005)
        self.ready.set()
        await task

    def stop(self):
        if self.thread is None or not self.thread.is_alive():
            return
        self.loop.call_soon_threadsafe(self.app.shutdown)
        self.thread.join(self.stop_timeout)
        if self.thread.is_alive():
            raise AssertionError("server did not stop within %s s" % self.stop_timeout)
        if self.error is not None:
            raise self.error


@pytest.fixture
def serve_app():
    """serve_app(app) starts the real server for `app` and returns its
    ServerThread (`.port`, `.url`); every server stops after the test."""
    servers = []

    def start(app, serve=None):
        app.limits.shutdown_timeout = 1  # bounded teardown even with a stuck client
        server = ServerThread(app, serve)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def template_pkg(tmp_path_factory):
    """Name of an importable copy of tests/templates_app in a temp dir: a
    test that breaks the rule that rendering writes nothing breaks it there."""
    name = "picoweb_templates_copy"
    root = tmp_path_factory.mktemp("templates")
    shutil.copytree(os.path.join(HERE, "templates_app"), str(root / name),
                    ignore=shutil.ignore_patterns("compiled", "__pycache__"))
    sys.path.insert(0, str(root))
    try:
        yield name
    finally:
        sys.path.remove(str(root))
        for module in list(sys.modules):
            if module == name or module.startswith(name + "."):
                del sys.modules[module]



@pytest.fixture
def redis_server():
    """A redis-server of its own on 127.0.0.1 and a free port (`.port`,
    `.restart()`), stopped after the test; skips when none is installed."""
    from redis_server import RedisServer

    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.close()


@pytest.fixture
def chromium():
    """A started headless Chromium (`.open_page()`), stopped after the test;
    skips, saying why, where none is installed."""
    from chromium import Chromium

    browser = Chromium()
    try:
        yield browser.start()
    finally:
        browser.stop()

"""`resp.upgrade()` over real sockets: the stream's close() ends a read
another task is waiting in (a WebSocket's keep-alive or shutdown closes
while its handler reads), on this transport, with output still queued for
a client that does not read; tests/unix/test_mp_upgrade.py serves the
same app from the MicroPython unix port."""

import time

from rawhttp import connect

UPGRADE = b"GET /up HTTP/1.1\r\nHost: t\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n"
WAKE_WITHIN = 2  # seconds the waiting read may take to end after close()

# The app of both runtimes: /up closes its stream from another task while
# reading, /result says what the read returned and how long it waited.
APP = """
import time
from picoweb import WebApp
from picoweb.compat import asyncio

app = WebApp()
got = []


async def close_later(stream, delay, flood):
    if flood:
        # Output the client will not read: the close cannot wait for it.
        for _ in range(64):
            stream.conn.writer.write(b"x" * 65536)
    await asyncio.sleep(delay)
    stream.close()


@app.route("/up")
async def up(req, resp):
    stream = await resp.upgrade({"Upgrade": "test", "Connection": "Upgrade"})
    asyncio.create_task(close_later(stream, 0.2, req.qs == "flood"))
    started = time.ticks_ms() if hasattr(time, "ticks_ms") else int(time.monotonic() * 1000)
    try:
        data = await stream.read(100)
    except Exception as exc:
        data = repr(exc)
    now = time.ticks_ms() if hasattr(time, "ticks_ms") else int(time.monotonic() * 1000)
    got.append([str(data), now - started])


@app.route("/result")
async def result(req, resp):
    return {"got": got}
"""


def cpython_app():
    namespace = {}
    exec(compile(APP, "upgrade-app", "exec"), namespace)
    app = namespace["app"]
    app.debug = -1
    return app, namespace["got"]


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def open_quiet_upgrade(port, query=b"", rcvbuf=None):
    """An upgraded connection whose client then sends nothing (nor reads, with rcvbuf)."""
    sock = connect(port, rcvbuf=rcvbuf)
    sock.sendall(UPGRADE.replace(b"/up", b"/up?" + query) if query else UPGRADE)
    if rcvbuf is None:
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1000)
        assert head.startswith(b"HTTP/1.1 101 ")
    return sock


def test_close_ends_a_read_waiting_in_another_task(serve_app):
    app, got = cpython_app()
    server = serve_app(app)
    sock = open_quiet_upgrade(server.port)
    try:
        assert wait_for(lambda: got, 0.2 + WAKE_WITHIN), "the read still waits after close()"
        assert got[0][0] == "b''"
    finally:
        sock.close()


def test_close_ends_a_waiting_read_with_output_queued(serve_app):
    app, got = cpython_app()
    server = serve_app(app)
    sock = open_quiet_upgrade(server.port, b"flood", rcvbuf=4096)  # 4 MiB queued, never read
    try:
        assert wait_for(lambda: got, 0.2 + WAKE_WITHIN), "the read waits for the output to leave"
        assert got[0][0] == "b''"
    finally:
        sock.close()


"""The WebSocket and SSE plugins under real ASGI servers: uvicorn with 2
workers, hypercorn and granian with 1, serving tests/asgi_plugins_site.py
on 127.0.0.1, with the `websockets` library and httpx as clients. What a
server does its own way (the client's close code, a send to a client that
left, shutdown) is asserted per server, as README's websocket section
tells it. Every wait is bounded."""

import signal
import socket
import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from asgi_servers import GRACE, STOP_TIMEOUT, TESTS, asgi_server
from test_asgi_servers import SERVERS, pytestmark, wait_for  # noqa: F401 (the protocol pass only)

# How each server reports a client's Close (code 4001, reason "bye") and a
# client that vanished without one: uvicorn passes both on, granian the
# code only, hypercorn 0.18 says 1006 for any end.
CLIENT_CLOSE = {"uvicorn": (4001, "bye"), "granian": (4001, ""), "hypercorn": (1006, "")}
VANISHED = {"uvicorn": 1005, "granian": 1005, "hypercorn": 1006}


def start_site(name, workers, tmp_path, options=()):
    log = tmp_path / "site.log"
    server = asgi_server(name, "asgi_plugins_site", tmp_path, workers, cwd=TESTS,
                         extra_env={"PICOWEB_SITE_LOG": str(log)}, options=options).start("/pid")
    server.name = name
    server.ws_url = server.url.replace("http", "ws", 1)

    def noted():
        # [(time, line)] of every worker's notes
        if not log.exists():
            return []
        return [(float(line.split(" ", 2)[1]), line.split(" ", 2)[2]) for line in log.read_text().splitlines()]

    server.noted = noted
    return server


@pytest.fixture(scope="module", params=SERVERS, ids=[name for name, _ in SERVERS])
def site(request, tmp_path_factory):
    name, workers = request.param
    server = start_site(name, workers, tmp_path_factory.mktemp(name))
    yield server
    output = server.stop(tracebacks=True)
    assert output.count("Traceback") <= 1, output  # the /fail route's, on purpose


def closed_with(ws):
    """The Close the server sent (code, reason), waiting up to 5 s for it."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=5)
    return closed.value.rcvd.code, closed.value.rcvd.reason


def note_for(site, prefix):
    found = []
    assert wait_for(lambda: found.extend(line for _, line in site.noted() if line.startswith(prefix)) or found), (
        site.noted(), site.output())
    return found[0]


def test_echo_text_binary_and_the_plugins_message_limit(site):
    with connect(site.ws_url + "/echo", open_timeout=5, close_timeout=2) as ws:
        ws.send("hello")
        assert ws.recv(timeout=5) == "hello"
        ws.send(b"\x00\x01binary")
        assert ws.recv(timeout=5) == b"\x00\x01binary"
        ws.send("é" * 30000)  # 60,000 bytes of UTF-8, under the 64 KiB limit
        assert ws.recv(timeout=5) == "é" * 30000
    for too_big in ("x" * 70000, "é" * 40000, b"\x00" * 65537):
        with connect(site.ws_url + "/echo", open_timeout=5, close_timeout=2) as ws:
            ws.send(too_big)
            assert closed_with(ws) == (1009, "message too big")


def test_origin_policy(site):
    with pytest.raises(InvalidStatus) as refused:
        connect(site.ws_url + "/echo", open_timeout=5, origin="https://evil.example")
    assert refused.value.response.status_code == 403
    for origin in ("https://allowed.example", site.url):  # listed; the page's own host
        with connect(site.ws_url + "/echo", open_timeout=5, close_timeout=2, origin=origin) as ws:
            ws.send("hi")
            assert ws.recv(timeout=5) == "hi"


def test_a_plain_get_is_told_this_url_speaks_websocket(site):
    plain = httpx.get(site.url + "/echo", timeout=5)
    assert plain.status_code == 426 and plain.headers["sec-websocket-version"] == "13"


def test_the_subprotocol_is_ours_first_of_those_offered(site):
    with connect(site.ws_url + "/subprotocol", open_timeout=5, close_timeout=2,
                 subprotocols=["chat", "chat.v2"]) as ws:
        assert ws.subprotocol == "chat.v2" and ws.recv(timeout=5) == "'chat.v2'"


def test_close_codes_reach_the_client(site):
    with connect(site.ws_url + "/close/4000", open_timeout=5, close_timeout=2) as ws:
        assert closed_with(ws) == (4000, "closed by the handler")
    with connect(site.ws_url + "/close-while-reading", open_timeout=5, close_timeout=2) as ws:
        assert closed_with(ws) == (4002, "closed from another task")
    assert note_for(site, "close-while-reading") == "close-while-reading: receive() ended"
    with connect(site.ws_url + "/fail", open_timeout=5, close_timeout=2) as ws:
        ws.send("go")
        assert closed_with(ws)[0] == 1011
    assert wait_for(lambda: "RuntimeError: the handler failed on purpose" in site.output()), site.output()


def test_the_handler_is_told_how_the_client_left(site):
    with connect(site.ws_url + "/told/closing", open_timeout=5, close_timeout=2) as ws:
        assert ws.recv(timeout=5) == "ready"
        ws.close(4001, "bye")
    code, reason = CLIENT_CLOSE[site.name]
    assert note_for(site, "told closing ") == "told closing %d %r closed=True" % (code, reason)
    with connect(site.ws_url + "/told/vanished", open_timeout=5, close_timeout=2) as ws:
        assert ws.recv(timeout=5) == "ready"
        ws.socket.shutdown(socket.SHUT_RDWR)  # gone without a Close
    assert note_for(site, "told vanished ") == "told vanished %d '' closed=True" % VANISHED[site.name]


def test_a_handler_sending_from_another_task_is_told_by_its_read(site):
    with connect(site.ws_url + "/sender/a", open_timeout=5, close_timeout=2) as ws:
        assert [ws.recv(timeout=5) for _ in range(3)] == ["tick 0", "tick 1", "tick 2"]
    assert note_for(site, "sender a ").startswith("sender a told ")


def test_a_quiet_event_stream_notices_the_client_leaving(site):
    with httpx.stream("GET", site.url + "/quiet-events?left", timeout=5) as events:
        assert events.headers["content-type"] == "text/event-stream"
        lines = events.iter_lines()
        assert next(line for line in lines if line.startswith("data:")) == "data: hello"
    # The keep-alive comment 0.1 s on fails: the handler's task is cancelled.
    assert note_for(site, "quiet events left") == "quiet events left closed=True"


def test_the_same_site_on_the_builtin_server(serve_app):
    import asgi_plugins_site

    server = serve_app(asgi_plugins_site.app)
    url = "ws://127.0.0.1:%d" % server.port
    with connect(url + "/echo", open_timeout=5, close_timeout=2) as ws:
        ws.send("é" * 30000)
        assert ws.recv(timeout=5) == "é" * 30000
        ws.send("x" * 70000)
        assert closed_with(ws) == (1009, "message too big")
    with connect(url + "/close/4000", open_timeout=5, close_timeout=2) as ws:
        assert closed_with(ws) == (4000, "closed by the handler")


# The server's own message limit, set to the plugin's where the server has
# a setting for it (README: uvicorn's --ws-max-size, hypercorn's
# websocket_max_message_size): here smaller than the plugin's, so only the
# server can have refused.

HYPERCORN_CONFIG = "websocket_max_message_size = 1000\n"


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn"])
def test_the_servers_own_message_limit(name, tmp_path):
    if name == "uvicorn":
        options = ["--ws-max-size", "1000"]
    else:
        config = tmp_path / "hypercorn.toml"
        config.write_text(HYPERCORN_CONFIG)
        options = ["--config", str(config)]
    server = start_site(name, 1, tmp_path, options)
    try:
        with connect(server.ws_url + "/echo", open_timeout=5, close_timeout=2) as ws:
            ws.send("x" * 1000)
            assert ws.recv(timeout=5) == "x" * 1000
            ws.send("x" * 1001)
            assert closed_with(ws)[0] == 1009
    finally:
        server.stop()


# Shutdown: what each server tells an open WebSocket and a quiet event
# stream when SIGTERM comes (README, Deployment: graceful shutdown).


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn", "granian"])
def test_what_sigterm_tells_open_websockets_and_event_streams(name, tmp_path):
    server = start_site(name, 1, tmp_path)
    try:
        with connect(server.ws_url + "/told/at-shutdown", open_timeout=5, close_timeout=2) as ws, httpx.stream(
                "GET", server.url + "/quiet-events?at-shutdown", timeout=STOP_TIMEOUT) as events:
            assert ws.recv(timeout=5) == "ready"
            lines = events.iter_lines()  # kept: a dropped iterator closes the response
            assert next(line for line in lines if line.startswith("data:")) == "data: hello"
            stopped = time.time()
            server.proc.send_signal(signal.SIGTERM)
            server.proc.wait(STOP_TIMEOUT)
    except BaseException:
        server.kill()
        raise
    notes = {line: when - stopped for when, line in server.noted() if "at-shutdown" in line}
    if name == "uvicorn":  # 1012 (Service Restart) at once; the stream cancelled after the grace time
        told = notes.pop("told at-shutdown 1012 '' closed=True")
        cancelled = notes.pop("quiet events at-shutdown closed=False")
        assert told < GRACE <= cancelled < GRACE + 2, (told, cancelled)
    elif name == "granian":  # the WebSocket ended at once (no Close), the worker killed after the grace time
        assert notes.pop("told at-shutdown 1005 '' closed=True") < GRACE
    else:  # hypercorn: nothing until the grace time, then both cancelled
        assert GRACE <= notes.pop("told at-shutdown cancelled") < GRACE + 2
        assert GRACE <= notes.pop("quiet events at-shutdown closed=False") < GRACE + 2
    assert notes == {}

"""SSE on CPython: what a client parses from format_event() (by the HTML
standard's algorithm) is what was sent, for any text; and over a real
socket, a client that leaves ends the handler. The shared cases live in
tests/micropython/test_sse.py (run on both runtimes); the example served
by the MicroPython unix port in tests/unix/test_mp_sse.py."""

import socket
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

import picoweb
from picoweb.compat import asyncio
from picoweb_plugins.sse import event_stream, format_event


def parse_stream(text):
    """Events as an EventSource dispatches them: (type, data, last id), by
    the "interpreting an event stream" steps (no BOM, no retry)."""
    events = []
    data = []
    event_type = ""
    last_id = ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if data:
                events.append((event_type or "message", "\n".join(data), last_id))
            data = []
            event_type = ""
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            last_id = value
    return events


one_line = st.text().filter(lambda text: not any(char in text for char in "\r\n\0"))


@given(data=st.text(), event=one_line, event_id=one_line)
def test_any_text_round_trips(data, event, event_id):
    text = format_event(data, event=event, id=event_id) + format_event(comment=data)
    assert parse_stream(text) == [(event or "message", data.replace("\r\n", "\n").replace("\r", "\n"), event_id)]


@given(before=st.text(), breaker=st.sampled_from(["\r", "\n", "\r\n", "\0"]), after=st.text())
def test_no_value_with_a_line_break_is_sent(before, breaker, after):
    value = before + breaker + after
    for field in ("event", "id"):
        with pytest.raises(ValueError):
            format_event("x", **{field: value})


def test_client_leaving_a_real_socket_ends_the_handler(serve_app):
    ended = threading.Event()
    outcome = []
    app = picoweb.WebApp(__name__)
    app.debug = -1

    @app.route("/events")
    @event_stream(keepalive=0.05)
    async def events(req, stream):
        try:
            await stream.send("hello", id=1)
            await asyncio.Event().wait()  # idle: only keep-alives from here
        except asyncio.CancelledError:
            outcome.append(stream.closed)
            raise
        finally:
            ended.set()

    server = serve_app(app)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while b"data: hello\n\n" not in received:
            piece = sock.recv(4096)
            assert piece, received
            received += piece
    head = received.split(b"\r\n\r\n")[0].lower()
    assert b"content-type: text/event-stream" in head and b"x-accel-buffering: no" in head
    started = time.monotonic()
    assert ended.wait(5), "the handler went on after the client left"
    assert outcome == [True]
    assert time.monotonic() - started < 5


# The SSE plugin: the event format (and the fields no value can inject) and
# the event_stream helper over the test client. Runs on MicroPython (both
# ports) and under CPython's pytest (tests/test_plugin_suites.py).
import asyncio

import picoweb
from picoweb.server import Connection
from picoweb.testclient import MemoryReader, MemoryWriter, TestClient, parse_responses
from picoweb_plugins.sse import event_stream, format_event


def refused(**fields):
    try:
        format_event(**fields)
    except ValueError:
        return
    raise AssertionError("accepted %r" % (fields,))


def test_format_one_line_event():
    assert format_event("hello") == "data: hello\n\n"
    assert format_event("hi", event="greeting", id="7", retry=2500) == (
        "event: greeting\nid: 7\nretry: 2500\ndata: hi\n\n")
    assert format_event(b"caf\xc3\xa9", id=8) == "id: 8\ndata: caf\u00e9\n\n"


def test_every_data_line_is_its_own_field():
    assert format_event("a\nb") == "data: a\ndata: b\n\n"
    assert format_event("a\r\nb\rc\n") == "data: a\ndata: b\ndata: c\ndata: \n\n"
    # A line that looks like another field stays data.
    assert format_event("x\nevent: admin\nid: 0\n\ndata: more") == (
        "data: x\ndata: event: admin\ndata: id: 0\ndata: \ndata: data: more\n\n")
    assert format_event("") == "data: \n\n"


def test_cr_lf_or_nul_in_event_or_id_refused():
    for bad in ("x\ndata: injected", "x\r", "x\r\nretry: 1", "\n", "x\0"):
        refused(data="d", event=bad)
        refused(data="d", id=bad)


def test_retry_must_be_whole_milliseconds():
    for bad in (-1, 1.5, "10", True):
        refused(retry=bad)
    assert format_event(retry=0) == "retry: 0\n\n"


def test_comments_cannot_become_fields():
    assert format_event(comment="keep-alive") == ": keep-alive\n\n"
    assert format_event(comment="") == ":\n\n"
    assert format_event(comment="a\ndata: evil") == ": a\n: data: evil\n\n"


def _app(handler, **options):
    app = picoweb.WebApp(__name__)
    app.add_url_rule("/events", event_stream(handler, **options))
    return app


async def test_stream_headers_and_events():
    async def ticks(req, stream):
        for count in range(3):
            await stream.send("tick %d" % count, event="tick", id=count)

    resp = await TestClient(_app(ticks)).get("/events")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/event-stream"
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.headers["X-Accel-Buffering"] == "no"
    assert resp.headers["Transfer-Encoding"] == "chunked"
    assert resp.text == "".join(format_event("tick %d" % n, event="tick", id=n) for n in range(3))


async def test_decorator_with_options_sends_retry_first():
    @event_stream(retry=3000, keepalive=None)
    async def once(req, stream):
        await stream.send("only")

    app = picoweb.WebApp(__name__)
    app.add_url_rule("/events", once)
    resp = await TestClient(app).get("/events")
    assert resp.text == "retry: 3000\n\ndata: only\n\n"


async def test_last_event_id_reaches_the_handler():
    async def resume(req, stream):
        await stream.send("after %s" % stream.last_event_id)

    client = TestClient(_app(resume))
    assert (await client.get("/events", headers={"Last-Event-ID": "41"})).text == "data: after 41\n\n"
    assert (await client.get("/events")).text == "data: after None\n\n"


async def test_head_sends_the_head_and_runs_no_handler():
    ran = []

    async def never(req, stream):
        ran.append(1)

    resp = await TestClient(_app(never)).head("/events")
    assert resp.status == 200 and resp.headers["Content-Type"] == "text/event-stream"
    assert ran == []


async def test_keepalive_comment_when_idle():
    async def slow(req, stream):
        await asyncio.sleep(0.25)
        await stream.send("late")

    resp = await TestClient(_app(slow, keepalive=0.05)).get("/events")
    assert resp.text.startswith(":\n\n") and resp.text.endswith("data: late\n\n")


class FailingWriter(MemoryWriter):
    """Takes `good` writes, then fails as a socket the client closed."""

    def __init__(self, good):
        super().__init__()
        self.good = good

    def write(self, data):
        if self.good <= 0:
            raise OSError(32, "broken pipe")
        self.good -= 1
        super().write(data)


async def test_handler_cancelled_when_the_client_is_gone():
    seen = []

    async def forever(req, stream):
        try:
            await asyncio.Event().wait()  # nothing to send: only the keep-alive writes
        except asyncio.CancelledError:
            seen.append(stream.closed)
            raise

    app = _app(forever, keepalive=0.02)
    await app.start()
    request = b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n"
    writer = FailingWriter(1)  # the head goes out, the first keep-alive fails
    await asyncio.wait_for(Connection(app, MemoryReader(request), writer).serve(), 5)
    assert seen == [True]
    assert parse_responses(bytes(writer.out) + b"0\r\n\r\n")[0].status == 200


async def test_send_after_the_client_left_raises():
    errors = []

    async def talker(req, stream):
        try:
            await stream.send("one")
        except OSError:
            errors.append(stream.closed)
            raise

    app = _app(talker, keepalive=None)
    await app.start()
    writer = FailingWriter(1)
    await asyncio.wait_for(Connection(app, MemoryReader(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n"),
                                      writer).serve(), 5)
    assert errors == [True]

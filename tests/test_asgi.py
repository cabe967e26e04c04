"""picoweb.asgi event by event, with an in-memory ASGI server (asgi_driver):
what each kind of answer becomes, the limits, the error path, lifespan,
disconnects, file bodies and the websocket scope. The same apps run under
uvicorn, hypercorn and granian in tests/test_asgi_servers.py."""

import asyncio
import os

import pytest

import picoweb
from asgi_driver import Call, body_of, call, http_scope, start_of, websocket_scope
from picoweb import HTTPError, WebApp, start_response
from picoweb.asgi_response import parse_response_head

HTML = b"text/html; charset=utf-8"


def quiet_app():
    app = WebApp()
    app.debug = -1
    return app


def make_app():
    app = quiet_app()

    @app.route("/")
    def index(req, resp):
        return "Hello"

    @app.route("/stream")
    async def stream(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("part one, ")
        await resp.awrite(b"part two")

    @app.route("/user/<int:uid>")
    def user(req, resp, uid):
        return {"id": uid, "q": req.qs, "path": req.path}

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body()

    @app.route("/nothing")
    def nothing(req, resp):
        return "", 204

    return app


# Answers become events


def test_returned_body_is_one_start_and_one_body_event():
    events = call(make_app(), http_scope())
    assert events == [
        {"type": "http.response.start", "status": 200,
         "headers": [(b"content-type", HTML), (b"content-length", b"5")]},
        {"type": "http.response.body", "body": b"Hello"},
    ]


def test_streamed_body_is_body_events_then_an_empty_last_one():
    events = call(make_app(), http_scope(path="/stream"))
    assert events[0] == {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
    assert events[1:] == [
        {"type": "http.response.body", "body": b"part one, ", "more_body": True},
        {"type": "http.response.body", "body": b"part two", "more_body": True},
        {"type": "http.response.body", "body": b""},
    ]


def test_no_hop_by_hop_framing_reaches_the_server():
    # The server frames the body and owns the connection: no chunked, no
    # Connection header from picoweb, also for HTTP/1.0.
    for version in ("1.0", "1.1", "2"):
        for path in ("/", "/stream"):
            status, headers = start_of(call(make_app(), http_scope(path=path, http_version=version)))
            assert b"transfer-encoding" not in headers and b"connection" not in headers, (version, path)


def test_head_keeps_the_length_and_sends_no_body():
    events = call(make_app(), http_scope("HEAD", "/"))
    assert start_of(events)[1][b"content-length"] == b"5"
    assert body_of(events) == b""
    streamed = call(make_app(), http_scope("HEAD", "/stream"))
    assert body_of(streamed) == b"" and streamed[-1] == {"type": "http.response.body", "body": b""}


def test_status_without_a_body_has_no_length():
    events = call(make_app(), http_scope(path="/nothing"))
    status, headers = start_of(events)
    assert status == 204 and b"content-length" not in headers and body_of(events) == b""


def test_path_parameters_query_and_json():
    events = call(make_app(), http_scope(path="/user/42", query=b"a=1&b=%20"))
    assert start_of(events)[1][b"content-type"] == b"application/json"
    assert body_of(events) == b'{"id": 42, "q": "a=1&b=%20", "path": "/user/42"}'


def test_router_errors_take_the_error_path():
    app = make_app()
    assert start_of(call(app, http_scope(path="/missing")))[0] == 404
    status, headers = start_of(call(app, http_scope("POST", "/")))
    assert status == 405 and headers[b"allow"] == b"GET, HEAD"

    @app.errorhandler(404)
    def not_found(req, resp, exc):
        return "no " + req.path, 404

    assert body_of(call(app, http_scope(path="/missing"))) == b"no /missing"


def test_error_page_in_json_for_a_client_that_asks():
    events = call(make_app(), http_scope(path="/x", headers=[(b"accept", b"application/json")]))
    assert start_of(events)[1][b"content-type"] == b"application/json"
    assert body_of(events) == b'{"status": 404, "error": "Not Found"}'


def test_hooks_run_around_the_handler_and_see_the_head_go_out():
    app = make_app()
    seen = []

    @app.before_request
    def before(req, resp):
        seen.append("before " + req.path)

    @app.after_request
    def after(req, resp):
        resp.headers["X-After"] = "1"

    @app.before_send
    def cookie(req, resp):
        resp.set_cookie("seen", "1", httponly=True)

    @app.teardown_request
    def teardown(req, resp):
        seen.append("teardown %d" % resp.status)

    for path in ("/", "/stream", "/missing"):
        headers = start_of(call(app, http_scope(path=path)))[1]
        assert headers[b"set-cookie"] == b"seen=1; Path=/; HttpOnly", path
    assert b"x-after" in start_of(call(app, http_scope(path="/")))[1]
    assert seen[:6] == ["before /", "teardown 200", "before /stream", "teardown 200",
                        "before /missing", "teardown 404"]


def test_before_request_hook_answers():
    app = make_app()
    app.before_request(lambda req, resp: ("no", 403) if "x-token" not in req.headers else None)
    assert start_of(call(app, http_scope()))[0] == 403
    assert body_of(call(app, http_scope(headers=[(b"x-token", b"1")]))) == b"Hello"


def test_mounted_app_sees_its_path_and_prefix():
    app = make_app()
    api = quiet_app()
    api.route("/items/<name>")(lambda req, resp, name: {"name": name, "prefix": req.prefix, "path": req.path})
    app.mount("/api", api)
    assert body_of(call(app, http_scope(path="/api/items/a%20b"))) == (
        b'{"name": "a b", "prefix": "/api", "path": "/items/a b"}')


def test_root_path_is_taken_off_the_path():
    events = call(make_app(), http_scope(path="/app/user/7", raw_path=b"/app/user/7", root_path="/app"))
    assert b'"path": "/user/7"' in body_of(events)
    events = call(make_app(), http_scope(path="/user/7", raw_path=b"/user/7", root_path="/app"))
    assert b'"path": "/user/7"' in body_of(events)


def test_handler_exception_is_a_500_and_logged(caplog):
    app = make_app()
    app.debug = 0

    @app.route("/boom")
    def boom(req, resp):
        1 / 0

    events = call(app, http_scope(path="/boom"))
    assert start_of(events)[0] == 500 and b"ZeroDivisionError" not in body_of(events)
    assert "ZeroDivisionError" in caplog.text


def test_error_after_the_head_leaves_the_response_incomplete():
    # The built-in server closes without a last chunk; an ASGI app returns
    # without the last body event, and the server closes the connection.
    app = make_app()

    @app.route("/late")
    async def late(req, resp):
        await start_response(resp)
        await resp.awrite("begun")
        raise RuntimeError("late failure")

    events = call(app, http_scope(path="/late"))
    assert events[-1] == {"type": "http.response.body", "body": b"begun", "more_body": True}


def test_a_bad_header_value_is_refused_before_anything_is_sent():
    app = make_app()
    app.route("/bad")(lambda req, resp: ("x", 200, {"X-Bad": "a\r\nInjected: 1"}))
    events = call(app, http_scope(path="/bad"))
    assert start_of(events)[0] == 500 and b"Injected" not in repr(events).encode()


def test_upgrade_in_an_http_scope_is_501():
    app = make_app()

    @app.route("/up")
    async def up(req, resp):
        await resp.upgrade({"Upgrade": "x"})

    assert start_of(call(app, http_scope(path="/up")))[0] == 501


# A head written by the handler itself


def test_handlers_own_head_becomes_the_start_event():
    app = make_app()

    @app.route("/raw")
    async def raw(req, resp):
        await resp.awrite("HTTP/1.0 201 Created\r\nContent-Type: text/plain\r\nConnection: close\r\n")
        await resp.awrite("X-Split: yes\r\n\r\nfirst ")
        await resp.awrite("second")

    events = call(app, http_scope(path="/raw"))
    assert start_of(events) == (201, {b"content-type": b"text/plain", b"x-split": b"yes"})
    assert body_of(events) == b"first second" and events[-1]["body"] == b""


@pytest.mark.parametrize("head, why", [
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding"),
    (b"HTTP/2 200\r\n", "status line"),
    (b"HTTP/1.1 20 OK\r\n", "status line"),
    (b"HTTP/1.1 101 Switching Protocols\r\n", "interim"),
    (b"HTTP/1.1 200 OK\r\nNo colon here\r\n", "header line"),
    (b"HTTP/1.1 200 OK\r\nBad Name: x\r\n", "header line"),
    (b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n", "header line"),
])
def test_handlers_own_head_that_cannot_be_relayed_is_refused(head, why):
    with pytest.raises(ValueError, match=why):
        parse_response_head(head)


def test_handlers_own_head_malformed_or_unfinished_sends_nothing(caplog):
    # The server answers 500 to an app that returns without a start event.
    app = make_app()
    app.debug = 0
    app.route("/bad")(lambda req, resp: resp.awrite("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
    app.route("/short")(lambda req, resp: resp.awrite("HTTP/1.1 200 OK\r\nX-A: 1\r\n"))
    assert call(app, http_scope(path="/bad")) == []
    assert call(app, http_scope(path="/short")) == []
    assert "under ASGI the server does" in caplog.text
    assert "ended before its blank line" in caplog.text


# The request: target, headers, body, limits


@pytest.mark.parametrize("raw_path", [b"/%ff", b"/%zz", b"/a b", b"/\x01"])
def test_a_target_the_parser_refuses_is_400(raw_path):
    assert start_of(call(make_app(), http_scope(path="/", raw_path=raw_path)))[0] == 400


def test_headers_are_case_insensitive_and_repeats_join():
    app = make_app()
    app.route("/h")(lambda req, resp: "%s|%s|%s" % (req.headers["X-A"], req.headers["cookie"], req.cookies))
    events = call(app, http_scope(path="/h", headers=[
        (b"x-a", b"1"), (b"x-a", b"2"), (b"cookie", b"a=1"), (b"cookie", b"b=2")]))
    assert body_of(events) == b"1, 2|a=1; b=2|{'a': '1', 'b': '2'}"


def test_client_address_version_and_scheme():
    app = make_app()
    app.route("/who")(lambda req, resp: "%s %s %s" % (req.client_addr, req.version, req.scheme))
    events = call(app, http_scope(path="/who", scheme="https", http_version="2", client=["10.0.0.1", 5]))
    assert body_of(events) == b"('10.0.0.1', 5) 2 https"


@pytest.mark.parametrize("headers, status", [
    ([(b"x-%d" % n, b"v") for n in range(101)], 431),
    ([(b"x-big", b"v" * 20000)], 431),
    ([(b"content-length", b"12x")], 400),
])
def test_header_limits_and_malformed_framing(headers, status):
    assert start_of(call(make_app(), http_scope(headers=headers)))[0] == status


def test_body_streamed_in_pieces_to_the_reader():
    messages = [{"type": "http.request", "body": b"hel", "more_body": True},
                {"type": "http.request", "body": b"", "more_body": True},
                {"type": "http.request", "body": b"lo", "more_body": False}]
    events = call(make_app(), http_scope("POST", "/echo", headers=[(b"content-length", b"5")]), messages)
    assert body_of(events) == b"hello"
    chunked = [dict(message) for message in messages]
    events = call(make_app(), http_scope("POST", "/echo", headers=[(b"transfer-encoding", b"chunked")]), chunked)
    assert body_of(events) == b"hello"


def test_body_over_the_limit_is_413_before_the_handler_or_while_it_reads():
    app = make_app()
    app.limits.max_body = 4
    ran = []
    app.before_request(lambda req, resp: ran.append(req.path))
    declared = call(app, http_scope("POST", "/echo", headers=[(b"content-length", b"5")]),
                    [{"type": "http.request", "body": b"hello"}])
    assert start_of(declared)[0] == 413 and ran == []
    streamed = call(app, http_scope("POST", "/echo", headers=[(b"transfer-encoding", b"chunked")]),
                    [{"type": "http.request", "body": b"hel", "more_body": True},
                     {"type": "http.request", "body": b"lo", "more_body": False}])
    assert start_of(streamed)[0] == 413 and ran == ["/echo"]


def test_route_max_body_and_read_body_max_size():
    app = make_app()
    app.limits.max_body = 4

    @app.route("/upload", methods=["POST"], max_body=10)
    async def upload(req, resp):
        return b"%d bytes" % len(await req.read_body())

    @app.route("/small", methods=["POST"])
    async def small(req, resp):
        return await req.read_body(max_size=2)

    body = [{"type": "http.request", "body": b"0123456789"}]
    assert body_of(call(app, http_scope("POST", "/upload", headers=[(b"content-length", b"10")]), body)) == b"10 bytes"
    small_body = [{"type": "http.request", "body": b"abc"}]
    assert start_of(call(app, http_scope("POST", "/small", headers=[(b"content-length", b"3")]), small_body))[0] == 413


def test_body_that_does_not_come_in_time_is_408():
    app = make_app()
    app.limits.read_timeout = 0.05
    events = call(app, http_scope("POST", "/echo", headers=[(b"content-length", b"5")]), [])
    assert start_of(events)[0] == 408


def test_client_leaving_within_the_body_ends_the_request_quietly():
    app = make_app()
    torn = []
    app.teardown_request(lambda req, resp: torn.append(req.path))
    events = call(app, http_scope("POST", "/echo", headers=[(b"content-length", b"5")]),
                  [{"type": "http.request", "body": b"he", "more_body": True}, {"type": "http.disconnect"}])
    assert events == [] and torn == ["/echo"]


def test_header_modes_skip_and_leave():
    app = make_app()
    app.route("/skip", header_mode="skip")(lambda req, resp: "%d" % len(req.headers))

    @app.route("/leave", methods=["POST"], header_mode="leave")
    async def leave(req, resp):
        return await req.reader.read()

    assert body_of(call(app, http_scope(path="/skip", headers=[(b"x-a", b"1")]))) == b"0"
    events = call(app, http_scope("POST", "/leave", headers=[(b"x-a", b"1"), (b"content-length", b"4")]),
                  [{"type": "http.request", "body": b"body"}])
    assert body_of(events) == b"host: test\r\nx-a: 1\r\ncontent-length: 4\r\n\r\nbody"


# Streams and clients that leave


def sse_app(log):
    app = quiet_app()

    @app.route("/events")
    async def events(req, resp):
        await start_response(resp, "text/event-stream")
        count = 0
        try:
            while count < 1000:
                await resp.awrite("data: %d\n\n" % count)
                count += 1
                await asyncio.sleep(0.001)
        except OSError:
            log.append("client left after %d" % count)

    app.teardown_request(lambda req, resp: log.append("teardown"))
    return app


def test_http_disconnect_fails_the_next_write_as_a_lost_socket_does():
    log = []
    exchange = Call(sse_app(log), http_scope(path="/events"))
    exchange.on_event = lambda c, event: len(c.events) == 4 and c.disconnect()
    events = asyncio.run(exchange.run())
    assert len(events) < 10 and len(log) == 2 and log[0].startswith("client left after") and log[1] == "teardown"
    assert events[-1]["more_body"] is True  # no last event to a client that left


def test_server_send_failing_ends_the_stream_quietly():
    log = []
    exchange = Call(sse_app(log), http_scope(path="/events"))

    def fail_soon(c, event):
        if len(c.events) == 3:
            c.send_fails = OSError("client gone")

    exchange.on_event = fail_soon
    assert len(asyncio.run(exchange.run())) == 3
    assert log == ["client left after 2", "teardown"]


# File bodies


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 1024)
    return str(path)


def file_app(path):
    app = quiet_app()

    @app.route("/file")
    async def whole(req, resp):
        await picoweb.sendfile(resp, path)

    @app.route("/part")
    async def part(req, resp):
        await start_response(resp, "application/octet-stream", 206, {"Content-Length": "100"})
        with open(path, "rb") as f:
            await resp.write_file(f, 1000, 100)

    return app


def test_file_body_goes_as_pathsend_where_the_server_offers_it(data_file):
    events = call(file_app(data_file), http_scope(path="/file", extensions={"http.response.pathsend": {}}))
    assert start_of(events)[1][b"content-length"] == b"262144"
    assert events[1:] == [{"type": "http.response.pathsend", "path": os.path.realpath(data_file)}]


def test_part_of_a_file_goes_in_chunks_even_with_pathsend(data_file):
    events = call(file_app(data_file), http_scope(path="/part", extensions={"http.response.pathsend": {}}))
    with open(data_file, "rb") as f:
        assert body_of(events) == f.read()[1000:1100]


def test_file_body_goes_as_zerocopysend_where_the_server_offers_it(data_file):
    events = call(file_app(data_file), http_scope(path="/part", extensions={"http.response.zerocopysend": {}}))
    zero = [event for event in events if event["type"] == "http.response.zerocopysend"]
    assert len(zero) == 1 and (zero[0]["offset"], zero[0]["count"]) == (1000, 100)
    assert events[-1] == {"type": "http.response.body", "body": b""}


def test_file_body_in_chunks_without_extensions(data_file):
    events = call(file_app(data_file), http_scope(path="/file"))
    with open(data_file, "rb") as f:
        assert body_of(events) == f.read()
    assert len(events) > 3 and events[-1] == {"type": "http.response.body", "body": b""}


# Lifespan


def lifespan_messages():
    return [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]


def test_lifespan_inits_the_app_and_its_mounts_and_runs_on_shutdown():
    log = []

    class Site(WebApp):
        def init(self):
            log.append("init " + self.name)
            super().init()

    app, sub = Site(), Site()
    app.name, sub.name = "site", "sub"
    app.debug = -1
    app.mount("/sub", sub)

    @app.on_shutdown
    async def bye():
        log.append("shutdown, stopping=%s" % app.stopping)

    sub.on_shutdown(lambda: log.append("sub shutdown"))
    events = call(app, {"type": "lifespan", "asgi": {"version": "3.0"}}, lifespan_messages())
    assert events == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    assert log == ["init site", "init sub", "shutdown, stopping=True", "sub shutdown"]


def test_lifespan_reports_a_failing_init():
    class Broken(WebApp):
        def init(self):
            raise RuntimeError("no database")

    app = Broken()
    app.debug = -1
    events = call(app, {"type": "lifespan"}, lifespan_messages())
    assert events == [{"type": "lifespan.startup.failed", "message": "RuntimeError: no database"}]


def test_without_lifespan_the_first_request_inits():
    inits = []

    class Site(WebApp):
        def init(self):
            inits.append(1)
            super().init()

    app = Site()
    app.debug = -1
    app.route("/")(lambda req, resp: "ok")
    call(app, http_scope())
    call(app, http_scope())
    assert inits == [1]


def test_unknown_scope_type_raises():
    with pytest.raises(ValueError, match="not 'telepathy'"):
        call(make_app(), {"type": "telepathy"})


# The websocket scope


def ws_app(log):
    app = quiet_app()

    @app.route("/ws")
    async def ws(req, resp):
        websocket = resp.asgi_websocket
        log.append(websocket.subprotocols)
        await websocket.accept(websocket.subprotocols[0] if websocket.subprotocols else None, {"X-Ws": "1"})
        while True:
            message = await websocket.receive()
            if message is None:
                log.append("closed %s" % websocket.close_code)
                return
            await websocket.send(message * 2 if isinstance(message, str) else message[::-1])

    @app.route("/raw-ws")
    async def raw_ws(req, resp):
        await resp.upgrade({"Upgrade": "websocket"})

    @app.before_send
    def cookie(req, resp):
        resp.headers["Set-Cookie"] = "s=1"

    return app


def test_websocket_accept_messages_both_ways_and_disconnect():
    log = []
    messages = [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": "ab"},
                {"type": "websocket.receive", "bytes": b"123"}, {"type": "websocket.disconnect", "code": 1001}]
    events = call(ws_app(log), websocket_scope(subprotocols=["chat", "v2"]), messages)
    assert events == [
        {"type": "websocket.accept", "subprotocol": "chat", "headers": [(b"x-ws", b"1"), (b"set-cookie", b"s=1")]},
        {"type": "websocket.send", "text": "abab"},
        {"type": "websocket.send", "bytes": b"321"},
    ]
    assert log == [["chat", "v2"], "closed 1001"]


def test_websocket_handler_returning_closes_it():
    app = quiet_app()

    @app.route("/ws")
    async def ws(req, resp):
        await resp.asgi_websocket.accept()
        await resp.asgi_websocket.send("bye")

    events = call(app, websocket_scope(), [{"type": "websocket.connect"}])
    assert events[1:] == [{"type": "websocket.send", "text": "bye"},
                          {"type": "websocket.close", "code": 1000, "reason": ""}]


def test_websocket_refused_by_a_hook_gets_the_http_answer_where_the_server_can_send_it():
    log = []
    app = ws_app(log)
    app.before_request(lambda req, resp: ("no token", 403) if "x-token" not in req.headers else None)
    extension = {"websocket.http.response": {}}
    events = call(app, websocket_scope(extensions=extension), [{"type": "websocket.connect"}])
    assert start_of(events, "websocket.http.response.start")[0] == 403
    assert body_of(events, "websocket.http.response.body") == b"no token"
    assert call(app, websocket_scope(), [{"type": "websocket.connect"}]) == [{"type": "websocket.close", "code": 1000}]
    assert log == []


def test_websocket_to_a_missing_route_is_refused():
    events = call(ws_app([]), websocket_scope("/nowhere"), [{"type": "websocket.connect"}])
    assert events == [{"type": "websocket.close", "code": 1000}]


def test_websocket_close_before_accept_refuses():
    app = quiet_app()
    app.route("/ws")(lambda req, resp: resp.asgi_websocket.close(4000))
    assert call(app, websocket_scope(), [{"type": "websocket.connect"}]) == [
        {"type": "websocket.close", "code": 4000, "reason": ""}]


def test_websocket_subprotocol_must_be_one_offered():
    app = quiet_app()
    app.route("/ws")(lambda req, resp: resp.asgi_websocket.accept("other"))
    assert call(app, websocket_scope(subprotocols=["chat"]), [{"type": "websocket.connect"}]) == [
        {"type": "websocket.close", "code": 1000}]


def test_upgrade_in_a_websocket_scope_says_what_to_call(caplog):
    app = ws_app([])
    app.debug = 0
    events = call(app, websocket_scope("/raw-ws"), [{"type": "websocket.connect"}])
    assert events == [{"type": "websocket.close", "code": 1000}]
    assert "resp.asgi_websocket.accept()" in caplog.text


def test_websocket_send_after_the_client_left_raises_oserror():
    app = quiet_app()
    outcome = []

    @app.route("/ws")
    async def ws(req, resp):
        websocket = await resp.asgi_websocket.accept()
        assert await websocket.receive() is None
        try:
            await websocket.send("late")
        except OSError as exc:
            outcome.append(str(exc))

    call(app, websocket_scope(), [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1006}])
    assert outcome == ["the WebSocket is closed (1006)"]


def test_websocket_sends_only_str_and_what_holds_bytes():
    app = quiet_app()
    refused = []

    @app.route("/ws")
    async def ws(req, resp):
        websocket = await resp.asgi_websocket.accept()
        await websocket.send(bytearray(b"ab"))
        await websocket.send(memoryview(b"cd"))
        try:
            await websocket.send(3)
        except TypeError:
            refused.append(3)

    events = call(app, websocket_scope(), [{"type": "websocket.connect"}])
    assert events[1:3] == [{"type": "websocket.send", "bytes": b"ab"}, {"type": "websocket.send", "bytes": b"cd"}]
    assert refused == [3]


def test_websocket_client_gone_before_connect():
    assert call(ws_app([]), websocket_scope(), [{"type": "websocket.disconnect", "code": 1006}]) == []


def test_http_error_in_a_websocket_handler_refuses_with_its_status():
    app = quiet_app()

    @app.route("/ws")
    def ws(req, resp):
        raise HTTPError(401, "log in first")

    events = call(app, websocket_scope(extensions={"websocket.http.response": {}}), [{"type": "websocket.connect"}])
    assert start_of(events, "websocket.http.response.start")[0] == 401


# The request target's shortcut agrees with the request-line parser


@pytest.mark.parametrize("method, raw_path, query", [
    ("GET", b"/", b""), ("GET", b"/a/b.txt", b"x=1&y=2"), ("POST", b"/user/42", b""),
    ("GET", b"/a%20b", b""), ("GET", b"/caf%C3%A9", b"q=%C3%A9"), ("GET", b"/~x!$&'()*+,;=:@", b"a=/?b"),
    ("PROPFIND", b"/dav", b""), ("GET", b"*", b""), ("OPTIONS", b"*", b""), ("GET", b"http://h/p", b"q"),
])
def test_request_target_shortcut_agrees_with_the_parser(method, raw_path, query):
    from picoweb.asgi import request_target
    from picoweb.http1 import parse_request_line

    line = method.encode() + b" " + raw_path + (b"?" + query if query else b"") + b" HTTP/1.1"
    expected = parse_request_line(line, len(line))[:3]
    assert request_target({"raw_path": raw_path, "query_string": query, "path": "?"}, method) == expected


def test_an_unread_body_is_skipped_after_the_answer_else_the_connection_ends():
    # As the built-in server: what is left of a body is received and dropped
    # after the answer (a proxy still sending it reads the 413, not a reset;
    # hypercorn waits for the app to take it), up to what the route or the
    # app would take; a body that says it is longer gets "Connection: close".
    app = make_app()
    app.route("/small", methods=["POST"], max_body=2)(lambda req, resp: "never")
    app.route("/ignore", methods=["POST"])(lambda req, resp: "did not read it")
    body = [{"type": "http.request", "body": b"hel", "more_body": True},
            {"type": "http.request", "body": b"lo", "more_body": False}]
    for path, status in (("/small", 413), ("/ignore", 200)):
        exchange = Call(app, http_scope("POST", path, headers=[(b"content-length", b"5")]), list(body))
        events = asyncio.run(exchange.run())
        assert start_of(events)[0] == status and b"connection" not in start_of(events)[1]
        assert exchange.messages == []  # all of the body was taken

    app.limits.max_body = 4  # more than the app takes anywhere: not skipped, the connection ends
    exchange = Call(app, http_scope("POST", "/echo", headers=[(b"content-length", b"5")]), list(body))
    events = asyncio.run(exchange.run())
    assert start_of(events)[0] == 413 and start_of(events)[1][b"connection"] == b"close"
    assert len(exchange.messages) == 2
    streamed = Call(app, http_scope("POST", "/echo", headers=[(b"transfer-encoding", b"chunked")]),
                    [{"type": "http.request", "body": b"hello", "more_body": True},
                     {"type": "http.request", "body": b"more", "more_body": True},
                     {"type": "http.request", "body": b"", "more_body": False}])
    events = asyncio.run(streamed.run())
    assert start_of(events)[0] == 413 and b"connection" not in start_of(events)[1]
    assert streamed.messages == []  # no length: skipped, up to what the app takes
    assert b"connection" not in start_of(call(app, http_scope()))[1]

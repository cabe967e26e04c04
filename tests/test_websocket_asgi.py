"""The WebSocket plugin's handlers under ASGI, event by event with the
in-memory server of asgi_driver: the route takes resp.asgi_websocket, so
the same `@websocket` handler meets the Origin policy, the subprotocol,
the message limit and close codes as on the built-in server. Real
uvicorn, hypercorn and granian run them in tests/test_websocket_asgi_servers.py."""

import asyncio

import pytest

from asgi_driver import Call, call, http_scope, start_of, websocket_scope
from picoweb import WebApp
from picoweb_plugins.websocket import ConnectionClosed, WebSockets, websocket

CONNECT = {"type": "websocket.connect"}
HTTP_ANSWERS = {"websocket.http.response": {}}  # the server can send a refusal's own answer


def text(data):
    return {"type": "websocket.receive", "text": data}


def binary(data):
    return {"type": "websocket.receive", "bytes": data}


def gone(code=1000, reason=""):
    return {"type": "websocket.disconnect", "code": code, "reason": reason}


def close_event(code, reason=""):
    return {"type": "websocket.close", "code": code, "reason": reason}


def plugin_app(told=None, **settings):
    app = WebApp()
    app.debug = -1
    app.install(WebSockets(**settings))

    @app.route("/ws")
    @websocket
    async def echo(req, ws):
        try:
            async for message in ws:
                await ws.send(message)
        finally:
            if told is not None:
                told.append((ws.close_code, ws.close_reason, ws.subprotocol))

    @app.route("/close")
    @websocket
    async def close(req, ws):
        await ws.close(4000, "done")

    @app.route("/fail")
    @websocket
    async def fail(req, ws):
        await ws.receive()
        raise RuntimeError("failed on purpose")

    return app


def test_echo_text_and_binary_and_the_clients_close_code_reaches_the_handler():
    told = []
    events = call(plugin_app(told), websocket_scope(), [CONNECT, text("hi"), binary(b"\x00\x01"), gone(4001, "bye")])
    assert events == [{"type": "websocket.accept", "headers": []}, {"type": "websocket.send", "text": "hi"},
                      {"type": "websocket.send", "bytes": b"\x00\x01"}]
    assert told == [(4001, "bye", None)]


def test_origin_policy():
    app = plugin_app(origins=["https://allowed.example"])
    evil = websocket_scope(headers=[(b"origin", b"https://evil.example")], extensions=HTTP_ANSWERS)
    assert start_of(call(app, evil, [CONNECT]), "websocket.http.response.start")[0] == 403
    # A server without the extension answers 403 itself when refused before accept.
    evil = websocket_scope(headers=[(b"origin", b"https://evil.example")])
    assert call(app, evil, [CONNECT]) == [{"type": "websocket.close", "code": 1000}]
    for origin in (b"https://allowed.example", b"http://test"):  # listed; the request's own host
        events = call(app, websocket_scope(headers=[(b"origin", origin)]), [CONNECT, gone()])
        assert events[0]["type"] == "websocket.accept", origin
    strict = plugin_app(allow_missing_origin=False)
    assert start_of(call(strict, websocket_scope(extensions=HTTP_ANSWERS), [CONNECT]),
                    "websocket.http.response.start")[0] == 403


def test_the_subprotocol_is_ours_first_of_those_offered():
    told = []
    app = plugin_app(told, subprotocols=["chat.v2", "chat"])
    events = call(app, websocket_scope(subprotocols=["chat", "chat.v2"]), [CONNECT, gone()])
    assert events == [{"type": "websocket.accept", "headers": [], "subprotocol": "chat.v2"}]
    assert told == [(1000, "", "chat.v2")]
    events = call(app, websocket_scope(subprotocols=["other"]), [CONNECT, gone()])
    assert events == [{"type": "websocket.accept", "headers": []}]


@pytest.mark.parametrize("message, kept", [
    (text("x" * 10), True), (text("x" * 11), False), (binary(b"x" * 10), True), (binary(b"x" * 11), False),
    (text("é" * 5), True), (text("é" * 6), False),  # the limit counts UTF-8 bytes, not characters
])
def test_the_plugins_message_limit_holds_closing_1009(message, kept):
    told = []
    events = call(plugin_app(told, max_message_size=10), websocket_scope(), [CONNECT, message, gone(1000)])
    if kept:
        assert events[1]["type"] == "websocket.send" and told == [(1000, "", None)]
    else:
        assert events[1:] == [close_event(1009, "message too big")]
        assert told == [(1009, "message too big", None)]


def test_the_handlers_close_code_and_a_failure_go_to_the_client(caplog):
    app = plugin_app()
    assert call(app, websocket_scope("/close"), [CONNECT])[1:] == [close_event(4000, "done")]
    app.debug = 0
    assert call(app, websocket_scope("/fail"), [CONNECT, text("go")])[1:] == [close_event(1011)]
    assert "RuntimeError: failed on purpose" in caplog.text


def test_a_code_that_may_not_be_sent_is_a_value_error_and_a_1011():
    app = plugin_app()

    @app.route("/bad-close")
    @websocket
    async def bad_close(req, ws):
        await ws.close(1005)

    assert call(app, websocket_scope("/bad-close"), [CONNECT])[1:] == [close_event(1011)]


def test_pings_are_the_servers():
    app = plugin_app(ping_interval=0.01)

    @app.route("/ping")
    @websocket
    async def ping(req, ws):
        await ws.ping()
        await ws.send("pinged")
        await ws.receive()

    events = call(app, websocket_scope("/ping"), [CONNECT, gone()])
    assert events[1:] == [{"type": "websocket.send", "text": "pinged"}]


def test_a_send_the_server_fails_tells_the_handler_the_client_left():
    app = plugin_app()
    told = []

    @app.route("/sender")
    @websocket
    async def sender(req, ws):
        try:
            await ws.send("one")
        except ConnectionClosed as exc:
            told.append(exc.code)

    def fail_after_accept(running, event):
        running.send_fails = ConnectionResetError("the client left")

    running = Call(app, websocket_scope("/sender"), [CONNECT])
    running.on_event = fail_after_accept
    asyncio.run(running.run())
    assert told == [1006]


def test_a_websocket_refused_while_the_server_stops():
    app = plugin_app()
    app.stopping = True
    events = call(app, websocket_scope(extensions=HTTP_ANSWERS), [CONNECT])
    status, headers = start_of(events, "websocket.http.response.start")
    assert status == 503 and headers[b"retry-after"] == b"1"


def test_http_scopes_take_the_plugins_own_path():
    app = plugin_app()
    plain = call(app, http_scope(path="/ws"))
    assert start_of(plain)[0] == 426 and start_of(plain)[1][b"sec-websocket-version"] == b"13"
    # An upgrade a server sent as plain HTTP (its WebSockets off): nothing to hand over.
    upgrade = websocket_scope()
    upgrade.update(type="http", method="GET")
    assert start_of(call(app, upgrade))[0] == 501

"""The websocket plugin end to end: real servers on 127.0.0.1, the
`websockets` library as a real client, and wsproto beside raw frames for
what a polite client never sends. Most tests serve examples/example_ws_echo.py
in-process, so the server's own tasks can be counted; others small apps
with the settings they test. The suite runs on each CPython transport
(PICOWEB_TRANSPORT); tests/unix/test_mp_websocket.py serves the echo and
the chat from the MicroPython unix port with these helpers.
"""

import asyncio
import logging
import os
import socket
import struct
import sys
import threading
import time

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK, InvalidStatus
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage

import picoweb
from picoweb_plugins.websocket import WebSockets, websocket
from rawhttp import connect as raw_connect, recv_responses

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
sys.path.insert(0, EXAMPLES)
import example_ws_echo  # noqa: E402

TIMEOUT = 10  # seconds any one test's client side may take
MASK = b"\x37\xfa\x21\x3d"
KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def run(coro, timeout=TIMEOUT):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def ws_url(server, path="/ws"):
    return "ws://127.0.0.1:%d%s" % (server.port, path)


@pytest.fixture
def echo_server(serve_app):
    app = example_ws_echo.app
    app.debug = -1
    return serve_app(app)


def server_tasks(server):
    """The tasks on the server's loop now (the asking one aside)."""
    async def tasks():
        return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}

    return asyncio.run_coroutine_threadsafe(tasks(), server.loop).result(5)


def settle_tasks(server, baseline, timeout=5):
    """Wait until the server runs only the tasks of `baseline`; what is left then."""
    deadline = time.monotonic() + timeout
    while True:
        left = server_tasks(server) - baseline
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def abort(sock):
    """Vanish without a Close frame or a FIN: a reset, as a crashed client."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# Echo, as a browser or any client sees it


def test_echo_text_binary_and_compression(echo_server):
    async def client():
        async with connect(ws_url(echo_server)) as ws:
            assert "permessage-deflate" in ws.response.headers["Sec-WebSocket-Extensions"]
            await ws.send("hello, мир")
            assert await ws.recv() == "hello, мир"
            await ws.send(b"\x00\x01\xfe\xff")
            assert await ws.recv() == b"\x00\x01\xfe\xff"
            await ws.send("")
            assert await ws.recv() == ""
        assert ws.close_code == 1000

    run(client())


def test_echo_large_messages_under_the_limit(echo_server):
    text = "é" * (450 * 1024)  # 900 KiB of UTF-8
    binary = os.urandom(900 * 1024)  # does not compress: big frames both ways

    async def client(compression):
        async with connect(ws_url(echo_server), compression=compression, max_size=None) as ws:
            await ws.send(text)
            assert await ws.recv() == text
            await ws.send(binary)
            assert await ws.recv() == binary

    run(client("deflate"))
    run(client(None))


def test_echo_fragmented_messages(echo_server):
    async def client():
        async with connect(ws_url(echo_server), compression=None) as ws:
            await ws.send(["frag", "men", "ted ", "€"])  # four frames, one message
            assert await ws.recv() == "fragmented €"
            await ws.send([b"\x01" * 70000, b"\x02" * 3])
            assert await ws.recv() == b"\x01" * 70000 + b"\x02" * 3

    run(client())


def test_ping_is_answered(echo_server):
    async def client():
        async with connect(ws_url(echo_server)) as ws:
            pong = await ws.ping(b"are you there")
            await asyncio.wait_for(pong, 5)
            await ws.send("still echoing")
            assert await ws.recv() == "still echoing"

    run(client())


@pytest.mark.parametrize("compression", ["deflate", None])
def test_message_over_the_limit_closes_1009(echo_server, compression):
    async def client():
        async with connect(ws_url(echo_server), compression=compression, max_size=None) as ws:
            await ws.send(b"x" * (example_ws_echo.MAX_MESSAGE + 1))
            with pytest.raises(ConnectionClosedError) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1009

    run(client())


def test_invalid_utf8_closes_1007(echo_server):
    async def client():
        async with connect(ws_url(echo_server)) as ws:
            await ws.send(b"ok \xc3\x28", text=True)
            with pytest.raises(ConnectionClosedError) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1007

    run(client())


def test_origin_of_another_site_is_403(echo_server):
    async def client(origin):
        async with connect(ws_url(echo_server), origin=origin) as ws:
            await ws.send("hi")
            return await ws.recv()

    with pytest.raises(InvalidStatus) as refused:
        run(client("https://evil.example"))
    assert refused.value.response.status_code == 403
    # The page's own origin, and a client that sends none, are let in.
    assert run(client("http://127.0.0.1:%d" % echo_server.port)) == "hi"
    assert run(client(None)) == "hi"


def test_abrupt_disconnect_leaves_no_task_behind(echo_server):
    baseline = server_tasks(echo_server)

    async def open_and_vanish(midway):
        async with connect(ws_url(echo_server), compression=None) as ws:
            await ws.send("one")
            assert await ws.recv() == "one"
            if midway:  # half of a fragmented message, then gone
                ws.transport.write(client_frame(0x1, b"half", fin=False))
            ws.transport.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            ws.transport.abort()

    for midway in (False, True):
        for _ in range(5):
            run(open_and_vanish(midway))
    assert settle_tasks(echo_server, baseline) == set()
    assert example_ws_echo.app.find_plugin(WebSockets).open == set()
    assert run(echo_once(echo_server, "served on")) == "served on"


async def echo_once(server, message, path="/ws", **options):
    async with connect(ws_url(server, path), **options) as ws:
        await ws.send(message)
        return await ws.recv()


async def first_message(server, path="/ws"):
    async with connect(ws_url(server, path)) as ws:
        return await ws.recv()


# The opening handshake refused, through the app's error path


def refusal(port, head):
    """The one response to an upgrade request the server refuses."""
    sock = raw_connect(port)
    try:
        sock.sendall(head)
        return recv_responses(sock, 1)[0]
    finally:
        sock.close()


def upgrade_head(path="/ws", version=b"1.1", **headers):
    fields = {"Host": "127.0.0.1", "Upgrade": "websocket", "Connection": "Upgrade",
              "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": KEY}
    for name, value in headers.items():
        name = name.replace("_", "-")
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    lines = ["GET %s HTTP/%s" % (path, version.decode())] + ["%s: %s" % item for item in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_handshake_refusals(echo_server):
    port = echo_server.port
    plain = refusal(port, b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")  # a browser's address bar
    assert plain.status == 426
    assert plain.headers["Upgrade"] == "websocket" and plain.headers["Sec-WebSocket-Version"] == "13"
    old = refusal(port, upgrade_head(Sec_WebSocket_Version="8"))
    assert old.status == 426 and old.headers["Sec-WebSocket-Version"] == "13"
    for head in (upgrade_head(Sec_WebSocket_Key=None), upgrade_head(Sec_WebSocket_Key="c2hvcnQ="),
                 upgrade_head(Connection="keep-alive"), upgrade_head(version=b"1.0"),
                 upgrade_head(Content_Length="5") + b"hello", upgrade_head(Upgrade="h2c")):
        assert refusal(port, head).status == 400, head
    assert refusal(port, upgrade_head().replace(b"GET ", b"POST ", 1)).status == 405
    assert refusal(port, upgrade_head(Origin="null")).status == 403
    assert refusal(port, upgrade_head(Origin="http://127.0.0.1.evil.example")).status == 403
    assert run(echo_once(echo_server, "fine")) == "fine"


# RFC 6455 rules a polite client never breaks: raw frames after a wsproto handshake


def client_frame(opcode, payload=b"", fin=True, rsv=0, masked=True, length=None):
    """One client frame, built by hand: any header a test wants."""
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    length = len(payload) if length is None else length
    if length < 126:
        head = bytes((first, (0x80 if masked else 0) | length))
    elif length < 65536:
        head = bytes((first, (0x80 if masked else 0) | 126)) + struct.pack("!H", length)
    else:
        head = bytes((first, (0x80 if masked else 0) | 127)) + struct.pack("!Q", length)
    if not masked:
        return head + payload
    return head + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))


class RawClient:
    """A socket past a handshake made by wsproto; frames are then ours to write."""

    def __init__(self, port, path="/ws"):
        self.sock = raw_connect(port)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.sock.sendall(self.ws.send(Request(host="127.0.0.1:%d" % port, target=path)))
        self.events = []
        while not any(isinstance(e, AcceptConnection) for e in self.events):
            self.receive()
        self.events = [e for e in self.events if not isinstance(e, AcceptConnection)]

    def receive(self):
        """Read once; False once the server closed the TCP connection."""
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            return False  # not told to wsproto: it would add a 1006 of its own
        self.ws.receive_data(data)
        self.events += list(self.ws.events())
        return True

    def until_closed(self):
        """Every event until the server closes the connection (bounded by the socket timeout)."""
        while self.receive():
            pass
        self.sock.close()
        return self.events

    def close_code(self):
        closes = [e for e in self.until_closed() if isinstance(e, CloseConnection)]
        return closes[0].code if closes else None


FAILURES = [
    ("unmasked frame", client_frame(0x1, b"hi", masked=False), 1002),
    ("reserved opcode 3", client_frame(0x3, b"x"), 1002),
    ("reserved control opcode 11", client_frame(0xB), 1002),
    ("ping over 125 bytes", client_frame(0x9, b"p" * 126), 1002),
    ("fragmented ping", client_frame(0x9, b"p", fin=False), 1002),
    ("RSV2 set", client_frame(0x1, b"x", rsv=2), 1002),
    ("RSV3 set", client_frame(0x2, b"x", rsv=1), 1002),
    ("RSV1 without permessage-deflate", client_frame(0x1, b"x", rsv=4), 1002),
    ("continuation without a start", client_frame(0x0, b"tail"), 1002),
    ("new message inside a fragmented one", client_frame(0x1, b"a", fin=False) + client_frame(0x1, b"b"), 1002),
    ("length not in its shortest form", client_frame(0x1, b"x" * 10, length=None)[:1] + b"\xfe\x00\x0a"
     + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(b"x" * 10)), 1002),
    ("close code 1005", client_frame(0x8, struct.pack("!H", 1005)), 1002),
    ("close code 999", client_frame(0x8, struct.pack("!H", 999)), 1002),
    ("close code 2999", client_frame(0x8, struct.pack("!H", 2999)), 1002),
    ("close with a 1-byte payload", client_frame(0x8, b"\x03"), 1002),
    ("close reason not UTF-8", client_frame(0x8, struct.pack("!H", 1000) + b"\xff"), 1007),
    ("text not UTF-8", client_frame(0x1, b"\xed\xa0\x80"), 1007),  # a UTF-16 surrogate
    ("frame length over the limit", client_frame(0x2, length=2 << 20), 1009),
]


@pytest.mark.parametrize("what, data, code", FAILURES, ids=[case[0] for case in FAILURES])
def test_protocol_violation_fails_the_connection(echo_server, what, data, code):
    client = RawClient(echo_server.port)
    client.sock.sendall(data)
    assert client.close_code() == code  # and the server closed TCP: until_closed() returned


def test_client_close_is_answered_with_its_code(echo_server):
    client = RawClient(echo_server.port)
    client.sock.sendall(client_frame(0x1, b"last") + client_frame(0x8, struct.pack("!H", 4321) + b"bye"))
    events = client.until_closed()
    assert [type(e) for e in events] == [TextMessage, CloseConnection]
    assert events[0].data == "last" and events[1].code == 4321


def test_control_frames_between_fragments(echo_server):
    client = RawClient(echo_server.port)
    client.sock.sendall(client_frame(0x1, b"a", fin=False) + client_frame(0x9, b"ping!")
                        + client_frame(0x0, b"b") + client_frame(0x8, struct.pack("!H", 1000)))
    events = client.until_closed()
    assert [type(e).__name__ for e in events] == ["Pong", "TextMessage", "CloseConnection"]
    assert events[0].payload == b"ping!" and events[1].data == "ab"


# The plugin's settings and the handler's side


def app_with(handler=None, path="/ws", **settings):
    app = picoweb.WebApp()
    app.debug = -1
    app.install(WebSockets(**settings))
    if handler is not None:
        app.route(path)(websocket(handler))
    return app


def test_server_pings_fail_a_client_that_does_not_answer(serve_app):
    told = []
    ended = threading.Event()

    async def handler(req, ws):
        try:
            await ws.receive()
        except Exception as exc:
            told.append(exc.code)
        ended.set()

    server = serve_app(app_with(handler, ping_interval=0.1, ping_timeout=0.3))
    client = RawClient(server.port)  # wsproto answers pings only when asked to: we never ask
    started = time.monotonic()
    events = client.until_closed()
    assert isinstance(events[0], Ping)
    assert events[-1].code == 1011 and time.monotonic() - started < 3
    assert ended.wait(5) and told == [1011]


def test_server_pings_keep_a_live_client(serve_app):
    async def handler(req, ws):
        async for message in ws:
            await ws.send(message)

    server = serve_app(app_with(handler, ping_interval=0.05, ping_timeout=0.5))

    async def client():
        async with connect(ws_url(server)) as ws:  # websockets answers pings itself
            await asyncio.sleep(0.6)
            await ws.send("alive")
            return await ws.recv()

    assert run(client()) == "alive"


def test_handler_told_when_the_client_goes_away(serve_app):
    told = threading.Event()
    codes = []

    async def handler(req, ws):
        async for message in ws:
            await ws.send(message)
        codes.append(ws.close_code)
        told.set()

    server = serve_app(app_with(handler))
    client = RawClient(server.port)
    abort(client.sock)
    assert told.wait(5) and codes == [1006]


def test_subprotocols_and_settings(serve_app):
    async def handler(req, ws):
        await ws.send(ws.subprotocol or "none")

    server = serve_app(app_with(handler, subprotocols=["chat.v2", "chat"], compression=False))

    async def client(offered):
        async with connect(ws_url(server), subprotocols=offered) as ws:
            assert "Sec-WebSocket-Extensions" not in ws.response.headers  # compression=False
            return ws.subprotocol, await ws.recv()

    assert run(client(["chat", "chat.v2"])) == ("chat.v2", "chat.v2")  # our preference first
    assert run(client(["chat"])) == ("chat", "chat")
    assert run(client(None)) == (None, "none")


def test_frame_and_message_limits_apart(serve_app):
    async def handler(req, ws):
        async for message in ws:
            await ws.send(str(len(message)))

    server = serve_app(app_with(handler, max_message_size=4096, max_frame_size=1024, compression=False))
    client = RawClient(server.port)
    client.sock.sendall(client_frame(0x2, b"x" * 1024, fin=False) + client_frame(0x0, b"y" * 1024))
    client.sock.sendall(client_frame(0x2, b"z" * 1025))
    events = client.until_closed()
    assert events[0].data == "2048" and events[-1].code == 1009


def test_handler_return_closes_1000_and_a_failure_1011(serve_app, caplog):
    async def handler(req, ws):
        message = await ws.receive()
        if message == "fail":
            1 / 0

    app = app_with(handler)
    app.debug = 0  # log the failure
    server = serve_app(app)

    async def client(message):
        async with connect(ws_url(server)) as ws:
            await ws.send(message)
            with pytest.raises((ConnectionClosedOK, ConnectionClosedError)) as closed:
                await ws.recv()
            return closed.value.rcvd.code

    with caplog.at_level(logging.ERROR, logger="picoweb"):
        assert run(client("done")) == 1000
        assert run(client("fail")) == 1011
    assert "ZeroDivisionError" in caplog.text


def test_senders_in_other_tasks_never_interleave_frames(serve_app):
    async def handler(req, ws):
        async def sender(fill):
            for _ in range(30):
                await ws.send(bytes((fill,)) * 65536)

        senders = [asyncio.create_task(sender(fill)) for fill in (1, 2)]
        async for message in ws:  # pings and the Close are answered meanwhile
            await ws.send(message)
        await asyncio.gather(*senders)

    server = serve_app(app_with(handler, compression=False))

    async def client():
        async with connect(ws_url(server), max_size=None, ping_interval=0.01) as ws:
            got = [await ws.recv() for _ in range(60)]
            for message in got:
                assert len(message) == 65536 and len(set(message)) == 1
            assert sorted(message[0] for message in got) == [1] * 30 + [2] * 30

    run(client())


def test_mounted_app_uses_the_plugin_of_its_parent(serve_app):
    root = app_with()
    sub = picoweb.WebApp()
    sub.route("/ws")(websocket(lambda req, ws: ws.send("sub " + req.path)))
    root.mount("/sub", sub)
    server = serve_app(root)
    assert run(first_message(server, "/sub/ws")) == "sub /ws"


def test_route_without_the_plugin_is_a_500(serve_app):
    app = picoweb.WebApp()
    app.debug = -1
    app.route("/ws")(websocket(lambda req, ws: ws.send("never")))
    server = serve_app(app)
    with pytest.raises(InvalidStatus) as refused:
        run(first_message(server))
    assert refused.value.response.status_code == 500


def test_shutdown_closes_open_websockets_1001(serve_app):
    example_ws_echo.app.debug = -1
    server = serve_app(example_ws_echo.app)

    async def client():
        async with connect(ws_url(server)) as first, connect(ws_url(server)) as second:
            await first.send("up")
            assert await first.recv() == "up"
            stopping = asyncio.ensure_future(asyncio.to_thread(server.stop))
            for ws in (first, second):
                with pytest.raises(ConnectionClosedOK) as closed:
                    await ws.recv()
                assert closed.value.rcvd.code == 1001
            started = time.monotonic()
            await stopping
            return time.monotonic() - started

    assert run(client()) < 1  # well within shutdown_timeout: nobody waited for it


"""An ASGI server's side of one call, in memory: the scope, the messages the
app receives, and every event it sends, in order. The tests of
picoweb.asgi use it to see the exact events; tests/test_asgi_servers.py
runs the same app under real servers."""

import asyncio

DISCONNECT = {"type": "http.disconnect"}


def http_scope(method="GET", path="/", query=b"", headers=(), raw_path=None, **extra):
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode() if raw_path is None else raw_path,
        "query_string": query, "root_path": "", "headers": [(b"host", b"test")] + list(headers),
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }
    scope.update(extra)
    return scope


def websocket_scope(path="/ws", headers=(), subprotocols=(), extensions=None):
    scope = http_scope("GET", path, headers=[
        (b"upgrade", b"websocket"), (b"connection", b"Upgrade"), (b"sec-websocket-version", b"13"),
        (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ==")] + list(headers))
    del scope["method"]
    scope.update(type="websocket", scheme="ws", subprotocols=list(subprotocols), extensions=extensions or {})
    return scope


class Call:
    """`messages` are received in order; then receive() waits until
    `disconnect()` (or `end` is given at once). `events` holds what the
    app sent; `send_fails` makes send() raise as a server whose client left."""

    def __init__(self, app, scope, messages=None, end=None):
        self.app = app
        self.scope = scope
        self.messages = list(messages if messages is not None else [{"type": "http.request", "body": b""}])
        self.events = []
        self.gone = asyncio.Event()
        self.end = end or DISCONNECT
        self.send_fails = None
        self.on_event = None  # called with each event as it is sent

    def disconnect(self):
        self.gone.set()

    async def receive(self):
        if self.messages:
            return self.messages.pop(0)
        await self.gone.wait()
        return self.end

    async def send(self, event):
        if self.send_fails is not None:
            raise self.send_fails
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(self, event)

    async def run(self, timeout=5):
        await asyncio.wait_for(self.app(self.scope, self.receive, self.send), timeout)
        return self.events


def call(app, scope, messages=None, **kwargs):
    """The events `app` sends for `scope`, run to completion."""
    return asyncio.run(Call(app, scope, messages, **kwargs).run())


def body_of(events, kind="http.response.body"):
    return b"".join(event.get("body", b"") for event in events if event["type"] == kind)


def start_of(events, kind="http.response.start"):
    starts = [event for event in events if event["type"] == kind]
    assert len(starts) == 1, events
    return starts[0]["status"], dict(starts[0]["headers"])

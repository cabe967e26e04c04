"""ASGI's websocket scope: the handshake is served as the GET request it
is (routes, hooks, mounts, error handlers), and the handler finds the
WebSocket in `resp.asgi_websocket`: accept it, then messages both ways.

The ASGI server has checked the handshake, frames the messages, answers
pings and applies its own size limit; the WebSocket plugin maps its
handler API onto `AsgiWebSocket` instead of frames over `resp.upgrade()`.
A request not accepted gets the answer the app made for it, as an HTTP
response where the server offers that (`websocket.http.response`), else
a refusal (the server answers 403).

Imported on the first websocket scope.
"""

from .asgi import read_request, reject, run
from .asgi_response import AsgiConnection
from .response import header_pairs

# Headers of the handshake that the server writes itself (the
# subprotocol is accept()'s argument): a hook's copy must not double them.
_HANDSHAKE_HEADERS = frozenset((
    "connection", "upgrade", "content-length", "transfer-encoding", "sec-websocket-accept",
    "sec-websocket-protocol", "sec-websocket-extensions", "sec-websocket-version",
))


async def serve_websocket(app, scope, receive, send):
    """Serve one websocket scope (see the module's docstring)."""
    if (await receive())["type"] != "websocket.connect":
        return  # the client left before the handshake was through
    if not app.inited:
        await app.start()
    conn = WebSocketConnection(app, scope, receive, send)
    req, refused = read_request(conn, scope, "GET")
    if refused is not None:
        await reject(conn, refused, req)
        return
    resp = req.response_class(conn, req)
    resp.asgi_websocket = conn.websocket = AsgiWebSocket(resp, scope, receive, send)
    await run(conn, req, resp)


class WebSocketConnection(AsgiConnection):
    """A websocket scope's side of the connection: the answer of a request
    not accepted goes out as websocket.http.response events, or as a close."""

    start_type = "websocket.http.response.start"
    body_type = "websocket.http.response.body"
    watches_disconnect = False  # receive() brings the WebSocket's messages
    websocket = None
    refused = False

    def __init__(self, app, scope, receive, send):
        AsgiConnection.__init__(self, app, scope, receive, send)
        if "websocket.http.response" not in self.extensions:
            self.asgi_send = self._refuse  # a server that cannot send the answer

    async def _refuse(self, event):
        # The answer's first event refuses the WebSocket (the server then
        # answers 403); the rest has nowhere to go.
        if not self.refused:
            self.refused = True
            await self.websocket.send_event({"type": "websocket.close", "code": 1000})

    async def end(self, resp):
        websocket = self.websocket
        if websocket.accepted or websocket.closed:
            await websocket.close()  # the handler returned: the WebSocket ends with it
            return
        await AsgiConnection.end(self, resp)

    def upgrade_refused(self):
        return RuntimeError("under an ASGI server a WebSocket is accepted with "
                            "resp.asgi_websocket.accept(): resp.upgrade() has no connection to hand over")


class AsgiWebSocket:
    """`resp.asgi_websocket`: the WebSocket a client asks for through an
    ASGI server. `subprotocols` lists those it offers. After `await
    accept(subprotocol=None, headers=None)`: `await receive()` (str for a
    text message, bytes for a binary one, None once closed: `close_code`
    and `close_reason` tell how), `await send(str or bytes)`
    (ConnectionResetError once closed), `await close(code=1000, reason="")`.
    `close()` before `accept()` refuses it (403)."""

    accepted = False
    closed = False
    close_code = None
    close_reason = ""
    subprotocol = None

    def __init__(self, resp, scope, receive, send):
        self.resp = resp
        self.subprotocols = list(scope.get("subprotocols") or ())
        self._receive = receive
        self.send_event = send  # the server's send()

    async def accept(self, subprotocol=None, headers=None):
        """Accept with `subprotocol` (one the client offered, or None) and
        `headers` (a dict or pairs) beside the response's own, after the
        before_send hooks, as resp.upgrade() sends its head."""
        resp = self.resp
        if resp.headers_sent or self.closed:
            raise RuntimeError("the WebSocket is already answered")
        if subprotocol is not None and subprotocol not in self.subprotocols:
            raise ValueError("the client did not offer the subprotocol %r" % subprotocol)
        resp.status = 101
        if headers:
            own = resp.headers
            for name, value in header_pairs(headers):
                own[name] = value
        if resp.before_send:
            await resp._run_before_send()
        event = {"type": "websocket.accept", "headers": [
            (name.lower().encode(), value.encode()) for name, value in resp.headers.items()
            if name.lower() not in _HANDSHAKE_HEADERS]}
        if subprotocol is not None:
            event["subprotocol"] = subprotocol
        await self.send_event(event)
        resp.headers_sent = resp.raw = True
        self.accepted = True
        self.subprotocol = subprotocol
        return self

    async def receive(self):
        """The next message: str (text) or bytes (binary); None once the
        WebSocket is closed."""
        if self.closed:
            return None
        message = await self._receive()
        if message["type"] == "websocket.receive":
            text = message.get("text")
            return text if text is not None else message.get("bytes") or b""
        # websocket.disconnect: the client closed, or the connection was lost.
        self._closed(message.get("code", 1005), message.get("reason") or "")
        return None

    async def send(self, data):
        """Send a text (str) or binary (bytes) message."""
        if self.closed:
            raise ConnectionResetError("the WebSocket is closed (%s)" % self.close_code)
        if isinstance(data, str):
            event = {"type": "websocket.send", "text": data}
        else:
            # memoryview() takes only what holds bytes: bytes(3) would send three zeros.
            event = {"type": "websocket.send", "bytes": data if type(data) is bytes else bytes(memoryview(data))}
        try:
            await self.send_event(event)
        except OSError:
            self._closed(1006, "")
            raise

    async def close(self, code=1000, reason=""):
        """Close with `code` and `reason`; before accept(), refuse."""
        if self.closed:
            return
        if not self.accepted:
            self.resp.headers_sent = self.resp.raw = True  # no other answer follows
        self._closed(code, reason)
        try:
            await self.send_event({"type": "websocket.close", "code": code, "reason": reason})
        except OSError:
            pass  # gone already

    def _closed(self, code, reason):
        self.closed = True
        self.close_code = code
        self.close_reason = reason

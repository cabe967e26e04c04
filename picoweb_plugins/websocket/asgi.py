"""The plugin's handlers under an ASGI server (uvicorn, hypercorn, granian).

There the server has checked the handshake and frames the messages: the
route finds the WebSocket in `resp.asgi_websocket` (picoweb.asgi_websocket)
instead of a stream from `resp.upgrade()`. `accept()` decides what is the
app's to decide (503 once the server stops, the Origin policy's 403, the
subprotocol) and gives the handler a `MessageWebSocket`: the API of
handler_api.WebSocket over the server's messages.

The server owns compression, pings, frames and a size limit of its own;
the plugin's `max_message_size` still holds, checked on each message as
it arrives (close 1009), so a server's larger limit lets the message in
but never reach the handler.

CPython only (no ASGI server calls an app on MicroPython): loaded by the
first WebSocket an ASGI server brings, outside the mip manifest.
"""

from picoweb import HTTPError

from .close import ABNORMAL, MESSAGE_TOO_BIG, NORMAL, ConnectionClosed, encode_close
from .handshake import HandshakeError, check_origin, choose_subprotocol
from .plugin import _stopping


async def accept(settings, req, channel):
    """Accept `channel` (resp.asgi_websocket) under `settings` (the app's
    WebSockets) and return the handler's `ws`; HTTPError 503 once the
    server stops, HandshakeError 403 for an Origin not allowed."""
    if _stopping(req.app):
        raise HTTPError(503, "the server is shutting down", {"Retry-After": "1"})
    headers = req.headers
    if not check_origin(headers.get("origin"), headers.get("host"), settings.origins,
                        settings.allow_missing_origin):
        raise HandshakeError(403, "Origin not allowed")
    subprotocol = choose_subprotocol(channel.subprotocols, settings.subprotocols)
    await channel.accept(subprotocol)
    return MessageWebSocket(channel, subprotocol, settings.max_message_size)


class MessageWebSocket:
    """`ws` under an ASGI server: `await ws.receive()`, `await
    ws.send(str or bytes)`, `await ws.close(code, reason)`, `async for
    message in ws`, `await ws.ping()` (the server pings: nothing to send);
    `ws.subprotocol`, `ws.closed`, `ws.close_code`, `ws.close_reason`.
    ConnectionClosed(code, reason) once closed, as handler_api.WebSocket."""

    def __init__(self, channel, subprotocol, max_message_size):
        self.channel = channel
        self.subprotocol = subprotocol
        self.max_message_size = max_message_size
        self.receiving = False

    @property
    def closed(self):
        return self.channel.closed

    @property
    def close_code(self):
        return self.channel.close_code

    @property
    def close_reason(self):
        return self.channel.close_reason

    async def receive(self):
        """The next message: str (text) or bytes (binary). ConnectionClosed
        (with the code) once the client closed or went away, or we closed."""
        if self.receiving:
            raise RuntimeError("another task is already in receive()")
        channel = self.channel
        if not channel.closed:
            self.receiving = True
            try:
                message = await channel.receive()
            finally:
                self.receiving = False
            if message is not None and not channel.closed:  # after our close, dropped
                if not self._too_big(message):
                    return message
                await self.close(MESSAGE_TOO_BIG, "message too big")
        raise ConnectionClosed(channel.close_code, channel.close_reason)

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return await self.receive()
        except ConnectionClosed:
            raise StopAsyncIteration

    async def send(self, data):
        """Send a text (str) or binary (bytes) message; ConnectionClosed
        once closed or the server says the client is gone."""
        channel = self.channel
        try:
            await channel.send(data)
        except OSError:
            raise ConnectionClosed(channel.close_code or ABNORMAL, channel.close_reason)

    async def ping(self, payload=None):
        """The ASGI server sends the pings (uvicorn's --ws-ping-interval): none from here."""
        if self.channel.closed:
            raise ConnectionClosed(self.channel.close_code, self.channel.close_reason)

    async def keepalive(self, interval, timeout):
        """WebSockets(ping_interval=...) asks for this task: the server pings instead."""

    async def close(self, code=NORMAL, reason=""):
        """Close with `code` and `reason`; the server keeps the closing
        handshake. ValueError for a code the server may not send or a
        reason over 123 bytes, as on the built-in server."""
        encode_close(code, reason)
        await self.channel.close(code, reason)

    def _too_big(self, message):
        limit = self.max_message_size
        size = len(message)
        if isinstance(message, str) and size <= limit < 4 * size:
            size = len(message.encode())  # a character takes 1 to 4 bytes of UTF-8
        return size > limit

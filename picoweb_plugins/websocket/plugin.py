"""The glue to the app: per-app settings and the route decorator.

    app.install(WebSockets(origins=["https://app.example.com"]))

    @app.route("/ws")
    @websocket
    async def echo(req, ws):
        async for message in ws:
            await ws.send(message)

All the protocol lives in the I/O-free modules (handshake, session) and in
handler_api.WebSocket; this file wires them to a request and its
`resp.upgrade()` stream (under an ASGI server, to `resp.asgi_websocket`:
see asgi.py), and ends every open WebSocket with 1001 when the server stops.
"""

import sys

from picoweb import HTTPError
from picoweb.compat import asyncio

from .close import GOING_AWAY, INTERNAL_ERROR, NORMAL, ConnectionClosed
from .handler_api import WebSocket
from .handshake import negotiate
from .session import Session

# A board's heap holds a few KiB per message; CPython's is as large as a request body's.
_MAX_MESSAGE = 16384 if sys.implementation.name == "micropython" else 1048576


class WebSockets:
    """Settings for the WebSocket routes of an app (and the apps mounted
    under it). origins, allow_missing_origin: who may connect (see
    handshake.check_origin); subprotocols: those spoken, preferred first
    (or a function, see handshake.choose_subprotocol); compression: True,
    False or a PerMessageDeflate; max_message_size, max_frame_size: bytes,
    else close 1009; ping_interval (None: no pings) and ping_timeout,
    close_timeout: seconds; read_size: bytes asked of the socket per read."""

    def __init__(self, origins=None, allow_missing_origin=True, subprotocols=(), compression=True,
                 max_message_size=_MAX_MESSAGE, max_frame_size=None, ping_interval=None,
                 ping_timeout=20, close_timeout=5, read_size=4096):
        if compression is True:
            from .permessage_deflate import PerMessageDeflate

            compression = PerMessageDeflate()
        self.origins = origins
        self.allow_missing_origin = allow_missing_origin
        self.subprotocols = subprotocols
        self.deflate = compression or None
        self.max_message_size = max_message_size
        self.max_frame_size = max_frame_size
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.close_timeout = close_timeout
        self.read_size = read_size
        self.open = set()  # the WebSockets open on this plugin's routes
        self.closing = []  # the tasks going_away() started

    def install(self, app):
        app.on_shutdown(self.going_away)

    def going_away(self):
        """Close every open WebSocket with 1001 (the server stops): each in
        its own task, so a slow client does not hold up the others; their
        handlers end within close_timeout, inside the server's shutdown_timeout."""
        # Kept: CPython's loop holds tasks only weakly.
        self.closing = [asyncio.create_task(ws.close(GOING_AWAY, "server shutting down"))
                        for ws in list(self.open)]

    def accept(self, req):
        """The Handshake for `req` (see handshake.negotiate), or
        HandshakeError (400, 403, 405, 426); 503 once the server stops."""
        if _stopping(req.app):
            raise HTTPError(503, "the server is shutting down", {"Retry-After": "1"})
        return negotiate(req.method, req.headers, self.origins, self.subprotocols, self.deflate,
                         req.version, self.allow_missing_origin)

    async def run(self, handler, req, ws, params):
        """Run `handler(req, ws, **params)` on an open WebSocket, then close
        it: 1000 when the handler returns, 1011 when it raises (re-raised,
        so the app logs it)."""
        if _stopping(req.app):  # it began to stop during the handshake, after going_away()
            await ws.close(GOING_AWAY, "server shutting down")
            return
        self.open.add(ws)
        keepalive = None
        if self.ping_interval:
            keepalive = asyncio.create_task(ws.keepalive(self.ping_interval, self.ping_timeout))
        try:
            await handler(req, ws, **params)
        except ConnectionClosed:
            pass  # the client left while the handler sent: nothing to tell it
        except Exception:
            await ws.close(INTERNAL_ERROR)
            raise
        finally:
            self.open.discard(ws)
            if keepalive is not None:
                keepalive.cancel()
        await ws.close(NORMAL)  # at once when the session is closed already


def _stopping(app):
    # The server sets `stopping` on the app it serves: the root one.
    while app.parent is not None:
        app = app.parent
    return app.stopping


def websocket(handler):
    """Decorator: `async def handler(req, ws, **params)` becomes a route
    handler that answers the upgrade (or 400, 403, 426 through the app's
    error path) and runs `handler` on the WebSocket. The app, or one it is
    mounted in, must have WebSockets installed."""
    return WebSocketRoute(handler)


class WebSocketRoute:
    """The route handler `@websocket` makes (a class: MicroPython's functions
    take no attributes). `websocket_handler` is the handler it runs, for
    adapters that speak WebSocket another way (ASGI)."""

    def __init__(self, handler):
        self.websocket_handler = handler

    async def __call__(self, req, resp, **params):
        settings = req.app.find_plugin(WebSockets)
        if settings is None:
            raise RuntimeError("a @websocket route needs app.install(WebSockets(...)) on its app")
        channel = getattr(resp, "asgi_websocket", None)
        if channel is not None:
            # An ASGI server: it frames, the handler gets its messages (see .asgi).
            from .asgi import accept

            ws = await accept(settings, req, channel)
        else:
            handshake = settings.accept(req)
            stream = await resp.upgrade(handshake.headers)
            session = Session(settings.max_message_size, settings.max_frame_size, handshake.codec)
            ws = WebSocket(stream, session, handshake.subprotocol, settings.read_size, settings.close_timeout)
        await settings.run(self.websocket_handler, req, ws, params)

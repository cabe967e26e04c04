"""The glue to the app: per-app settings and the route decorator.

Written against PLUGIN_MODEL.md (`resp.upgrade()`, `app.find_plugin()`),
which the core does not have yet: nothing here is tested so far. All the
protocol lives in the I/O-free modules (handshake, session) and in
handler_api.WebSocket; this file only wires them to a request.

    app.install(WebSockets(origins=["https://app.example.com"]))

    @app.route("/ws")
    @websocket
    async def echo(req, ws):
        async for message in ws:
            await ws.send(message)
"""

import asyncio
import sys

from .close import INTERNAL_ERROR, NORMAL, ConnectionClosed
from .handler_api import WebSocket
from .handshake import negotiate
from .session import Session

# A board's heap holds a few KiB per message; CPython's is as large as a request body's.
_MAX_MESSAGE = 16384 if sys.implementation.name == "micropython" else 1048576


class WebSockets:
    """Settings for the WebSocket routes of an app (and the apps mounted
    under it). origins, allow_missing_origin: who may connect (see
    handshake.check_origin); subprotocols: those spoken, preferred first;
    compression: True, False or a PerMessageDeflate; max_message_size,
    max_frame_size: bytes, else close 1009; ping_interval (None: no pings)
    and ping_timeout, close_timeout: seconds."""

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

    def install(self, app):
        pass  # settings only: websocket() finds them with app.find_plugin()


_DEFAULTS = None


def _settings(req):
    global _DEFAULTS
    found = req.app.find_plugin(WebSockets)
    if found is None:
        if _DEFAULTS is None:
            _DEFAULTS = WebSockets()
        found = _DEFAULTS
    return found


def websocket(handler):
    """Decorator: `async def handler(req, ws)` becomes a route handler that
    answers the upgrade (or 400/403/426) and runs `handler` on the WebSocket."""

    async def serve_websocket(req, resp):
        settings = _settings(req)
        handshake = negotiate(req.method, req.headers, settings.origins, settings.subprotocols,
                              settings.deflate, req.version, settings.allow_missing_origin)
        stream = await resp.upgrade(handshake.headers)
        session = Session(settings.max_message_size, settings.max_frame_size, handshake.codec)
        ws = WebSocket(stream, session, handshake.subprotocol, settings.read_size, settings.close_timeout)
        keepalive = None
        if settings.ping_interval:
            keepalive = asyncio.create_task(ws.keepalive(settings.ping_interval, settings.ping_timeout))
        try:
            await handler(req, ws)
        except ConnectionClosed:
            pass  # the client left while the handler sent: nothing to tell it
        except Exception:
            if not session.closed:
                await ws.close(INTERNAL_ERROR)
            raise
        finally:
            if keepalive is not None:
                keepalive.cancel()
        if not session.closed:
            await ws.close(NORMAL)
        stream.close()

    return serve_websocket

"""WebSocket plugin (RFC 6455, with permessage-deflate from RFC 7692).

The protocol is I/O-free and usable alone: `handshake.negotiate()` checks
an upgrade request, `session.Session` turns the client's bytes into
messages and ours into frames. `handler_api.WebSocket` drives a Session
over a stream; `plugin` wires it to the app (`WebSockets`, `@websocket`)
on `resp.upgrade()`, or under an ASGI server `asgi.MessageWebSocket` on
the server's messages.

Names load on first use, so a board pays only for what its app touches.
"""

_WHERE = {
    "WebSockets": "plugin",
    "websocket": "plugin",
    "WebSocketRoute": "plugin",
    "WebSocket": "handler_api",
    "ConnectionClosed": "close",
    "ProtocolError": "close",
    "Session": "session",
    "negotiate": "handshake",
    "HandshakeError": "handshake",
    "PerMessageDeflate": "permessage_deflate",
}


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        # MicroPython asks here before it imports a submodule for
        # `from picoweb_plugins.websocket import frames`.
        try:
            value = __import__(name, globals(), None, ("__name__",), 1)
        except ImportError:
            raise AttributeError(name)
    else:
        value = getattr(__import__(module, globals(), None, (name,), 1), name)
    globals()[name] = value
    return value

"""ASGI 3: a WebApp served by uvicorn, hypercorn, granian or any ASGI server.

`WebApp.__call__(scope, receive, send)` imports this module on its first
call, so the built-in server (and MicroPython) never loads it. A request
takes the steps of the built-in server's Connection.serve_one() with the
core's own pieces: the scope's request target goes through the same
request-line parser, `new_request()` resolves it to its route and mounted
app, the route's header mode and the serving app's Limits apply, a
BodyReader reads the body from `receive`, `handle()` serves it, and the
head a Response settles goes out through `send` (picoweb.asgi_response).

The lifespan protocol inits the app and its mounted apps (`app.start()`)
and runs the on_shutdown hooks; a server without it gets the app inited
on its first request.
"""

import re

from .compat import asyncio
from .errors import HTTPError
from .headers import Headers
from .http1 import parse_request_line
from .request import NO_BODY, BodyReader, Request
from .failures import answer_error
from .logs import log_exception
from .server import tear_down
from .asgi_response import AsgiConnection, response_class


_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"))
_plain = re.compile(b"[!-~]*\\Z").match  # printable ASCII only, no space


async def serve_asgi(app, scope, receive, send):
    """WebApp.__call__(): serve one ASGI scope."""
    kind = scope["type"]
    if kind == "http":
        if not app.inited:
            await app.start()  # no lifespan from this server: init on the first request
        conn = AsgiConnection(app, scope, receive, send)
        req, refused = read_request(conn, scope, scope["method"])
        if refused is None:
            await run(conn, req, req.response_class(conn, req))
        else:
            await reject(conn, refused, req)
    elif kind == "websocket":
        from .asgi_websocket import serve_websocket

        await serve_websocket(app, scope, receive, send)
    elif kind == "lifespan":
        await lifespan(app, receive, send)
    else:
        # The ASGI spec: an application raises for a scope type it does not know.
        raise ValueError("picoweb serves ASGI http, websocket and lifespan scopes, not %r" % kind)


async def lifespan(app, receive, send):
    """Init the app and its mounted apps at startup; run the on_shutdown
    hooks (app.stopping is true then) at shutdown."""
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "lifespan.startup":
            try:
                await app.start()
            except Exception as exc:
                log_exception(app.log, "init of %r failed" % app, exc)
                await send({"type": "lifespan.startup.failed", "message": "%s: %s" % (type(exc).__name__, exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif kind == "lifespan.shutdown":
            app.stopping = True
            await app.notify_shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return


def read_request(conn, scope, method):
    """(the Request for an ASGI scope, with its headers and body reader, as
    the built-in server makes it from a request head, None), or (a Request,
    the HTTPError) for one the built-in server would refuse: answer that
    with reject()."""
    app = conn.app
    try:
        method, path, query = request_target(scope, method)
    except HTTPError as exc:
        req = Request("", "", "", 1, conn.peer)  # nothing resolved: the root app answers
        req.app = app
        req.limits = app.limits
        req.response_class = response_class((app._classes or app._build_classes())[1])
        return req, exc
    req = app.new_request(method, path, query, 1, conn.peer)
    req.response_class = response_class(req.response_class)
    req.version = scope.get("http_version", "1.1")
    req.scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    req.keep_alive = True  # the server's to decide: nothing here closes
    mode = req.route.header_mode if req.route is not None else "parse"
    try:
        read_headers(conn, req, scope, mode)
    except HTTPError as exc:
        return req, exc
    return req, None


def request_target(scope, method):
    """(method, decoded path, query str) of the scope, checked by the
    request-line parser of the built-in server (400 where it says 400)."""
    raw_path = scope.get("raw_path")
    query = scope.get("query_string") or b""
    if (raw_path and method in _METHODS and raw_path[:1] == b"/" and b"%" not in raw_path
            and _plain(raw_path) and (not query or _plain(query))):
        # The usual target: printable ASCII, no escapes, a known method;
        # what the request-line parser's one-match case takes as it is.
        path = raw_path.decode()
        query = query.decode()
    elif raw_path:
        line = method.encode() + b" " + raw_path + (b"?" + query if query else b"") + b" HTTP/1.1"
        method, path, query, _ = parse_request_line(line, len(line))
    else:  # the server kept only the decoded path
        path = scope["path"]
        query = query.decode("latin-1")
    root_path = scope.get("root_path")
    if root_path and path.startswith(root_path) and path[len(root_path):len(root_path) + 1] in ("", "/"):
        path = path[len(root_path):] or "/"  # a path that still includes the mount point
    return method, path, query


def read_headers(conn, req, scope, mode):
    """Give `req` its headers and body reader from the scope, with the
    limits of the app it was resolved to (431, 413 at once, 400)."""
    limits = req.limits
    headers = scope.get("headers") or []
    if len(headers) > limits.max_headers:
        raise HTTPError(431, "too many header fields")
    # Names come lowercase, as ASGI servers give them; latin-1 maps every
    # byte to one character, as the built-in parser decodes.
    values = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
    if len(values) < len(headers):  # a repeated name: its values joined, as the parser does
        values = {}
        for name, value in headers:
            key = name.decode("latin-1")
            text = value.decode("latin-1")
            old = values.get(key)
            values[key] = text if old is None else old + ("; " if key == "cookie" else ", ") + text
    if sum(map(len, values)) + sum(map(len, values.values())) + 4 * len(headers) > limits.max_header_size:
        raise HTTPError(431)
    req.headers = Headers.from_parsed(values) if mode == "parse" else Headers()
    if mode == "leave":
        # The handler reads the head's lines and the body from the stream,
        # as the built-in server leaves them (names lowercase, as given).
        conn.buf = bytearray(b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n")
        req.reader = BodyReader(conn, limits, raw=True)
        return
    length = values.get("content-length")
    # What is left unread is skipped before the answer ends, up to what the
    # route or the app would take; a body that says it is longer ends the connection.
    conn.skip_budget = max(req.max_body, limits.max_body)
    if length is not None:
        if not length or length.strip("0123456789") or len(length) > 20:
            raise HTTPError(400, "malformed Content-Length")
        length = req.content_length = int(length)
        conn.close_after_body = length > conn.skip_budget
    if length:
        conn.buf = bytearray()
        req.reader = BodyReader(conn, limits, length, limit=req.max_body)  # 413 now if it says more
    elif length is None and ("transfer-encoding" in values or (
            req.version not in ("1.0", "1.1") and req.method not in ("GET", "HEAD"))):
        # The server took the framing off (chunked, or HTTP/2 frames): read
        # to the end, with the body limit on what arrives.
        conn.buf = bytearray()
        req.reader = BodyReader(conn, limits, None, raw=True, limit=req.max_body)
    else:
        req.reader = NO_BODY
        conn.body_done = True


async def run(conn, req, resp):
    """Connection.serve_one()'s steps once the head is read: handle, finish
    (the last event), tear down."""
    try:
        try:
            await conn.app.handle(req, resp)
        except Exception as exc:  # an override of handle() that raised
            await answer_error(req, resp, exc)
        try:
            await resp.finish()
        except (OSError, asyncio.TimeoutError):
            pass  # the client left: nothing more can reach it
        except Exception as exc:  # a before_send hook failed (or the handler's own head)
            await conn.finish_failed(req, resp, exc)
    finally:
        if conn.watcher is not None:
            conn.watcher.cancel()
        if resp.teardown:
            await tear_down(req, resp)


async def reject(conn, exc, req):
    """Answer a request the built-in parser would refuse, as it does."""
    from .failures import reject

    try:
        await reject(conn, exc, req)
    except (OSError, asyncio.TimeoutError):
        pass

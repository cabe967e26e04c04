"""How an error becomes an answer: the error handlers of the app serving
the request and of the apps it is mounted in, then the default error page;
the requests the connection rejects before any handler runs (one
connection too many among them); a before-send hook that fails.

Imported on the first error, not with the core.
"""

from .compat import asyncio, call
from .errors import HTTPError
from .logs import log_exception, traceback_text
from .pages import error_response


async def handle_error(app, req, resp, exc):
    """WebApp.handle_error(): see there."""
    try:
        if getattr(resp.conn, "lost", None) is not None:
            # The client left or stopped reading: no answer can reach it,
            # and no bug of ours to show a traceback for.
            app.log.info("%r: client gone: %r", req, exc)
            cut(resp)
            return
        is_http = isinstance(exc, HTTPError)
        if not is_http:
            log_exception(app.log, "%r failed" % req, exc)
        if not resp.headers_sent:  # else too late for another status
            reset(resp, is_http)
            # This app's handlers first, then each outer app's, which see
            # the request as they would (their path and prefix).
            for depth in range(req.level, -1, -1):
                owner = req.hops[depth][0] if req.hops else app
                handler, given = find_error_handler(owner, exc)
                if handler is not None:
                    if is_http and exc.headers:
                        for name, value in exc.headers.items():
                            resp.headers[name] = value
                    view = enter_level(req, depth)
                    try:
                        result = await call(handler, req, resp, given)
                        if result is not None:
                            owner.make_response(req, resp, result)
                    finally:
                        req.app, req.prefix, req.path, req.level = view
                    return
        await app.handle_exc(req, resp, exc)
    except Exception as inner:
        log_exception(app.log, "handling an error failed on %r" % req, inner)
        if resp.headers_sent:
            cut(resp)
        else:
            # Never let the failed request go out as the 200 it began as.
            reset(resp)
            resp.close_after = True
            error_response(req, resp, HTTPError(500))


async def default_answer(app, req, resp, exc):
    """WebApp.handle_exc(): the parent's (an override there covers this app
    too), else the error page, or a cut connection once the head is out."""
    if app.parent is not None:
        view = enter_level(req, req.level - 1)
        try:
            await app.parent.handle_exc(req, resp, exc)
        finally:
            req.app, req.prefix, req.path, req.level = view
    elif resp.headers_sent:
        cut(resp)
    elif isinstance(exc, HTTPError):
        error_response(req, resp, exc)
    else:
        # The debug error page shows the traceback; never unless debug is on.
        error_response(req, resp, HTTPError(500), traceback_text(exc) if app.debug > 0 else None)


def find_error_handler(app, exc):
    """(handler, what it is given) for `exc` among the app's own handlers:
    one of its class first, then of its status. An exception that is no
    HTTPError is a 500, for an errorhandler(HTTPError) too (as HTTPError(500))."""
    is_http = isinstance(exc, HTTPError)
    status = exc.status if is_http else 500
    by_status = as_http = None
    for key, handler in app._error_handlers:
        if isinstance(key, int):
            if key == status:
                by_status = handler
        elif isinstance(exc, key):
            return handler, exc
        elif not is_http and as_http is None and issubclass(HTTPError, key):
            as_http = handler
    if by_status is not None:
        return by_status, exc
    if as_http is not None:
        return as_http, HTTPError(500)
    return None, exc


def enter_level(req, depth):
    """Show `req` as the app of hop `depth` sees it; returns the view to restore."""
    view = req.app, req.prefix, req.path, req.level
    if depth != req.level:
        req.app, req.prefix, req.path = req.hops[depth]
        req.level = depth
    return view


def reset(resp, keep_headers=False):
    """Forget the answer begun so far (not yet sent), to give another:
    status 200, no body, and no headers unless `keep_headers`."""
    resp.status = 200
    resp.body = None
    resp.started = False
    if not keep_headers:
        resp.headers = None


def cut(resp):
    """The head is out: close without a last chunk, so the client can tell
    the body is incomplete instead of taking it for the whole answer."""
    resp.close_after = True
    resp.send_body = False


async def answer_error(req, resp, exc):
    """An error met outside the apps' handle() (by the connection, or by an
    override of handle()): answered by the app the request was resolved
    to, as if raised inside it."""
    hops = req.hops
    if hops:
        req.app, req.prefix, req.path = hops[-1]
        req.level = len(hops) - 1
    await req.app.handle_error(req, resp, exc)


async def reject(conn, exc, req=None):
    """Connection.reject(): see there."""
    app = conn.app
    app.log.info("%s: rejected with %d: %s", conn.peer, exc.status, exc.message)
    if req is None:
        # Before any route: a request of the root app's class (with its
        # plugins' names, which its before-send hooks may read).
        req = (app._classes or app._build_classes())[0]("", "", "", 1, conn.peer)
        req.app = app
        req.limits = conn.limits
    req.keep_alive = False
    resp = req.response_class(conn, req)
    resp.close_after = True
    # The before-send hooks of the apps on the way still see the answer
    # (a CORS header on a 413, say).
    hooks = ()
    for hop in req.hops or ((app,),):
        hooks += hop[0]._before_send
    resp.before_send = hooks
    await answer_error(req, resp, exc)
    try:
        await resp.finish()
    except (OSError, asyncio.TimeoutError):
        raise
    except Exception as exc:  # a before-send hook failed
        await conn.finish_failed(req, resp, exc)


async def refuse(conn):
    """Answer 503 at once: the server already holds max_connections."""
    try:
        # Take in what the client sent: closing a socket with unread
        # input resets it, and the client could lose the answer.
        await conn.fill(1)
    except (asyncio.TimeoutError, OSError):
        pass
    try:
        await conn.reject(HTTPError(503, "too many connections", {"Retry-After": "1"}))
    finally:
        # close(), not writer.close(): MicroPython's StreamWriter.close()
        # does nothing, its wait_closed() closes the socket.
        await conn.close()


async def finish_failed(conn, req, resp, exc):
    """Connection.finish_failed(): see there."""
    resp.close_after = True
    if resp.headers_sent:
        log_exception(conn.app.log, "%r failed while sending" % req, exc)
        return
    resp.before_send = ()  # they failed once: the error answer goes without them
    await answer_error(req, resp, exc)
    await resp.finish()

"""WebApp: routes, mounts, hooks, error handling and plugins.

A subclass may override `init`, `handle` (one request at this app's
level), `make_response`, `handle_exc` and `serve`.
"""

from .compat import asyncio, call, configure_logging, get_logger, log_exception, root_path
from .errors import HTTPError
from .protocol import Limits
from .routing import Route, Router


class WebApp:
    """A web application; mount one inside another with `mount()`."""

    def __init__(self, pkg=None, routes=None):
        self.pkg = pkg.split(".", 1)[0] if pkg and pkg != "__main__" else None
        # Where templates/ and files are found: beside the package, module or
        # script (__main__) that made the app; without a name, the cwd.
        self.root_path = root_path(pkg)
        self.router = Router()
        self.parent = None
        self.inited = False
        self._init_lock = None
        self.debug = 0
        self.log = None
        self.limits = Limits()
        self.plugins = []
        self.template_loader = None
        self.stopping = False
        self._before_request = []
        self._after_request = []
        self._before_send = []
        self._error_handlers = []  # (status int or exception class, handler)
        for entry in routes or ():
            extra = dict(entry[2]) if len(entry) > 2 else {}
            methods = extra.pop("methods", None)
            self.add_url_rule(entry[0], entry[1], methods, **extra)

    # Registration

    def add_url_rule(self, url, handler, methods=None, **extra):
        """Route `url` (exact, "<param>" pattern, or compiled regex) to handler."""
        self.router.add(Route(url, handler, methods, extra))

    def route(self, url, methods=None, **extra):
        """Decorator form of `add_url_rule`; methods default to GET (and HEAD)."""

        def register(handler):
            self.add_url_rule(url, handler, methods, **extra)
            return handler

        return register

    def mount(self, prefix, app):
        """Serve `prefix` and everything under it with the sub-app `app`."""
        self.router.add_mount(prefix, app)
        app.parent = self

    def mounts(self):
        """Every mounted app under this one as (full prefix, app), nested ones too."""
        found = []
        for prefix, app in self.router.mounts:
            found.append((prefix, app))
            for inner, sub in app.mounts():
                found.append((prefix + inner, sub))
        return found

    def install(self, plugin):
        """Install a plugin: any object whose install(app) registers hooks,
        routes or attributes. Hooks installed here also wrap mounted apps."""
        plugin.install(self)
        self.plugins.append(plugin)
        return plugin

    def before_request(self, hook):
        """Register hook(req, resp), run before routing; a non-None return
        value (or a started response) answers the request."""
        self._before_request.append(hook)
        return hook

    def after_request(self, hook):
        """Register hook(req, resp), run after the handler; headers may still
        change if the handler did not stream."""
        self._after_request.append(hook)
        return hook

    def before_send(self, hook):
        """Register hook(req, resp), run as the status line and headers are
        about to be written, whenever that is: the last moment to add one."""
        self._before_send.append(hook)
        return hook

    def errorhandler(self, status_or_class):
        """Decorator: handler(req, resp, exc) for an HTTP status or an
        exception class; 500 also catches exceptions no class handler took."""

        def register(handler):
            self._error_handlers.append((status_or_class, handler))
            return handler

        return register

    # Overridable steps

    def init(self):
        """Called once before the app serves (or on its first request with
        lazy_init): connect a database here. May be async."""
        self.inited = True

    async def handle(self, req, resp):
        """Serve one request at this app's level: run its hooks around the
        route or the mounted sub-app the request resolved to."""
        if self._before_send:
            resp.before_send = list(resp.before_send) + self._before_send
        try:
            result = None
            for hook in self._before_request:
                result = await call(hook, req, resp)
                if result is not None or resp.started:
                    break
            else:
                result = await self._route(req, resp)
        except Exception as exc:
            result = await self._handle_error(req, resp, exc)
        if result is not None:
            self.make_response(req, resp, result)
        for hook in self._after_request:
            await call(hook, req, resp)

    def make_response(self, req, resp, result):
        """Turn a handler's return value into the response body."""
        resp.set_result(result)

    async def handle_exc(self, req, resp, exc):
        """Last resort for an exception nothing else handled (it is logged
        already): a 500 page, or a closed connection once headers are out."""
        if resp.headers_sent:
            _cut(resp)
            return
        resp.headers = type(resp.headers)()
        await _error_response(req, resp, HTTPError(500))

    # Templates and files

    async def render_template(self, resp, name, args=()):
        """Stream `templates/<name>` rendered with the tuple `args`, its
        {{ }} output HTML-escaped; errors before the head goes out."""
        from .templates import stream

        await stream(self, resp, name, args)

    def render_str(self, name, args=()):
        """`templates/<name>` rendered with the tuple `args` to one str."""
        from .templates import render

        return "".join(render(self, name, args))

    async def sendfile(self, resp, fname, content_type=None, headers=None):
        """Stream a file given relative to `app.root_path` (or absolute)."""
        from .response import sendfile

        if fname[:1] != "/":
            fname = self.root_path + "/" + fname
        await sendfile(resp, fname, content_type, headers)

    # Serving

    async def start(self, lazy_init=False):
        """Init this app, and its mounted apps unless lazy_init."""
        if self.log is None:
            self.log = get_logger("picoweb", self.debug)
        await self._init_once()
        for _, app in self.mounts():
            app.debug = self.debug
            app.log = self.log
            if not lazy_init:
                await app._init_once()

    async def _init_once(self):
        # Concurrent first requests to a lazily inited app wait for one init.
        if self.inited:
            return
        if self._init_lock is None:
            self._init_lock = asyncio.Lock()
        async with self._init_lock:
            if not self.inited:
                await call(self.init)
                self.inited = True

    def resolve(self, req):
        """Find the app and route for `req` (before its headers are read, so
        the route's header mode is known); returns that mode."""
        app = self
        path = req.path
        while app.router.mounts:
            mount = app.router.find_mount(path)
            if mount is None:
                break
            req._hops += (mount,)
            path = path[len(mount[0]):] or "/"
            app = mount[1]
        try:
            route, req.params, req.url_match = app.router.match(path, req.method)
        except HTTPError as exc:
            req._error = exc
            req.params = {}
            req.max_body = self.limits.max_body
            return "parse"
        req.route = route
        req.max_body = route.extra.get("max_body", self.limits.max_body)
        return route.header_mode

    async def dispatch(self, req, resp):
        """Serve a resolved request from the root app; never raises."""
        req.app = self
        try:
            if (self._before_request or self._after_request or self._before_send or req._hops
                    or self.__class__.handle is not WebApp.handle):
                await self.handle(req, resp)
            else:
                # What handle() does for an app with no hooks, in fewer steps:
                # the usual request, to a route of the root app.
                try:
                    result = await self._route(req, resp)
                except Exception as exc:
                    result = await self._handle_error(req, resp, exc)
                if result is not None:
                    self.make_response(req, resp, result)
        except Exception as exc:
            if getattr(resp.conn, "lost", None) is not None:
                # The client left or stopped reading: no answer can reach it,
                # and no bug of ours to show a traceback for.
                self.log.info("%r: client gone: %r", req, exc)
                _cut(resp)
                return
            log_exception(self.log, "%r failed" % req, exc)
            try:
                await self.handle_exc(req, resp, exc)
            except Exception as inner:
                log_exception(self.log, "handle_exc failed on %r" % req, inner)
                if resp.headers_sent:
                    _cut(resp)
                else:
                    # Never let the failed request go out as the 200 it began as.
                    resp.close_after = True
                    resp.headers = type(resp.headers)()
                    from .pages import http_error

                    await http_error(resp, 500)

    def shutdown(self):
        """Stop `serve()`: refuse new connections, let in-flight requests end."""
        self.stopping = True
        if getattr(self, "_stop_event", None) is not None:
            self._stop_event.set()

    async def serve(self, host="127.0.0.1", port=8081, lazy_init=False, transport=None):
        """Serve until `shutdown()`; await it beside your other tasks.
        transport: None (the runtime's best), "protocol" or "streams"."""
        from .server import serve

        await self.start(lazy_init)
        self._stop_event = asyncio.Event()
        self.stopping = False
        await serve(self, host, port, self._stop_event, transport)

    def run(self, host="127.0.0.1", port=8081, debug=0, lazy_init=False, log=None, transport=None,
            loop_factory=None):
        """Serve forever (until Ctrl-C or SIGTERM on CPython). debug: -1 is
        silent, 0 logs requests and errors, 1 and 2 add debug output.
        loop_factory (CPython): makes the event loop, e.g. uvloop.new_event_loop."""
        self.debug = int(debug)
        if log is None:
            configure_logging()
            log = get_logger("picoweb", self.debug)
        self.log = log
        try:
            import signal

            stop_signals = (signal.SIGINT, signal.SIGTERM)
            previous = [signal.getsignal(signum) for signum in stop_signals]
        except (ImportError, AttributeError):
            stop_signals = previous = ()  # MicroPython: no signal handlers
        try:
            serving = self._serve_until_signal(host, port, lazy_init, transport, stop_signals)
            if loop_factory is None:
                asyncio.run(serving)
            else:
                _run_on(loop_factory, serving)
        finally:
            for signum, handler in zip(stop_signals, previous):
                signal.signal(signum, handler)

    async def _serve_until_signal(self, host, port, lazy_init, transport, stop_signals):
        loop = asyncio.get_running_loop()
        for signum in stop_signals:
            loop.add_signal_handler(signum, self.shutdown)
        try:
            await self.serve(host, port, lazy_init, transport)
        finally:
            import signal

            for signum in stop_signals:
                loop.remove_signal_handler(signum)
                # asyncio.run closes its wakeup fd before it would restore
                # handlers: a late second signal must meet neither.
                signal.signal(signum, signal.SIG_IGN)

    # Internals

    async def _route(self, req, resp):
        depth = req._depth
        if depth < len(req._hops):
            prefix, sub = req._hops[depth]
            outer = req.path, req.prefix, req.app
            req.path = req.path[len(prefix):] or "/"
            req.prefix += prefix
            req.app = sub
            req._depth = depth + 1
            try:
                if not sub.inited:
                    await sub.start()
                await sub.handle(req, resp)
            finally:
                req.path, req.prefix, req.app = outer
                req._depth = depth
            return None
        if req._error is not None:
            raise req._error
        result = req.route.handler(req, resp, **req.params)
        if hasattr(result, "send"):  # an async handler (call() inlined: the hot path)
            result = await result
        return result

    def _find_error_handler(self, exc):
        status = exc.status if isinstance(exc, HTTPError) else 500
        fallback = None
        for key, handler in self._error_handlers:
            if isinstance(key, int):
                if key == status:
                    fallback = handler
            elif isinstance(exc, key):
                return handler
        return fallback

    async def _handle_error(self, req, resp, exc):
        if getattr(resp.conn, "lost", None) is not None:
            raise exc  # the client is gone: nothing to answer, dispatch() notes it
        handler = self._find_error_handler(exc)
        if handler is None:
            if req._depth == 0 and isinstance(exc, HTTPError):
                await _error_response(req, resp, exc)
                return None
            raise exc
        if not isinstance(exc, HTTPError):
            log_exception(self.log, "%r failed" % req, exc)
        elif exc.headers:
            for name, value in exc.headers.items():
                resp.headers[name] = value
        return await call(handler, req, resp, exc)


def _run_on(loop_factory, main):
    # What asyncio.run() does, on a loop of the app's choosing (asyncio.run
    # takes no loop factory before 3.12).
    loop = loop_factory()
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main)
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def _cut(resp):
    # The head is out: close without a last chunk, so the client can tell
    # the body is incomplete instead of taking it for the whole answer.
    resp.close_after = True
    resp.send_body = False


async def _error_response(req, resp, exc):
    if resp.headers_sent:
        _cut(resp)
    else:
        from .pages import http_error  # on the first error: most requests have none

        await http_error(resp, exc.status, exc.message, exc.headers)

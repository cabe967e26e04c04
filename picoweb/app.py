"""WebApp: routes, mounts, hooks, error handling and plugins.

A subclass may override `init`, `handle` (one request at this app's
level), `make_response`, `handle_error`, `handle_exc` and `serve`.
"""

import sys

from .compat import IS_MICROPYTHON, asyncio, call
from .errors import HTTPError
from .limits import Limits
from .logs import SilentLog, configure_logging, get_logger
from .request import Request
from .response import Response, dumps_json
from .routing import Route, Router


class WebApp:
    """A web application; mount one inside another with `mount()`."""

    # Extension points plugins fill (see add_request_method and friends);
    # shared empty defaults until an app gets its own.
    json_dumps = None  # None: the parent's, else the standard json module's
    json_loads = None
    json_errors = None  # True/False: error pages in JSON or not; None: by the Accept header
    _request_extensions = {}
    _response_extensions = {}
    _classes = None  # (request class, response class) with the extensions
    # Defaults an app keeps until it is given its own, as class attributes:
    # a smaller instance on MicroPython's heap. (What every request reads
    # is set in __init__: CPython reads an instance's own attribute faster.)
    # Hooks are tuples, grown by registration (rare) and read per request.
    parent = None
    inited = False
    _init_running = False
    _serving = None  # the task serve() waits on, which shutdown() cancels
    template_loader = None
    stopping_now = False  # shutdown() called twice: in-flight requests end now
    _shutdown_hooks = ()
    _error_handlers = ()  # (status int or exception class, handler)

    def __init__(self, pkg=None, routes=None):
        self.pkg = pkg.split(".", 1)[0] if pkg and pkg != "__main__" else None
        # Where templates/ and files are found: beside the package, module or
        # script (__main__) that made the app; without a name, the cwd.
        self.root_path = root_path(pkg)
        self.router = Router()
        self.limits = Limits()
        self.plugins = []
        self.debug = 0
        self.log = None
        self.stopping = False
        self._before_request = self._after_request = self._before_send = self._teardown = ()
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
        """Serve `prefix` and everything under it with the sub-app `app`
        (an app is mounted in one place: its parent's plugins cover it)."""
        from .mounts import Mount, add_mount

        if app.parent is not None or app is self:
            raise ValueError("%r is mounted already: an app has one parent" % app)
        add_mount(self.router, Mount(prefix, app))
        app.parent = self
        for each in [app] + [sub for _, sub in app.mounts()]:
            each._classes = None  # made anew with this app's extensions

    def mounts(self):
        """Every mounted app under this one as (full prefix, app), nested ones too."""
        found = []
        for mount in self.router.mounts:
            found.append((mount.prefix, mount.app))
            for inner, sub in mount.app.mounts():
                found.append((mount.prefix + inner, sub))
        return found

    def install(self, plugin):
        """Install a plugin: an object whose install(app) registers hooks,
        routes, error handlers or extensions on this app (and so on the apps
        mounted under it). Returns the plugin."""
        if isinstance(plugin, type):
            raise TypeError("install() takes a plugin instance: app.install(%s())" % plugin.__name__)
        plugin.install(self)
        self.plugins.append(plugin)
        return plugin

    def find_plugin(self, cls):
        """The installed instance of `cls` nearest to this app (this app,
        then the apps it is mounted in), or None: a plugin's per-app settings."""
        app = self
        while app is not None:
            for plugin in app.plugins:
                if isinstance(plugin, cls):
                    return plugin
            app = app.parent
        return None

    def before_request(self, hook):
        """Register hook(req, resp), run before the handler (outer apps
        first); a non-None return value (or a started response) answers."""
        self._before_request += (hook,)
        return hook

    def after_request(self, hook):
        """Register hook(req, resp), run once the handler or an error handler
        made the answer (inner apps first); headers may still change unless
        the body was streamed."""
        self._after_request += (hook,)
        return hook

    def before_send(self, hook):
        """Register hook(req, resp), run as the status line and headers are
        about to be written, whenever that is: the last moment to add one."""
        self._before_send += (hook,)
        return hook

    def teardown_request(self, hook):
        """Register hook(req, resp), run once the response is over (sent,
        cut short or lost with the client), always: for cleanup. What it
        raises is logged."""
        self._teardown += (hook,)
        return hook

    def on_shutdown(self, hook):
        """Register hook(), sync or async, run once when the server begins
        to stop (it accepts no more; in-flight requests still run): tell
        long-lived connections to end. Errors are logged."""
        self._shutdown_hooks += (hook,)
        return hook

    async def notify_shutdown(self):
        """Run the on_shutdown hooks of this app and of the apps mounted
        under it (the server calls it as it stops)."""
        from .shutdown import notify_shutdown

        await notify_shutdown(self)

    def errorhandler(self, status_or_class):
        """Decorator: handler(req, resp, exc) for an HTTP status or an
        exception class; 500 also catches exceptions no class handler took.
        The apps mounted under this one use it for what they do not handle."""

        def register(handler):
            self._error_handlers += ((status_or_class, handler),)
            return handler

        return register

    def add_request_method(self, name, func):
        """`req.<name>(...)` calls `func(req, ...)` on requests this app
        (or an app mounted under it) serves."""
        from .extensions import extend, method

        extend(self, "_request_extensions", name, method(func))

    def add_request_attribute(self, name, factory):
        """`req.<name>` is `factory(req)` on first read, then kept (and
        assignable), on requests this app or an app under it serves."""
        from .extensions import extend, lazy_attribute

        extend(self, "_request_extensions", name, lazy_attribute(name, factory))

    def add_response_method(self, name, func):
        """`resp.<name>(...)` calls `func(resp, ...)` on responses to the
        requests this app or an app under it serves."""
        from .extensions import extend, method

        extend(self, "_response_extensions", name, method(func))

    def url_for(self, route_name, **values):
        """The path of the route named `route_name` (its handler's name, or
        the route option name=...) in this app or an app mounted under it,
        mount prefixes included: `app.url_for("user", user_id=5)`; values
        that are no parameter of the route become the query string."""
        from .urls import url_for

        return url_for(self, route_name, values)

    def encode_json(self, obj):
        """`obj` as JSON (str or bytes), with the encoder a plugin set on
        this app or an app it is mounted in, else the standard one."""
        app = self
        while app is not None:
            if app.json_dumps is not None:
                return app.json_dumps(obj)
            app = app.parent
        return dumps_json(obj)

    def decode_json(self, data):
        """JSON text or bytes decoded, as encode_json() picks its encoder;
        malformed input raises ValueError."""
        app = self
        while app is not None:
            if app.json_loads is not None:
                return app.json_loads(data)
            app = app.parent
        import json

        if isinstance(data, (bytes, bytearray)):
            data = str(data, "utf-8")
        return json.loads(data)

    # Overridable steps

    def init(self):
        """Called once before the app serves (or on its first request with
        lazy_init): connect a database here. May be async."""
        self.inited = True

    async def handle(self, req, resp):
        """Serve one request at this app's level: run its hooks around the
        route or the mounted app the request was resolved to. Errors are
        answered here (see handle_error); it does not raise."""
        if self._before_send:
            resp.before_send = resp.before_send + self._before_send
        if self._teardown:
            resp.teardown = resp.teardown + self._teardown
        try:
            result = None
            for hook in self._before_request:
                result = await call(hook, req, resp)
                if result is not None or resp.started:
                    break
            else:
                if req.hops and req.level + 1 < len(req.hops):
                    from .mounts import enter

                    await enter(req, resp)
                else:
                    if req.route_error is not None:
                        raise req.route_error
                    result = req.route.handler(req, resp, **req.params)
                    if hasattr(result, "send"):  # an async handler (call() inlined: the hot path)
                        result = await result
            if result is not None:
                self.make_response(req, resp, result)
        except Exception as exc:
            await self.handle_error(req, resp, exc)
        if self._after_request:
            try:
                for hook in self._after_request:
                    await call(hook, req, resp)
            except Exception as exc:
                await self.handle_error(req, resp, exc)

    def make_response(self, req, resp, result):
        """Turn a handler's return value into the response body."""
        resp.set_result(result)

    async def handle_error(self, req, resp, exc):
        """Answer `exc`, raised while this app served `req`: with the first
        error handler that takes it in this app or the apps it is mounted in
        (inner first, each seeing the request as it would), else with
        handle_exc(). Every error takes this path: a handler's, a hook's,
        the router's 404/405 and the parser's 4xx. Does not raise."""
        from .failures import handle_error  # on the first error: most requests have none

        await handle_error(self, req, resp, exc)

    async def handle_exc(self, req, resp, exc):
        """The answer to an error no error handler took (logged already):
        the error page for its status (500 for other exceptions), or, once
        the head is out, a connection closed short. Overriding it here also
        covers the apps mounted under this one."""
        from .failures import default_answer

        await default_answer(self, req, resp, exc)

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
        from .files import sendfile

        if fname[:1] != "/":
            fname = self.root_path + "/" + fname
        await sendfile(resp, fname, content_type, headers)

    # Serving

    async def start(self, lazy_init=False):
        """Init this app, and its mounted apps unless lazy_init; warn of
        routes that an earlier one hides."""
        if self.log is None:
            self.log = get_logger("picoweb", self.debug)
        await self._init_once()
        for prefix, app in [("", self)] + self.mounts():
            if app is not self:
                app.debug = self.debug
                app.log = self.log
                if not lazy_init:
                    await app._init_once()
            if len(app.router.patterns) > 1:
                for earlier, later in app.router.shadowed():
                    self.log.warning("route '%s%s' hides '%s%s': patterns are tried in the order they "
                                     "were registered", prefix, earlier.pattern, prefix, later.pattern)

    async def _init_once(self):
        # Concurrent first requests to a lazily inited app wait for one
        # init, looking again every 10 ms while it runs: an asyncio.Lock
        # would load one more module onto MicroPython's heap for it.
        while self._init_running:
            await asyncio.sleep(0.01)
        if self.inited:
            return
        self._init_running = True
        try:
            await call(self.init)
            self.inited = True
        finally:
            self._init_running = False

    def new_request(self, method, path, qs, minor, client_addr=None):
        """The Request for a request line, resolved to its route and the
        mounted app serving it (before its headers are read, so the route's
        header mode is known). Routing errors wait in `req.route_error`
        until the hooks have run."""
        app = self
        hops = None
        if app.router.mounts:
            from .mounts import resolve

            hops = resolve(app, path)
            app = hops[-1][0]
        req = (app._classes or app._build_classes())[0](method, path, qs, minor, client_addr)
        req.app = self
        limits = req.limits = app.limits
        if hops is not None and len(hops) > 1:
            req.hops = hops
            path = hops[-1][2]
        try:
            route, params, req.url_match = app.router.match(path, method)
        except Exception as exc:
            # HTTPError 404/405; else a route's own .match() failed (an
            # app's regex can overflow MicroPython's stack): a 500, logged.
            if isinstance(exc, HTTPError) and exc.status == 404:
                other = app.router.other_slash(path, method)
                if other is not None:
                    from .pages import slash_redirect

                    exc = slash_redirect(hops[-1][1] if req.hops else "", other, qs)
            req.route_error = exc
            req.max_body = limits.max_body
            return req
        req.route = route
        if params:
            req.params = params
        req.max_body = route.extra.get("max_body", limits.max_body)
        return req

    async def __call__(self, scope, receive, send):
        """ASGI 3: an ASGI server (`uvicorn module:app`, hypercorn, granian)
        serves the app through this; picoweb.asgi loads on the first call."""
        serve = _serve_asgi or _load_asgi()
        await serve(self, scope, receive, send)

    def shutdown(self):
        """Stop `serve()`: refuse new connections, let in-flight requests
        end (within limits.shutdown_timeout; `stopping` turns true here and
        in the mounted apps, for handlers that stream until it does).
        Called again while they run (a second Ctrl-C), it ends them now."""
        if self.stopping:
            self.stopping_now = True
        self.stopping = True
        for _, app in self.mounts():
            app.stopping = True
        serving = self._serving
        if serving is not None:
            try:
                serving.cancel()
            except RuntimeError:
                # MicroPython after a Ctrl-C: the interrupted loop still takes
                # that task for the one running, and a task cannot cancel
                # itself. Another one can, once the loop runs again.
                asyncio.create_task(_cancel(serving))

    async def serve(self, host="127.0.0.1", port=8081, lazy_init=False, transport=None, ssl=None,
                    sock=None):
        """Serve until `shutdown()`; await it beside your other tasks.
        transport: None (the runtime's best), "protocol" or "streams".
        ssl: an SSLContext, to serve HTTPS. sock (CPython): a bound,
        listening socket to serve on instead of host and port."""
        from .server import serve

        await self.start(lazy_init)
        for app in [self] + [sub for _, sub in self.mounts()]:
            app.stopping = False
        self.stopping_now = False
        await serve(self, host, port, transport, ssl, sock)

    def run(self, host="127.0.0.1", port=8081, debug=0, lazy_init=False, log=None, transport=None,
            loop_factory=None, ssl=None, sock=None):
        """Serve forever (until Ctrl-C or SIGTERM on CPython). debug: -1
        logs errors only, 0 requests and errors, 1 (or True) debug output
        too and the debug error page. log: the logger to use (as it is),
        False for none at all, None for the "picoweb" logger (its level
        from debug, unless you set one). loop_factory (CPython): makes the
        event loop, e.g. uvloop.new_event_loop. ssl and sock: as for
        serve(). A port in use exits with one line."""
        self.debug = min(int(debug), 1)
        if log is None:
            configure_logging()
            log = get_logger("picoweb", self.debug)
        elif log is False:
            log = SilentLog()
        self.log = log
        serving = self.serve(host, port, lazy_init, transport, ssl, sock)
        try:
            if IS_MICROPYTHON:
                _run_through_interrupts(self, serving)  # it has no signal handlers
            else:
                from .signals import run_until_signal

                run_until_signal(self, serving, loop_factory)
        except OSError as exc:
            from .listen import exit_if_in_use

            exit_if_in_use(exc, host, port)
            raise

    # Internals

    def _build_classes(self):
        app = self
        while app is not None:
            if app._request_extensions or app._response_extensions:
                from .extensions import classes_for  # only apps with plugins load it

                self._classes = classes_for(self)
                return self._classes
            app = app.parent
        self._classes = (Request, Response)
        return self._classes


def _run_through_interrupts(app, serving):
    # MicroPython has no signal handlers: Ctrl-C raises KeyboardInterrupt
    # in whatever Python code runs then. Out of the event loop (its poll,
    # or a connection's task, whose request is lost), the loop's state
    # outlives it and serving goes on as after shutdown(): the first
    # drains, the second stops the requests still running. Landing in
    # serve() itself (awake only as it stops), it ends it: return then.
    async def serve_until_interrupted():
        try:
            await serving
        except KeyboardInterrupt:
            app.log.info("Stopped")

    task = asyncio.create_task(serve_until_interrupted())
    loop = asyncio.get_event_loop()
    while True:
        try:
            loop.run_until_complete(task)
            return
        except KeyboardInterrupt:
            app.shutdown()


async def _cancel(task):
    task.cancel()


_serve_asgi = None  # picoweb.asgi.serve_asgi, once an ASGI server called an app


def _load_asgi():
    global _serve_asgi
    from .asgi import serve_asgi

    _serve_asgi = serve_asgi
    return serve_asgi


def root_path(pkg):
    """Where an app named `pkg` finds templates/ and files, as Flask finds
    it: the folder of that package, module or script, else the working
    directory."""
    import os

    try:
        module = __import__(pkg.split(".", 1)[0]) if pkg else None
    except ImportError:  # not importable (or MicroPython's __main__)
        module = None
    folder = getattr(module, "__path__", None)  # a package: a str, or CPython's list
    if folder is None:
        # MicroPython keeps no __main__ module: the script is argv[0].
        path = getattr(module, "__file__", None) or pkg == "__main__" and sys.argv and sys.argv[0]
        folder = path.rpartition("/")[0] if path else ""
    elif not isinstance(folder, str):
        folder = list(folder)[0]
    if folder[:1] != "/":  # relative (MicroPython, runpy) or none
        folder = os.getcwd() + ("/" + folder if folder else "")
    return folder


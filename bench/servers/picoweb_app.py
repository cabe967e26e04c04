"""picoweb, the repository's own code: the benchmark's subject.

Variants: "chunked" answers /hello in the original picoweb's streaming
style (start_response + awrite: chunked encoding, two writes) instead of
returning the body (Content-Length, one write); "streams" serves on the
asyncio-streams transport (the path MicroPython takes) instead of the
CPython default; "uvloop" runs the default transport on uvloop's event loop
(`run(loop_factory=uvloop.new_event_loop)`), which the floors do not use.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# PICOWEB_ROOT: the copy of the code run.py took at the run's start (others
# may edit the repo meanwhile); by default the repo this file is in.
sys.path.insert(0, os.environ.get("PICOWEB_ROOT") or os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)

import picoweb  # noqa: E402
from common import HELLO, HOST, MESSAGE, parse_argv, user_text  # noqa: E402
from picoweb_plugins.static import Static  # noqa: E402

try:
    # The project's own query-string parser (what req.parse_qs() uses).
    from picoweb_plugins.forms.urlencoded import parse_urlencoded

    def query_param(qs, name):
        return parse_urlencoded(qs).get(name)
except ImportError:  # the forms plugin is not there: split by hand
    from picoweb.http1 import percent_decode

    def query_param(qs, name):
        for pair in qs.split("&"):
            key, _, value = pair.partition("=")
            if key == name:
                return percent_decode(value.encode(), True).decode()
        return None


def build(data_dir, variant=None):
    app = picoweb.WebApp(__name__)
    app.install(Static(root=data_dir, prefix="/static/"))

    if variant == "chunked":
        @app.route("/hello")
        async def hello(req, resp):
            await picoweb.start_response(resp, "text/plain")
            await resp.awrite(HELLO)
    else:
        @app.route("/hello")
        async def hello(req, resp):
            return HELLO

    @app.route("/json")
    async def json(req, resp):
        return MESSAGE

    @app.route("/user/<int:user_id>")
    async def user(req, resp, user_id):
        return user_text(user_id, query_param(req.qs, "q"))

    return app


if __name__ == "__main__":
    port, data_dir, variant = parse_argv()
    options = {"transport": "streams"} if variant == "streams" else {}
    if variant == "uvloop":
        import uvloop

        options["loop_factory"] = uvloop.new_event_loop
    # debug=-1: no log line per request, as the other servers are set up.
    build(data_dir, variant).run(host=HOST, port=port, debug=-1, **options)

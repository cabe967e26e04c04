"""picoweb's WebSocket echo (the websocket plugin), for bench/websocket.py:
what examples/example_ws_echo.py serves, with /hello beside it for the
start-up probe.

Variants: "streams" serves on the asyncio-streams transport (MicroPython's
path) instead of the CPython default.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# PICOWEB_ROOT: the copy of the code run.py took at the run's start.
sys.path.insert(0, os.environ.get("PICOWEB_ROOT") or os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)

import picoweb  # noqa: E402
from common import HELLO, HOST, parse_argv  # noqa: E402
from picoweb_plugins.websocket import WebSockets, websocket  # noqa: E402


def build():
    app = picoweb.WebApp(__name__)
    app.install(WebSockets(max_message_size=1 << 20))

    @app.route("/hello")
    async def hello(req, resp):
        return HELLO

    @app.route("/ws")
    @websocket
    async def echo(req, ws):
        async for message in ws:
            await ws.send(message)

    return app


if __name__ == "__main__":
    port, data_dir, variant = parse_argv()
    options = {"transport": "streams"} if variant == "streams" else {}
    build().run(host=HOST, port=port, debug=-1, **options)

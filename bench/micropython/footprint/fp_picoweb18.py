# The original picoweb 1.8.2's hello app (its README's, streamed in the
# uasyncio-era style it requires: generators and `yield from`). Shimmed:
# pkg_resources (a micropython-lib module it imports; fp_shims/ holds a
# stand-in). Its debug output is off (debug=-1 as run() would set it).
import asyncio

import picoweb

app = picoweb.WebApp(__name__)


@app.route("/")
def index(req, resp):
    yield from picoweb.start_response(resp, "text/plain")
    yield from resp.awrite("Hello, world!\n")


async def start(host, port):
    app.debug = -1
    app.log = None
    app.init()
    await asyncio.start_server(app._handle, host, port)

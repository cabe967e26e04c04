# The hello path loads the core and nothing more: chunked bodies, error
# pages, files, route patterns, cookies, templates and the test client are
# imported on first use, so an app holds their code on its heap only once it
# needs them (bench/micropython_heap.mjs measures the heap). A module pulled onto the
# hello path by accident fails the first test here. Runs in a fresh instance
# (one per file), so sys.modules shows what these tests imported.
import sys

import picoweb
from picoweb.server import Connection

LAZY = (
    "picoweb.chunked", "picoweb.cookies", "picoweb.extensions", "picoweb.failures",
    "picoweb.files", "picoweb.listen", "picoweb.mounts", "picoweb.pages", "picoweb.patterns",
    "picoweb.segments", "picoweb.shutdown", "picoweb.template_compiler", "picoweb.templates",
    "picoweb.testclient", "picoweb.upgrade", "picoweb.asyncio_protocol",
)


class _Reader:
    def __init__(self, data):
        self.data = data

    async def read(self, size):
        piece = self.data[:size]
        self.data = self.data[size:]
        return piece


class _Writer:
    def __init__(self):
        self.out = b""

    def write(self, data):
        self.out += data

    async def drain(self):
        pass

    def close(self):
        pass

    async def wait_closed(self):
        pass


def _loaded():
    return [name for name in LAZY if name in sys.modules]


async def _serve(app, request):
    await app.start()
    writer = _Writer()
    await Connection(app, _Reader(request), writer).serve()
    return writer.out


async def test_hello_app_loads_no_lazy_module():
    app = picoweb.WebApp(__name__)
    app.debug = -1

    @app.route("/")
    def index(req, resp):
        return "Hello"

    out = await _serve(app, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200") and out.endswith(b"\r\n\r\nHello"), out
    assert _loaded() == [], _loaded()


async def test_each_lazy_module_loads_when_first_needed():
    app = picoweb.WebApp(__name__)
    app.debug = -1

    @app.route("/item/<int:item_id>", methods=["POST"])
    async def item(req, resp, item_id):
        return await req.read_body()

    assert "picoweb.patterns" in sys.modules and "picoweb.segments" in sys.modules
    out = await _serve(app, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 404") and "picoweb.pages" in sys.modules, out
    assert "picoweb.failures" in sys.modules
    sub = picoweb.WebApp("sub")
    sub.add_url_rule("/", lambda req, resp: "sub")
    app.mount("/sub", sub)
    assert "picoweb.mounts" in sys.modules
    app.add_request_method("hello", lambda req: "hi")
    assert "picoweb.extensions" in sys.modules
    out = await _serve(app, b"POST /item/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                            b"Connection: close\r\n\r\n2\r\nok\r\n0\r\n\r\n")
    assert out.endswith(b"\r\n\r\nok") and "picoweb.chunked" in sys.modules, out
    assert picoweb.get_mime_type("a.css") == "text/css" and "picoweb.files" in sys.modules

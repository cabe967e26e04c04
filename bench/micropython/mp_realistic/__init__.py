# Heap of a "more or less realistic" picoweb app, as the original's README
# put it: a template page, a JSON API with a path parameter and a query
# string, a form post, static files and a plain route, each plugin present.
# A package, so its templates/ is found beside it.
# Served over the same memory streams as the bare floor (mp_streams.py).
import os

import picoweb
from picoweb.server import Connection
from picoweb_plugins.json import Json, jsonify
from picoweb_plugins.static import Static

try:
    from picoweb_plugins.forms import Forms, read_form
except ImportError:  # the forms plugin is optional here (still being written)
    Forms = None

try:
    import utemplate.source  # noqa: F401 (only to know whether pages can render)
    HAS_TEMPLATES = True
except ImportError:
    HAS_TEMPLATES = False

from mp_streams import exchange, request

STATIC_DIR = "/srv/static"
app = None


def _write_static_files():
    for d in ("/srv", STATIC_DIR, "/tmp"):
        try:
            os.mkdir(d)
        except OSError:
            pass
    with open(STATIC_DIR + "/style.css", "w") as f:
        f.write("body { font-family: sans-serif; }\n" * 40)
    with open(STATIC_DIR + "/logo.bin", "wb") as f:
        f.write(bytes(range(256)) * 16)  # 4 KiB: several 512-byte buffers


def build():
    global app
    _write_static_files()
    app = picoweb.WebApp(__name__)
    app.debug = -1
    app.install(Json())
    app.install(Static(root=STATIC_DIR, max_age=60))
    if Forms is not None:
        app.install(Forms())

    @app.route("/")
    async def index(req, resp):
        if HAS_TEMPLATES:
            await app.render_template(resp, "page.tpl", (req, ["alpha", "beta", "gamma"]))
        else:
            await picoweb.start_response(resp)
            await resp.awrite("<!DOCTYPE html><title>Items</title><ul><li>alpha</ul>")

    @app.route("/api/item/<int:item_id>")
    async def item(req, resp, item_id):
        await jsonify(resp, {"id": item_id, "qs": req.qs, "tags": ["a", "b"]})

    @app.route("/hello")
    def hello(req, resp):
        return "Hello, world!"

    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        if Forms is None:
            return await req.read_body(), 200
        fields, files = await read_form(req)
        return "name=" + fields["name"]


async def _handle(reader, writer):
    await Connection(app, reader, writer).serve()


async def _check(data, status=200):
    out = await exchange(_handle, data)
    assert out[9:12] == b"%d" % status, out


async def serve(count):
    await app.start()  # as app.run() and serve() do first
    form = b"name=pico&lang=py"
    headers = "Content-Type: application/x-www-form-urlencoded\r\n"
    for i in range(count):
        kind = i % 5
        if kind == 0:
            await _check(request("GET", "/"))
        elif kind == 1:
            await _check(request("GET", "/api/item/%d?q=x%d" % (i, i)))
        elif kind == 2:
            await _check(request("GET", "/static/style.css" if i % 2 else "/static/logo.bin"))
        elif kind == 3:
            await _check(request("POST", "/form", form, headers))
        else:
            await _check(request("GET", "/hello"))

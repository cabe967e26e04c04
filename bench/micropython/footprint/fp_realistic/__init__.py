# A "more or less realistic" picoweb app, as the original's README put it:
# a template page, a JSON API with a path parameter and a query string, a
# form post, static files, a mounted sub-app and a before-request hook,
# each plugin installed. A package, so the template and static/ sit
# beside it (in ROMFS too: bench/footprint.py precompiles the template,
# since ROMFS is read-only).
import asyncio

import picoweb
from picoweb_plugins.forms import Forms, read_form
from picoweb_plugins.json import Json, jsonify
from picoweb_plugins.static import Static

ITEMS = ["alpha", "beta", "gamma"]
app = picoweb.WebApp(__name__)
app.install(Json())
app.install(Static(root="static", max_age=60))
app.install(Forms(upload_dir="/tmp"))
served = [0]


@app.before_request
def count(req, resp):
    served[0] += 1


@app.route("/")
async def index(req, resp):
    await app.render_template(resp, "page.tpl", (req, ITEMS))


@app.route("/api/item/<int:item_id>")
async def item(req, resp, item_id):
    await jsonify(resp, {"id": item_id, "qs": req.qs, "tags": ["a", "b"]})


@app.route("/form", methods=["POST"])
async def form(req, resp):
    fields, files = await read_form(req)
    return "name=" + fields["name"]


@app.route("/hello")
def hello(req, resp):
    return "Hello, world!\n"


admin = picoweb.WebApp("fp_realistic")


@admin.route("/")
def admin_index(req, resp):
    return {"served": served[0], "prefix": req.prefix}


app.mount("/admin", admin)

async def start(host, port):
    asyncio.create_task(app.serve(host, port))
    while getattr(app, "port", None) is None:
        await asyncio.sleep_ms(5)

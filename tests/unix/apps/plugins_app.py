# Every plugin, served by the MicroPython unix port for
# tests/unix/test_mp_plugins.py: static files from apps/static, forms with
# uploads into the folder given as argv[1], JSON with a small body limit.
import os
import sys

import picoweb
from picoweb_plugins.forms import Forms, read_form
from picoweb_plugins.json import Json, jsonify
from picoweb_plugins.static import Static

app = picoweb.WebApp(__name__)
app.install(Static(root="static", max_age=60))
app.install(Forms(upload_dir=sys.argv[1], max_file_size=100000))
app.install(Json(max_size=64 * 1024))


@app.route("/echo", methods=["POST"])
async def echo(req, resp):
    await jsonify(resp, {"got": await req.json()}, status=201)


@app.route("/form", methods=["GET", "POST"], max_body=200000)
async def form(req, resp):
    fields, files = await read_form(req)
    out = [k + "=" + v for k, v in fields.items()]
    for name, upload in files.items():
        with upload.open() as f:
            data = f.read()
        out.append("%s:%s:%d:%d" % (name, upload.filename, upload.size, sum(data) % 997))
    return ",".join(out)


@app.route("/query")
def query(req, resp):
    return ",".join(k + "=" + v for k, v in req.parse_qs().items())


@app.route("/heap")
def heap(req, resp):
    # What stays allocated between requests.
    import gc

    gc.collect()
    return str(gc.mem_alloc())


@app.route("/uploads")
def uploads(req, resp):
    return ",".join(sorted(os.listdir(sys.argv[1])))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=0)

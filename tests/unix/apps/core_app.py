# The core's behaviours, served by the MicroPython unix port for
# tests/unix/test_mp_core.py. Arguments "name=value" set app.limits
# (numbers), e.g. `core_app.py max_connections=2 head_timeout=1`.
import re
import sys

import picoweb
from picoweb.compat import asyncio

app = picoweb.WebApp(__name__)


@app.route("/")
async def index(req, resp):
    # Streamed: the head with the first piece, then a second write.
    await picoweb.start_response(resp, "text/plain")
    await resp.awrite("Hello, ")
    await resp.awrite(b"world!\n")


@app.route("/returned")
def returned(req, resp):
    return "returned body"


@app.route("/user/<int:uid>/<name>")
async def user(req, resp, uid, name):
    return {"uid": uid, "name": name, "qs": req.qs}


@app.route("/str/<value>")
def str_param(req, resp, value):
    return "str %d" % len(value)


@app.route("/int/<int:value>")
def int_param(req, resp, value):
    return "int %d" % (value % 1000)


@app.route("/path/<path:rest>")
def path_param(req, resp, rest):
    return "path %d" % len(rest)


@app.route("/file-<name>.txt")
def file_param(req, resp, name):
    return "file " + name


@app.route(re.compile("^/re/(.+)$"))
def regex_route(req, resp):
    return "regex %d" % len(req.url_match.group(1))


@app.route("/echo", methods=["POST", "PUT"])
async def echo(req, resp):
    body = await req.read_body()
    return body, 201, {"X-Length": str(len(body))}


@app.route("/stream/<int:count>")
async def stream(req, resp, count):
    await picoweb.start_response(resp, "text/plain")
    for i in range(count):
        await resp.awrite("piece %d\n" % i)


@app.route("/big/<int:kib>")
async def big(req, resp, kib):
    await picoweb.start_response(resp, "application/octet-stream")
    piece = b"x" * 1024
    for _ in range(kib):
        await resp.awrite(piece)


@app.route("/slow/<int:ms>")
async def slow(req, resp, ms):
    await asyncio.sleep_ms(ms)
    return "slept %d" % ms


@app.route("/peer")
def peer(req, resp):
    return repr(req.client_addr)


@app.route("/port")
def port(req, resp):
    return str(req.app.port)


@app.route("/heap")
def heap(req, resp):
    # What stays allocated between requests.
    import gc

    gc.collect()
    return str(gc.mem_alloc())


@app.route("/boom")
def boom(req, resp):
    raise ValueError("a handler bug")


for setting in sys.argv[1:]:
    name, value = setting.split("=")
    setattr(app.limits, name, float(value) if "." in value else int(value))

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8081, debug=0)

"""What is measured: the servers and the workloads, in table order."""

import os

BENCH = os.path.dirname(os.path.abspath(__file__))
SERVERS_DIR = os.path.join(BENCH, "servers")

HELLO = b"Hello, world!"
FILES = {"100k.bin": 100 * 1024, "10m.bin": 10 * 1024 * 1024}


class Server:
    """A server script of servers/ and the workloads it takes part in
    (None: all but those marked only_for another server)."""

    def __init__(self, name, script, label, variant=None, workloads=None):
        self.name = name
        self.script = os.path.join(SERVERS_DIR, script)
        self.label = label
        self.variant = variant
        self.workloads = workloads


class Workload:
    def __init__(self, name, label, path, close=False, connections=None, kind="app"):
        self.name = name
        self.label = label
        self.path = path
        self.close = close
        self.connections = connections  # None: the run's default
        self.kind = kind  # "app" or "file"


FLOORS = ("floor-streams", "floor-protocol")

SERVERS = [
    Server("picoweb", "picoweb_app.py", "picoweb"),
    Server("picoweb-streams", "picoweb_app.py", "picoweb, streams transport", "streams",
           workloads=("hello-ka", "hello-close", "json-ka", "param-ka", "file10m-ka")),
    Server("picoweb-uvloop", "picoweb_app.py", "picoweb on uvloop", "uvloop",
           workloads=("hello-ka", "hello-close", "json-ka", "param-ka", "file10m-ka")),
    Server("picoweb-chunked", "picoweb_app.py", "picoweb, streamed (chunked) hello", "chunked",
           workloads=("hello-ka", "hello-close")),
    Server("floor-streams", "floor_streams.py", "streams floor"),
    Server("floor-protocol", "floor_protocol.py", "protocol floor"),
    Server("microdot", "microdot_app.py", "microdot"),
    Server("starlette", "starlette_app.py", "Starlette/uvicorn"),
    # ASGI: picoweb's app and Starlette under the same uvicorn (uvloop, httptools).
    Server("picoweb-asgi", "picoweb_asgi.py", "picoweb/uvicorn (uvloop, httptools)",
           workloads=("hello-ka", "hello-close", "json-ka", "param-ka", "file100k-ka")),
    Server("starlette-uvloop", "starlette_app.py", "Starlette/uvicorn (uvloop, httptools)", "uvloop",
           workloads=("hello-ka", "hello-close", "json-ka", "param-ka", "file100k-ka")),
    Server("flask", "flask_app.py", "Flask/gunicorn"),
    Server("aiohttp", "aiohttp_app.py", "aiohttp"),
    Server("nginx", "nginx_files.py", "nginx", workloads=("file100k-ka", "file100k-close", "file10m-ka")),
]

WORKLOADS = [
    Workload("hello-ka", "hello, keep-alive", "/hello"),
    Workload("hello-close", "hello, Connection: close", "/hello", close=True),
    Workload("json-ka", "JSON, keep-alive", "/json"),
    Workload("json-close", "JSON, Connection: close", "/json", close=True),
    Workload("param-ka", "path parameter + query, keep-alive", "/user/42?q=bench"),
    Workload("param-close", "path parameter + query, Connection: close", "/user/42?q=bench", close=True),
    Workload("file100k-ka", "100 KiB static file, keep-alive", "/static/100k.bin", kind="file"),
    Workload("file100k-close", "100 KiB static file, Connection: close", "/static/100k.bin", close=True, kind="file"),
    # Fewer connections: each response is 10 MiB, and the floors buffer it whole.
    Workload("file10m-ka", "10 MiB static file, keep-alive", "/static/10m.bin", connections=8, kind="file"),
]


def server(name):
    for s in SERVERS:
        if s.name == name:
            return s
    raise KeyError(name)


def workload(name):
    for w in WORKLOADS:
        if w.name == name:
            return w
    raise KeyError(name)


def takes_part(srv, wl):
    return srv.workloads is None or wl.name in srv.workloads


def check_body(path, body, data_dir):
    """None if `body` is what every server must answer for `path`, else why not."""
    import json

    if path == "/hello":
        ok = body.strip() == HELLO
    elif path == "/json":
        try:
            ok = json.loads(body) == {"message": HELLO.decode()}
        except ValueError:
            ok = False
    elif path.startswith("/user/"):
        ok = body.strip() == b"user 42, q=bench"
    else:
        with open(os.path.join(data_dir, path.rsplit("/", 1)[1]), "rb") as f:
            ok = body == f.read()
    return None if ok else "unexpected body for %s: %r" % (path, body[:80])


def make_data(data_dir):
    """The static files, written once: deterministic bytes of the right size."""
    import random

    os.makedirs(data_dir, exist_ok=True)
    for name, size in FILES.items():
        path = os.path.join(data_dir, name)
        if os.path.exists(path) and os.path.getsize(path) == size:
            continue
        data = random.Random(size).randbytes(size)
        with open(path, "wb") as f:
            f.write(data)

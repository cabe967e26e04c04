"""The app the ASGI server tests run (`asgi_target:app` with
PICOWEB_ASGI_MODULE=asgi_site), and the built-in server too: the static,
forms and json plugins, hooks, a mounted app, both handler styles, a head
written by hand, SSE, uploads, and a WebSocket echo written over both
seams: frames over `resp.upgrade()` on the built-in server, messages over
`resp.asgi_websocket` under ASGI (the shape the WebSocket plugin takes).

PICOWEB_SITE_LOG names a file each process appends its init and
on_shutdown lines to, so a test sees what every worker did.
"""

import asyncio
import base64
import hashlib
import os
import struct

import picoweb
from picoweb_plugins.forms import Forms
from picoweb_plugins.json import Json, jsonify
from picoweb_plugins.static import Static

HERE = os.path.dirname(os.path.abspath(__file__))
STATIC = os.path.join(os.path.dirname(HERE), "examples", "static")
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def note(line):
    path = os.environ.get("PICOWEB_SITE_LOG")
    if path:
        with open(path, "a") as f:
            f.write("%d %s\n" % (os.getpid(), line))


class Site(picoweb.WebApp):
    def init(self):
        note("init " + self.name)
        super().init()


app = Site(__name__)
app.name = "site"
api = Site(__name__)
api.name = "api"
app.mount("/api", api)
app.install(Static(root=STATIC, prefix="/static/", max_age=60))
app.install(Forms(max_file_size=1 << 20))
api.install(Json(max_size=4096))


@app.on_shutdown
def goodbye():
    note("shutdown site stopping=%s" % app.stopping)


@app.before_request
def need_token(req, resp):
    if req.path.startswith("/private") and req.headers.get("x-token") != "sesame":
        raise picoweb.HTTPError(403, "no token")


@app.before_send
def stamp(req, resp):
    resp.headers["X-Site"] = "picoweb"


@app.route("/")
def index(req, resp):
    return "Hello, world!"


@app.route("/pid")
def pid(req, resp):
    return {"pid": os.getpid()}


@app.route("/peer")
def peer(req, resp):
    return {"port": req.client_addr[1], "forwarded_for": req.headers.get("x-forwarded-for")}


@app.route("/private")
def private(req, resp):
    return "the secret"


@app.route("/stream")
async def stream(req, resp):
    await picoweb.start_response(resp, "text/plain; charset=utf-8")
    for n in range(5):
        await resp.awrite("line %d\n" % n)


@app.route("/raw")
async def raw(req, resp):
    await resp.awrite("HTTP/1.0 202 Accepted\r\nContent-Type: text/plain\r\nX-Hand: made\r\n\r\n")
    await resp.awrite("written by hand\n")


@app.route("/user/<int:uid>")
def user(req, resp, uid):
    return {"id": uid, "q": req.qs, "prefix": req.prefix}


@app.route("/upload", methods=["POST"], max_body=2 << 20)
async def upload(req, resp):
    await req.read_form_data()
    photo = req.files["photo"]
    with open(photo.path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {"title": req.form["title"], "size": photo.size, "sha256": digest}


@app.route("/echo", methods=["POST"], max_body=64 * 1024)
async def echo(req, resp):
    return await req.read_body()


@app.route("/events")
async def events(req, resp):
    await picoweb.start_response(resp, "text/event-stream", headers={"Cache-Control": "no-cache"})
    count = 0
    try:
        while not app.stopping and count < 2000:
            await resp.awrite("id: %d\ndata: event %d\n\n" % (count, count))
            count += 1
            await asyncio.sleep(0.02)
    except OSError:
        note("events: client left after %d" % count)


@api.route("/items", methods=["POST"])
async def create(req, resp):
    item = await req.json()
    await jsonify(resp, {"created": item, "path": req.path, "prefix": req.prefix}, status=201)


@api.errorhandler(picoweb.HTTPError)
def api_error(req, resp, exc):
    return {"error": exc.status}, exc.status


# A WebSocket echo over both seams (what the WebSocket plugin does, small)


@app.route("/ws")
async def websocket_echo(req, resp):
    channel = getattr(resp, "asgi_websocket", None)
    if channel is None:  # the built-in server: frames over the raw stream
        channel = await FrameChannel.accept(req, resp)
    else:  # an ASGI server: it frames; we see messages
        await channel.accept(headers={"X-Ws": "echo"})
    while True:
        message = await channel.receive()
        if message is None:
            return
        await channel.send(message)


class FrameChannel:
    """The least of RFC 6455 over resp.upgrade(): unfragmented text and
    binary messages of up to 64 KiB, and close. A test helper, not the plugin."""

    def __init__(self, stream):
        self.stream = stream

    @classmethod
    async def accept(cls, req, resp):
        key = req.headers.get("sec-websocket-key", "").encode()
        if req.headers.get("upgrade", "").lower() != "websocket" or not key:
            raise picoweb.HTTPError(400, "not a WebSocket handshake")
        accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()
        stream = await resp.upgrade({"Upgrade": "websocket", "Connection": "Upgrade",
                                     "Sec-WebSocket-Accept": accept, "X-Ws": "echo"})
        return cls(stream)

    async def receive(self):
        head = await self.stream.readexactly(2)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", await self.stream.readexactly(2))[0]
        elif length == 127:
            return None
        mask = await self.stream.readexactly(4)
        data = bytes(b ^ mask[i % 4] for i, b in enumerate(await self.stream.readexactly(length)))
        if opcode == 8:
            await self.stream.write(b"\x88\x02" + data[:2])
            return None
        return data.decode() if opcode == 1 else data

    async def send(self, message):
        data = message.encode() if isinstance(message, str) else message
        opcode = 0x81 if isinstance(message, str) else 0x82
        size = bytes([len(data)]) if len(data) < 126 else b"\x7e" + struct.pack("!H", len(data))
        await self.stream.write(bytes([opcode]) + size + data)

# Heap of the smallest picoweb app: one route returning a str, served over
# the same memory streams as the bare floor (mp_streams.py says why not
# through picoweb's TestClient).
import picoweb
from picoweb.server import Connection

from mp_streams import exchange

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"

app = None


def build():
    global app
    app = picoweb.WebApp(__name__)
    app.debug = -1

    @app.route("/")
    def index(req, resp):
        return "Hello, world!"


async def serve(count):
    await app.start()  # as app.run() and serve() do first

    async def handler(reader, writer):
        await Connection(app, reader, writer).serve()

    for _ in range(count):
        out = await exchange(handler, REQUEST)
        assert out[:12] == b"HTTP/1.1 200" and out.endswith(b"\r\n\r\nHello, world!"), out

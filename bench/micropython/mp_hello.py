# Heap of the smallest picoweb app: one route returning a str.
import picoweb
from picoweb.testclient import TestClient

app = None


def build():
    global app
    app = picoweb.WebApp(__name__)
    app.debug = -1

    @app.route("/")
    def index(req, resp):
        return "Hello, world!"


async def serve(count):
    client = TestClient(app)
    for _ in range(count):
        resp = await client.get("/")
        assert resp.status == 200 and resp.body == b"Hello, world!", resp

# The core under the WebAssembly port, through the test client, for what
# tests/unix (the unix port over real sockets) does not cover: hooks,
# error handlers, mounts, plugins, cookies, header injection, an unread
# body, with the smaller module set of this port under the import guard.
# Routes, parameters, bodies, framing, 4xx and limits moved to tests/unix.
import picoweb
from picoweb.testclient import TestClient, parse_responses


def _app():
    app = picoweb.WebApp(__name__)

    @app.route("/")
    async def index(req, resp):
        await picoweb.start_response(resp, "text/plain")
        await resp.awrite("Hello ")
        await resp.awrite(b"world")

    @app.route("/user/<int:uid>/<name>")
    async def user(req, resp, uid, name):
        return {"uid": uid, "name": name, "qs": req.qs}

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body(), 201, {"X-Echo": "yes"}

    @app.route("/boom")
    async def boom(req, resp):
        raise ValueError("handler bug")

    @app.route("/headers")
    def headers(req, resp):
        return req.headers.get("X-Thing", "none")

    api = picoweb.WebApp("api")

    @api.route("/")
    async def api_index(req, resp):
        return "api at " + req.prefix + " path " + req.path

    @api.route("/item/<path:rest>")
    async def api_item(req, resp, rest):
        return rest

    app.mount("/api", api)
    return app


async def test_case_insensitive_request_headers():
    resp = await TestClient(_app()).get("/headers", headers={"x-THING": "abc"})
    assert resp.text == "abc"


async def test_mount_sees_relative_path_and_prefix():
    client = TestClient(_app())
    assert (await client.get("/api")).text == "api at /api path /"
    assert (await client.get("/api/item/a/b")).text == "a/b"
    assert (await client.get("/apix")).status == 404


async def test_unread_body_does_not_leak_into_next_request():
    out = await TestClient(_app()).raw(
        b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nGET /GET / HTTP/1.1\r\n\r\n"
    )
    assert [r.status for r in parse_responses(out)] == [200, 200]


async def test_hooks_and_before_send_on_streamed_response():
    app = _app()
    order = []

    @app.before_request
    async def before(req, resp):
        order.append("before")

    @app.after_request
    def after(req, resp):
        order.append("after")

    @app.before_send
    async def stamp(req, resp):
        resp.headers.add("Set-Cookie", "a=1")
        resp.headers.add("Set-Cookie", "b=2")

    resp = await TestClient(app).get("/")
    assert order == ["before", "after"]
    assert resp.headers.getlist("Set-Cookie") == ["a=1", "b=2"]
    assert resp.body == b"Hello world"


async def test_before_request_short_circuit_and_error_handler():
    app = _app()

    @app.before_request
    def gate(req, resp):
        if req.path == "/":
            return "stopped", 403

    @app.errorhandler(404)
    async def not_found(req, resp, exc):
        return "custom 404", 404

    client = TestClient(app)
    resp = await client.get("/")
    assert (resp.status, resp.text) == (403, "stopped")
    resp = await client.get("/nope")
    assert (resp.status, resp.text) == (404, "custom 404")


async def test_plugin_on_parent_covers_mounted_app():
    class Stamp:
        def install(self, app):
            app.before_send(self.stamp)

        async def stamp(self, req, resp):
            resp.headers["X-Stamp"] = "1"

    app = _app()
    app.install(Stamp())
    resp = await TestClient(app).get("/api/item/x")
    assert resp.headers["X-Stamp"] == "1"
    assert [p for p, _ in app.mounts()] == ["/api"]


async def test_subclass_handle_exc():
    class App(picoweb.WebApp):
        async def handle_exc(self, req, resp, exc):
            await picoweb.http_error(resp, 503)

    app = App(__name__)
    app.debug = -1

    @app.route("/")
    def index(req, resp):
        raise RuntimeError("x")

    assert (await TestClient(app).get("/")).status == 503


async def test_header_injection_never_reaches_the_wire():
    app = picoweb.WebApp(__name__)
    app.debug = -1

    @app.route("/")
    def index(req, resp):
        return "x", 200, {"X-Bad": "a\r\nInjected: yes"}

    out = await TestClient(app).raw(b"GET / HTTP/1.1\r\n\r\n")
    assert b"Injected" not in out
    assert out.startswith(b"HTTP/1.1 500 ")


async def test_cookies():
    app = picoweb.WebApp(__name__)

    @app.route("/")
    def index(req, resp):
        resp.set_cookie("n", req.cookies.get("n", "none"), max_age=10)
        return "ok"

    resp = await TestClient(app).get("/", headers={"Cookie": "x=1; n=abc"})
    assert resp.headers["Set-Cookie"] == "n=abc; Max-Age=10; Path=/"

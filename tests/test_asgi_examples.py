"""The examples' `app` objects, unchanged, under real ASGI servers: every
example under uvicorn with 2 workers, the ones that use the plugins,
templates, files, streams, WebSockets and mounts under hypercorn and granian too, and
two under gunicorn with uvicorn's worker (2 workers). The
assertions are those of tests/test_examples.py for the built-in server,
where they hold under ASGI; the differences are the server's: it frames
bodies and owns the connection (no HTTP/1.0 head, no "Connection: close"),
and gives header names lowercase."""

import contextlib
import hashlib
import os
import re
import time

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from asgi_servers import EXAMPLES, asgi_server
from test_asgi_servers import pytestmark  # noqa: F401 (the protocol pass only)

ALL = sorted(name[:-3] for name in os.listdir(EXAMPLES) if name.endswith(".py"))
RUNS = [("uvicorn", 2, module) for module in ALL] + [
    (server, 1, module) for server in ("hypercorn", "granian") for module in ALL] + [
    ("gunicorn", 2, module) for module in ("example_app_router", "example_eventsource")]


def links(html):
    return re.findall(r"href=['\"]([^'\"]+)['\"]", html)


@pytest.fixture(autouse=True)
def fresh_templates():
    compiled = os.path.join(EXAMPLES, "templates", "compiled")
    if os.path.isdir(compiled):
        for name in os.listdir(compiled):
            if name.endswith(".py"):
                os.remove(os.path.join(compiled, name))


@pytest.mark.parametrize("server, workers, module", RUNS, ids=["%s-%s" % (s, m) for s, _, m in RUNS])
def test_example(server, workers, module, tmp_path, monkeypatch):
    monkeypatch.setenv("PICOWEB_SESSIONS_DIR", str(tmp_path / "sessions"))  # example_login's store
    check = CHECKS.get(module, check_index)
    running = asgi_server(server, module, tmp_path, workers, setup=SETUP.get(module, ""),
                          options=OPTIONS.get((server, module), ())).start()
    try:
        check(running)
    except BaseException:
        running.kill()
        raise
    output = running.stop(tracebacks=module == "example_global_exc")
    for line in LOGGED.get(module, ()):
        assert line in output, output


def check_index(server):
    page = server.client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for link in links(page.text):
        if not link.startswith("http"):
            assert server.client.get(link if link.startswith("/") else "/" + link).status_code == 200, link


def check_webapp(server):
    get = server.client.get
    assert sorted(links(get("/").text)) == ["file", "iam/picoweb", "raw", "squares"]
    squares = get("/squares")
    assert "Request path: <code>/squares</code>" in squares.text
    assert "<tr><td>5</td><td>25</td></tr>" in squares.text and "<td>6</td>" not in squares.text
    assert get("/iam/Alice").text == "Hello, Alice!"
    assert get("/iam/<b>x</b>").text == "Hello, &lt;b&gt;x&lt;/b&gt;!"
    assert get("/iam/").status_code == 404
    source = get("/file")
    assert source.headers["content-type"] == "text/plain; charset=utf-8"
    with open(os.path.join(EXAMPLES, "example_webapp.py"), "rb") as f:
        assert source.content == f.read()
    raw = get("/raw")  # the handler's own head, parsed back into events
    assert raw.status_code == 200 and raw.headers["content-type"] == "text/plain"
    assert raw.text == "Every byte of this response came from the handler.\n"
    assert get("/nothing").status_code == 404


def check_webapp2(server):
    assert "href='squares'" in server.client.get("/").text
    assert "<tr><td>9</td><td>81</td></tr>" in server.client.get("/squares").text
    square = server.client.get("/square/12")
    assert square.headers["content-type"] == "application/json" and square.json() == {"n": 12, "square": 144}
    assert server.client.get("/square/twelve").status_code == 404
    echo = server.client.post("/echo", content="hello there")
    assert echo.text == "hello there" and echo.headers["content-type"] == "text/plain; charset=utf-8"
    wrong = server.client.get("/echo")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"


def check_app1(server):
    assert links(server.client.get("/").text) == ["/hello"]
    assert server.client.get("/hello").text == "Hello from app #1, mounted at '/'"


def check_app2(server):
    index = server.client.get("/")
    assert index.text == "This is app #2." and index.headers["x-served-by"] == "app2"
    missing = server.client.get("/nothing-here")
    assert missing.status_code == 404 and missing.text == "app #2 has no page /nothing-here"


def check_app_router(server):
    get = server.client.get
    assert links(get("/").text) == ["app1", "app2"]
    assert links(get("/app1").text) == ["/app1/hello"]
    assert get("/app1/hello").text == "Hello from app #1, mounted at '/app1'"
    app2 = get("/app2")
    assert app2.text == "This is app #2." and app2.headers["x-served-by"] == "app2"
    assert get("/app2/gone").text == "app #2 has no page /gone"
    site_missing = get("/gone")
    assert site_missing.status_code == 404 and "x-served-by" not in site_missing.headers


def check_header_modes(server):
    get = server.client.get
    parsed = get("/mode_parse", headers={"X-Demo": "<hi>"})
    assert "<td>x-demo</td><td>&lt;hi&gt;</td>" in parsed.text.lower()
    assert get("/mode_skip", headers={"X-Demo": "1"}).text == "req.headers holds 0 headers: none were kept."
    left = get("/mode_leave", headers={"X-Demo": "left in the stream"})
    lines = left.text.splitlines()
    assert lines[0] == "Header lines read from the stream by the handler:"
    assert "x-demo: left in the stream" in lines  # names as the server gives them


def check_global_exc(server):
    early = server.client.get("/case1")
    assert early.status_code == 500 and early.text == "We've got a 500 here: ZeroDivisionError\n"
    received = b""
    with server.client.stream("GET", "/case2") as late:
        assert late.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):  # cut short: no last chunk
            for piece in late.iter_raw():
                received += piece
    assert received.startswith(b"I started writing the response, and then...")
    assert received.endswith(b"[the server failed here: ZeroDivisionError]\n")
    assert server.client.get("/").status_code == 200


def check_eventsource(server):
    from httpx_sse import connect_sse

    with connect_sse(server.client, "GET", "/counter", headers={"Last-Event-ID": "41"}) as source:
        assert source.response.headers["content-type"] == "text/event-stream"
        assert source.response.headers["cache-control"] == "no-cache"
        events = source.iter_sse()
        ticks = [(event.event, event.data) for event in [next(events) for _ in range(3)][1:]]
    assert ticks == [("tick", "42"), ("tick", "43")]  # resumed from the id it was given
    deadline = time.monotonic() + 5
    while "event stream closed by the client" not in server.output():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    assert server.client.get("/").status_code == 200


def check_login(server):
    # Two uvicorn workers, one session store (SQLite beside them): a sign-in
    # made on one worker holds on whichever serves the next requests.
    import httpx

    from test_example_login import BROWSER, TOKEN

    origin = str(server.client.base_url).rstrip("/")
    with httpx.Client(base_url=origin, timeout=10, headers=dict(BROWSER, Origin=origin)) as browser:
        assert browser.get("/private").status_code == 302
        token = TOKEN.search(browser.get("/login").text).group(1)
        done = browser.post("/login", data={"username": "alice", "password": "wonderland", "csrf_token": token})
        assert done.status_code == 302
        for _ in range(6):
            assert "Hello, alice" in browser.get("/private").text
    assert server.client.get("/api/me").status_code == 401


def check_basic_auth(server):
    assert server.client.get("/private").status_code == 401
    assert server.client.get("/private", auth=("admin", "wrong")).status_code == 401
    assert server.client.get("/private", auth=("admin", "secret")).text == "Hello, admin: you logged in."


def check_extra_headers(server):
    index = server.client.get("/")
    assert index.headers["x-myheader1"] == "foo" and index.headers["x-powered-by"] == "picoweb"
    css = server.client.get("/style.css")
    assert css.headers["content-type"] == "text/css" and css.headers["cache-control"] == "max-age=86400"
    assert server.client.get("/tuple").headers["x-myheader3"] == "baz"
    assert server.client.get("/missing.css").headers["x-powered-by"] == "picoweb"


def check_unicode(server):
    index = server.client.get("/")
    assert "Cyrillic letters: абвгд" in index.text
    hello = server.client.get("/hello/мир")
    assert hello.text == "<meta charset='utf-8'>Привет, мир! (3 characters)"
    assert int(hello.headers["content-length"]) == len(hello.text.encode("utf-8"))


def check_api(server):
    api = server.client
    assert api.get("/api/items").json() == []
    created = api.post("/api/items", json={"name": "milk"})
    assert created.status_code == 201 and created.headers["location"] == "/api/items/1"
    assert api.get("/api/items/1").json() == {"id": 1, "name": "milk"}
    assert api.delete("/api/items/1").status_code == 204
    missing = api.get("/api/items/1")
    assert missing.status_code == 404 and missing.json() == {"error": 404, "message": "no item 1"}
    assert api.post("/api/items", content=b"{not json").json()["message"] == "the body is not JSON"
    assert api.patch("/api/items/2").headers["allow"] == "DELETE, GET, HEAD, PUT"
    assert api.get("/nothing").headers["content-type"].startswith("text/html")


def check_json(server):
    api = server.client
    created = api.post("/readings", json={"sensor": "t1", "value": 21.5})
    assert created.status_code == 201 and created.json() == {"id": 1, "sensor": "t1", "value": 21.5}
    json_type = {"Content-Type": "application/json"}
    assert api.post("/readings", content=b"{oops", headers=json_type).status_code == 400
    assert api.post("/readings", content=b"[" + b"1," * 3000 + b"1]", headers=json_type).status_code == 413
    assert api.post("/readings", content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415


def check_img(server):
    assert "/static/logo.png" in server.client.get("/").text
    png = server.client.get("/static/logo.png")
    with open(os.path.join(EXAMPLES, "static", "logo.png"), "rb") as f:
        assert png.content == f.read() and png.headers["content-type"] == "image/png"
    with open(os.path.join(EXAMPLES, "static", "style.css"), "rb") as f:
        css = f.read()
    packed = server.client.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.content == css  # httpx decodes it
    assert server.client.get("/static/style.css", headers={"Accept-Encoding": "identity"}).content == css


def check_form(server):
    page = server.client.get("/get?name=%3Cb%3EZo%C3%AB%3C%2Fb%3E&color=red")
    assert "&lt;b&gt;Zoë&lt;/b&gt;" in page.text and "<b>" not in page.text
    posted = server.client.post("/post", data={"name": "<script>", "color": ["green", "blue"]})
    assert "&lt;script&gt;" in posted.text and "<td>blue</td>" in posted.text
    payload = os.urandom(200000)
    uploaded = server.client.post("/upload", data={"note": "n<1>"}, files={"upload": ("<x>.bin", payload)})
    assert "&lt;x&gt;.bin</td><td>200000</td><td><code>%s</code>" % hashlib.sha256(payload).hexdigest() in (
        uploaded.text)


def check_ws_echo(server):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    assert "new WebSocket(" in server.client.get("/").text
    plain = server.client.get("/ws")
    assert plain.status_code == 426 and plain.headers["sec-websocket-version"] == "13"
    url = server.url.replace("http", "ws", 1) + "/ws"
    with connect(url, open_timeout=5, close_timeout=2, origin=server.url) as ws:  # the page's own host
        ws.send("hello")
        assert ws.recv(timeout=5) == "hello"
        ws.send(b"\x00\xffbinary")
        assert ws.recv(timeout=5) == b"\x00\xffbinary"
        for big in ("é" * (450 * 1024), os.urandom(900 * 1024)):  # 900 KiB each
            ws.send(big)
            assert ws.recv(timeout=10) == big
    with connect(url, open_timeout=5, close_timeout=2) as ws:
        ws.send(b"x" * ((1 << 20) + 1))  # over the example's 1 MiB (and uvicorn's --ws-max-size)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1009
    with pytest.raises(InvalidStatus) as refused:
        connect(url, open_timeout=5, origin="https://elsewhere.example")
    assert refused.value.response.status_code == 403


def check_chat(server):
    # Under 2 uvicorn workers each has a room of its own: two visitors in
    # one room are found by the "joined" one sees of the other.
    import json

    from websockets.sync.client import connect

    assert "new WebSocket(" in server.client.get("/").text
    url = server.url.replace("http", "ws", 1) + "/chat"

    def visit():
        ws = visitors.enter_context(connect(url, open_timeout=5, close_timeout=2))
        name = json.loads(ws.recv(timeout=5))["you"]
        assert json.loads(ws.recv(timeout=5)) == {"system": name + " joined"}  # its own, first
        return ws, name

    def two_in_one_room():
        # Which worker takes a connection is the kernel's choice (under load
        # one may take twenty in a row); of three visitors, two share a room
        # whatever it chooses.
        earlier = []
        for _ in range(3):
            ws, name = visit()
            for other, other_name in earlier:
                try:
                    seen = json.loads(other.recv(timeout=1))
                except TimeoutError:
                    continue  # in the other worker's room
                assert seen == {"system": name + " joined"}
                return other, other_name, ws, name
            earlier.append((ws, name))
        raise AssertionError("three visitors, two workers, and no two in one room")

    with contextlib.ExitStack() as visitors:
        first, first_name, second, second_name = two_in_one_room()
        second.send("<b>hi</b>")
        for ws in (first, second):
            assert json.loads(ws.recv(timeout=5)) == {"name": second_name, "text": "<b>hi</b>"}
        second.send(b"binary")
        with pytest.raises(ConnectionClosed) as closed:
            second.recv(timeout=5)
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1003, "text messages only")
        assert json.loads(first.recv(timeout=5)) == {"system": second_name + " left"}
        first.send("still here")
        assert json.loads(first.recv(timeout=5)) == {"name": first_name, "text": "still here"}


CHECKS = {
    "example_webapp": check_webapp, "example_webapp2": check_webapp2, "app1": check_app1, "app2": check_app2,
    "example_app_router": check_app_router, "example_header_modes": check_header_modes,
    "example_global_exc": check_global_exc, "example_eventsource": check_eventsource,
    "example_login": check_login,
    "example_basic_auth": check_basic_auth, "example_extra_headers": check_extra_headers,
    "example_unicode": check_unicode, "example_api": check_api, "example_json": check_json,
    "example_img": check_img, "example_form": check_form, "example_ws_echo": check_ws_echo,
    "example_chat": check_chat,
}
# The server's own message limit at the plugin's (README, websocket: under an ASGI server).
OPTIONS = {("uvicorn", "example_ws_echo"): ["--ws-max-size", str(1 << 20)]}
SETUP = {"example_eventsource": "m.INTERVAL = 0.05"}
LOGGED = {
    "example_api": ["api: POST /api/items -> 201", "api: GET /api/items/1 -> 404"],
    "example_global_exc": ["ZeroDivisionError: division by zero"],
}

"""The same app under real ASGI servers: uvicorn with 2 workers, hypercorn
and granian with 1, on 127.0.0.1 with httpx and `websockets` as clients.
tests/asgi_site.py is the app (plugins, hooks, a mount, streams, a head
written by hand, SSE, uploads, a WebSocket echo); tests/test_asgi_examples.py
runs the examples the same way. Every wait is bounded."""

import hashlib
import http.client
import os
import signal
import time

import httpx
import pytest
from websockets.sync.client import connect

from asgi_servers import EXAMPLES, STOP_TIMEOUT, TESTS, asgi_server
from rawhttp import ON_UVLOOP

SERVERS = [("uvicorn", 2), ("hypercorn", 1), ("granian", 1)]

# picoweb's own transport and event loop play no part under an ASGI
# server: `make test` runs this file in its first (protocol) pass only.
pytestmark = pytest.mark.skipif(
    os.environ.get("PICOWEB_TRANSPORT") == "streams" or ON_UVLOOP,
    reason="ASGI servers bring their own transport and loop: tested in the protocol pass only")


@pytest.fixture(scope="module", params=SERVERS, ids=[name for name, _ in SERVERS])
def site(request, tmp_path_factory):
    """The site under one server, shared by this module's tests of that
    server; `site.log_lines()` are the lines its processes noted."""
    name, workers = request.param
    tmp = tmp_path_factory.mktemp(name)
    log = tmp / "site.log"
    server = asgi_server(name, "asgi_site", tmp, workers, extra_env={"PICOWEB_SITE_LOG": str(log)}).start()
    server.name = name
    server.workers = workers
    server.log_lines = lambda: log.read_text().splitlines() if log.exists() else []
    yield server
    if server.proc.poll() is None:
        server.stop()


def wait_for(predicate, timeout=5):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_returned_and_streamed_bodies(site):
    hello = site.client.get("/")
    assert hello.status_code == 200 and hello.text == "Hello, world!"
    assert hello.headers["content-length"] == "13" and hello.headers["x-site"] == "picoweb"
    assert hello.headers["content-type"] == "text/html; charset=utf-8"
    streamed = site.client.get("/stream")
    assert streamed.text == "".join("line %d\n" % n for n in range(5))
    assert streamed.headers["transfer-encoding"] == "chunked"  # the server's framing
    head = site.client.head("/")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "13"


def test_routing_params_mounts_and_plugins(site):
    user = site.client.get("/user/7", params={"q": "a b"})
    assert user.json() == {"id": 7, "q": "q=a+b", "prefix": ""}
    created = site.client.post("/api/items", json={"name": "milk"})
    assert created.status_code == 201
    assert created.json() == {"created": {"name": "milk"}, "path": "/items", "prefix": "/api"}
    # The json plugin's limits and the mounted app's error handler.
    assert site.client.post("/api/items", content=b"{oops", headers={"content-type": "application/json"}).json() == {
        "error": 400}
    assert site.client.post("/api/items", content=b"{}", headers={"content-type": "text/plain"}).status_code == 415
    assert site.client.get("/api/nothing").json() == {"error": 404}
    css = site.client.get("/static/style.css", headers={"accept-encoding": "identity"})
    with open(os.path.join(EXAMPLES, "static", "style.css"), "rb") as f:
        assert css.content == f.read() and css.headers["content-type"] == "text/css"
    assert site.client.get("/static/style.css", headers={"if-none-match": css.headers["etag"],
                                                        "accept-encoding": "identity"}).status_code == 304
    ranged = site.client.get("/static/logo.png", headers={"range": "bytes=0-9"})
    assert ranged.status_code == 206 and len(ranged.content) == 10
    assert site.client.get("/static/../asgi_site.py").status_code in (403, 404)


def test_a_whole_file_body(site):
    # Under granian this goes as http.response.pathsend; elsewhere in chunks.
    logo = site.client.get("/static/logo.png")
    with open(os.path.join(EXAMPLES, "static", "logo.png"), "rb") as f:
        assert logo.content == f.read()
    assert logo.headers["content-length"] == str(len(logo.content))


def test_http2(site):
    # HTTP/2 with prior knowledge, where the server speaks it: a body
    # without a length goes to req.reader to its end, under the body limit.
    if site.name == "uvicorn":
        pytest.skip("uvicorn serves HTTP/1.1 here")
    with httpx.Client(base_url=site.url, http1=False, http2=True, timeout=10) as client:
        hello = client.get("/")
        assert hello.http_version == "HTTP/2" and hello.text == "Hello, world!"
        assert "connection" not in hello.headers

        def pieces():
            yield b"abc"
            yield b"def"

        assert client.post("/echo", content=pieces()).content == b"abcdef"
        assert client.get("/stream").text.startswith("line 0\n")
        if site.name == "granian":  # hypercorn 0.18 drops the connection when DATA
            # arrives for a stream already answered (a KeyError in its h2 code)
            assert client.post("/echo", content=b"x" * 70000).status_code == 413


def test_hooks_and_errors(site):
    assert site.client.get("/private").status_code == 403
    assert site.client.get("/private", headers={"x-token": "sesame"}).text == "the secret"
    missing = site.client.get("/nothing")
    assert missing.status_code == 404 and missing.headers["x-site"] == "picoweb"
    assert site.client.get("/nothing", headers={"accept": "application/json"}).json() == {
        "status": 404, "error": "Not Found"}
    assert site.client.post("/").status_code == 405
    assert site.client.get("/%ff").status_code == 400


def test_a_head_written_by_the_handler(site):
    raw = site.client.get("/raw")
    assert raw.status_code == 202 and raw.text == "written by hand\n"
    assert raw.headers["x-hand"] == "made" and raw.headers["content-type"] == "text/plain"


def test_request_bodies_and_their_limits(site):
    assert site.client.post("/echo", content=b"x" * 60000).content == b"x" * 60000
    assert site.client.post("/echo", content=b"x" * 70000).status_code == 413

    def pieces():
        for _ in range(20):
            yield b"y" * 1000

    assert site.client.post("/echo", content=pieces()).content == b"y" * 20000  # chunked upload

    def too_many():
        for _ in range(100):
            yield b"z" * 1000

    assert site.client.post("/echo", content=too_many()).status_code == 413


def test_a_body_nobody_read_leaves_the_connection_usable(site):
    # The handler answers without reading the body (415, 413 by its length):
    # the adapter skips the rest before the answer ends, so the next request
    # on the same connection is served (hypercorn needs that from the app).
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    try:
        for body, content_type, status in ((b"{}" * 20000, "text/plain", 415),
                                           (b"x" * 70000, "application/octet-stream", 413)):
            path = "/api/items" if status == 415 else "/echo"
            conn.request("POST", path, body=body, headers={"Content-Type": content_type})
            answer = conn.getresponse()
            answer.read()
            assert answer.status == status and answer.getheader("connection") != "close"
            conn.request("GET", "/")
            after = conn.getresponse()
            assert after.status == 200 and after.read() == b"Hello, world!"
    finally:
        conn.close()


def test_upload_through_the_forms_plugin(site):
    data = os.urandom(300000)
    done = site.client.post("/upload", data={"title": "photo"}, files={"photo": ("p.bin", data)})
    assert done.status_code == 200
    assert done.json() == {"title": "photo", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_sse_client_leaving_fails_the_next_write(site):
    with site.client.stream("GET", "/events") as events:
        assert events.headers["content-type"] == "text/event-stream"
        seen = []
        for line in events.iter_lines():
            if line.startswith("data: "):
                seen.append(line[6:])
                if len(seen) == 3:
                    break
    assert seen == ["event 0", "event 1", "event 2"]
    assert wait_for(lambda: any("events: client left after" in line for line in site.log_lines())), (
        site.log_lines(), site.output())
    assert site.client.get("/").status_code == 200


def test_websocket_echo(site):
    with connect(site.url.replace("http", "ws") + "/ws", open_timeout=5, close_timeout=2) as ws:
        if site.name != "granian":  # granian sends no headers given to websocket.accept
            assert ws.response.headers["x-ws"] == "echo" and ws.response.headers["x-site"] == "picoweb"
        ws.send("hello")
        assert ws.recv(timeout=5) == "hello"
        ws.send(b"\x00\x01binary")
        assert ws.recv(timeout=5) == b"\x00\x01binary"
        big = "é" * 30000
        ws.send(big)
        assert ws.recv(timeout=5) == big


def test_websocket_refused_by_a_hook(site):
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus) as refused:
        connect(site.url.replace("http", "ws") + "/private", open_timeout=5)
    assert refused.value.response.status_code == 403


def test_every_worker_serves_and_was_inited(site):
    pids = set()
    for _ in range(200):
        pids.add(httpx.get(site.url + "/pid", timeout=5).json()["pid"])  # a new connection each
        if len(pids) == site.workers:
            break
    assert len(pids) == site.workers
    inited = {int(line.split()[0]) for line in site.log_lines() if line.endswith("init site")}
    assert pids <= inited


def test_sigterm_runs_on_shutdown_in_every_worker_and_ends_streams(site):
    # Last in this module: it stops the server. An open event stream ends
    # within the server's grace time; picoweb's on_shutdown hooks run in the
    # lifespan shutdown that uvicorn and hypercorn send after it. granian
    # kills a worker still busy then: no lifespan shutdown there.
    with site.client.stream("GET", "/events") as events:
        lines = events.iter_lines()
        assert next(line for line in lines if line.startswith("data: ")) == "data: event 0"
        started = time.monotonic()
        site.proc.send_signal(signal.SIGTERM)
        try:
            for _ in lines:
                assert time.monotonic() - started < STOP_TIMEOUT
        except httpx.HTTPError:
            pass  # cut by a server that gave up waiting
    site.proc.wait(STOP_TIMEOUT)
    assert site.proc.returncode == 0, site.output()
    shutdowns = [line for line in site.log_lines() if "shutdown site stopping=True" in line]
    if site.name == "granian":
        assert shutdowns == [] and "Killing worker-1 after it refused to gracefully stop" in site.output()
    else:
        assert len(shutdowns) == site.workers, site.log_lines()


@pytest.mark.parametrize("name, workers", SERVERS, ids=[name for name, _ in SERVERS])
def test_sigterm_when_idle_runs_on_shutdown_in_every_worker(name, workers, tmp_path):
    log = tmp_path / "site.log"
    server = asgi_server(name, "asgi_site", tmp_path, workers, extra_env={"PICOWEB_SITE_LOG": str(log)}).start()
    assert server.client.get("/").status_code == 200
    server.stop()
    lines = log.read_text().splitlines()
    assert len([line for line in lines if line.endswith("init site")]) == workers, lines
    assert len([line for line in lines if line.endswith("shutdown site stopping=True")]) == workers, lines


def test_the_websocket_echo_also_runs_on_the_builtin_server(serve_app):
    # The other side of the seam: the same route, frames over resp.upgrade().
    import asgi_site

    server = serve_app(asgi_site.app)
    with connect("ws://127.0.0.1:%d/ws" % server.port, open_timeout=5, close_timeout=2) as ws:
        assert ws.response.headers["x-ws"] == "echo"
        ws.send("hello")
        assert ws.recv(timeout=5) == "hello"
        ws.send(b"\x00binary" * 100)
        assert ws.recv(timeout=5) == b"\x00binary" * 100


def test_redis_sessions_are_shared_by_two_uvicorn_workers(redis_server, tmp_path):
    # One Redis for both workers: a session made through one connection is
    # read, changed and ended through others, each a new connection that
    # either worker may take, until both workers have served each state.
    server = asgi_server("uvicorn", "asgi_redis_sessions", tmp_path, 2, cwd=TESTS,
                         extra_env={"PICOWEB_TEST_REDIS_PORT": str(redis_server.port)}).start("/seen")
    try:
        with httpx.Client(base_url=server.url, timeout=10) as browser:
            assert browser.get("/put?made-through-one").text == "put made-through-one"
            cookie = {"session": browser.cookies["session"]}

            def seen_by_both_workers(value):
                pids = set()
                for _ in range(200):
                    with httpx.Client(base_url=server.url, timeout=10, cookies=cookie) as other:
                        seen = other.get("/seen").json()
                    assert seen["value"] == value, seen
                    pids.add(seen["pid"])
                    if len(pids) == 2:
                        return pids
                raise AssertionError("200 connections, one worker only: %r" % pids)

            pids = seen_by_both_workers("made-through-one")
            browser.get("/put?changed")
            assert browser.cookies["session"] == cookie["session"]  # one id, one session
            assert seen_by_both_workers("changed") == pids
            browser.get("/clear")
            assert seen_by_both_workers(None) == pids  # ended for every worker
    except BaseException:
        server.kill()
        raise
    server.stop()


PATHSEND_SPY = """
import picoweb.asgi_response as events
send_zero_copy = events.AsgiConnection.send_zero_copy


async def spy(self, f, offset, count):
    sent = await send_zero_copy(self, f, offset, count)
    print("zero-copy offered=%s offset=%d count=%s sent=%s"
          % ("http.response.pathsend" in self.extensions, offset, count, sent), flush=True)
    return sent


events.AsgiConnection.send_zero_copy = spy
"""


def test_granian_takes_a_whole_file_by_pathsend(tmp_path):
    server = asgi_server("granian", "asgi_site", tmp_path, setup=PATHSEND_SPY).start()
    logo = server.client.get("/static/logo.png")
    with open(os.path.join(EXAMPLES, "static", "logo.png"), "rb") as f:
        assert logo.content == f.read()
    assert server.client.get("/static/logo.png", headers={"range": "bytes=2-5"}).content == logo.content[2:6]
    output = server.stop()
    size = len(logo.content)
    assert "zero-copy offered=True offset=0 count=%d sent=%d" % (size, size) in output
    assert "zero-copy offered=True offset=2 count=4 sent=None" in output  # a part: in pieces

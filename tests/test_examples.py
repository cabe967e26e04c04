"""Every example, run as a person would run it: in its own process from
examples/, browsed over HTTP on 127.0.0.1, then stopped with SIGTERM.

Each server listens on a free port (port=0; the log line tells which) and
every wait here is bounded, so a hung example fails its test, not the run.
"""

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from process_output import ProcessOutput

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
START_TIMEOUT = 20  # seconds for a process to log "Running on ..."
STOP_TIMEOUT = 5  # seconds for it to exit after SIGTERM
REQUEST_TIMEOUT = 5
RUNNING = re.compile(r"Running on (http://127\.0\.0\.1:(\d+)/)")

# Every example file gets the generic checks below, new ones included.
EXAMPLE_MODULES = sorted(name[:-3] for name in os.listdir(EXAMPLES) if name.endswith(".py"))

# Import the example (which must not start serving by itself), then serve
# it on a free port. `setup` may change module settings before that.
IMPORT_AND_RUN = """\
import sys
import {module} as m
{setup}
sys.stderr.write("imported\\n")
m.app.run(host="127.0.0.1", port=0, debug=0)
"""

# Run the file as a script, as `python3 example_x.py` does, but on a free port.
RUN_AS_MAIN = """\
import runpy
import picoweb
serve = picoweb.WebApp.run
picoweb.WebApp.run = lambda app, host, port, debug=0: serve(app, host, 0, debug)
runpy.run_path("{module}.py", run_name="__main__")
"""


class ExampleServer(ProcessOutput):
    """One example in a subprocess; `client` is an httpx.Client for it.
    By default this checkout's examples, with it on PYTHONPATH; `python` and
    `cwd` run another environment's as it is (a fresh clone's)."""

    def __init__(self, code, python=sys.executable, cwd=EXAMPLES):
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
        if cwd == EXAMPLES:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        else:
            env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen(
            [python, "-c", code], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            errors="replace",
        )
        self.follow_output()
        match = self.wait_for_line(RUNNING, START_TIMEOUT, "the server to start")
        self.url = match.group(1)
        self.client = httpx.Client(base_url=self.url, timeout=REQUEST_TIMEOUT)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def stop(self, tracebacks=False):
        """SIGTERM the server; assert it exits 0 in time, having logged no
        traceback unless `tracebacks`. Returns its output."""
        self.client.close()
        self.proc.send_signal(signal.SIGTERM)
        return self.wait_exit(tracebacks)

    def wait_exit(self, tracebacks=False):
        """Wait for an exit already under way; assert it is clean, as stop()."""
        try:
            code = self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("no exit within %s s of SIGTERM; output:\n%s" % (STOP_TIMEOUT, self.output))
        self.collect(STOP_TIMEOUT)
        assert code == 0, "exit status %r; output:\n%s" % (code, self.output)
        assert tracebacks or "Traceback" not in self.output, self.output
        return self.output

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)


@pytest.fixture
def run_example():
    """run_example("example_x", setup="m.X = 1") -> a started ExampleServer."""
    servers = []

    def start(module, setup="", as_main=False):
        template = RUN_AS_MAIN if as_main else IMPORT_AND_RUN
        server = ExampleServer(template.format(module=module, setup=setup))
        servers.append(server)
        if not as_main:
            assert "imported" in server.lines, "importing %s did not return:\n%s" % (module, server.output)
        return server

    yield start
    for server in servers:
        server.client.close()
        server.kill()


def links(html):
    return re.findall(r"href=['\"]([^'\"]+)['\"]", html)


# Every example: a docstring saying how to try it, and a server only as a script.


@pytest.mark.parametrize("module", EXAMPLE_MODULES)
def test_example_has_docstring_and_main_guard(module):
    with open(os.path.join(EXAMPLES, module + ".py"), encoding="utf-8") as f:
        source = f.read()
    assert source.startswith('"""') and "curl " in source.split('"""')[1]
    assert 'if __name__ == "__main__":\n    app.run(host="127.0.0.1", port=8081, debug=' in source
    assert source.count("app.run(") == 1


@pytest.mark.parametrize("module", EXAMPLE_MODULES)
def test_example_runs_as_a_script(run_example, module):
    server = run_example(module, as_main=True)
    page = server.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    server.stop()


# The examples one by one: their pages, as a visitor would see them.


def test_webapp(run_example):
    server = run_example("example_webapp")
    index = server.get("/")
    assert index.status_code == 200
    assert sorted(links(index.text)) == ["file", "iam/picoweb", "raw", "squares"]
    for link in links(index.text):  # every page of the demo is reachable
        assert server.get("/" + link).status_code == 200, link

    squares = server.get("/squares")
    assert "Request path: <code>/squares</code>" in squares.text
    assert "<tr><td>5</td><td>25</td></tr>" in squares.text
    assert "<td>6</td>" not in squares.text

    assert server.get("/iam/Alice").text == "Hello, Alice!"
    assert server.get("/iam/<b>x</b>").text == "Hello, &lt;b&gt;x&lt;/b&gt;!"
    assert server.get("/iam/").status_code == 404

    source = server.get("/file")
    assert source.headers["content-type"] == "text/plain; charset=utf-8"
    with open(os.path.join(EXAMPLES, "example_webapp.py"), "rb") as f:
        assert source.content == f.read()

    raw = server.get("/raw")
    assert raw.status_code == 200 and raw.http_version == "HTTP/1.0"
    assert raw.text == "Every byte of this response came from the handler.\n"
    assert server.get("/nothing").status_code == 404
    server.stop()


def test_webapp2(run_example):
    server = run_example("example_webapp2")
    assert "href='squares'" in server.get("/").text
    squares = server.get("/squares").text
    assert "<tr><td>9</td><td>81</td></tr>" in squares

    square = server.get("/square/12")
    assert square.headers["content-type"] == "application/json"
    assert square.json() == {"n": 12, "square": 144}
    assert server.get("/square/twelve").status_code == 404

    echo = server.client.post("/echo", content="hello there")
    assert echo.status_code == 200 and echo.text == "hello there"
    assert echo.headers["content-type"] == "text/plain; charset=utf-8"
    wrong = server.get("/echo")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    server.stop()


def test_app1_alone(run_example):
    server = run_example("app1")
    assert links(server.get("/").text) == ["/hello"]
    assert server.get("/hello").text == "Hello from app #1, mounted at '/'"
    server.stop()


def test_app2_alone(run_example):
    server = run_example("app2")
    index = server.get("/")
    assert index.text == "This is app #2." and index.headers["x-served-by"] == "app2"
    missing = server.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.text == "app #2 has no page /nothing-here"
    assert missing.headers["x-served-by"] == "app2"
    server.stop()


def test_app_router(run_example):
    server = run_example("example_app_router")
    assert links(server.get("/").text) == ["app1", "app2"]

    app1 = server.get("/app1")
    assert app1.status_code == 200 and links(app1.text) == ["/app1/hello"]
    assert server.get("/app1/").status_code == 200
    assert server.get("/app1/hello").text == "Hello from app #1, mounted at '/app1'"

    app2 = server.get("/app2")
    assert app2.text == "This is app #2." and app2.headers["x-served-by"] == "app2"
    missing = server.get("/app2/gone")
    assert missing.status_code == 404 and missing.text == "app #2 has no page /gone"

    # The site's own 404 is the default page: app2's handler and hook stay in app2.
    site_missing = server.get("/gone")
    assert site_missing.status_code == 404 and "404 Not Found" in site_missing.text
    assert "x-served-by" not in site_missing.headers
    assert server.get("/app1/gone").status_code == 404
    server.stop()


def test_header_modes(run_example):
    server = run_example("example_header_modes")
    assert links(server.get("/").text) == ["mode_parse", "mode_skip", "mode_leave"]

    parsed = server.get("/mode_parse", headers={"X-Demo": "<hi>"})
    assert "<td>x-demo</td><td>&lt;hi&gt;</td>" in parsed.text.lower()

    assert server.get("/mode_skip", headers={"X-Demo": "1"}).text == (
        "req.headers holds 0 headers: none were kept."
    )

    left = server.get("/mode_leave", headers={"X-Demo": "left in the stream"})
    assert left.status_code == 200
    assert left.headers["connection"] == "close"  # no framing known: one request only
    lines = left.text.splitlines()
    assert lines[0] == "Header lines read from the stream by the handler:"
    assert "X-Demo: left in the stream" in lines
    assert server.get("/").status_code == 200
    server.stop()


@pytest.fixture
def division_error():
    """How the server's runtime logs 1/0 (tests/unix says MicroPython's words)."""
    return "ZeroDivisionError: division by zero"


def test_global_exc(run_example, division_error):
    server = run_example("example_global_exc")
    assert links(server.get("/").text) == ["case1", "case2"]

    early = server.get("/case1")
    assert early.status_code == 500
    assert early.text == "We've got a 500 here: ZeroDivisionError\n"
    assert "x-lost" not in early.headers

    received = b""
    with server.client.stream("GET", "/case2") as late:
        assert late.status_code == 200  # sent before the failure
        with pytest.raises(httpx.RemoteProtocolError, match="incomplete chunked read"):
            for piece in late.iter_raw():
                received += piece
    assert received.startswith(b"I started writing the response, and then...")
    assert received.endswith(b"[the server failed here: ZeroDivisionError]\n")
    assert server.get("/").status_code == 200

    output = server.stop(tracebacks=True)
    assert output.count(division_error) == 2  # logged, and served on


def take(events, count):
    """The next `count` events (ServerSentEvent) an httpx-sse source yields."""
    got = []
    for event in events:
        got.append(event)
        if len(got) == count:
            return got
    raise AssertionError("the stream ended after %r" % got)


def ticks(events):
    return [(event.event, event.id, event.data) for event in events]


def test_eventsource_counts_and_resumes_from_last_event_id(run_example):
    from httpx_sse import connect_sse

    server = run_example("example_eventsource", setup="m.INTERVAL = 0.05")
    assert 'new EventSource("counter")' in server.get("/").text

    with connect_sse(server.client, "GET", "/counter") as source:
        assert source.response.headers["content-type"] == "text/event-stream"
        assert source.response.headers["cache-control"] == "no-cache"
        events = source.iter_sse()
        first = take(events, 1)[0]
        assert first.retry == 2000 and first.data == ""  # how long to wait before reconnecting
        assert ticks(take(events, 3)) == [("tick", "1", "1"), ("tick", "2", "2"), ("tick", "3", "3")]
    # Reconnecting as an EventSource does, with the last id it saw: the count goes on.
    with connect_sse(server.client, "GET", "/counter", headers={"Last-Event-ID": "3"}) as source:
        assert ticks(take(source.iter_sse(), 3)[1:]) == [("tick", "4", "4"), ("tick", "5", "5")]
    # An id that is none of ours starts afresh.
    for made_up in ("-5", "1e9", "9" * 40, "x"):
        with connect_sse(server.client, "GET", "/counter", headers={"Last-Event-ID": made_up}) as source:
            assert ticks(take(source.iter_sse(), 2)[1:]) == [("tick", "1", "1")], made_up
    # Each of those left mid-stream: the handler noticed, the server serves on.
    server.wait_for_line("event stream closed by the client", 5, "the handler to stop")
    assert server.get("/").status_code == 200
    server.stop()


def test_eventsource_bounded_stream(run_example):
    server = run_example("example_eventsource", setup="m.INTERVAL = 0.01\nm.LIMIT = 3")
    events = server.get("/counter", headers={"Last-Event-ID": "7"})
    assert events.status_code == 200
    assert events.text == "retry: 2000\n\n" + "".join(
        "event: tick\nid: %d\ndata: %d\n\n" % (n, n) for n in (8, 9, 10))
    server.stop()


def test_eventsource_ends_on_shutdown(run_example):
    from httpx_sse import connect_sse

    server = run_example("example_eventsource", setup="m.INTERVAL = 0.05")
    with connect_sse(server.client, "GET", "/counter") as source:
        events = source.iter_sse()
        assert ticks(take(events, 2)[1:]) == [("tick", "1", "1")]
        server.proc.send_signal(signal.SIGTERM)
        # The stream ends by itself (a last chunk, not a reset) once the app stops.
        assert len(list(events)) < 20
    server.wait_exit()  # a second signal could land after the handlers are restored


def test_basic_auth(run_example):
    server = run_example("example_basic_auth")
    assert links(server.get("/").text) == ["private"]

    anonymous = server.get("/private")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith('Basic realm="picoweb demo"')
    assert "authentication required" in anonymous.text

    for bad in ("Basic !!!", "Basic " + "YWRtaW4=", "Bearer abc", "Basic"):
        assert server.get("/private", headers={"Authorization": bad}).status_code == 401, bad
    assert server.get("/private", auth=("admin", "wrong")).status_code == 401
    assert server.get("/private", auth=("nobody", "secret")).status_code == 401

    allowed = server.get("/private", auth=("admin", "secret"))
    assert allowed.status_code == 200
    assert allowed.text == "Hello, admin: you logged in."
    server.stop()


def test_extra_headers(run_example):
    server = run_example("example_extra_headers")
    index = server.get("/")
    assert index.headers["x-myheader1"] == "foo" and index.headers["x-myheader2"] == "bar"
    assert index.headers["x-powered-by"] == "picoweb"
    assert links(index.text) == ["style.css", "tuple"]

    css = server.get("/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"] == "text/css"
    assert css.headers["cache-control"] == "max-age=86400"
    assert css.headers["x-content-type-options"] == "nosniff"
    assert css.headers["x-powered-by"] == "picoweb"
    with open(os.path.join(EXAMPLES, "static", "style.css"), "rb") as f:
        assert css.content == f.read()

    returned = server.get("/tuple")
    assert returned.headers["x-myheader3"] == "baz"
    assert returned.headers["x-powered-by"] == "picoweb"

    missing = server.get("/missing.css")
    assert missing.status_code == 404 and missing.headers["x-powered-by"] == "picoweb"
    assert server.get("/../example_extra_headers.py").status_code == 404
    server.stop()


def test_unicode(run_example):
    server = run_example("example_unicode")
    index = server.get("/")
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert "Cyrillic letters: абвгд" in index.text
    assert "Greek letters: α + β = γ" in index.text

    hello = server.get("/hello/мир")
    assert hello.text == "<meta charset='utf-8'>Привет, мир! (3 characters)"
    assert int(hello.headers["content-length"]) == len(hello.text.encode("utf-8"))
    greek = links(index.text)[0]
    assert "Καλημέρα! (8 characters)" in server.get("/" + greek).text
    server.stop()


def test_api(run_example):
    server = run_example("example_api")
    api = server.client
    assert "api/items" in links(server.get("/").text)
    assert api.get("/api/items").json() == []

    created = api.post("/api/items", json={"name": "milk"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "name": "milk"}
    assert created.headers["location"] == "/api/items/1"
    assert api.post("/api/items", json={"name": "bread"}).json()["id"] == 2

    assert api.get("/api/items/1").json() == {"id": 1, "name": "milk"}
    updated = api.put("/api/items/1", json={"name": "oat milk"})
    assert updated.status_code == 200 and updated.json()["name"] == "oat milk"
    assert [item["name"] for item in api.get("/api/items").json()] == ["oat milk", "bread"]

    deleted = api.delete("/api/items/1")
    assert deleted.status_code == 204 and deleted.content == b""

    # Errors of the API come back as JSON from its error handler.
    missing = api.get("/api/items/1")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert missing.json() == {"error": 404, "message": "no item 1"}
    bad = api.post("/api/items", content=b"{not json")
    assert bad.status_code == 400 and bad.json()["message"] == "the body is not JSON"
    assert api.post("/api/items", json=["milk"]).status_code == 400
    assert api.put("/api/items/7", json={"name": "x"}).status_code == 404
    not_allowed = api.patch("/api/items/2")
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "DELETE, GET, HEAD, PUT"
    assert not_allowed.json()["error"] == 405
    assert api.get("/api/nothing").json()["error"] == 404
    # Outside /api the site's default HTML error page answers.
    assert api.get("/nothing").headers["content-type"].startswith("text/html")

    output = server.stop()
    assert "api: POST /api/items -> 201" in output
    assert "api: GET /api/items/1 -> 404" in output


def test_json(run_example):
    server = run_example("example_json")
    api = server.client
    assert "readings" in links(server.get("/").text)
    assert api.get("/readings").json() == []

    created = api.post("/readings", json={"sensor": "t1", "value": 21.5})
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    assert created.headers["location"] == "/readings/1"
    assert created.json() == {"id": 1, "sensor": "t1", "value": 21.5}
    assert api.get("/readings/1").json() == {"id": 1, "sensor": "t1", "value": 21.5}
    assert api.get("/readings").json() == [{"id": 1, "sensor": "t1", "value": 21.5}]

    missing = api.get("/readings/9")
    assert missing.status_code == 404 and missing.json() == {"error": "no reading 9"}
    json_type = {"Content-Type": "application/json"}
    assert api.post("/readings", content=b"{oops", headers=json_type).status_code == 400
    assert api.post("/readings", json={"sensor": 1}).status_code == 400
    assert api.post("/readings", content=b"[" + b"1," * 3000 + b"1]", headers=json_type).status_code == 413
    assert api.post("/readings", content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415
    assert api.get("/readings").json() == [{"id": 1, "sensor": "t1", "value": 21.5}]
    server.stop()


# The demo: every example in one site


FAIL_ON_PURPOSE = ("/example_global_exc/case1", "/example_global_exc/case2")  # its 500s


def test_the_demo_index_links_every_example_and_each_one_works(run_example):
    server = run_example("demo")
    index = server.get("/")
    assert index.status_code == 200
    linked = links(index.text)
    expected = [name + "/" for name in EXAMPLE_MODULES if name not in ("demo", "app1", "app2")]
    assert linked == expected
    for link in linked:
        page = server.get("/" + link)
        assert page.status_code == 200, link
        for inner in links(page.text) + re.findall(r"src=['\"]([^'\"]+)['\"]", page.text):
            target = inner if inner.startswith("/") else "/" + link + inner
            if "://" in inner or target in FAIL_ON_PURPOSE:
                continue
            assert server.get(target).status_code in (200, 401), (link, inner)
    server.stop()


def test_shutdown_stops_the_mounted_apps_streams_too(run_example):
    server = run_example("demo", setup="import example_eventsource; example_eventsource.INTERVAL = 0.05")
    with server.client.stream("GET", "/example_eventsource/counter") as events:
        assert events.status_code == 200
        next(events.iter_lines())
        started = time.monotonic()
        server.stop()
    assert time.monotonic() - started < STOP_TIMEOUT  # the stream ended on `stopping`, not cancelled


# README's path, in a fresh clone: make demo's environment, then each example
# run as README shows (only the port differs: a free one).


def readme_example_command():
    with open(os.path.join(ROOT, "README.rst"), encoding="utf-8") as f:
        text = f.read()
    block = text.split("After ``make demo``, any example runs alone in the same environment::", 1)[1]
    return [line.strip() for line in block.split("\n\n", 2)[1].splitlines()]


def test_readme_path_works_in_a_fresh_clone(tmp_path):
    if not os.path.isdir(os.path.join(ROOT, ".git")):
        pytest.skip("not a git checkout: there is no clone to make of it")
    assert readme_example_command() == [". .venv/bin/activate", "cd examples && python example_webapp2.py"]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", ROOT, str(clone)], check=True, timeout=120)
    made = subprocess.run(["make", "-C", str(clone), ".venv/demo-ready", "PYTHON=" + sys.executable],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    python = str(clone / ".venv" / "bin" / "python")  # what `. .venv/bin/activate` puts first
    no_tests = subprocess.run([python, "-c", "import pytest"], capture_output=True, timeout=60)
    assert no_tests.returncode != 0, "the demo environment holds the test tools"
    examples = str(clone / "examples")
    for name in sorted(n[:-3] for n in os.listdir(examples) if n.endswith(".py")):
        server = ExampleServer(RUN_AS_MAIN.format(module=name), python=python, cwd=examples)
        try:
            page = server.get("/")
            assert page.status_code == 200, (name, page.status_code)
            if name == "demo":
                assert all(server.get("/" + link).status_code == 200 for link in links(page.text))
            server.stop()
        finally:
            server.kill()


def test_ws_echo(run_example):
    import asyncio

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosedOK

    server = run_example("example_ws_echo")
    assert "new WebSocket(" in server.get("/").text
    assert server.get("/ws").status_code == 426  # a plain GET
    url = server.url.replace("http://", "ws://") + "ws"

    async def client():
        async with connect(url) as ws:
            await ws.send("hello")
            assert await ws.recv() == "hello"
            # SIGTERM with the WebSocket open: the server says 1001, then exits.
            server.proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosedOK) as closed:
                await ws.recv()
            assert closed.value.rcvd.code == 1001

    asyncio.run(asyncio.wait_for(client(), REQUEST_TIMEOUT))
    server.wait_exit()


def test_chat_room(run_example):
    import asyncio
    import json

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosedError

    server = run_example("example_chat")
    url = server.url.replace("http://", "ws://") + "chat"

    async def next_message(ws):
        return json.loads(await ws.recv())

    async def client():
        async with connect(url) as alice:
            me = (await next_message(alice))["you"]
            assert (await next_message(alice)) == {"system": me + " joined"}
            async with connect(url) as bob:
                bob_name = (await next_message(bob))["you"]
                assert (await next_message(alice)) == {"system": bob_name + " joined"}
                assert (await next_message(bob)) == {"system": bob_name + " joined"}
                await alice.send("<script>hi</script>")
                for ws in (alice, bob):  # to everyone, as the text it was
                    assert (await next_message(ws)) == {"name": me, "text": "<script>hi</script>"}
                await bob.send(b"\x00binary")
                with pytest.raises(ConnectionClosedError) as closed:
                    await bob.recv()
                assert closed.value.rcvd.code == 1003
            assert (await next_message(alice)) == {"system": bob_name + " left"}
            await alice.send("x" * 5000)
            with pytest.raises(ConnectionClosedError) as closed:
                await alice.recv()
            assert closed.value.rcvd.code == 1009

    asyncio.run(asyncio.wait_for(client(), REQUEST_TIMEOUT))
    server.stop()


def test_chat_in_headless_chromium(run_example, chromium):
    server = run_example("example_chat")
    names = []
    pages = []
    for _ in range(2):  # one after the other, so the first sees the second join
        page = chromium.new_page(server.url)
        title = page.wait_for("document.title.indexOf('Chat: ') == 0 && document.title")
        names.append(title[len("Chat: "):])
        pages.append(page)
    first, second = pages
    log = "document.getElementById('log').innerText"
    first.wait_for("%s.indexOf(%r) >= 0" % (log, names[1] + " joined"))

    def say(page, text):
        page.type_into("#text", text)
        page.click("button")

    say(first, "hello <b>from</b> the first page")
    second.wait_for("%s.indexOf(%r) >= 0" % (log, "%s: hello <b>from</b> the first page" % names[0]))
    assert second.evaluate("document.querySelector('#log b') === null")  # shown as text
    say(second, "and hello back")
    first.wait_for("%s.indexOf(%r) >= 0" % (log, "%s: and hello back" % names[1]))
    second.close_tab()
    first.wait_for("%s.indexOf(%r) >= 0" % (log, "%s left" % names[1]))
    first.close()
    server.stop()


def test_cors_api(run_example):
    server = run_example("example_cors_api")
    api = server.client
    allowed = "https://notes.example"

    def preflight(path, method, origin=allowed, headers=None):
        asked = {"Origin": origin, "Access-Control-Request-Method": method}
        if headers:
            asked["Access-Control-Request-Headers"] = headers
        return api.options(path, headers=asked)

    # A JSON POST is not a simple request: the browser asks first.
    ok = preflight("/api/notes", "POST", headers="content-type")
    assert ok.status_code == 204 and ok.content == b"" and "content-type" not in ok.headers
    assert ok.headers["access-control-allow-origin"] == allowed
    assert ok.headers["access-control-allow-credentials"] == "true"
    assert ok.headers["access-control-allow-methods"] == "GET, POST, DELETE"
    assert ok.headers["access-control-allow-headers"] == "content-type"
    assert ok.headers["access-control-max-age"] == "600"
    assert "Origin" in ok.headers["vary"]
    assert preflight("/api/notes/1", "DELETE").status_code == 204  # for a note that is not there yet
    for refused in (preflight("/api/notes", "POST", origin="https://evil.example"),
                    preflight("/api/notes", "PUT"),
                    preflight("/api/notes", "POST", headers="content-type, x-evil"),
                    preflight("/api/notes", "POST", origin="https://notes.example.evil.example")):
        assert refused.status_code == 403
        assert not [name for name in refused.headers if name.startswith("access-control-")]

    created = api.post("/api/notes", json={"text": "<b>hi</b>"}, headers={"Origin": allowed})
    assert created.status_code == 201 and created.json() == {"id": 1, "text": "<b>hi</b>"}
    assert created.headers["access-control-allow-origin"] == allowed

    # A simple GET: answered to anyone, readable by the allowed origin only.
    listed = api.get("/api/notes", headers={"Origin": allowed})
    assert listed.json() == [{"id": 1, "text": "<b>hi</b>"}]
    assert listed.headers["access-control-allow-origin"] == allowed
    assert listed.headers["access-control-expose-headers"] == "X-Total-Count"
    assert listed.headers["x-total-count"] == "1" and listed.headers["vary"] == "Origin"
    for origin in ("https://evil.example", "null", None):
        other = api.get("/api/notes", headers={"Origin": origin} if origin else {})
        assert other.status_code == 200 and other.headers["vary"] == "Origin"
        assert "access-control-allow-origin" not in other.headers

    # Credentialed: the user's cookie goes with it, and the answer says it may be read.
    me = api.get("/api/whoami", headers={"Origin": allowed, "Cookie": "user=ada"})
    assert me.json() == {"user": "ada"} and me.headers["access-control-allow-credentials"] == "true"

    # Error answers carry the headers too, so the page can read why.
    missing = api.get("/api/notes/9", headers={"Origin": allowed})
    assert missing.status_code == 404 and missing.headers["access-control-allow-origin"] == allowed
    bad = api.post("/api/notes", content=b"{oops", headers={"Origin": allowed, "Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.headers["access-control-allow-origin"] == allowed
    deleted = api.delete("/api/notes/1", headers={"Origin": allowed})
    assert deleted.status_code == 204 and deleted.headers["access-control-allow-origin"] == allowed

    # The site's own page is no part of the API: no CORS there.
    page = server.get("/", headers={"Origin": allowed})
    assert page.status_code == 200 and "access-control-allow-origin" not in page.headers
    server.stop()

"""README.rst stays valid reStructuredText, names the public API, and its
hello-world snippet runs as shown."""

import asyncio
import os
import re

import docutils.core
import picoweb
from picoweb.testclient import TestClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(ROOT, "README.rst"), encoding="utf-8") as f:
    README = f.read()


def test_readme_renders_without_warnings():
    docutils.core.publish_string(
        README, writer_name="null", settings_overrides={"report_level": 2, "halt_level": 2})


def test_readme_names_every_public_name():
    public = [name for name in dir(picoweb) if not name.startswith("_")]
    modules = {"app", "asyncio_protocol", "compat", "cookies", "errors", "extensions", "headers",
               "http1", "httpdate", "limits", "logs", "request", "response", "routing", "server",
               "testclient", "upgrade", "failures", "mounts", "multidict", "urlencoded", "urls",
               "templates", "template_compiler"}
    missing = [name for name in public if name not in modules and name not in README]
    assert missing == []


def test_hello_world_snippet_runs():
    code = README.split("Hello, world\n------------\n", 1)[1].split(".. code-block:: python\n", 1)[1]
    code = re.split(r"\n\S", code, 1)[0]  # the indented block
    namespace = {"__name__": "readme"}
    exec(compile("\n".join(line[4:] for line in code.splitlines()), "README.rst", "exec"), namespace)
    client = TestClient(namespace["app"])
    assert asyncio.run(client.get("/")).text == "Hello, world!\n"
    assert asyncio.run(client.get("/user/7?x=1")).json() == {"id": 7, "query": "x=1"}



def first_snippet(section):
    """The first Python code block of README's `section`, dedented."""
    text = README.split(section + "\n" + "~" * len(section) + "\n", 1)[1]
    code = text.split(".. code-block:: python\n", 1)[1]
    code = re.split(r"\n\S", code, 1)[0]  # the indented block
    return "\n".join(line[4:] for line in code.splitlines())


def test_plugin_protocol_snippet_runs():
    namespace = {"__name__": "readme", "app": picoweb.WebApp()}
    exec(compile(first_snippet("Plugin protocol"), "README.rst", "exec"), namespace)
    app = namespace["app"]
    app.add_url_rule("/", lambda req, resp: req.request_id)
    resp = asyncio.run(TestClient(app).get("/"))
    assert len(resp.text) == 16 and resp.headers["X-Request-Id"] == resp.text


def snippets(section):
    """Every Python code block of README's `section`, dedented."""
    text = README.split(section + "\n" + "~" * len(section) + "\n", 1)[1]
    text = re.split(r"\n\S[^\n]*\n~~~+\n", text, 1)[0]  # up to the next section
    found = []
    for block in text.split(".. code-block:: python\n")[1:]:
        code = re.split(r"\n\S", block, 1)[0]
        found.append("\n".join(line[4:] for line in code.splitlines()))
    return found


def run_snippets(section, namespace):
    namespace.setdefault("__name__", "readme")
    namespace.setdefault("app", picoweb.WebApp())
    for code in snippets(section):
        exec(compile(code, "README.rst", "exec"), namespace)
    return namespace


def cookie_of(resp):
    return resp.headers["Set-Cookie"].split(";")[0]


def test_sessions_snippet_runs():
    app = run_snippets("sessions", {})["app"]
    client = TestClient(app)
    first = asyncio.run(client.get("/count"))
    assert first.text == "visit 1"
    again = asyncio.run(client.get("/count", headers={"Cookie": cookie_of(first)}))
    assert again.text == "visit 2"


def test_auth_snippets_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # embedded_store("sessions") makes its folder here
    namespace = run_snippets("auth", {})
    namespace["HASHES"]["alice"] = namespace["hash_password"]("wonderland", iterations=1000)
    client = TestClient(namespace["app"])
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert asyncio.run(client.get("/private")).status == 401
    wrong = asyncio.run(client.post("/login", b"user=alice&password=x", headers=form))
    assert wrong.status == 403
    done = asyncio.run(client.post("/login", b"user=alice&password=wonderland", headers=form))
    assert done.status == 302 and done.headers["Location"] == "/"
    page = asyncio.run(client.get("/private", headers={"Cookie": cookie_of(done)}))
    assert page.text == "Hello, alice"
    basic = {"Authorization": "Basic YWxpY2U6d29uZGVybGFuZA=="}  # alice:wonderland
    assert asyncio.run(client.get("/admin", headers=basic)).text == "Hello, alice"
    assert asyncio.run(client.get("/admin")).headers["WWW-Authenticate"].startswith('Basic realm="admin area"')
    assert (tmp_path / "sessions" / "sessions.sqlite3").exists()


def test_csrf_snippet_runs():
    app = run_snippets("csrf", {})["app"]
    client = TestClient(app)
    page = asyncio.run(client.get("/form"))
    token = re.search(r'value="([^"]+)"', page.text).group(1)
    headers = {"Cookie": cookie_of(page), "Content-Type": "application/x-www-form-urlencoded",
               "Origin": "http://testclient"}
    sent = asyncio.run(client.post("/form", ("csrf_token=%s&text=hi" % token).encode(), headers=headers))
    assert sent.text == "sent: hi"
    forged = asyncio.run(client.post("/form", b"csrf_token=x&text=hi", headers=headers))
    assert forged.status == 403 and b"CSRF check failed: wrong CSRF token" in forged.body


def masked(opcode, payload, mask=b"\x01\x02\x03\x04"):
    return bytes((0x80 | opcode, 0x80 | len(payload))) + mask + bytes(
        b ^ mask[i % 4] for i, b in enumerate(payload))


def test_websocket_snippets_run():
    app_snippet, protocol_snippet = snippets("websocket")
    app = picoweb.WebApp("readme")
    app.debug = -1
    exec(compile(app_snippet, "README.rst", "exec"), {"app": app})
    out = asyncio.run(TestClient(app).raw(
        b"GET /ws/lobby HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        + masked(0x1, b"hi") + masked(0x8, b"\x03\xe8")))
    head, _, frames = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101 ") and b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
    assert frames == b"\x81\x09lobby: hi" + b"\x88\x02\x03\xe8"  # the echo, then the Close answered

    from picoweb.headers import Headers

    class Req:
        method = "GET"
        headers = Headers({"Host": "app.example.com", "Origin": "https://app.example.com",
                           "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
                           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Protocol": "chat",
                           "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"})

    namespace = {"req": Req, "data": masked(0x1, b"ok")}
    exec(compile(protocol_snippet, "README.rst", "exec"), namespace)
    assert namespace["handshake"].subprotocol == "chat" and namespace["handshake"].codec is not None
    assert namespace["message"] == "ok"
    assert namespace["out"] == b"\x81\x02hi"


def test_sse_snippet_runs():
    class Stop(Exception):
        pass

    class FewSleeps:
        # Stands in for asyncio in the snippet: two ticks, then the handler stops.
        calls = 0

        @classmethod
        async def sleep(cls, seconds):
            cls.calls += 1
            if cls.calls > 1:
                raise Stop

    app = picoweb.WebApp("readme")
    app.debug = -1
    exec(compile(first_snippet("sse"), "README.rst", "exec"), {"app": app, "asyncio": FewSleeps})
    out = asyncio.run(TestClient(app).raw(b"GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 41\r\n\r\n"))
    assert b"text/event-stream" in out
    assert b"event: tick\nid: 42\ndata: tick 42\n\n" in out
    assert b"id: 43\ndata: tick 43\n\n" in out


def test_cors_snippet_runs():
    app = picoweb.WebApp("readme")
    exec(compile(first_snippet("cors"), "README.rst", "exec"), {"app": app})

    @app.route("/")
    async def index(req, resp):
        return "hi"

    resp = asyncio.run(TestClient(app).get("/", headers={"Origin": "https://app.example.com"}))
    assert resp.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert resp.headers["Access-Control-Expose-Headers"] == "X-Total"

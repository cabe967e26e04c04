"""The plugin model: what a plugin registers acts on the app it is installed
on and the apps mounted under it, never on another app; plugins use only the
core's public names; every error takes one path through the error handlers."""

import ast
import asyncio
import os

import pytest

import picoweb
from picoweb import HTTPError, WebApp
from picoweb.testclient import TestClient, parse_responses
from picoweb_plugins.forms import Forms
from picoweb_plugins.json import Json
from picoweb_plugins.static import Static

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS_DIR = os.path.join(ROOT, "picoweb_plugins")


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 10))


def get(app, path, **kwargs):
    return run(TestClient(app).get(path, **kwargs))


# No plugin touches the core's private names


def plugin_sources():
    for folder, dirs, files in os.walk(PLUGINS_DIR):
        dirs[:] = [d for d in dirs if d not in ("build", "__pycache__") and not d.endswith(".egg-info")]
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


CORE_OBJECTS = {"req", "resp", "request", "response", "app", "conn", "reader", "picoweb"}


def private_core_uses(path):
    """(line, what) for each use of a core name starting with "_" in a plugin:
    imported from picoweb, or an attribute of a request, response, app or
    connection (plugins keep their own private names on self)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("picoweb"):
            if node.module.startswith("picoweb_plugins"):
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append((node.lineno, "from %s import %s" % (node.module, alias.name)))
            if any(part.startswith("_") for part in node.module.split(".")):
                found.append((node.lineno, "from " + node.module))
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in CORE_OBJECTS:
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_scan_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from picoweb.response import _header_pairs\n"
                   "async def f(req, resp):\n    await resp._run_before_send()\n    req.app._classes = None\n")
    assert sorted(line for line, _ in private_core_uses(str(bad))) == [1, 3, 4]


@pytest.mark.parametrize("path", sorted(plugin_sources()), ids=lambda p: os.path.relpath(p, PLUGINS_DIR))
def test_plugins_use_no_private_name_of_the_core(path):
    assert private_core_uses(path) == []


# Per-app extensions


def app_with_json():
    app = WebApp()
    app.install(Json())

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return {"got": await req.json()}

    return app


def test_plugin_on_one_app_leaves_another_app_unchanged():
    with_json = app_with_json()
    plain = WebApp()
    seen = {}

    @plain.route("/", methods=["POST"])
    def index(req, resp):
        seen["has json"] = hasattr(req, "json")
        seen["encoder"] = plain.json_dumps
        return "plain"

    resp = run(TestClient(with_json).post("/echo", b"[1]", headers={"Content-Type": "application/json"}))
    assert resp.json() == {"got": [1]}
    assert run(TestClient(plain).post("/", b"[1]")).text == "plain"
    assert seen == {"has json": False, "encoder": None}
    assert not hasattr(picoweb.Request, "json") or isinstance(picoweb.Request.__dict__.get("json"), property)


def test_plugin_on_the_parent_covers_its_mounted_apps():
    root = app_with_json()
    sub = WebApp()

    @sub.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return {"sub got": await req.json()}

    root.mount("/sub", sub)  # after the install: the sub-app still gets it
    resp = run(TestClient(root).post("/sub/echo", b'{"a": 1}', headers={"Content-Type": "application/json"}))
    assert resp.json() == {"sub got": {"a": 1}}


def test_plugin_on_a_sub_app_stays_in_it():
    root = WebApp()
    sub = WebApp()
    sub.install(Forms())
    seen = []

    @root.route("/")
    def index(req, resp):
        seen.append(hasattr(req, "read_form_data"))
        return "root"

    @sub.route("/")
    def sub_index(req, resp):
        seen.append(hasattr(req, "read_form_data"))
        return "sub"

    root.mount("/sub", sub)
    assert get(root, "/").text == "root"
    assert get(root, "/sub").text == "sub"
    assert seen == [False, True]


def test_request_method_attribute_and_response_method():
    app = WebApp()
    app.add_request_method("shout", lambda req, word: word.upper() + " at " + req.path)
    app.add_request_attribute("visits", lambda req: [])
    app.add_response_method("teapot", lambda resp: resp.set_body("short and stout", 418))

    @app.route("/t")
    def teapot(req, resp):
        req.visits.append(1)
        req.visits.append(2)
        resp.teapot()
        resp.headers["X-Shout"] = req.shout("hi")
        resp.headers["X-Visits"] = str(len(req.visits))

    resp = get(app, "/t")
    assert (resp.status, resp.text) == (418, "short and stout")
    assert resp.headers["X-Shout"] == "HI at /t"
    assert resp.headers["X-Visits"] == "2"


def test_request_attribute_is_assignable_and_made_once_per_request():
    app = WebApp()
    made = []
    app.add_request_attribute("thing", lambda req: made.append(req) or "made")

    @app.route("/")
    def index(req, resp):
        first = req.thing
        again = req.thing
        req.thing = "set"
        return "%s %s %s" % (first, again, req.thing)

    assert get(app, "/").text == "made made set"
    assert get(app, "/").text == "made made set"
    assert len(made) == 2


def test_extension_added_after_mounting_reaches_the_sub_app():
    root = WebApp()
    sub = WebApp()
    root.mount("/sub", sub)
    sub.add_url_rule("/", lambda req, resp: req.greet())
    assert get(root, "/sub").status == 500  # not there yet
    root.add_request_method("greet", lambda req: "hello from " + req.prefix)
    assert get(root, "/sub").text == "hello from /sub"


def test_json_codec_per_app():
    custom = WebApp()
    custom.json_dumps = lambda obj: b"CUSTOM"
    sub = WebApp()
    sub.add_url_rule("/", lambda req, resp: {"a": 1})
    custom.mount("/sub", sub)
    plain = WebApp()
    plain.add_url_rule("/", lambda req, resp: {"a": 1})
    assert get(custom, "/sub").body == b"CUSTOM"
    assert get(plain, "/").json() == {"a": 1}


def test_find_plugin_looks_up_the_mount_chain():
    root = WebApp()
    forms = root.install(Forms(max_fields=3))
    sub = WebApp()
    root.mount("/sub", sub)
    assert sub.find_plugin(Forms) is forms
    assert sub.find_plugin(Json) is None
    own = sub.install(Forms())
    assert sub.find_plugin(Forms) is own and root.find_plugin(Forms) is forms


def test_install_a_class_says_to_pass_an_instance():
    with pytest.raises(TypeError, match=r"app.install\(Static\(\)\)"):
        WebApp().install(Static)


def test_an_app_is_mounted_in_one_place():
    sub = WebApp()
    WebApp().mount("/a", sub)
    with pytest.raises(ValueError, match="one parent"):
        WebApp().mount("/b", sub)


# One error path


def json_api():
    """A root app serving HTML, and a JSON API mounted at /api whose one
    errorhandler(HTTPError) must answer every error in JSON."""
    root = WebApp()
    root.add_url_rule("/", lambda req, resp: "root")
    api = WebApp()
    api.limits.max_body = 100
    api.limits.max_header_size = 2048

    @api.errorhandler(HTTPError)
    def as_json(req, resp, exc):
        return {"error": exc.status, "path": req.path, "app": "api"}, exc.status

    @api.route("/items", methods=["GET", "POST"])
    async def items(req, resp):
        if req.method == "POST":
            return {"len": len(await req.read_body())}
        return {"items": []}

    @api.route("/boom")
    def boom(req, resp):
        raise ValueError("a bug")

    root.mount("/api", api)
    return root


def raw_status_and_json(app, data):
    out = run(TestClient(app).raw(data))
    response = parse_responses(out)[0]
    return response.status, response.headers.get("Content-Type"), response.json()


@pytest.mark.parametrize("name, data, status", [
    ("not found", b"GET /api/nope HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    ("wrong method", b"DELETE /api/items HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    ("handler bug", b"GET /api/boom HTTP/1.1\r\nHost: x\r\n\r\n", 500),
    ("body over the API's limit", b"POST /api/items HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", 413),
    ("malformed header", b"GET /api/items HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400),
    ("headers over the API's limit", b"GET /api/items HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 3000 + b"\r\n\r\n",
     431),
    ("chunked body over the limit", b"POST /api/items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"c8\r\n" + b"x" * 200 + b"\r\n0\r\n\r\n", 413),
])
def test_errorhandler_on_a_mounted_api_answers_every_error(name, data, status):
    got = raw_status_and_json(json_api(), data)
    assert got == (status, "application/json", {"error": status, "path": got[2]["path"], "app": "api"})
    assert got[2]["path"].startswith("/")


def test_a_mounted_apps_limits_apply_to_it_only():
    app = json_api()
    big = b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" + b"x" * 500
    out = run(TestClient(app).raw(big))
    assert parse_responses(out)[0].status == 404  # the root's 1 MiB limit: read, then no route


def test_parser_errors_before_any_app_go_through_the_root_handlers():
    root = json_api()
    seen = []

    @root.errorhandler(400)
    def root_400(req, resp, exc):
        seen.append((req.method, req.path))
        return "root says: bad request", 400

    out = run(TestClient(root).raw(b"GARBAGE\r\n\r\n"))
    response = parse_responses(out)[0]
    assert (response.status, response.text) == (400, "root says: bad request")
    assert response.headers["Connection"] == "close"
    assert seen == [("", "")]


def test_before_send_hooks_see_rejected_requests_too():
    root = json_api()
    root.before_send(lambda req, resp: resp.headers.__setitem__("X-Seen", "root"))
    out = run(TestClient(root).raw(b"POST /api/items HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n"))
    response = parse_responses(out)[0]
    assert (response.status, response.headers["X-Seen"]) == (413, "root")


def test_default_errors_are_json_for_clients_that_prefer_it():
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "hi")
    accept_json = {"Accept": "application/json"}
    resp = get(app, "/missing", headers=accept_json)
    assert (resp.status, resp.headers["Content-Type"]) == (404, "application/json")
    assert resp.json() == {"status": 404, "error": "Not Found"}
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert get(app, "/missing", headers=browser).headers["Content-Type"].startswith("text/html")
    assert get(app, "/missing").headers["Content-Type"].startswith("text/html")
    ranked = {"Accept": "text/html;q=0.5, application/json"}
    assert get(app, "/missing", headers=ranked).headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("headers, json_back", [
    ({"Content-Type": "application/json", "Accept": "*/*"}, True),  # httpx, curl, fetch()
    ({"Content-Type": "application/json"}, True),
    ({"Content-Type": "application/json", "Accept": "text/html,*/*;q=0.8"}, False),
    ({"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"}, False),
])
def test_an_api_client_that_sent_json_gets_json_errors(headers, json_back):
    app = WebApp()
    resp = run(TestClient(app).post("/missing", b"{}", headers=headers))
    assert resp.status == 404
    assert (resp.headers["Content-Type"] == "application/json") is json_back


def test_json_errors_setting_of_a_mounted_app():
    root = WebApp()
    api = WebApp()
    api.json_errors = True
    root.mount("/api", api)
    resp = get(root, "/api/nothing")
    assert resp.json() == {"status": 404, "error": "Not Found"}
    assert get(root, "/nothing").headers["Content-Type"].startswith("text/html")


def test_outer_error_handler_sees_its_own_path_and_prefix():
    root = WebApp()
    sub = WebApp()
    sub.add_url_rule("/x", lambda req, resp: 1 / 0)
    root.errorhandler(500)(lambda req, resp, exc: "%s|%s|%s" % (req.path, req.prefix, req.app is root))
    sub.after_request(lambda req, resp: resp.headers.__setitem__("X-After", req.path + "|" + req.prefix))
    root.mount("/sub", sub)
    resp = get(root, "/sub/x")
    assert resp.text == "/sub/x||True"
    assert resp.headers["X-After"] == "/x|/sub"  # back at the sub-app's level


# Teardown


def test_teardown_runs_after_success_errors_and_lost_clients():
    app = WebApp()
    torn = []
    app.teardown_request(lambda req, resp: torn.append((req.path, resp.status)))
    app.add_url_rule("/ok", lambda req, resp: "ok")
    app.add_url_rule("/bug", lambda req, resp: 1 / 0)
    assert get(app, "/ok").status == 200
    assert get(app, "/bug").status == 500
    assert get(app, "/none").status == 404
    assert torn == [("/ok", 200), ("/bug", 500), ("/none", 404)]


def test_a_failing_teardown_is_logged_and_the_others_run(caplog):
    root = WebApp()
    sub = WebApp()
    order = []
    root.teardown_request(lambda req, resp: order.append("root"))
    sub.teardown_request(lambda req, resp: 1 / 0)
    sub.teardown_request(lambda req, resp: order.append("sub"))
    sub.add_url_rule("/", lambda req, resp: "ok")
    root.mount("/sub", sub)
    assert get(root, "/sub").text == "ok"
    assert order == ["sub", "root"]
    assert any("teardown" in r.getMessage() for r in caplog.records)


def test_uploads_are_removed_when_the_handler_fails(tmp_path):
    app = WebApp()
    app.install(Forms(upload_dir=str(tmp_path)))

    @app.route("/up", methods=["POST"])
    async def up(req, resp):
        await req.read_form_data()
        assert len(os.listdir(str(tmp_path))) == 1
        raise RuntimeError("the handler fails after the upload")

    body = (b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\n"
            + b"x" * 5000 + b"\r\n--b--\r\n")
    resp = run(TestClient(app).post("/up", body, headers={"Content-Type": "multipart/form-data; boundary=b"}))
    assert resp.status == 500
    assert os.listdir(str(tmp_path)) == []


# Taking over the connection


def test_upgrade_hands_over_the_connection():
    app = WebApp()
    app.before_send(lambda req, resp: resp.headers.__setitem__("X-Hook", "ran"))

    @app.route("/echo")
    async def echo(req, resp):
        stream = await resp.upgrade({"Upgrade": "echo", "Connection": "Upgrade"})
        line = await stream.readexactly(6, timeout=5)
        await stream.write(b"echo: " + line)
        assert await stream.read(10, timeout=5) == b""  # the client is done

    out = run(TestClient(app).raw(
        b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello!"))
    head, _, rest = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert b"X-Hook: ran" in head and b"Content-Length" not in head and b"Transfer-Encoding" not in head
    assert rest == b"echo: hello!"


# Route options


def test_header_mode_option_and_the_original_headers_option():
    app = WebApp()
    app.add_url_rule("/new", lambda req, resp: str(len(req.headers)), header_mode="skip")
    app.add_url_rule("/old", lambda req, resp: str(len(req.headers)), headers="skip")
    app.add_url_rule("/parse", lambda req, resp: str(len(req.headers)))
    extra = {"X-A": "1"}
    assert [get(app, path, headers=extra).text for path in ("/new", "/old", "/parse")] == ["0", "0", "3"]
    with pytest.raises(ValueError, match="header_mode"):
        app.add_url_rule("/bad", lambda req, resp: "", header_mode="all")


# Shutdown hooks


def test_on_shutdown_hooks_run_as_the_server_stops(serve_app):
    import httpx

    root = WebApp()
    sub = WebApp()
    root.mount("/sub", sub)
    ran = []

    @root.on_shutdown
    def root_hook():
        ran.append(("root", root.stopping))

    @sub.on_shutdown
    async def sub_hook():
        ran.append(("sub", root.stopping))

    sub.on_shutdown(lambda: 1 / 0)  # logged; the others still run
    root.add_url_rule("/", lambda req, resp: "up")
    server = serve_app(root)
    assert httpx.get(server.url + "/", timeout=5).text == "up"
    assert ran == []
    server.stop()
    assert ran == [("root", True), ("sub", True)]


# A plugin's name, used without the plugin


@pytest.mark.parametrize("call, plugin", [
    (lambda req: req.json(), "json"),
    (lambda req: req.read_form_data(), "forms"),
    (lambda req: req.parse_qs(), "forms"),
    (lambda req: req.form, "forms"),
    (lambda req: req.files, "forms"),
    (lambda req: req.session, "sessions"),
    (lambda req: req.user, "auth"),
    (lambda req: req.csrf_token(), "csrf"),
])
def test_a_plugins_name_without_the_plugin_says_which_to_install(call, plugin, caplog):
    app = WebApp()
    errors = []

    @app.route("/")
    def index(req, resp):
        try:
            call(req)
        except AttributeError as exc:
            errors.append(str(exc))
        return "done"

    assert get(app, "/").text == "done"
    assert len(errors) == 1
    assert "comes with the %s plugin: app.install(picoweb_plugins.%s.%s())" % (
        plugin, plugin, plugin.capitalize()) in errors[0]


def test_an_app_may_still_set_such_a_name_itself():
    app = WebApp()

    @app.route("/")
    def index(req, resp):
        req.form = {"mine": "yes"}
        return req.form["mine"]

    assert get(app, "/").text == "yes"


def test_a_request_refused_before_any_route_has_the_root_apps_extensions():
    app = WebApp()
    app.add_request_attribute("visitor", lambda req: "anonymous")
    seen = []
    app.before_send(lambda req, resp: seen.append(req.visitor))
    out = run(TestClient(app).raw(b"NOT A REQUEST LINE\r\n\r\n"))
    assert parse_responses(out)[0].status == 400
    assert seen == ["anonymous"]

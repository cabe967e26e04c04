"""Each plugin installs alone (pip and mip) and brings no other plugin than
the ones it declares (auth and csrf need sessions)."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = sorted(
    name for name in os.listdir(os.path.join(ROOT, "picoweb_plugins"))
    if os.path.exists(os.path.join(ROOT, "picoweb_plugins", name, "package.json"))
)

# What each plugin must do once installed alone: a few lines run in a fresh venv.
SMOKE = {
    "json": """
        from picoweb_plugins.json import Json, jsonify
        app.install(Json())

        @app.route("/", methods=["POST"])
        async def index(req, resp):
            await jsonify(resp, {"got": await req.json()})

        resp = asyncio.run(client.post("/", b'[1]', headers={"Content-Type": "application/json"}))
        assert resp.json() == {"got": [1]}, resp.body
    """,
    "forms": """
        from picoweb_plugins.forms import Forms
        app.install(Forms())

        @app.route("/", methods=["POST"])
        async def index(req, resp):
            await req.read_form_data()
            return req.form["name"]

        resp = asyncio.run(client.post("/", b"name=Zo%C3%AB",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"}))
        assert resp.text == "Zoë", resp.body
    """,
    "static": """
        import tempfile
        from picoweb_plugins.static import Static
        root = tempfile.mkdtemp()
        with open(root + "/hello.txt", "w") as f:
            f.write("hello")
        app.install(Static(root=root))
        resp = asyncio.run(client.get("/static/hello.txt"))
        assert resp.status == 200 and resp.body == b"hello", resp
    """,
    "sessions": """
        import tempfile
        from picoweb_plugins.sessions import Sessions, embedded_store
        store = embedded_store(tempfile.mkdtemp())
        app.install(Sessions(store=store))
        app.add_url_rule("/", lambda req, resp: req.session.update(seen=1) or "ok")
        resp = asyncio.run(client.get("/"))
        sid = resp.headers["Set-Cookie"].split(";")[0].split("=")[1]
        assert asyncio.run(store.load(sid)) == {"seen": 1}, resp.headers
        assert type(store).__name__ == "SqliteStore"
    """,
    "auth": """
        from picoweb_plugins.auth import BasicAuth
        from picoweb_plugins.auth.passwords import hash_password, verify_password
        stored = hash_password("pw", iterations=1000)
        basic = app.install(BasicAuth(lambda user, password: verify_password(password, stored) and user))
        app.add_url_rule("/", basic.required(lambda req, resp: "hi " + req.user))
        resp = asyncio.run(client.get("/", headers={"Authorization": "Basic dTpwdw=="}))
        assert resp.text == "hi u", resp
        assert asyncio.run(client.get("/")).status == 401
    """,
    "csrf": """
        from picoweb_plugins.csrf import Csrf
        from picoweb_plugins.forms import Forms
        from picoweb_plugins.sessions import Sessions
        app.install(Sessions(secret_key="k" * 32))
        app.install(Forms())
        app.install(Csrf())
        app.add_url_rule("/", lambda req, resp: "posted", methods=["POST"])
        resp = asyncio.run(client.post("/", b"csrf_token=x",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"}))
        assert resp.status == 403 and b"wrong CSRF token" in resp.body, resp.body
    """,
    "sse": """
        from picoweb_plugins.sse import event_stream

        @app.route("/events")
        @event_stream
        async def events(req, stream):
            await stream.send("one", id=1)

        resp = asyncio.run(client.get("/events"))
        assert resp.headers["Content-Type"] == "text/event-stream", resp.headers
        assert resp.text == "id: 1\\ndata: one\\n\\n", resp.body
    """,
    "cors": """
        from picoweb_plugins.cors import Cors
        app.install(Cors(origins=["https://a.example"]))

        @app.route("/")
        async def index(req, resp):
            return "hi"

        resp = asyncio.run(client.get("/", headers={"Origin": "https://a.example"}))
        assert resp.headers["Access-Control-Allow-Origin"] == "https://a.example", resp.headers
    """,
    "websocket": """
        from picoweb import Headers
        from picoweb_plugins.websocket import Session, negotiate, PerMessageDeflate
        handshake = negotiate("GET", Headers({
            "Host": "h", "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"}),
            deflate=PerMessageDeflate())
        assert ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") in handshake.headers
        session = Session(1024, codec=handshake.codec)
        session.receive_data(bytes((0x81, 0x82, 1, 2, 3, 4, 0x69 ^ 1, 0x21 ^ 2)))
        assert session.next_message() == "i!"
    """,
}


# Never imported on MicroPython (no asyncio.Protocol, no sqlite3, and no ASGI
# server calls an app there): a board need not carry them.
CPYTHON_ONLY = {"picoweb/asyncio_protocol.py", "picoweb/__main__.py", "picoweb/cli.py", "picoweb/reload.py",
                "picoweb/signals.py", "picoweb/plugin_hints.py",
                "picoweb/workers.py", "picoweb/asgi.py", "picoweb/asgi_response.py",
                "picoweb/asgi_websocket.py", "picoweb_plugins/websocket/asgi.py",
                "picoweb_plugins/sessions/store_sqlite.py"}
# What pip's in-tree builds leave in a plugin's folder (ignored by git).
BUILD_LEFTOVERS = ("build", "dist", "__pycache__")


def _pyproject(plugin):
    import tomllib

    with open(os.path.join(ROOT, "picoweb_plugins", plugin, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)


def _plugin_dependencies(plugin):
    """The other plugins of this repository that `plugin`'s pip distribution requires."""
    found = []
    for requirement in _pyproject(plugin)["project"]["dependencies"]:
        match = re.match(r"picoweb-(\w+)", requirement)
        if match:
            found.append(match.group(1))
    return found


def _manifest(path):
    with open(path) as f:
        return json.load(f)


def _manifests():
    yield "package.json", "picoweb"
    for name in PLUGINS:
        yield "picoweb_plugins/%s/package.json" % name, "picoweb_plugins/" + name


@pytest.mark.parametrize("manifest_path, package_dir", list(_manifests()))
def test_mip_manifest_lists_exactly_the_package_files(manifest_path, package_dir):
    manifest = _manifest(os.path.join(ROOT, manifest_path))
    base = os.path.dirname(os.path.join(ROOT, manifest_path))
    listed = set()
    for dest, source in manifest["urls"]:
        assert os.path.isfile(os.path.join(base, source)), source
        assert dest.startswith(package_dir + "/"), dest
        listed.add(dest)
    on_disk = set()
    for folder, dirs, files in os.walk(os.path.join(ROOT, package_dir)):
        dirs[:] = [d for d in dirs if d not in BUILD_LEFTOVERS and not d.endswith(".egg-info")]
        for name in files:
            if name.endswith(".py"):
                on_disk.add(os.path.relpath(os.path.join(folder, name), ROOT))
    assert listed == on_disk - CPYTHON_ONLY
    assert manifest["version"].startswith("2.")


@pytest.mark.parametrize("plugin", PLUGINS)
def test_mip_manifest_of_a_plugin_depends_on_the_core_and_what_pip_requires(plugin):
    manifest = _manifest(os.path.join(ROOT, "picoweb_plugins", plugin, "package.json"))
    assert [dep[0] for dep in manifest["deps"]] == ["github:picoweb/picoweb"] + [
        "github:picoweb/picoweb/picoweb_plugins/" + other for other in _plugin_dependencies(plugin)]


@pytest.mark.parametrize("plugin", PLUGINS)
def test_pip_metadata_sits_beside_the_plugin_code(plugin):
    project = _pyproject(plugin)
    folder = os.path.join(ROOT, "picoweb_plugins", plugin)
    assert project["project"]["name"] == "picoweb-" + plugin
    assert "picoweb>=2" in project["project"]["dependencies"]
    assert project["tool"]["setuptools"]["package-dir"] == {"picoweb_plugins." + plugin: "."}
    assert project["project"]["version"] == _manifest(os.path.join(folder, "package.json"))["version"]
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "node_modules"]
        for name in dirs + files:
            assert not os.path.islink(os.path.join(folder, name)), "a symlink in the tree: " + name


@pytest.mark.parametrize("plugin", PLUGINS)
def test_plugin_installs_alone_into_a_fresh_venv(plugin, tmp_path):
    assert plugin in SMOKE, "add a smoke test for the %s plugin" % plugin
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", ROOT]
        + [os.path.join(ROOT, "picoweb_plugins", name) for name in _plugin_dependencies(plugin) + [plugin]],
        check=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    others = [name for name in PLUGINS if name != plugin and name not in _plugin_dependencies(plugin)]
    script = textwrap.dedent("""
        import asyncio, importlib
        import picoweb
        from picoweb.testclient import TestClient
        assert "site-packages" in picoweb.__file__, picoweb.__file__
        app = picoweb.WebApp(__name__)
        client = TestClient(app)
    """) + textwrap.dedent(SMOKE[plugin]) + textwrap.dedent("""
        for other in %r:
            try:
                importlib.import_module("picoweb_plugins." + other)
            except ImportError:
                pass
            else:
                raise AssertionError(other + " is importable but was not installed")
        print("ok")
    """ % (others,))
    # Run outside the repository so only the venv's packages can be found.
    done = subprocess.run([python, "-c", script], cwd=str(tmp_path), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

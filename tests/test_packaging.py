"""Each plugin installs alone (pip and mip) and brings no other plugin."""

import json
import os
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
}


# Never imported on MicroPython (it has no asyncio.Protocol, and no ASGI
# server calls an app there): a board need not carry them.
CPYTHON_ONLY = {"picoweb/asyncio_protocol.py", "picoweb/asgi.py", "picoweb/asgi_response.py",
                "picoweb/asgi_websocket.py"}
# What pip's in-tree builds leave in a plugin's folder (ignored by git).
BUILD_LEFTOVERS = ("build", "__pycache__")


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
def test_mip_manifest_of_a_plugin_depends_on_the_core_only(plugin):
    manifest = _manifest(os.path.join(ROOT, "picoweb_plugins", plugin, "package.json"))
    assert [dep[0] for dep in manifest["deps"]] == ["github:picoweb/picoweb"]


@pytest.mark.parametrize("plugin", PLUGINS)
def test_pip_metadata_sits_beside_the_plugin_code(plugin):
    import tomllib

    folder = os.path.join(ROOT, "picoweb_plugins", plugin)
    with open(os.path.join(folder, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)
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
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
         ROOT, os.path.join(ROOT, "picoweb_plugins", plugin)],
        check=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    others = [name for name in PLUGINS if name != plugin]
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

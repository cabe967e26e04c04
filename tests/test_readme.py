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
               "http1", "httpdate", "limits", "request", "response", "routing", "server",
               "testclient", "upgrade", "failures", "mounts"}
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

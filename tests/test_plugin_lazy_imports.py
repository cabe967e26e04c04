"""The sessions, auth and csrf packages load their modules on first use:
a password check or Basic auth brings no session glue onto a board's heap,
and `from package import submodule` still works, on CPython and on the
MicroPython unix port (which asks a package's __getattr__ first)."""

import subprocess
import sys

import pytest

from test_portable_on_micropython import ROOT, run_on_micropython

CASES = [
    # (what the app imports, the plugin modules that must not be loaded by it)
    ("from picoweb_plugins.auth.passwords import verify_password",
     ["picoweb_plugins.sessions.plugin", "picoweb_plugins.auth.plugin"]),
    ("from picoweb_plugins.auth import BasicAuth",
     ["picoweb_plugins.sessions.plugin", "picoweb_plugins.auth.plugin", "picoweb_plugins.auth.passwords"]),
    ("from picoweb_plugins.csrf.tokens import mask_token",
     ["picoweb_plugins.sessions.plugin", "picoweb_plugins.csrf.plugin"]),
    ("from picoweb_plugins.sessions import Session",
     ["picoweb_plugins.sessions.plugin", "picoweb_plugins.sessions.signed_cookie"]),
    ("from picoweb_plugins.sessions import store_files, Sessions", []),
]
SCRIPT = """
import sys
%s
loaded = [name for name in sys.modules if name.startswith("picoweb_plugins")]
print(" ".join(name for name in %r if name in loaded) or "ok")
"""


@pytest.mark.parametrize("statement, unwanted", CASES)
def test_what_an_import_loads_on_cpython(statement, unwanted):
    done = subprocess.run([sys.executable, "-c", SCRIPT % (statement, unwanted)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@pytest.mark.parametrize("statement, unwanted", CASES)
def test_what_an_import_loads_on_micropython(statement, unwanted):
    done = run_on_micropython("-c", SCRIPT % (statement, unwanted))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "ok"


def test_unknown_names_are_import_errors():
    done = subprocess.run([sys.executable, "-c", "from picoweb_plugins.auth import nothing_here"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "ModuleNotFoundError: No module named 'picoweb_plugins.auth.nothing_here'" in done.stderr

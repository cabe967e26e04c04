"""Real ASGI servers (uvicorn, gunicorn with uvicorn's worker, hypercorn,
granian) and nginx, each started
as a process on a free 127.0.0.1 port, waited for, and stopped with
SIGTERM (as a process manager stops them), all within bounded times."""

import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import httpx

HOST = "127.0.0.1"
TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
EXAMPLES = os.path.join(ROOT, "examples")
START_TIMEOUT = 30  # seconds for a server to answer its first request
STOP_TIMEOUT = 15  # seconds for it to exit after SIGTERM
GRACE = 2  # seconds each server gives busy connections on shutdown


def command(server, port, workers):
    """The command line that serves `asgi_target:app` with `server`."""
    python = [sys.executable, "-m"]
    if server == "uvicorn":
        return python + ["uvicorn", "asgi_target:app", "--host", HOST, "--port", str(port),
                         "--workers", str(workers), "--timeout-graceful-shutdown", str(GRACE)]
    if server == "gunicorn":  # with uvicorn's worker class
        return python + ["gunicorn", "asgi_target:app", "-k", "uvicorn.workers.UvicornWorker", "-w", str(workers),
                         "-b", "%s:%d" % (HOST, port), "--graceful-timeout", str(GRACE), "--no-control-socket"]
    if server == "hypercorn":
        return python + ["hypercorn", "asgi_target:app", "--bind", "%s:%d" % (HOST, port),
                         "--workers", str(workers), "--graceful-timeout", str(GRACE)]
    if server == "granian":
        return python + ["granian", "--interface", "asgi", "--host", HOST, "--port", str(port),
                         "--workers", str(workers), "--workers-kill-timeout", str(GRACE), "asgi_target:app"]
    raise ValueError(server)


def free_port():
    # The server binds it a moment later; start() retries if another took it.
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


_PR_SET_PDEATHSIG = 1
_running = set()  # every server still alive: none outlives the test run


def die_with_the_tests():
    # In the server's process (preexec_fn): SIGKILL once the test process
    # is gone, however it went (a failed test, a killed pytest).
    try:
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


@atexit.register
def _kill_leftovers():
    for server in list(_running):
        server.kill()


class ServerProcess:
    """A server process; `url`, `client` (httpx), `output()` (all it printed)."""

    def __init__(self, argv_for_port, cwd, env, log_path):
        self.argv_for_port = argv_for_port
        self.cwd = cwd
        self.env = env
        self.log_path = log_path
        self.proc = None
        self.client = None

    def start(self, probe="/"):
        for attempt in range(3):
            self.port = free_port()
            self.url = "http://%s:%d" % (HOST, self.port)
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(self.argv_for_port(self.port), cwd=self.cwd, env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=die_with_the_tests)
            log.close()
            _running.add(self)
            if self._wait_ready(probe):
                self.client = httpx.Client(base_url=self.url, timeout=10)
                return self
            in_use = "address already in use" in self.output().lower()
            self.kill()
            if not in_use:
                break
        raise AssertionError("%s did not start; output:\n%s" % (self.argv_for_port(0)[2], self.output()))

    def _wait_ready(self, probe):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                httpx.get(self.url + probe, timeout=2)
                return True
            except httpx.HTTPError:
                time.sleep(0.1)
        return False

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, tracebacks=False):
        """SIGTERM; assert a clean exit in time (no traceback unless
        `tracebacks`); returns the output."""
        if self.client is not None:
            self.client.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("no exit within %d s of SIGTERM; output:\n%s" % (STOP_TIMEOUT, self.output()))
        self._kill_group()  # workers that outlived their parent
        _running.discard(self)
        output = self.output()
        # uvicorn in one process raises the SIGTERM again once it has shut
        # down gracefully, so that its exit status tells the signal.
        assert code in (0, -signal.SIGTERM), "exit status %r; output:\n%s" % (code, output)
        assert tracebacks or "Traceback" not in output, output
        return output

    def kill(self):
        if self.client is not None:
            self.client.close()
        if self.proc is not None and self.proc.poll() is None:
            self._kill_group()
            self.proc.wait(STOP_TIMEOUT)
        _running.discard(self)

    def _kill_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only what it started
        except (ProcessLookupError, PermissionError):
            pass


def asgi_server(server, module, tmp_path, workers=1, setup="", cwd=EXAMPLES, extra_env=None, options=()):
    """`server` serving the `app` of `module` (see asgi_target), not started;
    `options` go on its command line."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", PICOWEB_ASGI_MODULE=module, PICOWEB_ASGI_SETUP=setup)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, TESTS, EXAMPLES, env.get("PYTHONPATH")) if p)
    env.update(extra_env or {})
    log = str(tmp_path / ("%s-%s.log" % (server, module)))
    return ServerProcess(lambda port: command(server, port, workers) + list(options), cwd, env, log)


def nginx_binary():
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)

"""Load and faults on real sockets (127.0.0.1): 1,000 concurrent connections
mixing keep-alive, pipelining and closes; the connection cap; exceptions
in handlers, handle_exc, hooks and plugins; graceful shutdown of a real
process under load.

Every load is bounded in count and time (the machine is shared), and each
test prints its figures, which `pytest -s` shows.
"""

import json
import logging
import os
import queue
import re
import resource
import signal
import subprocess
import sys
import threading
import time

import pytest

from loadgen import fd_count, raise_fd_limit, rss_kib, server_tasks, settle
from picoweb import WebApp, start_response
from picoweb.testclient import parse_responses
from rawhttp import SOCKET_TIMEOUT, connect, error_records, get, recv_responses, recv_until_closed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CONNECTIONS = 1000
# Requests per connection: keep-alive ones send 6 one by one, pipelined
# ones two batches of 3, close ones 6 on a new connection each.
REQUESTS = 6
LOAD_TIMEOUT = 20  # seconds for connecting, and again for the requests


# 1,000 concurrent connections


def load_app():
    app = WebApp()
    # Errors only: 6,000 request log lines would just slow the server down.
    app.log = logging.getLogger("picoweb.load")
    app.log.setLevel(logging.WARNING)

    @app.route("/r/<int:conn>/<int:number>", methods=["GET", "POST"])
    async def answer(req, resp, conn, number):
        if req.method == "POST":
            return await req.read_body()
        return "%d-%d" % (conn, number)

    @app.route("/")
    def index(req, resp):
        return "hello"

    return app


@pytest.fixture
def fd_limit():
    """Room for the server's 1,000 sockets (and the test's): the soft
    RLIMIT_NOFILE raised to the hard one for the test, then restored."""
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    if not raise_fd_limit(2 * CONNECTIONS + 200):
        pytest.skip("RLIMIT_NOFILE hard limit is below %d" % (2 * CONNECTIONS + 200))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, before)


def test_thousand_concurrent_connections_mixed_load(serve_app, caplog, fd_limit):
    app = load_app()
    app.limits.max_connections = CONNECTIONS + 500
    app.limits.idle_timeout = 30  # connections wait for "go" once all are open
    server = serve_app(app)
    tasks_before = server_tasks(server)
    fds_before = fd_count()
    with connect(server.port) as sock:  # warm up: the first request imports and allocates
        sock.sendall(get("/"))
        assert recv_responses(sock, 1)[0].body == b"hello"
    # Its connection's task and socket gone, the baseline holds again.
    assert settle(lambda: server_tasks(server), tasks_before) == tasks_before
    assert settle(fd_count, fds_before) == fds_before
    rss_before = rss_kib()

    samples = []  # VmRSS every 50 ms while the load runs
    sampling = threading.Event()

    def sample():
        while not sampling.wait(0.05):
            samples.append(rss_kib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "loadgen.py"), str(server.port), str(CONNECTIONS),
         str(REQUESTS), str(LOAD_TIMEOUT)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()
    try:
        connected = lines.get(timeout=LOAD_TIMEOUT + 5)
        assert connected == "connected %d\n" % CONNECTIONS
        # Every connection is open: the server holds a task for each (two
        # with asyncio streams, whose timed reads run in a task of their own).
        # The kernel completes handshakes before asyncio accepts them (in
        # batches of the listen backlog): give the last ones time.
        tasks_peak = settle(lambda: server_tasks(server), None, 15,
                            lambda tasks: tasks >= tasks_before + CONNECTIONS)
        fds_peak = fd_count()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        result = json.loads(lines.get(timeout=LOAD_TIMEOUT + 5))
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        reader.join(5)
        proc.stdin.close()
        proc.stdout.close()
        sampling.set()
        sampler.join(1)
    samples.append(rss_kib())
    tasks_after = settle(lambda: server_tasks(server), tasks_before, 5)
    fds_after = settle(fd_count, fds_before, 5)
    rss_after = rss_kib()
    rss_peak = max(samples)
    print("\nload: %d connections, %d requests served (%d expected, %d reconnects), %d errors %s"
          % (result["connections"], result["requests"], result["expected"], result["reconnects"],
             result["errors"], result["error_samples"]))
    print("load: connecting %.2f s, requests %.2f s (%.0f requests/s)"
          % (result["connect_seconds"], result["load_seconds"],
             result["requests"] / max(result["load_seconds"], 0.01)))
    print("load: RSS before %d KiB, peak %d KiB (+%d KiB), after %d KiB; process VmHWM %d KiB"
          % (rss_before, rss_peak, rss_peak - rss_before, rss_after, rss_kib("VmHWM")))
    print("load: server tasks before %d, with all connected %d, after %d; fds before %d, peak %d, after %d"
          % (tasks_before, tasks_peak, tasks_after, fds_before, fds_peak, fds_after))
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] == result["expected"] == CONNECTIONS * REQUESTS
    assert tasks_peak >= tasks_before + CONNECTIONS
    assert fds_peak >= fds_before + CONNECTIONS
    assert (tasks_after, fds_after) == (tasks_before, fds_before)
    # About 100 KiB a connection would be plenty; the bound catches a leak
    # that grows with requests (6,000 of them) rather than connections.
    assert rss_peak - rss_before < 200 * 1024
    assert rss_after - rss_before < 100 * 1024
    assert error_records(caplog) == []
    # The server still answers.
    with connect(server.port) as sock:
        sock.sendall(get("/"))
        assert recv_responses(sock, 1)[0].body == b"hello"


# The connection cap


def test_connection_cap_answers_503_then_accepts_again(serve_app, caplog):
    app = load_app()
    app.log = None  # the default logger at INFO: each refusal is logged
    app.limits.max_connections = 5
    server = serve_app(app)
    tasks_before = server_tasks(server)
    fds_before = fd_count()
    socks = []

    def served(count):
        """`count` new connections, each answered 200 (so surely counted)."""
        new = [connect(server.port) for _ in range(count)]
        socks.extend(new)
        for sock in new:
            sock.sendall(get("/"))
            assert recv_responses(sock, 1)[0].body == b"hello"
        return new

    def refused(request=True):
        with connect(server.port) as sock:
            if request:
                sock.sendall(get("/"))
            started = time.monotonic()
            responses = parse_responses(recv_until_closed(sock))
            return responses, time.monotonic() - started

    try:
        held = served(5)
        tasks_held = server_tasks(server)
        per_connection = (tasks_held - tasks_before) // 5  # 1, or 2 where reads use wait_for
        responses, seconds = refused()
        assert [r.status for r in responses] == [503]
        assert responses[0].headers["retry-after"] == "1"
        assert responses[0].headers["connection"] == "close"
        assert b"too many connections" in responses[0].body
        assert seconds < 1
        # One that sends nothing is answered the same, after a 1 s grace.
        responses, seconds = refused(request=False)
        assert [r.status for r in responses] == [503] and 0.5 < seconds < 3
        for sock in held:  # the five held ones are served as before
            sock.sendall(get("/"))
            assert recv_responses(sock, 1)[0].body == b"hello"
        for sock in held[:2]:
            sock.close()
        expected = tasks_held - 2 * per_connection
        assert settle(lambda: server_tasks(server), expected) == expected
        served(2)  # room for two again
        responses, _ = refused()  # and five again: the next is refused
        assert [r.status for r in responses] == [503]
    finally:
        for sock in socks:
            sock.close()
    assert settle(lambda: server_tasks(server), tasks_before) == tasks_before
    assert settle(fd_count, fds_before) == fds_before
    rejected = [r.getMessage() for r in caplog.records if "rejected with 503" in r.getMessage()]
    print("\ncap: max_connections 5, %d refused with 503 + Retry-After: 1, %d connections served"
          % (len(rejected), len(socks)))
    assert len(rejected) == 3
    assert error_records(caplog) == []


# Faults: exceptions in handlers, handle_exc, hooks and plugins

FAULT_SITES = {
    # site: (statuses on a connection that sends the failing request, then a
    # good one; ERROR records with tracebacks logged for it)
    "handler": ([500, 200], 1),
    "handle_exc": ([500], 2),  # the handler's error, then handle_exc's own; closed after
    "before_request": ([500, 200], 1),
    "after_request": ([500, 200], 1),
    "before_send": ([500], 1),  # the head could not be made: 500 and closed
    "before_send_streamed": ([500], 2),  # fails on the stream's head, then on the 500's
    "plugin": ([500, 200], 1),
    "handler_mid_stream": ([], 1),  # the head was out: the connection is cut
}


class FaultPlugin:
    """A third-party plugin whose hook has a bug for one path."""

    def install(self, app):
        app.before_request(self.check)

    def check(self, req, resp):
        if req.path == "/boom/plugin":
            raise KeyError("plugin bug")


class FaultyApp(WebApp):
    async def handle_exc(self, req, resp, exc):
        if req.path == "/boom/handle_exc":
            raise RuntimeError("handle_exc bug")
        await super().handle_exc(req, resp, exc)


def fault_app():
    app = FaultyApp()
    app.debug = 0
    app.install(FaultPlugin())

    def failing_hook(site):
        def hook(req, resp):
            if req.path == "/boom/" + site:
                raise RuntimeError(site + " bug")
        return hook

    app.before_request(failing_hook("before_request"))
    app.after_request(failing_hook("after_request"))
    app.before_send(failing_hook("before_send"))
    app.before_send(failing_hook("before_send_streamed"))

    @app.route("/")
    def index(req, resp):
        return "hello"

    @app.route("/boom/<site>")
    async def boom(req, resp, site):
        if site in ("handler", "handle_exc"):
            raise ValueError(site + " bug")
        if site in ("before_send_streamed", "handler_mid_stream"):
            await start_response(resp, "text/plain")
            await resp.awrite("partial")
            if site == "handler_mid_stream":
                raise ValueError(site + " bug")
        return "not reached for " + site

    return app


@pytest.mark.parametrize("site", sorted(FAULT_SITES))
def test_fault_fails_only_its_request(serve_app, caplog, site):
    statuses, logged = FAULT_SITES[site]
    server = serve_app(fault_app())
    tasks_before = server_tasks(server)
    fds_before = fd_count()
    good = []
    failures = []

    def good_client():
        try:
            with connect(server.port) as sock:
                for _ in range(10):
                    sock.sendall(get("/"))
                    response = recv_responses(sock, 1)[0]
                    good.append((response.status, response.body))
        except Exception as exc:  # reported by the assertion below
            failures.append(exc)

    clients = [threading.Thread(target=good_client) for _ in range(8)]
    for client in clients:
        client.start()
    with connect(server.port) as sock:
        sock.sendall(get("/boom/" + site) + get("/"))
        if statuses[-1:] == [200]:  # kept open: both answered
            responses = recv_responses(sock, 2)
            assert responses[-1].body == b"hello"
        else:  # closed after the failing request, the good one unanswered
            out = recv_until_closed(sock)
            if site == "handler_mid_stream":
                # No last chunk: the client can tell the body is incomplete.
                assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(b"7\r\npartial\r\n")
                responses = []
            else:
                responses = parse_responses(out)
    for client in clients:
        client.join(SOCKET_TIMEOUT * 2)
    assert [r.status for r in responses] == statuses
    assert failures == []
    assert good == [(200, b"hello")] * 80
    records = error_records(caplog)
    assert len(records) == logged, [r.getMessage() for r in records]
    for record in records:
        assert record.name == "picoweb" and record.exc_info, record.getMessage()
        assert "/boom/" + site in record.getMessage()
    assert settle(lambda: server_tasks(server), tasks_before) == tasks_before
    assert settle(fd_count, fds_before) == fds_before
    print("\nfault in %s: statuses %s, %d ERROR records, %d good requests concurrently"
          % (site, statuses, len(records), len(good)))


# Graceful shutdown of a real process under load

SHUTDOWN_SCRIPT = """
import asyncio

import picoweb

app = picoweb.WebApp()
app.limits.shutdown_timeout = 5

@app.route("/")
def index(req, resp):
    return "ok"

@app.route("/slow/<int:n>")
async def slow(req, resp, n):
    app.log.info("entered %d", n)
    await asyncio.sleep(1.0)
    return "done %d" % n

app.run(port=0, debug=0)
"""
IN_FLIGHT = 50


class ServerProcess:
    """SHUTDOWN_SCRIPT in a subprocess; its port from the "Running on" line."""

    def __init__(self):
        env = dict(os.environ, PYTHONPATH=ROOT)
        self.proc = subprocess.Popen([sys.executable, "-c", SHUTDOWN_SCRIPT], cwd=ROOT, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.stderr = []
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()
        found = self.wait_for(r"Running on http://127\.0\.0\.1:(\d+)/", 10)
        self.port = int(found.group(1))

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line)

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                raise AssertionError("no %r within %s s: %r" % (pattern, timeout, self.stderr))
            found = re.search(pattern, line)
            if found:
                return found

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)
        self.reader.join(5)
        self.proc.stderr.close()


@pytest.fixture
def shutdown_server():
    server = ServerProcess()
    yield server
    server.close()


def test_sigterm_under_load_finishes_in_flight_and_refuses_new(shutdown_server):
    server = shutdown_server
    idle = [connect(server.port) for _ in range(5)]  # keep-alive, between requests
    for sock in idle:
        sock.sendall(get("/"))
        assert recv_responses(sock, 1)[0].body == b"ok"
    in_flight = [connect(server.port) for _ in range(IN_FLIGHT)]
    for n, sock in enumerate(in_flight):
        sock.sendall(get("/slow/%d" % n))
    for _ in range(IN_FLIGHT):  # every one has reached its handler
        server.wait_for(r"entered \d+", 5)

    # New clients keep coming while the server stops: each is answered
    # (before the signal), closed unanswered (accepted as it stopped) or
    # refused; never anything else.
    outcomes = []  # (outcome, when the connection was tried or refused)
    stop_clients = threading.Event()
    bad = []

    def newcomer():
        while not stop_clients.is_set():
            # Taken before connect(): a thread may run again only after
            # another has met the refusal, though its own connection was
            # accepted before the listener closed (and is answered).
            connected = time.monotonic()
            try:
                with connect(server.port) as sock:
                    sock.sendall(get("/"))
                    try:
                        out = [(r.status, r.body) for r in recv_responses(sock, 1)]
                    except AssertionError:
                        outcomes.append(("closed unanswered", connected))
                        continue
                    if out == [(200, b"ok")]:
                        outcomes.append(("ok", connected))
                    else:
                        bad.append(out)
            except ConnectionRefusedError:
                outcomes.append(("refused", time.monotonic()))
                time.sleep(0.02)
            except ConnectionResetError:
                # Still in the kernel's accept queue when the listening socket
                # closed: the kernel resets it, before any answer could come.
                outcomes.append(("closed unanswered", time.monotonic()))
            except OSError as exc:
                bad.append(exc)

    newcomers = [threading.Thread(target=newcomer) for _ in range(4)]
    for thread in newcomers:
        thread.start()
    time.sleep(0.1)
    signalled = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    try:
        responses = []
        for sock in in_flight:
            responses.append([(r.status, r.body) for r in parse_responses(recv_until_closed(sock))])
        answered = time.monotonic()
        closed = [recv_until_closed(sock) == b"" for sock in idle]
        exit_status = server.proc.wait(5)
        exited = time.monotonic()
    finally:
        stop_clients.set()
        for thread in newcomers:
            thread.join(SOCKET_TIMEOUT * 2)
        for sock in idle + in_flight:
            sock.close()
    counts = {kind: sum(1 for outcome, _ in outcomes if outcome == kind)
              for kind in ("ok", "closed unanswered", "refused")}
    refused_at = [when - signalled for outcome, when in outcomes if outcome == "refused"]
    print("\nshutdown: %d in flight answered %.2f s after SIGTERM, exit %d after %.2f s; "
          "newcomers %s, first refused %.2f s after SIGTERM"
          % (len(responses), answered - signalled, exit_status, exited - signalled, counts,
             refused_at[0] if refused_at else -1))
    assert responses == [[(200, b"done %d" % n)] for n in range(IN_FLIGHT)]
    assert closed == [True] * len(idle)
    assert exit_status == 0
    assert exited - signalled < 3  # 1 s of handler left, well inside shutdown_timeout
    assert bad == []
    assert refused_at and refused_at[0] < 1
    # No connection tried after the first refusal was answered.
    assert not [when for outcome, when in outcomes if outcome == "ok" and when - signalled > refused_at[0]]
    assert not any("Traceback" in line or "ERROR" in line for line in server.stderr), server.stderr

"""Slow, idle and vanishing clients on real sockets (127.0.0.1).

Slowloris heads, slow and stalled uploads and clients that never read are
each cut off by their timeout while other clients are served in the same
test; clients that leave mid-request, mid-response and mid-stream (the SSE
example) leave no ERROR record, no task and no socket behind. Tasks are
counted on the server's own loop, sockets as this process's open fds.

Timeouts are small (`app.limits`), so every test takes a second or two.
"""

import asyncio
import importlib.util
import logging
import os
import select
import socket
import struct
import threading
import time

import pytest

from loadgen import fd_count, server_tasks, settle
from picoweb import WebApp, sendfile, start_response
from picoweb.testclient import parse_responses
from rawhttp import SOCKET_TIMEOUT, connect, error_records, get, recv_responses, recv_until_closed

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIMEOUT = 0.5  # head, read, send and idle timeouts of the apps here
SLACK = 1.0  # what a busy machine may add to a timeout
MIB = 1 << 20
SMALL = 60000  # bytes of a response that fits the transport's write buffer
# Log spam for a client's doing starts at warnings, such as asyncio's
# "socket.send() raised exception.", not at errors.
SPAM = logging.WARNING


def reset(sock):
    """Close abortively: the server gets a RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def leave(sock, how):
    if how == "reset":
        reset(sock)
    else:
        sock.close()


def timed_app():
    app = WebApp()
    app.debug = 0  # log requests and errors, so that spam would show
    app.limits.idle_timeout = TIMEOUT
    app.limits.head_timeout = TIMEOUT
    app.limits.read_timeout = TIMEOUT
    app.limits.send_timeout = TIMEOUT

    @app.route("/")
    def index(req, resp):
        return "hello"

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body()

    return app


class Baseline:
    """Tasks on the server's loop and fds of this process, to compare after."""

    def __init__(self, server):
        self.server = server
        self.tasks = server_tasks(server)
        self.fds = fd_count()

    def settled(self, extra_fds=0, timeout=3.0):
        """(tasks, fds) once back to the baseline, or as they are after `timeout` s."""
        tasks = settle(lambda: server_tasks(self.server), self.tasks, timeout)
        fds = settle(fd_count, self.fds + extra_fds, timeout)
        return tasks, fds

    def assert_settled(self, extra_fds=0, timeout=3.0):
        assert self.settled(extra_fds, timeout) == (self.tasks, self.fds + extra_fds)


class Bystander(threading.Thread):
    """A well-behaved client asking for / every 50 ms on one keep-alive
    connection (reconnecting after each idle close) while a test runs."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop = threading.Event()
        self.answers = []  # (status, body, seconds)
        self.errors = []

    def begin(self):
        """Start; return once the first answer came (the connection is up)."""
        self.start()
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while not self.answers and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        return self

    def run(self):
        sock = None
        try:
            while not self.stop.wait(0.05):
                if sock is None:
                    sock = connect(self.port)
                started = time.monotonic()
                sock.sendall(get("/"))
                try:
                    response = recv_responses(sock, 1)[0]
                except (AssertionError, ConnectionResetError):
                    sock.close()  # closed while idle just as we asked: ask again
                    sock = None
                    continue
                self.answers.append((response.status, response.body, time.monotonic() - started))
        except Exception as exc:  # reported by finish()
            self.errors.append(exc)
        finally:
            if sock is not None:
                sock.close()

    def finish(self):
        """Stop (after 5 answers at least); assert every request was answered, promptly."""
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while len(self.answers) < 5 and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        self.stop.set()
        self.join(SOCKET_TIMEOUT * 2)
        assert self.errors == []
        assert len(self.answers) >= 5
        assert [(status, body) for status, body, _ in self.answers] == [(200, b"hello")] * len(self.answers)
        slowest = max(seconds for _, _, seconds in self.answers)
        assert slowest < TIMEOUT  # never held up behind a slow client
        return len(self.answers), slowest


class Dribbler:
    """Clients sending their bytes on a schedule: [(seconds, bytes), ...]
    from when `run()` starts; each reads whatever comes back until the
    server closes it. One thread, select() over all sockets."""

    def __init__(self, port, schedules):
        self.clients = []
        for schedule in schedules:
            self.clients.append({"sock": connect(port), "schedule": list(schedule), "out": b"",
                                 "closed": None, "send_failed": False})

    def run(self, deadline):
        started = time.monotonic()
        while time.monotonic() - started < deadline:
            open_clients = [c for c in self.clients if c["closed"] is None]
            if not open_clients:
                break
            now = time.monotonic() - started
            readable, _, _ = select.select([c["sock"] for c in open_clients], [], [], 0.01)
            for client in open_clients:
                if client["sock"] in readable:
                    try:
                        piece = client["sock"].recv(65536)
                    except ConnectionResetError:
                        piece = b""
                    client["out"] += piece
                    if not piece:
                        client["closed"] = now
                        continue
                schedule = client["schedule"]
                while schedule and schedule[0][0] <= now and not client["send_failed"]:
                    try:
                        client["sock"].send(schedule.pop(0)[1])
                    except OSError:
                        client["send_failed"] = True  # closed by the server: read what came
        for client in self.clients:
            client["sock"].close()
        return self.clients


def one_byte_at_a_time(data, interval, start=0.0):
    return [(start + i * interval, data[i:i + 1]) for i in range(len(data))]


# Slowloris


def test_slowloris_heads_time_out_while_others_are_served(serve_app, caplog):
    server = serve_app(timed_app())
    baseline = Baseline(server)
    bystander = Bystander(server.port).begin()
    # 20 clients dribble a head a byte every 50 ms: it would take 4 s.
    head = get("/", b"X-Padding: " + b"a" * 50 + b"\r\n")
    dribbler = Dribbler(server.port, [one_byte_at_a_time(head, 0.05)] * 20)
    clients = dribbler.run(TIMEOUT + SLACK + 2)
    answered, slowest = bystander.finish()
    closed = [c["closed"] for c in clients]
    print("\nslowloris: 20 heads cut after %.2f..%.2f s (head_timeout %s s), %d read their 408; "
          "bystander: %d answers, slowest %.3f s"
          % (min(closed), max(closed), TIMEOUT, sum(1 for c in clients if c["out"]), answered, slowest))
    assert all(c["closed"] is not None and TIMEOUT - 0.1 < c["closed"] < TIMEOUT + SLACK for c in clients)
    for client in clients:
        assert client["out"] == b"" or [r.status for r in parse_responses(client["out"])] == [408]
    assert sum(1 for c in clients if c["out"]) >= 15  # most read their 408 before sending again
    baseline.assert_settled()
    assert error_records(caplog, SPAM) == []


# Slow uploads


def test_slow_uploads_time_out_while_others_are_served(serve_app, caplog):
    server = serve_app(timed_app())
    baseline = Baseline(server)
    bystander = Bystander(server.port).begin()
    head = b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n"
    chunked = b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    steady_body = b"12345678"
    schedules = {
        # 3 bytes 0.1 s apart, then nothing: cut read_timeout after the last.
        "stalled": [(0, head)] + one_byte_at_a_time(b"abc", 0.1, 0.1),
        # A chunked body stalls mid-chunk.
        "stalled chunked": [(0, chunked + b"a\r\nab")] + one_byte_at_a_time(b"cd", 0.1, 0.1),
        # Never a byte of the body.
        "no body": [(0, head)],
        # read_timeout bounds each wait, not the whole body: a body that
        # keeps coming, byte by byte inside the timeout, is taken.
        "steady": [(0, head.replace(b"100", b"%d" % len(steady_body)))]
        + one_byte_at_a_time(steady_body, 0.15, 0.15),
    }
    dribbler = Dribbler(server.port, list(schedules.values()) * 3)
    clients = {}
    for name, client in zip(list(schedules) * 3, dribbler.run(3 + TIMEOUT + SLACK)):
        clients.setdefault(name, []).append(client)
    answered, slowest = bystander.finish()
    last_byte = {name: schedule[-1][0] for name, schedule in schedules.items()}
    for name, group in clients.items():
        closed = [c["closed"] for c in group]
        statuses = [[r.status for r in parse_responses(c["out"])] for c in group]
        print("\nupload %s: closed after %s s, statuses %s" % (name, closed, statuses))
        for client in group:
            assert client["closed"] is not None
            # Closed read_timeout after its last byte (or, for the steady
            # one, idle_timeout after the answer).
            assert last_byte[name] + TIMEOUT - 0.1 < client["closed"] < last_byte[name] + TIMEOUT + SLACK
        if name == "steady":
            responses = [parse_responses(c["out"]) for c in group]
            assert [[(r.status, r.body) for r in rs] for rs in responses] == [[(200, steady_body)]] * 3
        else:
            assert statuses == [[408]] * 3
    print("bystander: %d answers, slowest %.3f s" % (answered, slowest))
    baseline.assert_settled()
    assert error_records(caplog, SPAM) == []


# A client that never reads


@pytest.fixture
def big_file(tmp_path):
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(50 * MIB)  # sparse: nothing is written to disk
    return str(path)


@pytest.mark.parametrize("kind", ["streamed", "returned", "sendfile", "small"])
def test_client_that_never_reads_is_dropped_within_send_timeout(serve_app, caplog, big_file, kind):
    app = timed_app()
    app.limits.idle_timeout = 5  # so only send_timeout can explain a prompt drop
    handler_ended = []

    @app.route("/big")
    async def big(req, resp):
        try:
            if kind == "streamed":  # 50 MiB in 64 KiB writes
                await start_response(resp, "application/octet-stream")
                piece = b"x" * 65536
                for _ in range(800):
                    await resp.awrite(piece)
            elif kind == "returned":  # sent whole after the handler
                return b"x" * (8 * MIB)
            elif kind == "sendfile":  # zero-copy, in pieces
                await sendfile(resp, big_file, "application/octet-stream")
            else:
                # Below the write-buffer high-water mark, so no drain() waits:
                # the bytes the kernel cannot take wait in the transport as
                # it closes. (A small kernel buffer makes sure some do.)
                sock = resp.conn.writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
                return b"x" * SMALL, 200, {"Connection": "close"}
        finally:
            handler_ended.append(time.monotonic())

    server = serve_app(app)
    baseline = Baseline(server)
    bystander = Bystander(server.port).begin()
    with_bystander = Baseline(server)  # its connection: a task and two sockets
    stalled = connect(server.port, rcvbuf=4096)
    started = time.monotonic()
    stalled.sendall(get("/big"))
    # The server gives up on it: its task ends and its socket closes,
    # while ours (unread) is still open.
    tasks, fds = with_bystander.settled(extra_fds=1, timeout=TIMEOUT + SLACK + 2)
    dropped_after = time.monotonic() - started
    answered, slowest = bystander.finish()
    received = recv_until_closed(stalled, limit=60 * MIB)
    stalled.close()
    print("\nnever reading (%s): dropped after %.2f s (send_timeout %s s), %d KiB reached the client; "
          "bystander: %d answers, slowest %.3f s"
          % (kind, dropped_after, TIMEOUT, len(received) // 1024, answered, slowest))
    assert (tasks, fds) == (with_bystander.tasks, with_bystander.fds + 1)
    assert dropped_after < TIMEOUT + SLACK
    assert handler_ended
    full_size = {"streamed": 50 * MIB, "returned": 8 * MIB, "sendfile": 50 * MIB, "small": SMALL}[kind]
    assert len(received) < full_size  # the rest was dropped with the socket
    baseline.assert_settled()
    assert error_records(caplog, SPAM) == []


# Clients that vanish


def vanishing_app():
    app = timed_app()
    app.limits.idle_timeout = 5  # only the clients end these connections
    handled = []  # (path, how the handler ended)

    @app.route("/slow")
    async def slow(req, resp):
        await asyncio.sleep(0.2)
        handled.append(("/slow", "returned"))
        return "late"

    @app.route("/upload", methods=["POST"])
    async def upload(req, resp):
        try:
            return await req.read_body()
        except Exception as exc:
            handled.append(("/upload", type(exc).__name__))
            raise

    @app.route("/stream")
    async def stream(req, resp):  # 8 MiB in 64 KiB writes; no try/except
        await start_response(resp, "application/octet-stream")
        piece = b"x" * 65536
        for _ in range(128):
            await resp.awrite(piece)
        handled.append(("/stream", "returned"))

    @app.route("/returned")
    def returned(req, resp):
        return b"x" * (4 * MIB)

    @app.errorhandler(500)  # an app with a 500 page: the client is gone all the same
    def server_error(req, resp, exc):
        handled.append((req.path, "500 handler"))
        return "oops", 500

    return app, handled


@pytest.mark.parametrize("how", ["close", "reset"])
def test_clients_leaving_mid_request_leave_nothing_behind(serve_app, caplog, how):
    app, handled = vanishing_app()
    server = serve_app(app)
    baseline = Baseline(server)
    bystander = Bystander(server.port).begin()
    with_bystander = Baseline(server)
    partial = [
        b"GET /sl",  # in the request line
        b"GET /slow HTTP/1.1\r\nHost: t\r\nX-A",  # in the headers
        b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + b"a" * 100,  # in the body
        b"POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nabc",
        get("/slow"),  # waiting for its answer
        get("/") + get("/slow"),  # one answered, the next one pending
    ]
    socks = []
    for data in partial * 5:
        sock = connect(server.port)
        sock.sendall(data)
        socks.append(sock)
    time.sleep(0.1)  # every request has reached the server
    for sock in socks:
        leave(sock, how)
    time.sleep(0.3)  # the /slow handlers answer into closed sockets
    with_bystander.assert_settled()
    answered, slowest = bystander.finish()
    baseline.assert_settled()
    print("\nleaving mid-request (%s): %d connections, handlers ended %s; bystander: %d answers"
          % (how, len(socks), sorted(set(handled)), answered))
    assert ("/slow", "returned") in handled
    # The uploads end with "request body ended early" (a 400 nobody reads)
    # or, reset under asyncio streams, ConnectionResetError; never a 500 page.
    upload_ends = {ending for path, ending in handled if path == "/upload"}
    assert upload_ends and upload_ends <= {"HTTPError", "ConnectionResetError"}
    assert error_records(caplog, SPAM) == []


@pytest.mark.parametrize("how", ["close", "reset"])
def test_clients_leaving_mid_response_leave_nothing_behind(serve_app, caplog, how):
    app, handled = vanishing_app()
    server = serve_app(app)
    baseline = Baseline(server)
    bystander = Bystander(server.port).begin()
    with_bystander = Baseline(server)
    socks = []
    for path in ["/stream", "/returned"] * 5:
        sock = connect(server.port)
        sock.sendall(get(path))
        socks.append(sock)
    for sock in socks:
        assert len(sock.recv(65536)) > 0  # the answer has begun
        leave(sock, how)
    with_bystander.assert_settled()
    answered, slowest = bystander.finish()
    baseline.assert_settled()
    gone = [r.getMessage() for r in caplog.records if "client gone" in r.getMessage()]
    print("\nleaving mid-response (%s): 10 connections, %d 'client gone' notes; bystander: %d answers"
          % (how, len(gone), answered))
    assert ("/stream", "returned") not in handled  # every stream was cut short
    assert [h for h in handled if h[1] == "500 handler"] == []  # no 500 page for nobody
    assert error_records(caplog, SPAM) == []


def load_example(name):
    """A fresh copy of examples/<name>.py, its settings ours to change."""
    spec = importlib.util.spec_from_file_location(
        "slow_clients_" + name, os.path.join(ROOT, "examples", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_events(sock, count):
    data = b""
    while data.count(b"\n\n") < count:
        piece = sock.recv(65536)
        if not piece:
            raise AssertionError("the stream ended: %r" % data)
        data += piece
    return data


def test_sse_clients_leaving_mid_stream_leave_nothing_behind(serve_app, caplog):
    example = load_example("example_eventsource")
    example.INTERVAL = 0.01
    server = serve_app(example.app)
    baseline = Baseline(server)
    socks = []
    for _ in range(10):
        sock = connect(server.port)
        sock.sendall(get("/counter"))
        socks.append(sock)
    for n, sock in enumerate(socks):
        data = read_events(sock, 4)  # the retry field's block, then three ticks
        assert data.startswith(b"HTTP/1.1 200 OK\r\n") and b"data: 3\n\n" in data
        leave(sock, "reset" if n % 2 else "close")
    baseline.assert_settled()
    ended = [r.getMessage() for r in caplog.records if "event stream closed by the client" in r.getMessage()]
    assert len(ended) == len(socks)  # each handler saw its client go, once
    with connect(server.port) as sock:  # and the server serves on
        sock.sendall(get("/"))
        assert recv_responses(sock, 1)[0].status == 200
    print("\nleaving mid-stream (SSE): %d streams, %d handlers ended cleanly" % (len(socks), len(ended)))
    assert error_records(caplog, SPAM) == []

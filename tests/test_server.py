"""The server over real sockets on 127.0.0.1 (ephemeral ports): keep-alive,
pipelining, body draining, 100-continue, limits, timeouts, errors, and
graceful shutdown of a real process on SIGTERM and SIGINT.

Every socket has a timeout and every loop a bound, so a broken server
fails a test instead of hanging the run.
"""

import asyncio
import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from picoweb import WebApp, start_response
from picoweb.testclient import parse_responses
from rawhttp import SOCKET_TIMEOUT, connect, get, is_closed, recv_exactly, recv_responses, recv_until_closed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_app():
    """A small app most tests share: echo, peer port, body-ignoring and failing routes."""
    app = WebApp()
    app.debug = -1

    @app.route("/")
    def index(req, resp):
        return "hello"

    @app.route("/peer")
    def peer(req, resp):
        return str(req.client_addr[1])

    @app.route("/echo", methods=["POST", "PUT"])
    async def echo(req, resp):
        return await req.read_body()

    @app.route("/ignore", methods=["POST"])
    def ignore(req, resp):
        return "ignored"

    @app.route("/fail")
    def fail(req, resp):
        raise ValueError("handler bug")

    @app.route("/stream")
    async def stream(req, resp):
        await start_response(resp, "text/plain")
        for piece in ("one ", "two ", "three"):
            await resp.awrite(piece)

    return app


def assert_serves_fresh_connection(server):
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        resp = http.get("/")
    assert (resp.status_code, resp.text) == (200, "hello")


# Basics with real clients


def test_httpx_get(serve_app):
    server = serve_app(make_app())
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        resp = http.get("/")
    assert resp.status_code == 200
    assert resp.text == "hello"
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.headers["content-length"] == "5"


def test_httpx_post_echo(serve_app):
    server = serve_app(make_app())
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        resp = http.post("/echo", content=b"x" * 100000)
    assert resp.status_code == 200
    assert resp.content == b"x" * 100000


def test_httpx_streamed_response_is_chunked(serve_app):
    server = serve_app(make_app())
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        resp = http.get("/stream")
    assert resp.headers["transfer-encoding"] == "chunked"
    assert resp.text == "one two three"


def test_http_client_head(serve_app):
    server = serve_app(make_app())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=SOCKET_TIMEOUT)
    try:
        conn.request("HEAD", "/")
        resp = conn.getresponse()
        assert (resp.status, resp.getheader("Content-Length"), resp.read()) == (200, "5", b"")
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"hello"
    finally:
        conn.close()


def test_concurrent_slow_handler_does_not_block_others(serve_app):
    app = make_app()
    release = asyncio.Event()

    @app.route("/wait")
    async def wait(req, resp):
        await asyncio.wait_for(release.wait(), 3)
        return "released"

    @app.route("/release")
    def do_release(req, resp):
        release.set()
        return "ok"

    server = serve_app(app)
    slow = connect(server.port)
    slow.sendall(get("/wait"))
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        assert http.get("/release").text == "ok"
    assert recv_responses(slow, 1)[0].text == "released"
    slow.close()


# Keep-alive and pipelining


def test_keep_alive_httpx_reuses_one_connection(serve_app):
    server = serve_app(make_app())
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        ports = {http.get("/peer").text for _ in range(5)}
    assert len(ports) == 1


def test_keep_alive_http_client_same_socket(serve_app):
    server = serve_app(make_app())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=SOCKET_TIMEOUT)
    try:
        conn.request("GET", "/peer")
        first = conn.getresponse().read()
        sock = conn.sock
        conn.request("POST", "/echo", body=b"abc")
        assert conn.getresponse().read() == b"abc"
        conn.request("GET", "/peer")
        assert conn.getresponse().read() == first
        assert conn.sock is sock
    finally:
        conn.close()


def test_keep_alive_raw_socket_several_requests(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    bodies = []
    for _ in range(3):
        sock.sendall(get("/"))
        (resp,) = recv_responses(sock, 1)
        bodies.append(resp.body)
        assert "Connection" not in resp.headers
    assert bodies == [b"hello"] * 3
    assert not is_closed(sock, 0.1)
    sock.close()


def test_pipelined_requests_in_one_write_answered_in_order(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(get("/") + b"POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nfirst"
                 + get("/stream") + b"PUT /echo HTTP/1.1\r\nContent-Length: 6\r\n\r\nsecond" + get("/nope"))
    responses = recv_responses(sock, 5)
    assert [(r.status, r.body) for r in responses[:4]] == [
        (200, b"hello"), (200, b"first"), (200, b"one two three"), (200, b"second")]
    assert responses[4].status == 404
    sock.close()


def test_pipelined_head_and_get(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"HEAD /stream HTTP/1.1\r\n\r\n" + get("/stream"))
    head, body = recv_responses(sock, 2, head_requests=(0,))
    assert head.body == b"" and body.body == b"one two three"
    sock.close()


def test_http10_closes_after_response(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"GET / HTTP/1.0\r\n\r\n" + get("/"))
    responses = parse_responses(recv_until_closed(sock))
    assert [(r.status, r.body) for r in responses] == [(200, b"hello")]
    assert responses[0].headers["Connection"] == "close"
    sock.close()


def test_http10_keep_alive_when_asked(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    (resp,) = recv_responses(sock, 1)
    assert resp.headers["Connection"] == "keep-alive"
    sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
    assert parse_responses(recv_until_closed(sock))[0].body == b"hello"
    sock.close()


def test_http10_streamed_response_is_close_delimited(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    out = recv_until_closed(sock)
    assert b"Transfer-Encoding" not in out
    assert b"\r\nConnection: close\r\n" in out
    assert out.endswith(b"\r\n\r\none two three")
    sock.close()


def test_connection_close_is_honoured(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(get("/", b"Connection: close\r\n") + get("/"))
    responses = parse_responses(recv_until_closed(sock))
    assert len(responses) == 1
    assert responses[0].headers["Connection"] == "close"
    sock.close()


def test_unread_body_is_drained_for_next_request(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    body = b"GET /fail HTTP/1.1\r\n\r\n" * 100  # would be served if not drained
    sock.sendall(b"POST /ignore HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body + get("/"))
    first, second = recv_responses(sock, 2)
    assert (first.body, second.body) == (b"ignored", b"hello")
    sock.close()


def test_unread_chunked_body_is_drained_for_next_request(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"POST /ignore HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"5\r\nabcde\r\n3\r\nfgh\r\n0\r\n\r\n" + get("/"))
    first, second = recv_responses(sock, 2)
    assert (first.body, second.body) == (b"ignored", b"hello")
    sock.close()


def test_unread_body_sent_later_is_drained(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"POST /ignore HTTP/1.1\r\nContent-Length: 6\r\n\r\nabc")
    (first,) = recv_responses(sock, 1)
    sock.sendall(b"def" + get("/"))
    (second,) = recv_responses(sock, 1)
    assert (first.body, second.body) == (b"ignored", b"hello")
    sock.close()


def test_large_unread_body_closes_connection(serve_app):
    app = make_app()
    app.limits.max_body = 1000
    server = serve_app(app)
    sock = connect(server.port)
    sock.sendall(b"POST /ignore HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    (resp,) = recv_responses(sock, 1)
    assert resp.body == b"ignored"
    for _ in range(3):  # more than max_body, which the server will not drain
        sock.sendall(b"200\r\n" + b"x" * 512 + b"\r\n")
    assert is_closed(sock, 2)
    sock.close()
    assert_serves_fresh_connection(server)


# Expect: 100-continue


def test_expect_100_continue_like_curl(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"POST /echo HTTP/1.1\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
    assert recv_exactly(sock, 25) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(b"hello world")
    (resp,) = recv_responses(sock, 1)
    assert (resp.status, resp.body) == (200, b"hello world")
    sock.sendall(get("/"))
    assert recv_responses(sock, 1)[0].body == b"hello"
    sock.close()


def test_expect_100_continue_not_sent_when_handler_ignores_body(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"POST /ignore HTTP/1.1\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
    out = recv_until_closed(sock)
    assert out.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"100 Continue" not in out
    assert parse_responses(out)[0].body == b"ignored"
    sock.close()


def test_expect_100_continue_ignored_for_http10(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"POST /echo HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
    sock.settimeout(0.2)
    with pytest.raises(socket.timeout):
        sock.recv(100)  # RFC 9110: no 100 Continue for an HTTP/1.0 request
    sock.settimeout(SOCKET_TIMEOUT)
    sock.sendall(b"hi")
    out = recv_until_closed(sock)
    assert out.startswith(b"HTTP/1.1 200 OK\r\n")
    assert parse_responses(out)[0].body == b"hi"
    sock.close()


def test_expect_100_continue_over_limit_is_413_without_continue(serve_app):
    app = make_app()
    app.limits.max_body = 10
    server = serve_app(app)
    sock = connect(server.port)
    sock.sendall(b"POST /echo HTTP/1.1\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
    out = recv_until_closed(sock)
    assert out.startswith(b"HTTP/1.1 413 Content Too Large\r\n")
    sock.close()


# Chunked request bodies


def test_chunked_request_body_raw(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n")
    time.sleep(0.05)
    sock.sendall(b"5;ext=x\r\npedia\r\n0\r\nTrailer: yes\r\n\r\n" + get("/"))
    first, second = recv_responses(sock, 2)
    assert (first.body, second.body) == (b"Wikipedia", b"hello")
    sock.close()


def test_chunked_request_body_httpx_stream(serve_app):
    server = serve_app(make_app())

    def pieces():
        for i in range(5):
            yield b"piece%d;" % i

    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        resp = http.post("/echo", content=pieces())
    assert resp.request.headers["transfer-encoding"] == "chunked"
    assert resp.text == "piece0;piece1;piece2;piece3;piece4;"


def test_chunked_request_body_http_client(serve_app):
    server = serve_app(make_app())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=SOCKET_TIMEOUT)
    try:
        conn.request("POST", "/echo", body=iter([b"ab", b"cd"]), encode_chunked=True)
        assert conn.getresponse().read() == b"abcd"
    finally:
        conn.close()


# Limits: each bad request is answered, closed, and the server goes on


def limited_app():
    app = make_app()
    app.limits.max_request_line = 64
    app.limits.max_header_size = 256
    app.limits.max_headers = 5
    app.limits.max_body = 10
    return app


# name: (bytes sent, status). A bad chunk is found by the handler's read, so
# its 400 comes from the app, with a keep-alive head, before the close.
BAD_REQUESTS = {
    "414 request line": (b"GET /" + b"a" * 100 + b" HTTP/1.1\r\n\r\n", 414),
    "414 request line without end": (b"GET /" + b"a" * 100, 414),
    "431 header size": (b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 300 + b"\r\n\r\n", 431),
    "431 header size without end": (b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 300, 431),
    "431 header count": (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(6)) + b"\r\n", 431),
    "413 body": (b"POST /echo HTTP/1.1\r\nContent-Length: 11\r\n\r\n" + b"x" * 11, 413),
    "400 malformed request line": (b"GET /\r\n\r\n", 400),
    "400 malformed method": (b"G(T / HTTP/1.1\r\n\r\n", 400),
    "400 malformed header": (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
    "400 obs-fold header": (b"GET / HTTP/1.1\r\nX-A: 1\r\n continued\r\n\r\n", 400),
    "400 smuggling CL+TE": (b"POST /echo HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"0\r\n\r\n", 400),
    "400 conflicting CL": (b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    "400 bad chunk size": (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    "501 unknown transfer-encoding": (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    "505 version": (b"GET / HTTP/2.0\r\n\r\n", 505),
}


@pytest.mark.parametrize("name", list(BAD_REQUESTS))
def test_bad_request_is_rejected_and_server_goes_on(serve_app, name):
    data, status = BAD_REQUESTS[name]
    server = serve_app(limited_app())
    sock = connect(server.port)
    sock.sendall(data)
    out = recv_until_closed(sock)
    sock.close()
    responses = parse_responses(out)
    assert [r.status for r in responses] == [status]
    if name != "400 bad chunk size":
        assert responses[0].headers["Connection"] == "close"
    assert_serves_fresh_connection(server)


def test_limits_allow_requests_just_inside(serve_app):
    server = serve_app(limited_app())
    sock = connect(server.port)
    line = b"GET /" + b"a" * (64 - len(b"GET / HTTP/1.1\r")) + b" HTTP/1.1\r\n"
    assert len(line) == 65  # the b"\n" sits at index 64, the limit
    headers = b"".join(b"X-%d: 1\r\n" % i for i in range(5))
    sock.sendall(line + headers + b"\r\n" + b"POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\n" + b"x" * 10)
    first, second = recv_responses(sock, 2)
    assert (first.status, second.status, second.body) == (404, 200, b"x" * 10)
    sock.close()


def test_bad_request_after_good_one_on_same_connection(serve_app):
    server = serve_app(limited_app())
    sock = connect(server.port)
    sock.sendall(get("/") + b"BROKEN\r\n\r\n")
    responses = parse_responses(recv_until_closed(sock))
    assert [r.status for r in responses] == [200, 400]
    sock.close()


# Timeouts


def timed_app():
    app = make_app()
    app.limits.idle_timeout = 0.3
    app.limits.head_timeout = 0.3
    app.limits.read_timeout = 0.3
    return app


def test_idle_connection_is_closed_silently(serve_app):
    server = serve_app(timed_app())
    sock = connect(server.port)
    started = time.monotonic()
    assert recv_until_closed(sock) == b""
    assert 0.2 < time.monotonic() - started < 2
    sock.close()
    assert_serves_fresh_connection(server)


def test_idle_keep_alive_connection_is_closed_after_a_request(serve_app):
    server = serve_app(timed_app())
    sock = connect(server.port)
    sock.sendall(get("/"))
    assert recv_responses(sock, 1)[0].body == b"hello"
    started = time.monotonic()
    assert is_closed(sock, 2)
    assert time.monotonic() - started < 2
    sock.close()


def test_partial_head_times_out_with_408(serve_app):
    server = serve_app(timed_app())
    sock = connect(server.port)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
    started = time.monotonic()
    out = recv_until_closed(sock)
    assert time.monotonic() - started < 2
    assert [r.status for r in parse_responses(out)] == [408]
    sock.close()
    assert_serves_fresh_connection(server)


def test_partial_request_line_times_out_with_408(serve_app):
    server = serve_app(timed_app())
    sock = connect(server.port)
    sock.sendall(b"GET /slo")
    assert [r.status for r in parse_responses(recv_until_closed(sock))] == [408]
    sock.close()


def test_head_trickled_slowly_still_times_out(serve_app):
    server = serve_app(timed_app())
    sock = connect(server.port)
    sock.sendall(b"GET / HTTP/1.1\r\n")
    started = time.monotonic()
    out = b""
    for i in range(20):  # 2 s of one header line every 0.1 s, each inside head_timeout
        try:
            sock.sendall(b"X-%d: 1\r\n" % i)
        except OSError:
            break
        sock.settimeout(0.1)
        try:
            out += sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            break
        finally:
            sock.settimeout(SOCKET_TIMEOUT)
        if out:
            break
    elapsed = time.monotonic() - started
    sock.close()
    assert out.startswith(b"HTTP/1.1 408 ")
    assert elapsed < 1.5


def test_stalled_body_times_out_with_408_and_closes(serve_app, caplog):
    app = timed_app()
    app.debug = 0  # log, so that an error logged for a slow client shows
    server = serve_app(app)
    sock = connect(server.port)
    sock.sendall(b"POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")
    started = time.monotonic()
    out = recv_until_closed(sock)
    assert 0.2 < time.monotonic() - started < 1
    assert [r.status for r in parse_responses(out)] == [408]
    sock.close()
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []
    assert_serves_fresh_connection(server)


# Handler errors


def test_handler_exception_gives_500_and_connection_goes_on(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(get("/fail") + get("/"))
    first, second = recv_responses(sock, 2)
    assert first.status == 500
    assert b"<h1>500 Internal Server Error</h1>" in first.body
    assert (second.status, second.body) == (200, b"hello")
    sock.close()
    assert_serves_fresh_connection(server)


def test_exception_mid_stream_cuts_response_and_server_goes_on(serve_app):
    app = make_app()

    @app.route("/cut")
    async def cut(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("partial")
        raise ValueError("mid-stream")

    server = serve_app(app)
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get("/cut")
    assert_serves_fresh_connection(server)


# Serving beside other tasks, and shutdown


def test_serve_beside_another_task(serve_app):
    app = make_app()
    ticks = []

    @app.route("/ticks")
    def count(req, resp):
        return str(len(ticks))

    async def ticker():
        while not app.stopping and len(ticks) < 10000:
            ticks.append(1)
            await asyncio.sleep(0.01)

    async def serve_with_ticker(app):
        await asyncio.gather(app.serve(host="127.0.0.1", port=0), ticker())

    server = serve_app(app, serve_with_ticker)
    with httpx.Client(base_url=server.url, timeout=SOCKET_TIMEOUT) as http:
        first = int(http.get("/ticks").text)
        time.sleep(0.2)
        second = int(http.get("/ticks").text)
    assert second - first >= 5


def test_shutdown_stops_listening_and_closes_idle_connections(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port)
    sock.sendall(get("/"))
    assert recv_responses(sock, 1)[0].body == b"hello"
    port = server.port
    server.stop()
    assert is_closed(sock, 2)
    sock.close()
    with pytest.raises(ConnectionRefusedError):
        connect(port).close()


def test_shutdown_lets_in_flight_request_finish(serve_app):
    app = make_app()
    entered = threading.Event()

    @app.route("/slow")
    async def slow(req, resp):
        entered.set()
        await asyncio.sleep(0.3)
        return "slow done"

    server = serve_app(app)
    sock = connect(server.port)
    sock.sendall(get("/slow") + get("/"))
    assert entered.wait(SOCKET_TIMEOUT)
    server.stop()
    responses = parse_responses(recv_until_closed(sock))
    # The in-flight request is answered; the pipelined one after it is not.
    assert [(r.status, r.body) for r in responses] == [(200, b"slow done")]
    sock.close()


def test_a_new_connection_gets_a_moment_for_its_first_request_on_shutdown(serve_app):
    # Accepted just as the server stops (a restart under --reload): its
    # client has had no answer yet and would not retry, unlike on a
    # kept-alive connection.
    server = serve_app(make_app())
    late = connect(server.port)
    silent = connect(server.port)
    time.sleep(0.1)  # both accepted
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    time.sleep(0.1)
    late.sendall(get("/"))
    [response] = parse_responses(recv_until_closed(late))
    assert (response.status, response.body) == (200, b"hello")
    assert response.headers["connection"] == "close"
    started = time.monotonic()
    assert is_closed(silent, 3)  # no request: closed after the grace
    assert time.monotonic() - started < 2
    stopping.join(5)
    late.close()
    silent.close()


def test_lazy_init_runs_once_under_concurrent_first_requests(serve_app):
    calls = []

    class SlowInit(WebApp):
        async def init(self):
            calls.append("init")
            await asyncio.sleep(0.2)
            self.ready = True

    root = make_app()
    sub = SlowInit()
    sub.add_url_rule("/", lambda req, resp: str(getattr(req.app, "ready", False)))
    root.mount("/s", sub)

    async def serve_lazy(app):
        await app.serve(host="127.0.0.1", port=0, lazy_init=True)

    server = serve_app(root, serve_lazy)
    socks = [connect(server.port) for _ in range(3)]
    for sock in socks:
        sock.sendall(get("/s"))
    bodies = [recv_responses(sock, 1)[0].body for sock in socks]
    for sock in socks:
        sock.close()
    assert bodies == [b"True"] * 3
    assert calls == ["init"]


# A real process: graceful shutdown on SIGTERM, exit on SIGINT

SERVER_SCRIPT = """
import asyncio
import os
import picoweb

app = picoweb.WebApp()
app.limits.shutdown_timeout = 5

@app.route("/")
def index(req, resp):
    return "ok"

@app.route("/loop")
def loop(req, resp):
    return type(asyncio.get_running_loop()).__module__

@app.route("/slow")
async def slow(req, resp):
    await asyncio.sleep(float(req.qs))
    return "slow done"

options = {}
if os.environ.get("PICOWEB_TEST_LOOP") == "uvloop":
    import uvloop

    options["loop_factory"] = uvloop.new_event_loop
app.run(port=0, debug=0, **options)
"""


class ServerProcess:
    """The example app in a subprocess; `port` from its "Running on" log line."""

    def __init__(self, **env_extra):
        env = dict(os.environ, PYTHONPATH=ROOT, **env_extra)
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT], cwd=ROOT, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.stderr = []
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.port = self._wait_for_port(10)

    def _read_stderr(self):
        for line in self.proc.stderr:
            line = line.decode("utf-8", "replace")
            self.stderr.append(line)
            self.lines.put(line)

    def _wait_for_port(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            found = re.search(r"Running on http://127\.0\.0\.1:(\d+)/", line)
            if found:
                return int(found.group(1))
        self.kill()
        raise AssertionError("no 'Running on' line: %r" % self.stderr)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("server process did not exit within %s s: %r" % (timeout, self.stderr))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture
def server_process():
    procs = []

    def start(**env_extra):
        procs.append(ServerProcess(**env_extra))
        return procs[-1]

    yield start
    for proc in procs:
        proc.kill()


def test_process_answers(server_process):
    proc = server_process()
    with httpx.Client(base_url="http://127.0.0.1:%d" % proc.port, timeout=SOCKET_TIMEOUT) as http:
        assert http.get("/").text == "ok"


def test_sigterm_graceful_shutdown(server_process):
    proc = server_process()
    sock = connect(proc.port)
    sock.sendall(b"GET /slow?0.8 HTTP/1.1\r\nHost: t\r\n\r\n")
    time.sleep(0.2)  # let the request reach its handler
    proc.proc.send_signal(signal.SIGTERM)
    refused = False
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            connect(proc.port).close()
        except ConnectionRefusedError:
            refused = True
            break
        time.sleep(0.02)
    assert refused, "new connections are still accepted after SIGTERM"
    assert proc.proc.poll() is None, "exited before the in-flight request finished"
    responses = parse_responses(recv_until_closed(sock))
    sock.close()
    assert [(r.status, r.body) for r in responses] == [(200, b"slow done")]
    started = time.monotonic()
    assert proc.wait(5) == 0
    assert time.monotonic() - started < 2


def test_sigterm_closes_idle_keep_alive_connections(server_process):
    proc = server_process()
    sock = connect(proc.port)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert recv_responses(sock, 1)[0].body == b"ok"
    started = time.monotonic()
    proc.proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0
    assert time.monotonic() - started < 2
    assert is_closed(sock, 1)
    sock.close()


def test_sigint_exits_cleanly(server_process):
    proc = server_process()
    started = time.monotonic()
    proc.proc.send_signal(signal.SIGINT)
    assert proc.wait(5) == 0
    assert time.monotonic() - started < 2
    assert not any("Traceback" in line for line in proc.stderr)


def test_run_on_a_loop_factory(server_process):
    pytest.importorskip("uvloop")
    proc = server_process(PICOWEB_TEST_LOOP="uvloop")
    sock = connect(proc.port)
    sock.sendall(b"GET /loop HTTP/1.1\r\nHost: t\r\n\r\nGET /slow?0.3 HTTP/1.1\r\nHost: t\r\n\r\n")
    assert recv_responses(sock, 1)[0].body == b"uvloop"
    proc.proc.send_signal(signal.SIGTERM)  # while /slow is in flight
    responses = parse_responses(recv_until_closed(sock))
    sock.close()
    assert [(r.status, r.body) for r in responses] == [(200, b"slow done")]
    assert proc.wait(5) == 0
    assert not any("Traceback" in line for line in proc.stderr)

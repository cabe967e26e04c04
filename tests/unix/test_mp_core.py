"""The core served by the MicroPython unix port (apps/core_app.py) over
real sockets: the assertions of the CPython suite, from CPython clients."""

import http.client
import socket
import threading
import time

import httpx
import pytest

from rawhttp import connect, get, is_closed, recv_responses, recv_until_closed


@pytest.fixture
def core(mp_server):
    return mp_server("apps/core_app.py")


def test_client_addr_is_host_and_port_and_the_access_log_shows_the_host(core):
    sock = connect(core.port)
    with sock:
        sock.sendall(get("/peer"))
        (resp,) = recv_responses(sock, 1)
        assert resp.body == repr(("127.0.0.1", sock.getsockname()[1])).encode()
    core.wait_for_line(r'127\.0\.0\.1 "GET /peer HTTP/1\.1" 200', 5, "the access log line")


def test_streamed_responses_on_a_kept_alive_connection_are_not_held_back(core):
    # A streamed response leaves in two writes (head and first piece, then
    # the last chunk). With Nagle's algorithm on, the second waits for the
    # client's delayed ACK: some 40 ms a response on Linux. Twenty take
    # well under a second without that wait, and at least 0.8 s with it.
    sock = connect(core.port)
    with sock:
        sock.sendall(get("/"))
        recv_responses(sock, 1)  # the connection is warm
        started = time.monotonic()
        for _ in range(20):
            sock.sendall(get("/"))
            (resp,) = recv_responses(sock, 1)
            assert resp.body == b"Hello, world!\n"
        elapsed = time.monotonic() - started
    assert elapsed < 0.6, "20 streamed keep-alive responses took %.2f s" % elapsed


# MicroPython's re recurses once per character: a pattern route matched over
# ~1,000 characters overflowed its stack and the connection dropped unanswered.
LONG = 8000  # below max_request_line (8190) with the rest of the line


@pytest.mark.parametrize("path, answer", [
    ("/str/" + "a" * LONG, "str %d" % LONG),
    ("/int/" + "7" * LONG, "int 777"),
    ("/path/" + "a/" * (LONG // 2), "path %d" % LONG),
    ("/file-" + "b" * LONG + ".txt", "file " + "b" * LONG),
    ("/user/" + "1" * 3000 + "/" + "c" * 3000, None),
], ids=["str", "int", "path", "inside-a-segment", "two-params"])
def test_long_paths_match_parameter_routes(core, path, answer):
    sock = connect(core.port)
    with sock:
        sock.sendall(get(path))
        (resp,) = recv_responses(sock, 1)
    assert resp.status == 200, resp
    if answer is not None:
        assert resp.body.decode() == answer


@pytest.mark.parametrize("path", ["/str/" + "a" * LONG + "/x", "/int/" + "7" * LONG + "x",
                                  "/nothing/" + "a" * LONG], ids=["str", "int", "no-route"])
def test_long_paths_that_match_no_route_are_404(core, path):
    sock = connect(core.port)
    with sock:
        sock.sendall(get(path))
        (resp,) = recv_responses(sock, 1)
    assert resp.status == 404


def test_a_regex_route_too_deep_for_the_stack_answers_and_the_server_goes_on(core):
    # The app's own re.compile("^/re/(.+)$") overflows MicroPython's stack:
    # the answer is a 500 (logged), not a dropped connection, and the
    # connection serves the next request.
    sock = connect(core.port)
    with sock:
        sock.sendall(get("/re/" + "a" * LONG) + get("/re/short"))
        first, second = recv_responses(sock, 2)
    assert first.status == 500
    assert (second.status, second.body) == (200, b"regex 5")
    core.wait_for_line("maximum recursion depth exceeded", 5, "the logged cause")

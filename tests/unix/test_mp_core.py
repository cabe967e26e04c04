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

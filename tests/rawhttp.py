"""Raw HTTP over real sockets for the tests: no client library between a
test and the bytes, so malformed, pipelined, trickled and abandoned
requests reach the server exactly as written.

Every socket has a timeout and every read loop a bound, so a broken
server fails a test instead of hanging the run.
"""

import logging
import os
import socket

from picoweb.testclient import parse_responses

SOCKET_TIMEOUT = 5
# PICOWEB_TEST_LOOP=uvloop: the servers run on uvloop's event loop (conftest.py).
ON_UVLOOP = os.environ.get("PICOWEB_TEST_LOOP") == "uvloop"
SHOWN = 1000  # bytes of the server's output a failure message quotes; a flood's can be megabytes


def connect(port, rcvbuf=None, timeout=SOCKET_TIMEOUT, nodelay=False):
    """A client socket connected to 127.0.0.1:`port`.

    `rcvbuf` sets its receive buffer, for a client whose window fills;
    `nodelay` turns Nagle off, so writes the test separates reach the
    server as separate segments.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf:  # before connect(), so the window the server sees is small
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
        if nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        sock.close()  # a refused connect leaves no fd behind: tests count this process's fds
        raise
    return sock


def get(path, extra=b""):
    """A GET for `path` (str); `extra` is header lines, each ending in CRLF."""
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n" + extra + b"\r\n"


def recv_until_closed(sock, limit=1 << 20):
    """Everything the server sends until it closes (or resets), stopping
    once `limit` bytes are in. A server that keeps the connection open
    fails the test by the socket's timeout."""
    data = b""
    while len(data) < limit:
        try:
            piece = sock.recv(65536)
        except ConnectionResetError:
            break
        if not piece:
            break
        data += piece
    return data


def recv_responses(sock, count, head_requests=()):
    """Read until `count` complete responses (framed bodies included)
    arrived, and return them; the connection stays open. Fails if the
    server closes or resets it first, or if more than `count` arrived.
    `head_requests` holds the indexes of responses to HEAD requests."""
    data = b""
    while True:
        try:
            responses = parse_responses(data, head_requests)
        except ValueError:  # the last response is still incomplete
            responses = []
        if len(responses) >= count:
            assert len(responses) == count, "more responses than requests: %r" % data[:SHOWN]
            return responses
        try:
            piece = sock.recv(65536)
        except ConnectionResetError:
            # A reset is the server ending the connection too, and callers
            # tell "closed before answering" apart by the AssertionError.
            piece = b""
        if not piece:
            raise AssertionError("closed after %d of %d responses: %r" % (len(responses), count, data[:SHOWN]))
        data += piece


def recv_exactly(sock, size):
    """`size` bytes, or fewer if the server closes first."""
    data = b""
    while len(data) < size:
        piece = sock.recv(size - len(data))
        if not piece:
            break
        data += piece
    return data


def is_closed(sock, wait=1.0):
    """True if the server closed `sock` (with nothing more to read) within `wait` s."""
    timeout = sock.gettimeout()
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False
    finally:
        sock.settimeout(timeout)


def error_records(caplog, level=logging.ERROR):
    """Log records at `level` or above, and any with a traceback, however
    low its level: the ones a test that expects a clean log must not see."""
    return [r for r in caplog.records if r.levelno >= level or r.exc_info]

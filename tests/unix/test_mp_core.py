"""The core served by the MicroPython unix port (apps/core_app.py) over
real sockets: the assertions of the CPython suite, from CPython clients."""

import http.client
import threading
import time
from urllib.parse import quote

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


# Routing, methods and framing


def test_routes_params_404_405_and_head(core):
    with httpx.Client(base_url=core.url, timeout=5) as client:
        assert client.get("/returned").text == "returned body"
        user = client.get("/user/42/zo%C3%AB?x=1")
        assert user.headers["content-type"] == "application/json"
        assert user.json() == {"uid": 42, "name": "zo\u00eb", "qs": "x=1"}
        assert client.get("/file-report.txt").text == "file report"
        assert client.get("/re/abc").text == "regex 3"
        assert client.get("/missing").status_code == 404
        assert client.get("/user/x/y").status_code == 404
        wrong = client.get("/echo")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "POST, PUT"
        head = client.head("/returned")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len("returned body"))
        assert client.get("/boom").status_code == 500
        assert client.get("/returned").status_code == 200  # served on after the bug


def test_keep_alive_and_pipelining_with_bodies(core):
    sock = connect(core.port)
    with sock:
        sock.sendall(
            get("/") +
            b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" +
            b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n" +
            b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" +
            get("/user/1/b"))
        responses = recv_responses(sock, 5, head_requests=(3,))
        assert [r.status for r in responses] == [200, 201, 201, 200, 200]
        assert responses[0].headers["Transfer-Encoding"] == "chunked"
        assert responses[0].body == b"Hello, world!\n"
        assert (responses[1].body, responses[1].headers["X-Length"]) == (b"hello", "5")
        assert responses[2].body == b"abcdefg"
        assert responses[3].body == b""
        sock.sendall(get("/returned", b"Connection: close\r\n"))
        last = recv_until_closed(sock)
    assert last.startswith(b"HTTP/1.1 200 ") and b"Connection: close" in last


def test_streamed_response_of_many_pieces_and_http_1_0(core):
    with httpx.Client(base_url=core.url, timeout=5) as client:
        streamed = client.get("/stream/500")
        assert streamed.text == "".join("piece %d\n" % i for i in range(500))
    sock = connect(core.port)
    with sock:
        sock.sendall(b"GET /stream/3 HTTP/1.0\r\n\r\n")
        out = recv_until_closed(sock)
    # No chunked framing for HTTP/1.0: the body ends with the connection.
    assert out.startswith(b"HTTP/1.1 200 ") and out.endswith(b"\r\n\r\npiece 0\npiece 1\npiece 2\n")
    assert b"chunked" not in out and b"Connection: close" in out


def test_chunked_upload_of_a_larger_body(core):
    body = bytes(range(256)) * 1000
    pieces = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7000]), body[i:i + 7000])
                      for i in range(0, len(body), 7000))
    sock = connect(core.port)
    with sock:
        sock.sendall(b"PUT /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + pieces + b"0\r\n\r\n")
        (resp,) = recv_responses(sock, 1)
    assert resp.status == 201 and resp.body == body


# Limits and bad input


def status_of(port, raw):
    """The status of the first answer to `raw` on a new connection."""
    sock = connect(port)
    with sock:
        sock.sendall(raw)
        return recv_responses(sock, 1)[0].status


def test_limits_413_414_431(mp_server):
    server = mp_server("apps/core_app.py", "max_body=1000", "max_headers=20")
    port = server.port
    assert status_of(port, b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n") == 413
    chunks = b"400\r\n" + b"x" * 1024 + b"\r\n0\r\n\r\n"
    assert status_of(port, b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     + chunks) == 413
    assert status_of(port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n") == 414
    many = b"".join(b"X-%d: y\r\n" % i for i in range(30))
    assert status_of(port, b"GET / HTTP/1.1\r\n" + many + b"\r\n") == 431
    huge = b"X-Big: " + b"y" * 17000 + b"\r\n"
    assert status_of(port, b"GET / HTTP/1.1\r\n" + huge + b"\r\n") == 431
    assert status_of(port, get("/returned")) == 200


@pytest.mark.parametrize("raw, status", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET / HTTP/2.0\r\n\r\n", 505),
    (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nX: \xff\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    (b"GET /%zz HTTP/1.1\r\n\r\n", 400),
], ids=["garbage", "version", "cl-and-te", "folded", "not-utf8", "negative-length",
        "bad-chunk", "bad-escape"])
def test_bad_input_gets_a_4xx_and_the_server_goes_on(core, raw, status):
    assert status_of(core.port, raw) == status
    assert status_of(core.port, get("/returned")) == 200


def heap_in_use(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/heap")
    return int(conn.getresponse().read())


def test_text_from_clients_does_not_stay_on_the_heap(core):
    # MicroPython keeps each character that code iterates over or indexes
    # in a str as an interned string (a qstr), for good: request text
    # walked character by character would pin every distinct character a
    # client sends (20,000 CJK ones, ~18 bytes each), request after request.
    start = heap_in_use(core.port)
    for round_ in range(4):
        chars = "".join(chr(0x4E00 + round_ * 1500 + i) for i in range(1500))
        quoted = "".join("%%%02X" % b for b in chars[:300].encode())
        sock = connect(core.port)
        with sock:
            # A header value, and a path that the log shows and a 404 looks at.
            sock.sendall(("GET /none/%s HTTP/1.1\r\nX-Text: %s\r\n\r\n" % (quoted, chars)).encode())
            (resp,) = recv_responses(sock, 1)
            assert resp.status == 404
    # One character at a time too: where an <int:...> parameter ends.
    sock = connect(core.port)
    with sock:
        for first in range(0x6000, 0x6000 + 1500, 100):
            sock.sendall(b"".join(b"GET /int/1%s HTTP/1.1\r\n\r\n" % quote(chr(first + i)).encode()
                                  for i in range(100)))
            assert [resp.status for resp in recv_responses(sock, 100)] == [404] * 100
    grown = heap_in_use(core.port) - start
    assert grown < 16384, "%d bytes more on the heap after 7,500 distinct characters" % grown


# Slow, stalled and too many clients


def test_slow_head_is_408_while_others_are_served(mp_server):
    server = mp_server("apps/core_app.py", "head_timeout=1")
    slow = connect(server.port)
    with slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")  # and never the blank line
        started = time.monotonic()
        assert status_of(server.port, get("/returned")) == 200
        out = recv_until_closed(slow)
        assert out.startswith(b"HTTP/1.1 408 ")
        assert 0.8 < time.monotonic() - started < 4


def test_stalled_body_is_408_and_idle_keep_alive_is_closed(mp_server):
    server = mp_server("apps/core_app.py", "read_timeout=1", "idle_timeout=1")
    stalled = connect(server.port)
    with stalled:
        stalled.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        assert recv_until_closed(stalled).startswith(b"HTTP/1.1 408 ")
    idle = connect(server.port)
    with idle:
        idle.sendall(get("/returned"))
        recv_responses(idle, 1)
        assert is_closed(idle, 4)


def test_client_that_never_reads_is_cut_off_and_others_are_served(mp_server):
    server = mp_server("apps/core_app.py", "send_timeout=1")
    hog = connect(server.port, rcvbuf=4096)
    with hog:
        hog.sendall(get("/big/65536"))  # 64 MiB, never read: the socket buffers fill up
        time.sleep(0.3)
        assert status_of(server.port, get("/returned")) == 200
        server.wait_for_line("client gone", 5, "the server to give up on it")
        # Reading now ends, with what the buffers held, before the body does.
        hog.settimeout(5)
        data = recv_until_closed(hog, limit=64 << 20)
    assert not data.endswith(b"0\r\n\r\n")
    assert status_of(server.port, get("/returned")) == 200


def test_connection_cap_answers_503_and_frees_up(mp_server):
    server = mp_server("apps/core_app.py", "max_connections=2")
    held = [connect(server.port) for _ in range(2)]
    try:
        for sock in held:
            sock.sendall(get("/returned"))
            recv_responses(sock, 1)
        extra = connect(server.port)
        with extra:
            extra.sendall(get("/returned"))
            out = recv_until_closed(extra)
        assert out.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 1" in out
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert status_of(server.port, get("/returned")) == 200


def test_many_clients_at_once(core):
    results = []

    def client():
        try:
            with httpx.Client(base_url=core.url, timeout=10) as http:
                results.append([http.get("/user/%d/x" % i).status_code for i in range(20)])
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [[200] * 20] * 8

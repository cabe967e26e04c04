"""Bad input over real sockets: whatever one client sends, the server answers
it with the right status (or closes), and goes on serving everyone else.

Raw `socket`s on 127.0.0.1, so no client library normalises the bytes; every
socket has a timeout and every loop a bound. Each table entry asserts the
exact status, whether the connection ends after it (it must when the
framing is unclear), that a request hidden behind a rejected one never
reaches a handler, and that a fresh connection is then served.

What the core hands a handler when bytes are not valid UTF-8 or escapes are
malformed (the lossless fallbacks, as documented in README.rst):
- `req.path` is percent-decoded and strict: a bad escape or invalid UTF-8
  is a 400 before any handler runs.
- `req.qs` is the raw query string, escapes left as sent, so a handler
  sees "%ff" or "%zz" and decides. Raw bytes outside printable ASCII are
  refused in the request target (400), so the query is always ASCII.
- header values, cookies included, are latin-1-decoded str on CPython: one
  code point per byte, so `value.encode("latin-1")` gives back exactly the
  bytes sent (MicroPython, which only has UTF-8, answers 400 instead);
  `req.cookies` values are kept as sent, escapes not decoded.
- the forms plugin decodes escapes and UTF-8 strictly (400), and the JSON
  plugin answers 400 for invalid UTF-8 or malformed documents.
"""

import json
import os
import re
import select
import socket
import time

import pytest

from picoweb import HTTPError, Request, WebApp, http_error, redirect, start_response
from picoweb.http1 import percent_decode
from picoweb.testclient import parse_responses
from picoweb_plugins.forms import Forms
from picoweb_plugins.json import Json, jsonify
from rawhttp import SOCKET_TIMEOUT, connect, recv_responses, recv_until_closed

MIB = 1024 * 1024


# Raw socket helpers


def send_quietly(sock, data, pieces=1):
    """Send `data` in `pieces` writes; the server may close before the end
    (it answered already), which is not an error here."""
    size = max(1, -(-len(data) // pieces))
    try:
        for start in range(0, len(data), size):
            sock.sendall(data[start:start + size])
            if pieces > 1:
                time.sleep(0.001)  # separate segments, separate reads
    except (BrokenPipeError, ConnectionResetError):
        pass


def assert_fresh_connection_served(server):
    sock = connect(server.port, nodelay=True)
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        responses = parse_responses(recv_until_closed(sock, limit=4 * MIB))
    finally:
        sock.close()
    assert [(r.status, r.body) for r in responses] == [(200, b"ok")]


TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def assert_well_formed_head(raw):
    """Every header line of the first response is `token: value`, with no
    CR, LF or NUL inside, and no line the tests tried to inject."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    assert lines[0].startswith(b"HTTP/1.1 "), raw[:200]
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        assert colon and name and not name.strip(TOKEN_CHARS), line
        assert b"\r" not in line and b"\n" not in line and b"\x00" not in line, line
        assert not name.lower().startswith(b"injected"), line
    assert b"\nInjected" not in raw and b"\rInjected" not in raw


def rss_kib():
    """Resident set of this process; the server runs in one of its threads."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.fixture(autouse=True)
def restore_plugin_globals():
    # Installing Json and Forms patches the Request class and the response
    # encoder for every app: put them back so later test modules see the
    # state they expect.
    import picoweb.response

    names = ("json", "form", "files", "read_form_data", "parse_qs")
    saved = {name: Request.__dict__[name] for name in names if name in Request.__dict__}
    dumps_json = picoweb.response.dumps_json
    yield
    picoweb.response.dumps_json = dumps_json
    for name in names:
        if name in saved:
            setattr(Request, name, saved[name])
        elif name in Request.__dict__:
            delattr(Request, name)


# The app every table entry talks to


def make_app(**limits):
    app = WebApp()
    app.debug = -1
    for name, value in limits.items():
        setattr(app.limits, name, value)
    app.install(Forms(max_file_size=256 * 1024))
    app.install(Json(max_size=64 * 1024))
    app.smuggled = []

    @app.route("/")
    def index(req, resp):
        return "ok"

    @app.route("/smuggled", methods=["GET", "POST"])
    def smuggled(req, resp):
        # Only a request hidden in another one's body would get here.
        app.smuggled.append(req.method)
        return "smuggled"

    @app.route("/echo", methods=["POST", "PUT"])
    async def echo(req, resp):
        return await req.read_body()

    @app.route("/qs")
    def raw_query(req, resp):
        return req.qs.encode("latin-1")

    @app.route("/cookies")
    def cookies(req, resp):
        # latin-1 turns each code point back into the byte that was sent.
        return "\n".join(k + "=" + v for k, v in sorted(req.cookies.items())).encode("latin-1")

    @app.route("/form-qs")
    def form_qs(req, resp):
        return json.dumps({k: v for k, v in req.parse_qs().items()})

    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        fields = await req.read_form_data()
        return {"fields": {k: v for k, v in fields.items()},
                "files": {k: f.size for k, f in req.files.items()}}

    @app.route("/json", methods=["POST"])
    async def read_json(req, resp):
        return {"got": await req.json()}

    return app


# Request builders

CHUNKED = b"Transfer-Encoding: chunked\r\n"
HELLO_CHUNKED = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
BOUNDARY = b"XyZ"
MULTIPART = b"Content-Type: multipart/form-data; boundary=XyZ\r\n"
URLENCODED = b"Content-Type: application/x-www-form-urlencoded\r\n"
JSON_TYPE = b"Content-Type: application/json\r\n"


def get(target, headers=b"", method=b"GET", version=b"HTTP/1.1"):
    return method + b" " + target + b" " + version + b"\r\nHost: t\r\n" + headers + b"\r\n"


def post(target, headers=b"", body=b"", version=b"HTTP/1.1"):
    return get(target, headers, b"POST", version) + body


def post_body(target, body, content_type=b""):
    return post(target, content_type + b"Content-Length: %d\r\n" % len(body), body)


def chunked(target, body, headers=CHUNKED):
    return post(target, headers, body)


def echo(headers, body=b"", version=b"HTTP/1.1"):
    """A POST to /echo, which reads the whole body and sends it back."""
    return post(b"/echo", headers, body, version)


def chunked_with(headers, body=HELLO_CHUNKED):
    """HELLO_CHUNKED (or `body`) to /echo under the given framing headers."""
    return echo(headers, body)


def part(headers, data):
    return b"--" + BOUNDARY + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n"


def multipart(*parts):
    return post_body(b"/form", b"".join(parts) + b"--" + BOUNDARY + b"--\r\n", MULTIPART)


FIELD_A = b'Content-Disposition: form-data; name="a"'
FILE_F = b'Content-Disposition: form-data; name="f"'


def field(name, value):
    return part(b'Content-Disposition: form-data; name="' + name + b'"', value)


class Case:
    """One bad (or borderline) input and what must happen to it.

    status: the one response expected (None: closed without any; only for a
    client that left mid-request). close: the connection must end after it;
    otherwise the same connection must serve a next request. half_close:
    the client shuts down its sending side after `data` (an early EOF).
    pieces: `data` goes out in that many writes. body: the expected body.
    """

    def __init__(self, name, data, status, close=True, half_close=False, pieces=1, body=None):
        self.name = name
        self.data = data
        self.status = status
        self.close = close
        self.half_close = half_close
        self.pieces = pieces
        self.body = body


CASES = [
    # Request smuggling: framing that two parsers could read differently.
    Case("CL and TE", echo(b"Content-Length: 4\r\n" + CHUNKED, b"0\r\n\r\n"), 400),
    Case("TE and CL", echo(CHUNKED + b"Content-Length: 4\r\n", b"0\r\n\r\n"), 400),
    Case("TE and CL 0", echo(CHUNKED + b"Content-Length: 0\r\n", b"0\r\n\r\n"), 400),
    Case("CL and TE identity", echo(b"Content-Length: 5\r\nTransfer-Encoding: identity\r\n", b"hello"), 501),
    Case("differing CL headers", echo(b"Content-Length: 1\r\nContent-Length: 2\r\n", b"ab"), 400),
    Case("CL list 5, 5", echo(b"Content-Length: 5, 5\r\n", b"hello"), 400),
    Case("CL list 5,6", echo(b"Content-Length: 5,6\r\n", b"hello!"), 400),
    Case("CL negative", echo(b"Content-Length: -1\r\n"), 400),
    Case("CL plus sign", echo(b"Content-Length: +5\r\n", b"hello"), 400),
    Case("CL hex 0x10", echo(b"Content-Length: 0x10\r\n", b"x" * 16), 400),
    Case("CL non-numeric", echo(b"Content-Length: abc\r\n"), 400),
    Case("CL empty", echo(b"Content-Length:\r\n"), 400),
    Case("CL inner space", echo(b"Content-Length: 1 2\r\n", b"x" * 12), 400),
    Case("CL exponent", echo(b"Content-Length: 1e3\r\n"), 400),
    Case("CL decimal point", echo(b"Content-Length: 5.0\r\n", b"hello"), 400),
    Case("CL superscript two", echo(b"Content-Length: \xb2\r\n", b"xx"), 400),
    Case("CL arabic-indic digit", echo(b"Content-Length: \xd9\xa3\r\n", b"xxx"), 400),
    Case("CL fullwidth digit", echo(b"Content-Length: \xef\xbc\x95\r\n", b"hello"), 400),
    Case("CL vertical tab", echo(b"Content-Length: 5\x0b\r\n", b"hello"), 400),
    Case("CL NUL", echo(b"Content-Length: 5\x00\r\n", b"hello"), 400),
    Case("CL 21 digits", echo(b"Content-Length: " + b"9" * 21 + b"\r\n"), 400),
    Case("CL 5000 digits", echo(b"Content-Length: " + b"9" * 5000 + b"\r\n"), 400),
    Case("CL 20 digits is too large", echo(b"Content-Length: " + b"9" * 20 + b"\r\n"), 413),
    Case("TE chunked, identity", chunked_with(b"Transfer-Encoding: chunked, identity\r\n"), 501),
    Case("TE identity, chunked", chunked_with(b"Transfer-Encoding: identity, chunked\r\n"), 501),
    Case("TE gzip, chunked", chunked_with(b"Transfer-Encoding: gzip, chunked\r\n"), 501),
    Case("TE chunked twice", chunked_with(CHUNKED + CHUNKED), 501),
    Case("TE chunked then identity", chunked_with(CHUNKED + b"Transfer-Encoding: identity\r\n"), 501),
    Case("TE identity", chunked(b"/echo", b"hello", b"Transfer-Encoding: identity\r\n"), 501),
    Case("TE empty", chunked_with(b"Transfer-Encoding:\r\n"), 501),
    Case("TE quoted", chunked_with(b'Transfer-Encoding: "chunked"\r\n'), 501),
    Case("TE xchunked", chunked_with(b"Transfer-Encoding: xchunked\r\n"), 501),
    Case("TE with parameter", chunked_with(b"Transfer-Encoding: chunked;q=1\r\n"), 501),
    Case("TE in HTTP/1.0", echo(CHUNKED, HELLO_CHUNKED, b"HTTP/1.0"), 400),
    Case("TE space before colon", chunked_with(b"Transfer-Encoding : chunked\r\n"), 400),
    Case("TE name with trailing tab", chunked_with(b"Transfer-Encoding\t: chunked\r\n"), 400),
    Case("TE vertical tab", chunked_with(b"Transfer-Encoding:\x0bchunked\r\n"), 400),
    Case("TE NUL", chunked_with(b"Transfer-Encoding: chunked\x00\r\n"), 400),
    Case("TE folded value", chunked_with(b"Transfer-Encoding:\r\n chunked\r\n"), 501),
    Case("TE folded onto a header", chunked_with(b"X-A: 1\r\n\tTransfer-Encoding: chunked\r\n"), 400),
    Case("obs-fold first header line",
         b"POST /echo HTTP/1.1\r\n Transfer-Encoding: chunked\r\n\r\n" + HELLO_CHUNKED, 400),
    Case("obs-fold space", get(b"/", b"X-A: 1\r\n continued\r\n"), 400),
    Case("obs-fold tab", get(b"/", b"X-A: 1\r\n\tcontinued\r\n"), 400),
    # Tolerated: optional whitespace, case, repeats that agree (RFC 9110 8.6).
    Case("TE extra space", chunked_with(b"Transfer-Encoding:   chunked  \r\n"), 200, False,
         body=b"hello world"),
    Case("TE tab", chunked_with(b"Transfer-Encoding:\tchunked\t\r\n"), 200, False,
         body=b"hello world"),
    Case("TE uppercase", chunked_with(b"transfer-encoding: CHUNKED\r\n"), 200, False,
         body=b"hello world"),
    Case("CL repeated equal", echo(b"Content-Length: 5\r\nContent-Length: 5\r\n", b"hello"), 200, False,
         body=b"hello"),
    Case("CL leading zeros", echo(b"Content-Length: 0005\r\n", b"hello"), 200, False, body=b"hello"),
    Case("body on a GET is skipped", get(b"/", b"Content-Length: 5\r\n") + b"hello", 200, False, body=b"ok"),

    # Chunked bodies: bad framing is a 400 and the connection ends.
    Case("chunk size not hex", chunked(b"/echo", b"zz\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size 0x", chunked(b"/echo", b"0x5\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size negative", chunked(b"/echo", b"-5\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size plus sign", chunked(b"/echo", b"+5\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size empty", chunked(b"/echo", b"\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size spaces only", chunked(b"/echo", b"   \r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size inner space", chunked(b"/echo", b"5 5\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size NUL", chunked(b"/echo", b"5\x00\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk size 16 hex digits", chunked(b"/echo", b"1" + b"0" * 15 + b"\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk extension only", chunked(b"/echo", b";ext\r\nhello\r\n0\r\n\r\n"), 400),
    Case("chunk data longer than size", chunked(b"/echo", b"5\r\nhelloXX\r\n0\r\n\r\n"), 400),
    Case("chunk data shorter than size", chunked(b"/echo", b"5\r\nhel\r\n0\r\n\r\n"), 400),
    Case("chunk data without CRLF", chunked(b"/echo", b"5\r\nhello0\r\n\r\n"), 400),
    Case("chunk size line too long", chunked(b"/echo", b"5;" + b"x" * 5000 + b"\r\nhello\r\n0\r\n\r\n"), 400),
    Case("too many trailers", chunked(b"/echo", b"0\r\n" + b"X-T: 1\r\n" * 33 + b"\r\n"), 431),
    Case("last chunk without final CRLF, EOF", chunked(b"/echo", b"5\r\nhello\r\n0\r\n"), 400, half_close=True),
    Case("chunk cut short, EOF", chunked(b"/echo", b"5\r\nhel"), 400, half_close=True),
    Case("CL body cut short, EOF", echo(b"Content-Length: 10\r\n", b"hello"), 400, half_close=True),
    # Chunked bodies that are well formed, however unusual, decode exactly.
    Case("chunked with extensions and trailers",
         chunked(b"/echo", b'5;ext=1\r\nhello\r\n6;a="b;c"\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n'), 200, False,
         body=b"hello world"),
    Case("chunked uppercase hex, leading zeros",
         chunked(b"/echo", b"000B\r\nhello world\r\n0000\r\n\r\n"), 200, False,
         body=b"hello world"),
    Case("chunked CRLF inside data", chunked(b"/echo", b"4\r\n\r\n\r\n\r\n0\r\n\r\n"), 200, False,
         body=b"\r\n\r\n"),
    Case("chunked one byte per write", chunked(b"/echo", HELLO_CHUNKED), 200, False, pieces=200,
         body=b"hello world"),

    # Request line.
    Case("request line with tabs", b"GET\t/\tHTTP/1.1\r\nHost: t\r\n\r\n", 400),
    Case("request line of spaces", b"     \r\n\r\n", 400),
    Case("request line of two spaces", b"  \r\n\r\n", 400),
    Case("request line leading space", b" GET / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    Case("request line double space", b"GET  / HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    Case("request line trailing space", b"GET / HTTP/1.1 \r\nHost: t\r\n\r\n", 400),
    Case("request line extra word", b"GET / HTTP/1.1 x\r\nHost: t\r\n\r\n", 400),
    Case("HTTP/0.9 request line", b"GET /\r\n\r\n", 400),
    Case("lowercase version", get(b"/", version=b"http/1.1"), 400),
    Case("version 1.10", get(b"/", version=b"HTTP/1.10"), 400),
    Case("version without minor", get(b"/", version=b"HTTP/1"), 400),
    Case("version 2.0", get(b"/", version=b"HTTP/2.0"), 505),
    Case("version 0.9", get(b"/", version=b"HTTP/0.9"), 505),
    Case("bad method character", get(b"/", method=b"G(T"), 400),
    Case("NUL in method", get(b"/", method=b"G\x00T"), 400),
    Case("lowercase method", get(b"/", method=b"get"), 405, False),
    Case("unknown method", get(b"/", method=b"BREW"), 405, False),
    Case("bare CR ends request line", b"GET / HTTP/1.1\rHost: t\r\n\r\n", 400),
    Case("NUL in target", get(b"/\x00"), 400),
    Case("DEL in target", get(b"/\x7f"), 400),
    Case("raw UTF-8 in target", get(b"/\xc3\xa9"), 400),
    Case("raw 0xff in target", get(b"/qs?a=\xff"), 400),
    Case("relative target", get(b"qs"), 400),
    Case("authority form", get(b"example.test:443", method=b"CONNECT"), 400),
    Case("scheme without slashes", get(b"http:/qs"), 400),
    Case("absolute URI", get(b"http://example.test/"), 200, False, body=b"ok"),
    Case("absolute URI without path", get(b"http://example.test"), 200, False, body=b"ok"),
    Case("absolute URI with query", get(b"https://example.test/qs?a=%zz"), 200, False, body=b"a=%zz"),
    Case("asterisk form", get(b"*", method=b"OPTIONS"), 404, False),
    Case("double slash path", get(b"//example.test/"), 404, False),
    Case("head split over many writes", get(b"/", b"X-Long: " + b"y" * 100 + b"\r\n"), 200, False, pieces=60,
         body=b"ok"),
    Case("blank lines before request", b"\r\n\r\n\n" + get(b"/"), 200, False, body=b"ok"),

    # Header lines.
    Case("header name with space", get(b"/", b"Bad Name: 1\r\n"), 400),
    Case("empty header name", get(b"/", b": 1\r\n"), 400),
    Case("header without colon", get(b"/", b"NoColonHere\r\n"), 400),
    Case("NUL in header name", get(b"/", b"X-\x00A: 1\r\n"), 400),
    Case("NUL in header value", get(b"/", b"X-A: 1\x00\r\n"), 400),
    Case("bare CR in header value", get(b"/", b"X-A: a\rb\r\n"), 400),
    Case("DEL in header value", get(b"/", b"X-A: a\x7fb\r\n"), 400),
    Case("0xff in header name", get(b"/", b"X-\xff: 1\r\n"), 400),
    Case("CR CR LF line end", get(b"/", b"X-A: 1\r\r\n"), 400),
    Case("CR before blank line", b"GET / HTTP/1.1\r\nHost: t\r\n\r\r\n\r\n", 400),
    Case("LF head", b"GET / HTTP/1.1\nHost: t\n\n", 200, False, body=b"ok"),
    Case("LF then CRLF blank line", b"GET / HTTP/1.1\nHost: t\n\r\n", 200, False, body=b"ok"),
    Case("CRLF then LF blank line", b"GET / HTTP/1.1\r\nHost: t\r\n\n", 200, False, body=b"ok"),
    Case("LF CRLF mixed lines", b"GET / HTTP/1.1\r\nHost: t\nX-A: 1\r\n\n", 200, False, body=b"ok"),
    Case("client leaves mid-head", b"GET / HTTP/1.1\r\nHost: t\r\n", None, half_close=True),
    Case("client leaves mid-line", b"GET / HT", None, half_close=True),

    # Oversized input: 414 / 431 / 413, decided without holding it all.
    Case("request line over 8190", get(b"/" + b"a" * 9000), 414),
    Case("request line without end", b"GET /" + b"a" * 9000, 414),
    Case("header block over 16 KiB", get(b"/", b"X-Big: " + b"b" * 17000 + b"\r\n"), 431),
    Case("header block without end", b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 17000, 431),
    Case("101 header lines", get(b"/", b"".join(b"X-%d: 1\r\n" % i for i in range(100))), 431),
    Case("cookie over 16 KiB", get(b"/cookies", b"Cookie: a=" + b"b" * 17000 + b"\r\n"), 431),
    Case("101 cookie headers", get(b"/cookies", b"Cookie: a=b\r\n" * 101), 431),
    Case("CL body over 1 MiB", echo(b"Content-Length: %d\r\n" % (MIB + 1)), 413),
    Case("multipart text field over 64 KiB", multipart(field(b"a", b"x" * (64 * 1024 + 1))), 413, False),
    Case("multipart part headers over 8 KiB",
         multipart(part(FIELD_A + b"\r\nX-Pad: " + b"p" * 9000, b"1")), 413, False),
    Case("multipart file over max_file_size",
         multipart(part(FILE_F + b'; filename="f.bin"', b"x" * (256 * 1024 + 1))),
         413, False),
    Case("urlencoded over max_fields", post_body(b"/form", b"a=1&" * 1001, URLENCODED), 413, False),
    Case("JSON over max_size", post_body(b"/json", b"[" + b"1," * 40000 + b"1]", JSON_TYPE), 413, False),

    # Invalid percent-encoding and UTF-8.
    Case("path bad escape", get(b"/%zz"), 400),
    Case("path lone percent", get(b"/%"), 400),
    Case("path short escape", get(b"/%4"), 400),
    Case("path percent percent", get(b"/%%30"), 400),
    Case("path escape with sign", get(b"/%+1"), 400),
    Case("path invalid UTF-8", get(b"/%ff"), 400),
    Case("path truncated UTF-8", get(b"/%C3%28"), 400),
    Case("path overlong UTF-8", get(b"/%C0%AF"), 400),
    Case("path surrogate", get(b"/%ED%A0%80"), 400),
    Case("path beyond U+10FFFF", get(b"/%F4%90%80%80"), 400),
    Case("raw query keeps bad escapes", get(b"/qs?a=%ff&b=%zz&c=%&d=%C3%28"), 200, False,
         body=b"a=%ff&b=%zz&c=%&d=%C3%28"),
    Case("raw cookies keep bytes and escapes",
         get(b"/cookies", b"Cookie: a=%zz; b=\xff\xfe; c=\"\xc3\x28\"\r\n"),
         200, False, body=b"a=%zz\nb=\xff\xfe\nc=\xc3\x28"),
    Case("cookie with NUL", get(b"/cookies", b"Cookie: a=\x00\r\n"), 400),
    Case("parse_qs bad escape", get(b"/form-qs?a=%zz"), 400, False),
    Case("parse_qs lone percent", get(b"/form-qs?a=%"), 400, False),
    Case("parse_qs invalid UTF-8", get(b"/form-qs?a=%ff"), 400, False),
    Case("parse_qs invalid UTF-8 key", get(b"/form-qs?%C3=1"), 400, False),
    Case("parse_qs truncated UTF-8", get(b"/form-qs?a=%E2%82"), 400, False),
    Case("parse_qs overlong UTF-8", get(b"/form-qs?a=%C0%AF"), 400, False),
    Case("parse_qs valid", get(b"/form-qs?a=%C3%A9&b=+x"), 200, False, body=b'{"a": "\\u00e9", "b": " x"}'),
    Case("urlencoded bad escape", post_body(b"/form", b"a=%zz", URLENCODED), 400, False),
    Case("urlencoded raw 0xff", post_body(b"/form", b"a=\xff", URLENCODED), 400, False),
    Case("urlencoded truncated UTF-8", post_body(b"/form", b"a=%C3", URLENCODED), 400, False),
    Case("urlencoded surrogate", post_body(b"/form", b"a=%ED%A0%80", URLENCODED), 400, False),
    Case("urlencoded invalid key", post_body(b"/form", b"%ff=1", URLENCODED), 400, False),
    Case("multipart field invalid UTF-8", multipart(field(b"a", b"\xff\xfe")), 400, False),
    Case("multipart name invalid UTF-8", multipart(field(b"\xff", b"1")), 400, False),
    Case("multipart filename* bad escape",
         multipart(part(FILE_F + b"; filename*=UTF-8''%zz", b"1")), 400, False),
    Case("multipart filename* invalid UTF-8",
         multipart(part(FILE_F + b"; filename*=UTF-8''%ff", b"1")), 400, False),
    Case("multipart without boundary", post_body(b"/form", field(b"a", b"1"),
                                                 b"Content-Type: multipart/form-data\r\n"), 400, False),
    Case("multipart unterminated", post_body(b"/form", field(b"a", b"1"), MULTIPART), 400, False),
    Case("JSON invalid UTF-8", post_body(b"/json", b'"\xff"', JSON_TYPE), 400, False),
    Case("JSON truncated UTF-8", post_body(b"/json", b'{"a": "\xc3"}', JSON_TYPE), 400, False),
    Case("JSON malformed", post_body(b"/json", b'{"a": ', JSON_TYPE), 400, False),
    Case("JSON nested 20000 deep", post_body(b"/json", b"[" * 20000 + b"]" * 20000, JSON_TYPE), 400, False),
    Case("JSON wrong content type", post_body(b"/json", b"{}", b"Content-Type: text/plain\r\n"), 415, False),
]

HIDDEN = b"GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(serve_app, case):
    app = make_app()
    server = serve_app(app)
    sock = connect(server.port, nodelay=True)
    try:
        data = case.data
        if case.close and not case.half_close:
            # A request hidden behind the bad one: it must never be served.
            data += HIDDEN
        send_quietly(sock, data, case.pieces)
        if case.half_close:
            sock.shutdown(socket.SHUT_WR)
        if case.close:
            raw = recv_until_closed(sock, limit=4 * MIB)
            responses = parse_responses(raw)
            expected = [] if case.status is None else [case.status]
            assert [r.status for r in responses] == expected, raw[:300]
            if responses:
                assert responses[0].headers.get("Connection") == "close"
        else:
            responses = recv_responses(sock, 1)
            assert responses[0].status == case.status, responses[0].body[:300]
            assert responses[0].headers.get("Connection") != "close"
            # The framing was understood: the same connection goes on.
            sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            assert [(r.status, r.body) for r in recv_responses(sock, 1)] == [(200, b"ok")]
        if case.body is not None:
            assert responses[0].body == case.body
        if responses and responses[0].status >= 400:
            # Error pages never echo raw input.
            assert b"smuggled" not in responses[0].body and b"\xff" not in responses[0].body
    finally:
        sock.close()
    assert app.smuggled == []
    assert_fresh_connection_served(server)


def test_table_is_broad():
    names = [case.name for case in CASES]
    assert len(set(names)) == len(names)
    assert len([case for case in CASES if case.status != 200]) >= 60


def test_json_nesting_without_orjson_is_400(serve_app, monkeypatch):
    # MicroPython and CPython without orjson parse with the json module,
    # whose recursion limit is a RecursionError (RuntimeError), not a ValueError.
    import picoweb_plugins.json as json_plugin

    monkeypatch.setattr(json_plugin, "_orjson", None)
    server = serve_app(make_app())
    sock = connect(server.port, nodelay=True)
    try:
        for depth in (5000, 30):
            body = b"[" * depth + b"]" * depth
            sock.sendall(post_body(b"/json", body, JSON_TYPE))
            responses = recv_responses(sock, 1)
            assert responses[0].status == (400 if depth > 30 else 200)
    finally:
        sock.close()
    assert_fresh_connection_served(server)


# Floods: a server with default limits answers early, holding little


def flood(server, head, piece, total=100 * MIB):
    """Send `head`, then `piece` over and over (up to `total` bytes) until the
    server answers; returns (status list, bytes sent, peak RSS growth KiB)."""
    sock = connect(server.port, nodelay=True)
    before = peak = rss_kib()
    sent = 0
    try:
        sock.sendall(head)
        view = memoryview(piece)
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], SOCKET_TIMEOUT)
            if readable:
                break  # the answer is there: stop sending
            assert writable, "server neither reads nor answers"
            try:
                sent += sock.send(view[:min(len(piece), total - sent)])
            except (BrokenPipeError, ConnectionResetError):
                break
            peak = max(peak, rss_kib())
        raw = recv_first_response(sock)
    finally:
        sock.close()
    peak = max(peak, rss_kib())
    return [r.status for r in parse_responses(raw)], sent, peak - before


def recv_first_response(sock):
    """Bytes up to the end of the first response, or until the server closes.
    (After a plugin's 413 the server may keep reading to drain the body.)"""
    data = b""
    while True:
        try:
            if parse_responses(data):
                return data
        except ValueError:
            pass
        try:
            piece = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not piece:
            return data
        data += piece


def flood_app():
    app = WebApp()  # default limits, default plugin limits
    app.debug = -1
    app.install(Forms())
    app.install(Json())

    @app.route("/")
    def index(req, resp):
        return "ok"

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body()

    @app.route("/stream", methods=["POST"])
    async def stream(req, resp):
        size = 0
        while True:
            piece = await req.reader.read(4096)
            if not piece:
                return str(size)
            size += len(piece)

    @app.route("/form", methods=["POST"], max_body=1 << 30)
    async def form(req, resp):
        await req.read_form_data()
        return "ok"

    @app.route("/json", methods=["POST"])
    async def read_json(req, resp):
        return {"type": type(await req.json()).__name__}

    return app


def test_deeply_nested_json_in_a_default_body_is_400(serve_app):
    # 500000 levels in a 1 MiB body: orjson before 3.9.15 overflows the C
    # stack there (CVE-2024-27454), which would kill the whole server.
    server = serve_app(flood_app())
    sock = connect(server.port, nodelay=True)
    try:
        for depth, status in ((500000, 400), (500, 200)):
            sock.sendall(post_body(b"/json", b"[" * depth + b"]" * depth, JSON_TYPE))
            responses = recv_responses(sock, 1)
            assert responses[0].status == status
    finally:
        sock.close()
    assert_fresh_connection_served(server)


CHUNK_64K = b"10000\r\n" + b"x" * 65536 + b"\r\n"
FLOODS = {
    "header lines": (b"GET / HTTP/1.1\r\n", (b"X-Flood: " + b"a" * 1000 + b"\r\n") * 64, 431),
    "one endless header": (b"GET / HTTP/1.1\r\nX-Flood: ", b"a" * 65536, 431),
    "cookie": (b"GET / HTTP/1.1\r\nCookie: ", b"a=b; " * 13107, 431),
    "request line": (b"GET /", b"a" * 65536, 414),
    "chunked body read whole": (b"POST /echo HTTP/1.1\r\n" + CHUNKED + b"\r\n", CHUNK_64K, 413),
    "chunked body streamed": (b"POST /stream HTTP/1.1\r\n" + CHUNKED + b"\r\n", CHUNK_64K, 413),
    "CL body": (b"POST /echo HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % (100 * MIB), b"x" * 65536, 413),
    "chunked JSON": (b"POST /json HTTP/1.1\r\nContent-Type: application/json\r\n" + CHUNKED + b"\r\n"
                     b"1\r\n[\r\n", b"10000\r\n" + b"1," * 32768 + b"\r\n", 413),
    "multipart text field": (
        b"POST /form HTTP/1.1\r\nContent-Length: %d\r\n" % (100 * MIB) + MULTIPART + b"\r\n"
        + b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n', b"x" * 65536, 413),
}


@pytest.mark.parametrize("name", list(FLOODS))
def test_flood_is_answered_early_without_buffering(serve_app, name):
    head, piece, status = FLOODS[name]
    server = serve_app(flood_app())
    statuses, sent, growth = flood(server, head, piece)
    assert statuses == [status]
    # Answered long before 100 MB went out: socket buffers hold a few MB at most.
    assert sent < 32 * MIB, sent
    assert growth < 6 * 1024, "RSS grew by %d KiB" % growth
    assert_fresh_connection_served(server)


def test_multipart_file_flood_stops_at_max_file_size(serve_app, tmp_path):
    # The file streams to disk (16 MiB by default), never into memory.
    app = flood_app()
    app.plugins[0].upload_dir = str(tmp_path)
    server = serve_app(app)
    head = (b"POST /form HTTP/1.1\r\nContent-Length: %d\r\n" % (100 * MIB) + MULTIPART + b"\r\n"
            + b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="big.bin"\r\n\r\n')
    statuses, sent, growth = flood(server, head, b"x" * 65536)
    assert statuses == [413]
    assert 16 * MIB < sent < 48 * MIB, sent
    assert growth < 6 * 1024, "RSS grew by %d KiB" % growth
    assert_fresh_connection_served(server)
    assert os.listdir(str(tmp_path)) == []  # the partial upload is gone


def test_pipelined_flood_without_reading_responses_is_bounded(serve_app):
    # A client that sends request after request and never reads the answers:
    # the server must stop reading (back-pressure), not queue input or output.
    server = serve_app(flood_app())
    sock = socket.socket()
    # Small client buffers: back-pressure reaches us after less traffic.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    sock.settimeout(SOCKET_TIMEOUT)
    sock.connect(("127.0.0.1", server.port))
    sock.setblocking(False)
    request = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
    piece = request * (65536 // len(request))
    before = peak = rss_kib()
    sent = 0
    last_progress = time.monotonic()
    deadline = last_progress + 5
    try:
        while sent < 64 * MIB and time.monotonic() < deadline:
            try:
                sent += sock.send(piece[sent % len(piece):])
                last_progress = time.monotonic()
            except BlockingIOError:
                if time.monotonic() - last_progress > 0.3:
                    break  # back-pressure reached this client
                time.sleep(0.01)
            peak = max(peak, rss_kib())
    finally:
        sock.close()
    assert time.monotonic() < deadline, "the server read everything it was sent"
    assert sent < 64 * MIB
    assert peak - before < 6 * 1024, "RSS grew by %d KiB" % (peak - before)
    assert_fresh_connection_served(server)


def test_blank_line_flood_then_request(serve_app):
    # Blank lines before a request are skipped (RFC 9112 2.2), in bounded memory.
    server = serve_app(flood_app())
    sock = connect(server.port, nodelay=True)
    try:
        before = rss_kib()
        for _ in range(16):
            sock.sendall(b"\r\n" * 32768)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        responses = recv_responses(sock, 1)
        assert (responses[0].status, responses[0].body) == (200, b"ok")
        assert rss_kib() - before < 6 * 1024
    finally:
        sock.close()


# Response header injection: every way a handler, hook or plugin sets a
# header refuses CR, LF and NUL; the request gets a 500 and nothing
# malformed reaches the wire.

BAD = "1\r\nInjected: yes"


class PathHeaderPlugin:
    """A plugin that copies the (percent-decoded) request path into a header."""

    def install(self, app):
        app.before_send(self.stamp)

    def stamp(self, req, resp):
        if req.path.startswith("/plugin"):
            resp.headers["X-Path"] = req.path


def injection_app(static_root):
    from picoweb_plugins.static import Static

    app = WebApp()
    app.debug = -1
    app.install(PathHeaderPlugin())
    app.install(Static(root=static_root))
    sub = WebApp()

    @app.route("/")
    def index(req, resp):
        return "ok"

    def route(path):
        return app.route(path)

    @route("/setitem")
    def setitem(req, resp):
        resp.headers["X-A"] = BAD
        return "x"

    @route("/setitem-lf")
    def setitem_lf(req, resp):
        resp.headers["X-A"] = "1\nInjected: yes"
        return "x"

    @route("/setitem-cr")
    def setitem_cr(req, resp):
        resp.headers["X-A"] = "1\rInjected: yes"
        return "x"

    @route("/setitem-nul")
    def setitem_nul(req, resp):
        resp.headers["X-A"] = "1\x00Injected: yes"
        return "x"

    @route("/setitem-name")
    def setitem_name(req, resp):
        resp.headers["X-A\r\nInjected"] = "yes"
        return "x"

    @route("/add")
    def add(req, resp):
        resp.headers.add("Set-Cookie", "a=1\r\nInjected: yes")
        return "x"

    @route("/add-name")
    def add_name(req, resp):
        resp.headers.add("Injected: yes\r\nX-A", "1")
        return "x"

    @route("/start-response-dict")
    async def start_dict(req, resp):
        await start_response(resp, headers={"X-A": BAD})
        await resp.awrite("x")

    @route("/start-response-pairs")
    async def start_pairs(req, resp):
        await start_response(resp, headers=[("X-A\nInjected", "yes")])
        await resp.awrite("x")

    @route("/start-response-text")
    async def start_text(req, resp):
        await start_response(resp, headers="X-A: 1\rInjected: yes\r\n")
        await resp.awrite("x")

    @route("/start-response-content-type")
    async def start_content_type(req, resp):
        await start_response(resp, content_type="text/plain\r\nInjected: yes")
        await resp.awrite("x")

    @route("/tuple-dict")
    def tuple_dict(req, resp):
        return "x", 200, {"X-A": BAD}

    @route("/tuple-pairs")
    def tuple_pairs(req, resp):
        return "x", 200, [("X-A\r\nInjected", "yes")]

    @route("/headers-replaced-by-dict")
    def headers_dict(req, resp):
        resp.headers = {"X-A": BAD}
        return "x"

    @route("/headers-dict-bad-name")
    def headers_dict_name(req, resp):
        resp.headers = {"Injected yes": "1"}
        return "x"

    @route("/set-cookie-value")
    def cookie_value(req, resp):
        resp.set_cookie("a", BAD)
        return "x"

    @route("/set-cookie-name")
    def cookie_name(req, resp):
        resp.set_cookie("a\r\nInjected: yes", "1")
        return "x"

    @route("/set-cookie-path")
    def cookie_path(req, resp):
        resp.set_cookie("a", "1", path="/\r\nInjected: yes")
        return "x"

    @route("/set-cookie-domain")
    def cookie_domain(req, resp):
        resp.set_cookie("a", "1", domain="example.test\nInjected: yes")
        return "x"

    @app.route(re.compile("^/plugin"))
    def plugin_route(req, resp):
        return "x"

    @route("/redirect")
    async def to_query(req, resp):
        # An open redirect to a user-supplied, percent-decoded target.
        await redirect(resp, percent_decode(req.qs.encode()).decode())

    @route("/http-error")
    def error_headers(req, resp):
        raise HTTPError(401, headers={"WWW-Authenticate": 'Basic realm="' + BAD + '"'})

    @route("/http-error-helper")
    async def error_helper(req, resp):
        await http_error(resp, 403, headers={"X-A": BAD})

    @route("/jsonify")
    async def json_headers(req, resp):
        await jsonify(resp, {}, headers={"X-A": BAD})

    @route("/hook/before-request")
    @route("/hook/after-request")
    @route("/hook/before-send")
    @route("/hook/before-send-streamed")
    async def hooked(req, resp):
        if req.path.endswith("streamed"):
            await resp.awrite("x")
        return None if req.path.endswith("streamed") else "x"

    @app.before_request
    def before_request(req, resp):
        if req.path == "/hook/before-request":
            resp.headers["X-A"] = BAD

    @app.after_request
    def after_request(req, resp):
        if req.path == "/hook/after-request":
            resp.headers.add("X-A", BAD)

    @app.before_send
    def before_send(req, resp):
        if req.path.startswith("/hook/before-send"):
            resp.headers["X-A"] = BAD

    @app.errorhandler(404)
    def not_found(req, resp, exc):
        resp.headers["X-Missing"] = req.path
        return "missing", 404

    @sub.route("/")
    def sub_index(req, resp):
        return "sub"

    @sub.after_request
    def sub_after(req, resp):
        resp.headers["X-Sub"] = BAD

    app.mount("/sub", sub)
    return app


# target: status. A 500 unless a plugin refuses the input itself.
INJECTIONS = {
    b"/setitem": 500, b"/setitem-lf": 500, b"/setitem-cr": 500, b"/setitem-nul": 500,
    b"/setitem-name": 500, b"/add": 500, b"/add-name": 500,
    b"/start-response-dict": 500, b"/start-response-pairs": 500, b"/start-response-text": 500,
    b"/start-response-content-type": 500, b"/tuple-dict": 500, b"/tuple-pairs": 500,
    b"/headers-replaced-by-dict": 500, b"/headers-dict-bad-name": 500,
    b"/set-cookie-value": 500, b"/set-cookie-name": 500, b"/set-cookie-path": 500,
    b"/set-cookie-domain": 500, b"/redirect?/%0D%0AInjected:%20yes": 500,
    b"/http-error": 500, b"/http-error-helper": 500, b"/jsonify": 500,
    b"/hook/before-request": 500, b"/hook/after-request": 500, b"/hook/before-send": 500,
    b"/hook/before-send-streamed": 500, b"/sub": 500,
    b"/plugin%0D%0AInjected:%20yes": 500, b"/plugin%0AInjected:%20yes": 500,
    b"/missing%0D%0AInjected:%20yes": 500,
    b"/static/a%0D%0AInjected:%20yes": 403,  # the static plugin refuses controls
    b"/static/sub?x=%0D%0AInjected:%20yes": 301,  # the query stays encoded in Location
}


@pytest.mark.parametrize("target", list(INJECTIONS), ids=[t.decode() for t in INJECTIONS])
def test_response_header_injection_is_refused(serve_app, tmp_path, target):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text("sub")
    server = serve_app(injection_app(str(tmp_path)))
    sock = connect(server.port, nodelay=True)
    try:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        raw = recv_until_closed(sock, limit=4 * MIB)
    finally:
        sock.close()
    responses = parse_responses(raw)
    assert [r.status for r in responses] == [INJECTIONS[target]], raw[:300]
    assert_well_formed_head(raw)
    assert_fresh_connection_served(server)


def test_injection_refused_at_the_line_that_sets_it():
    # A clear error where the bad value is set, not later at send time.
    from picoweb import Headers

    headers = Headers()
    for name, value in [("X-A", BAD), ("X-A\r\n", "1"), ("X A", "1"), ("", "1"), ("X-A", "a\x00b")]:
        with pytest.raises(ValueError):
            headers[name] = value
        with pytest.raises(ValueError):
            headers.add(name, value)
    assert len(headers) == 0


def test_json_body_round_trip_still_works(serve_app):
    server = serve_app(make_app())
    sock = connect(server.port, nodelay=True)
    try:
        sock.sendall(post_body(b"/json", json.dumps({"a": "\u00e9"}).encode(), JSON_TYPE))
        responses = recv_responses(sock, 1)
    finally:
        sock.close()
    assert responses[0].status == 200 and responses[0].json() == {"got": {"a": "\u00e9"}}

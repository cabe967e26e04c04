"""Property-based fuzzing of everything that reads client input.

The HTTP parser (http1.py) function by function, whole connections
through TestClient.raw (random bytes and mutated valid requests, read in
random pieces), the forms plugin's parsers, cookies, the static plugin's
path checks and the router. The rule everywhere: any input gives a
result or an HTTPError, so a connection ends in well-formed responses or
a clean close, never an uncaught exception or a logged 500.

Then the regression corpus, tests/corpus/: raw requests replayed whole and
byte by byte against the statuses tests/corpus/index.txt expects. An input
a property ever fails on belongs there, once fixed.

Under a minute as is; HYPOTHESIS_PROFILE=long runs twenty times the examples
(about ten minutes).
The coverage-guided counterpart is `make fuzz` (fuzz/, atheris).
"""

import asyncio
import logging
import os
import re
from urllib.parse import quote, quote_plus

import picoweb
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from picoweb import HTTPError
from picoweb.chunked import ChunkedDecoder
from picoweb.cookies import format_set_cookie, parse_cookies
from picoweb.limits import Limits
from picoweb.pages import REASONS
from picoweb.http1 import (
    Framing, chunk, check_header_name,
    decode_path, find_head_end, parse_headers, split_request_line, percent_decode,
    parse_request_line, response_head, split_target,
)
from picoweb.response import start_response
from picoweb.routing import Route, Router
from picoweb.testclient import TestClient, parse_responses
from picoweb_plugins.forms import Forms, read_form
from picoweb_plugins.forms.multipart import (
    DATA, DONE, PART, MultipartParser, parse_boundary, parse_disposition, parse_options,
    parse_part_headers,
)
from picoweb.urlencoded import parse_urlencoded
from picoweb_plugins.static import Static
from picoweb_plugins.static.header_values import (
    accepts_gzip, parse_http_date, parse_range, quote_path,
)

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
SECRET = b"TOP SECRET: never served"

_SCALE = 20 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1


def fuzz(examples):
    """Settings of one property: `examples` runs (twenty times that with
    HYPOTHESIS_PROFILE=long), no deadline, no example database on disk."""
    return settings(
        max_examples=examples * _SCALE, deadline=None, database=None, derandomize=False,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much, HealthCheck.large_base_example],
    )


def pieces(data, sizes):
    """`data` cut into pieces of the given sizes, cycling through them."""
    out = []
    pos = 0
    i = 0
    while pos < len(data):
        size = sizes[i % len(sizes)]
        out.append(data[pos:pos + size])
        pos += size
        i += 1
    return out


chunk_sizes = st.lists(st.integers(1, 64), min_size=1, max_size=6)


def expect_http_error(func, *args, statuses=(400,)):
    """func(*args), or None if it raised an HTTPError with one of `statuses`."""
    try:
        return func(*args)
    except HTTPError as exc:
        assert exc.status in statuses, (exc.status, exc.message)
        return None


# ---------------------------------------------------------------------------
# 1. http1.py, function by function

@fuzz(500)
@given(st.binary(max_size=200))
@example(b"GET / HTTP/1.1")
@example(b"GET  / HTTP/1.1")
@example(b"GET / HTTP/9.9")
def test_parse_request_line_any_bytes(line):
    found = expect_http_error(split_request_line, line, statuses=(400, 505))
    if found is not None:
        method, target, minor = found
        assert method and " " not in method and minor in (0, 1)
        assert target and min(target) > 32 and max(target) < 127


targets = st.lists(
    st.sampled_from([b"/", b"//", b"http://", b"https://h", b"*", b"?", b"%", b"%2F", b"%00",
                     b"%C3%A9", b"%C3", b"%ff", b"a", b".", b"..", b":", b"@", b"#"])
    | st.binary(min_size=1, max_size=3).map(lambda b: bytes(33 + x % 94 for x in b)),
    min_size=1, max_size=10).map(b"".join)


@fuzz(500)
@given(targets)
@example(b"http://h?a/b")
def test_split_target_and_decode_path_any_target(target):
    found = expect_http_error(split_target, target)
    if found is None:
        return
    path, query = found
    assert b"?" not in path and (path[:1] == b"/" or path == b"*")
    decoded = expect_http_error(decode_path, path)
    assert decoded is None or isinstance(decoded, str)


def outcome(func, *args):
    """func(*args), or the status of the HTTPError it raised."""
    try:
        return func(*args)
    except HTTPError as exc:
        return exc.status


def checked_request_line(line):
    # What parse_request_line() must equal: the checks it skips when its one
    # regex match (CPython) takes the line.
    method, target, minor = split_request_line(line)
    path, query = split_target(target)
    return method, decode_path(path), query.decode("latin-1"), minor


@fuzz(500)
@given(st.sampled_from([b"GET", b"POST", b"M-SEARCH", b"G\xc3T", b"", b"get"]),
       targets, st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0", b"http/1.1", b"HTTP/1.1\r"]))
@example(b"GET", b"/a?b?c", b"HTTP/1.1")
def test_request_line_agrees_with_the_full_checks(method, target, version):
    line = method + b" " + target + b" " + version
    assert outcome(parse_request_line, bytearray(line + b"\r\nHost: x"), len(line)) == outcome(checked_request_line, line)


def percent_encode(raw, every=False):
    """%XX for every byte (`every`) or for those outside a safe set."""
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    return b"".join(b"%%%02X" % b if every or b not in safe else bytes([b]) for b in raw)


@fuzz(300)
@given(st.binary(max_size=100), st.booleans())
def test_percent_decode_round_trip(raw, every):
    assert percent_decode(percent_encode(raw, every)) == raw
    assert percent_decode(percent_encode(raw, True).lower()) == raw
    assert percent_decode(percent_encode(raw, every), True) == raw


@fuzz(500)
@given(st.binary(max_size=60), st.booleans())
def test_percent_decode_any_bytes(raw, plus):
    try:
        out = percent_decode(raw, plus)
    except ValueError:
        return
    assert isinstance(out, bytes) and len(out) <= len(raw)


@fuzz(300)
@given(st.text(max_size=30))
def test_decode_path_round_trip(text):
    # What a client percent-encodes from a str path comes back as that str.
    assert decode_path(percent_encode(text.encode())) == text


@fuzz(500)
@given(st.binary(max_size=200), st.integers(0, 20))
@example(b"GET / HTTP/1.1\n\r\n", 14)
def test_find_head_end_any_bytes(buf, start):
    found = find_head_end(buf, start)
    if found is not None:
        block_end, body_start = found
        assert start < block_end < body_start <= len(buf)
        assert buf[block_end - 1:block_end] == b"\n"
        assert buf[block_end:body_start] in (b"\n", b"\r\n")


header_names = st.sampled_from([
    b"Host", b"Content-Length", b"content-length", b"Transfer-Encoding", b"Connection",
    b"Expect", b"Cookie", b"Content-Type", b"X-A", b" Host", b"Host ", b"Ho st", b"",
    b"\x00", b"Content-Length\t", b"transfer-encoding",
]) | st.binary(max_size=10)
header_values = st.sampled_from([
    b"", b"0", b"5", b"-1", b"+5", b" 5 ", b"5, 5", b"5,6", b"00000000000000000000001",
    b"99999999999999999999999", b"chunked", b"Chunked", b"chunked, identity", b"identity",
    b" chunked", b"chunked\x00", b"close", b"keep-alive", b"Upgrade, close", b"100-continue",
    b"\xb2", b"\xef\xbc\x95", b"a\tb", b"a\rb", b"a\x7fb", b"\xff\xfe", b"\t",
]) | st.binary(max_size=20)


@st.composite
def header_blocks(draw):
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        sep = draw(st.sampled_from([b":", b": ", b":\t", b" :", b""]))
        end = draw(st.sampled_from([b"\r\n", b"\n", b"\r\n", b"\r"]))
        prefix = draw(st.sampled_from([b"", b"", b"", b" ", b"\t"]))
        lines.append(prefix + draw(header_names) + sep + draw(header_values) + end)
    return b"".join(lines)


@fuzz(500)
@given(header_blocks() | st.binary(max_size=200), st.booleans(), st.integers(0, 1))
@example(b"Content-Length: \xb2\r\n", True, 1)
@example(b"Transfer-Encoding: chunked\r\nContent-Length: 1\r\n", True, 1)
def test_parse_headers_any_block(block, keep, minor):
    limits = Limits(max_headers=5)
    found = expect_http_error(parse_headers, block, limits, keep, statuses=(400, 431, 501))
    if found is None:
        return
    values, framing = found
    assert keep or not values
    for name, value in values.items():
        assert name == name.lower() and "\r" not in value and "\n" not in value
    # Framing answers are plain values, or a 400 for an ambiguous framing.
    try:
        framing.check(minor)
    except HTTPError as exc:
        assert exc.status == 400
        assert framing.chunked and (framing.content_length is not None or minor == 0)
    assert framing.keep_alive(minor) in (True, False)
    assert framing.content_length is None or framing.content_length >= 0


@fuzz(300)
@given(st.sampled_from(["content-length", "transfer-encoding", "connection", "expect"]),
       st.lists(st.text(max_size=25), max_size=3))
def test_framing_note_any_values(key, values):
    framing = Framing()
    for value in values:
        try:
            framing.note(key, value)
        except HTTPError as exc:
            assert exc.status in (400, 501)
            return
    assert framing.content_length is None or framing.content_length >= 0


def feed_chunked(data, sizes, limit=1 << 30):
    """Decode a chunked body handed over in pieces; (body, rest of input)."""
    decoder = ChunkedDecoder(Limits.max_chunk_line, Limits.max_trailers)
    buf = bytearray()
    out = []
    parts = pieces(data, sizes)
    while True:
        piece = decoder.next_data(buf, limit)
        if piece is None:
            return b"".join(out), bytes(buf) + b"".join(parts)
        if piece:
            out.append(piece)
        elif parts:
            buf += parts.pop(0)
        else:
            return b"".join(out), None  # the body never ended


@st.composite
def chunked_bodies(draw):
    """(body, its chunked encoding) with random chunk sizes, extensions, trailers
    (every chunk line ends in CRLF: a bare LF there is refused)."""
    body = draw(st.binary(max_size=300))
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=6)))
    wire = []
    start = 0
    for cut in cuts + [len(body)]:
        piece = body[start:cut]
        start = cut
        if not piece:
            continue
        size = draw(st.sampled_from(["%x", "%X", "%04x"])) % len(piece)
        ext = draw(st.sampled_from([b"", b";a=b", b" ;x", b"\t", b';q="1;2"']))
        wire.append(size.encode() + ext + b"\r\n" + piece + b"\r\n")
    wire.append(draw(st.sampled_from([b"0\r\n", b"000\r\n", b"0;end\r\n"])))
    for _ in range(draw(st.integers(0, 3))):
        wire.append(b"X-Trailer: v\r\n")
    wire.append(b"\r\n")
    return body, b"".join(wire)


@fuzz(400)
@given(chunked_bodies(), chunk_sizes, st.integers(1, 50))
def test_chunked_decoder_round_trip(encoded, sizes, limit):
    body, wire = encoded
    tail = b"GET / HTTP/1.1\r\n"
    decoded, rest = feed_chunked(wire + tail, sizes, limit)
    assert decoded == body
    assert rest == tail


@fuzz(200)
@given(st.lists(st.binary(min_size=1, max_size=80), max_size=5), chunk_sizes)
def test_chunked_decoder_reads_what_the_response_encoder_wrote(parts, sizes):
    wire = b"".join(chunk(part) for part in parts) + b"0\r\n\r\n"
    assert feed_chunked(wire, sizes) == (b"".join(parts), b"")


@fuzz(500)
@given(st.binary(max_size=300) | chunked_bodies().map(lambda pair: pair[1][:-3] + b"Z\r\n\r\n"),
       chunk_sizes)
@example(b"ffffffffffffffff\r\n", [64])
@example(b"1\r\nab\r\n0\r\n\r\n", [1])
def test_chunked_decoder_any_bytes(wire, sizes):
    outcomes = []
    for feed in ([len(wire) + 1], sizes):
        try:
            outcomes.append(feed_chunked(wire, feed))
        except HTTPError as exc:
            assert exc.status in (400, 431)
            outcomes.append(exc.status)
    # However the input is cut, the body (or the verdict) is the same.
    assert outcomes[0] == outcomes[1]


@fuzz(300)
@given(st.text(max_size=20), st.text(max_size=20))
def test_response_head_never_splits(name, value):
    try:
        check_header_name(name)
        head = response_head(200, [(name, value)])
    except ValueError:
        return
    lines = head.split(b"\r\n")
    assert len(lines) == 4 and lines[2:] == [b"", b""]


# ---------------------------------------------------------------------------
# 2. Whole connections through TestClient.raw

class Boom(Exception):
    """The one failure a handler raises on purpose: its 500 is expected."""


class MemorySink:
    """An on_file sink that keeps the upload in memory."""

    def __init__(self):
        self.data = bytearray()

    def write(self, data):
        self.data += data

    def close(self):
        pass


class ErrorRecords(logging.Handler):
    """Keeps the ERROR records the app logs."""

    def __init__(self):
        logging.Handler.__init__(self, logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def make_tree(base):
    """A static root with files, a hidden file, links out of it, and
    secrets beside it (one in a directory whose name extends the root's)."""
    root = os.path.join(base, "root")
    for name, data in [
        ("root/a.txt", b"file a\n"), ("root/index.html", b"<p>index</p>\n"),
        ("root/sub/b.txt", b"file b\n"), ("root/sub/index.html", b"<p>sub</p>\n"),
        ("root/.hidden", b"hidden\n"), ("root/a b%.txt", b"odd name\n"),
        ("root/caf\u00e9.txt", b"cafe\n"),
        ("secret.txt", SECRET), ("root-sibling/secret.txt", SECRET), ("rootsecret.txt", SECRET),
    ]:
        path = os.path.join(base, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    os.symlink(os.path.join(base, "secret.txt"), os.path.join(root, "link.txt"))
    os.symlink(os.path.join(base, "root-sibling"), os.path.join(root, "dirlink"))
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                data = f.read()
            if data != SECRET:
                files[data] = name
    return root, files


class Harness:
    """An app with a route for each way a request can be read, and the
    oracle every connection must pass."""

    def __init__(self, base):
        self.root, self.files = make_tree(base)
        self.upload_dir = os.path.join(base, "uploads")
        os.mkdir(self.upload_dir)
        self.errors = ErrorRecords()
        log = logging.getLogger("picoweb.fuzz")
        log.setLevel(logging.WARNING)  # requests are not logged: faster
        log.propagate = False
        log.addHandler(self.errors)
        self.methods = []  # the method of each request answered, in order
        self.app = make_app(self)
        self.app.log = log
        self.client = TestClient(self.app)

    def exchange(self, data, chunk=65536):
        """Feed `data` as one connection read `chunk` bytes at a time;
        check the oracle and return the responses."""
        self.methods.clear()
        self.errors.records.clear()
        out = asyncio.run(asyncio.wait_for(self.client.raw(data, chunk), 30))
        heads = [i for i, method in enumerate(self.methods) if method == "HEAD"]
        try:
            responses = parse_responses(out, heads)
        except ValueError as exc:
            raise AssertionError("unparseable output (%s): %r" % (exc, out[:500]))
        assert bool(out) == bool(responses)
        booms = 0
        for record in self.errors.records:
            exc = record.exc_info and record.exc_info[1]
            assert isinstance(exc, Boom), "logged error: %s\n%s" % (
                record.getMessage(), logging.Formatter().formatException(record.exc_info)
                if record.exc_info else "")
            booms += 1
        for resp in responses:
            assert resp.status in REASONS, resp.status
            assert resp.status != 500 or booms, "500 without a failing handler: %r" % out[:500]
            assert SECRET not in resp.body, "a file from outside the static root was served"
        assert os.listdir(self.upload_dir) == [], "uploads left behind"
        return responses

    def statuses(self, data, chunk=65536):
        return [resp.status for resp in self.exchange(data, chunk)]


def make_app(harness):
    app = picoweb.WebApp(None)
    app.install(Forms(upload_dir=harness.upload_dir, max_field_size=256, max_file_size=512,
                      max_fields=8, max_memory=4096))
    app.install(Static(root=harness.root, prefix="/static/"))

    @app.before_send  # every answer's head, a rejected request's too
    def note_method(req, resp):
        harness.methods.append(req.method)

    @app.route("/")
    def index(req, resp):
        return "ok"

    @app.route("/echo", methods=["POST", "PUT"])
    async def echo(req, resp):
        return await req.read_body()

    @app.route("/small", methods=["POST"], max_body=16)
    async def small(req, resp):
        return await req.read_body()

    @app.route("/partial", methods=["POST"])
    async def partial(req, resp):
        return await req.reader.read(3)  # the rest is skipped for the next request

    @app.route("/early", methods=["POST"])
    def early(req, resp):
        return "body left unread"

    @app.route("/skip", methods=["POST"], headers="skip")
    async def skip(req, resp):
        return await req.read_body()

    @app.route("/leave", methods=["GET", "POST"], headers="leave")
    async def leave(req, resp):
        return await req.reader.read(64)

    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        fields, files = await read_form(req, lambda name, filename, ctype: MemorySink())
        return {"fields": fields.items(),
                "files": [[n, f.filename, bytes(f.sink.data).hex()] for n, f in files.items()]}

    @app.route("/upload", methods=["POST"])
    async def upload(req, resp):
        fields, files = await read_form(req)
        return {"fields": fields.items(),
                "files": [[n, f.filename, f.size] for n, f in files.items()]}

    @app.route("/qs")
    def qs(req, resp):
        return req.parse_qs().items()

    @app.route("/cookies")
    def cookies(req, resp):
        return req.cookies

    @app.route("/stream")
    async def stream(req, resp):
        await start_response(resp, "text/plain")
        for piece in ("a", "", "bc"):
            await resp.awrite(piece)

    @app.route("/user/<int:uid>/<name>")
    def user(req, resp, uid, name):
        return {"uid": uid, "name": name}

    @app.route("/boom", methods=["GET", "POST"])
    def boom(req, resp):
        raise Boom("on purpose")

    sub = picoweb.WebApp(None)

    @sub.route("/<path:rest>", methods=["GET", "POST"])
    async def rest(req, resp, rest):
        return {"rest": rest, "body": len(await req.read_body())}

    app.mount("/sub", sub)
    return app


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    return Harness(str(tmp_path_factory.mktemp("fuzz")))


MULTIPART_BODY = (
    b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n"
    b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\n"
    b"Content-Type: text/plain\r\n\r\nfile\r\ndata\r\n--XyZ--\r\n"
)

TEMPLATES = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /?a=1&b=%41 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"HEAD /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /static/sub/ HTTP/1.1\r\nIf-None-Match: *\r\n\r\n",
    b"GET /static/a.txt HTTP/1.1\r\nRange: bytes=1-3\r\nAccept-Encoding: gzip\r\n\r\n",
    b"GET /static/sub HTTP/1.1\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"PUT /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    b"POST /small HTTP/1.1\r\nContent-Length: 20\r\n\r\n01234567890123456789",
    b"POST /partial HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n",
    b"POST /early HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd",
    b"POST /skip HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
    b"POST /leave HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
    b"POST /form HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 14\r\n\r\na=1&b=%C3%A9+x",
    b"POST /form HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
    b"Content-Length: %d\r\n\r\n" % len(MULTIPART_BODY) + MULTIPART_BODY,
    b"POST /upload HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(MULTIPART_BODY) + MULTIPART_BODY
    + b"\r\n0\r\n\r\n",
    b"GET /qs?a=1&a=2&c HTTP/1.1\r\n\r\n",
    b"GET /cookies HTTP/1.1\r\nCookie: a=1; b=\"2\"\r\nCookie: c=3\r\n\r\n",
    b"GET /stream HTTP/1.1\r\n\r\n",
    b"GET /user/12/bob HTTP/1.1\r\n\r\n",
    b"POST /sub/x/y HTTP/1.1\r\nContent-Length: 1\r\n\r\nz",
    b"GET /boom HTTP/1.1\r\n\r\n",
    b"DELETE / HTTP/1.1\r\n\r\n",
    b"GET http://host/static/a.txt?x HTTP/1.1\r\n\r\n",
]

TOKENS = [
    b"\r", b"\n", b"\r\n", b"\r\n\r\n", b"\x00", b" ", b"\t", b":", b";", b",", b"\xff", b"\x7f",
    b"0", b"-1", b"%", b"%00", b"%2e%2e/", b"../", b"\r\n ", b"\r\n\t",
    b"\r\nTransfer-Encoding: chunked", b"\r\nContent-Length: 0", b"\r\nContent-Length: 7",
    b"\r\nContent-Length: 99999999999", b"\r\nExpect: 100-continue", b"\r\nConnection: close",
    b"\r\nTransfer-Encoding: chunked\r\nContent-Length: 3", b";ext=1", b"fffffffffffffff",
    b"\r\n0\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n", b"HTTP/1.0", b"HTTP/2.0", b"--XyZ",
    b"\r\n--XyZ--", b"\r\n--XyZ\r\n\r\n", b"name=\"", b"filename*=UTF-8''%ff",
]


@st.composite
def header_lines(draw):
    return b"\r\n" + draw(header_names) + b":" + draw(header_values)


@st.composite
def mutated_requests(draw):
    """One to three request templates, then random edits of the bytes."""
    data = bytearray()
    for _ in range(draw(st.integers(1, 3))):
        data += draw(st.sampled_from(TEMPLATES))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["insert", "insert", "header", "delete", "replace",
                                     "duplicate", "truncate"]))
        pos = draw(st.integers(0, len(data)))
        if kind == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=4))
        elif kind == "header":
            ends = [m.start() for m in re.finditer(b"\r\n", data)] or [pos]
            at = draw(st.sampled_from(ends))
            data[at:at] = draw(header_lines())
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 8))]
        elif kind == "replace" and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif kind == "duplicate":
            end = min(len(data), pos + draw(st.integers(1, 40)))
            data[end:end] = data[pos:end]
        elif kind == "truncate":
            del data[pos:]
    return bytes(data)


@st.composite
def chunked_requests(draw):
    """A chunked POST whose size lines may lie, be malformed or huge."""
    target = draw(st.sampled_from([b"/echo", b"/small", b"/partial", b"/early", b"/skip",
                                   b"/form", b"/upload", b"/sub/x"]))
    head = b"POST " + target + b" HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
    if draw(st.booleans()):
        head += b"Content-Type: multipart/form-data; boundary=XyZ\r\n"
        body = MULTIPART_BODY
    else:
        head += b"Content-Type: application/x-www-form-urlencoded\r\n"
        body = draw(st.binary(max_size=120))
    wire = [head, b"\r\n"]
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4))) + [len(body)]
    start = 0
    for cut in cuts:
        piece = body[start:cut]
        start = cut
        size = len(piece) + draw(st.sampled_from([0, 0, 0, 0, 1, -1, 2, 1 << 40]))
        size_text = draw(st.sampled_from([b"%x", b"%X", b"%08x", b" %x", b"%x ", b"%x;e=1",
                                          b"-%x", b"+%x", b"0x%x", b"%x\x00"])) % max(size, 0)
        end = draw(st.sampled_from([b"\r\n", b"\r\n", b"\n", b"\r", b""]))
        wire.append(size_text + end + piece + end)
    if draw(st.booleans()):
        wire.append(b"0\r\n" + b"T: 1\r\n" * draw(st.integers(0, 2)) + b"\r\n")
        if draw(st.booleans()):
            wire.append(b"GET / HTTP/1.1\r\n\r\n")
    return b"".join(wire)


random_bytes = st.binary(max_size=500) | st.builds(
    lambda head, rest: head + rest,
    st.sampled_from([b"GET / HTTP/1.1\r\n", b"POST /echo HTTP/1.1\r\n", b"GET /static/",
                     b"POST /form HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
                     b"Content-Length: 80\r\n\r\n--XyZ\r\n"]),
    st.binary(max_size=300))


@fuzz(300)
@given(random_bytes, st.integers(1, 64))
@example(b"", 1)
@example(b"\r\n\r\n\r\n", 1)
def test_connection_random_bytes(harness, data, chunk):
    harness.exchange(data, chunk)


@fuzz(500)
@given(mutated_requests(), st.integers(1, 64))
def test_connection_mutated_requests(harness, data, chunk):
    # Read in pieces or whole, a connection gets the same answers.
    assert harness.statuses(data, chunk) == harness.statuses(data)


@fuzz(300)
@given(chunked_requests(), st.integers(1, 64))
def test_connection_chunked_requests(harness, data, chunk):
    assert harness.statuses(data, chunk) == harness.statuses(data)


@fuzz(200)
@given(st.lists(st.sampled_from(TEMPLATES), min_size=1, max_size=4), st.integers(1, 64))
def test_connection_pipelined_valid_requests_all_answered(harness, requests, chunk):
    responses = harness.exchange(b"".join(requests), chunk)
    # Each request is answered until one whose body is left in the stream.
    ends = [i for i, r in enumerate(requests) if b"/leave" in r or b"/small" in r]
    expected = len(requests) if not ends else ends[0] + 1
    assert len(responses) == expected
    assert all(r.status < 500 or b"/boom" in requests[i] for i, r in enumerate(responses))


# ---------------------------------------------------------------------------
# 3. The forms plugin

def multipart_events(boundary, body, sizes, max_header_size=8192):
    """Every event of a body fed in pieces, DATA coalesced per part."""
    parser = MultipartParser(boundary, max_header_size)
    events = []
    for piece in pieces(body, sizes) + [b""]:
        if piece:
            parser.feed(piece)
        while True:
            event = parser.next_event()
            if event is None:
                break
            if event[0] == DATA and events and events[-1][0] == DATA:
                events[-1] = (DATA, events[-1][1] + event[1])
            elif event[0] != DATA or event[1]:
                events.append(event)
        if not piece:
            parser.end_of_input()
    return events


boundaries = st.sampled_from(["XyZ", "a", "-", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "x" * 70,
                              "b'()+_,-./:=? ", "\r\n"]) | st.text(
    st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=10)


@st.composite
def multipart_noise(draw):
    """Bodies near the multipart grammar: delimiters, headers, CRLFs, junk."""
    boundary = draw(boundaries).encode()
    alphabet = [b"--" + boundary, b"\r\n--" + boundary, b"--", b"\r\n", b"\r", b"\n", b" ",
                b"Content-Disposition: form-data; name=\"a\"", b"; filename=\"f\"",
                b"Content-Type: text/plain", b"filename*=UTF-8''%e2%82%ac", b"x", b"\xff",
                b"\r\n\r\n", b":", b"name=a"]
    parts = draw(st.lists(st.sampled_from(alphabet) | st.binary(max_size=5), max_size=20))
    return boundary.decode(), b"".join(parts)


@fuzz(500)
@given(multipart_noise(), chunk_sizes, st.sampled_from([16, 64, 8192]))
@example(("XyZ", b"--XyZ--"), [1], 8192)
@example(("XyZ", b"--XyZ\r\n\r\n\r\n--XyZ--"), [1], 8192)
@example(("XyZ", b"--XyZ" + b" " * 300 + b"\r\nContent-Disposition: form-data; name=a\r\n\r\n"
            b"\r\n--XyZ--"), [10], 8192)
@example(("XyZ", b"--XyZ" + b" " * 256 + b"\r\nContent-Disposition: form-data; name=a\r\n\r\n"
            b"\r\n--XyZ--"), [257], 8192)
def test_multipart_parser_any_body(case, sizes, max_header_size):
    boundary, body = case
    outcomes = []
    for feed in (sizes, [len(body) + 1]):
        try:
            events = multipart_events(boundary, body, feed, max_header_size)
        except HTTPError as exc:
            assert exc.status in (400, 413)
            outcomes.append(exc.status)
            continue
        assert events[-1] == (DONE, None)
        for kind, value in events:
            if kind == PART:
                for headers_value in value.values():
                    assert isinstance(headers_value, str)
                expect_http_error(parse_disposition, value.get("content-disposition", ""))
        outcomes.append(events)
    assert outcomes[0] == outcomes[1]


field_names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="%"),
                      min_size=1, max_size=12)
field_values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def multipart_name(text):
    """A name as browsers put it in Content-Disposition (the HTML standard),
    with backslashes escaped so that it reads back unchanged."""
    return (text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D")
            .replace("\n", "%0A"))


@st.composite
def multipart_forms(draw):
    """(boundary, fields, files, body): a valid form of random parts."""
    boundary = draw(st.text(st.sampled_from("abcXYZ019'()+_,-./:=? "), min_size=1, max_size=70)
                    .filter(lambda b: b[-1] != " "))
    fields = draw(st.lists(st.tuples(field_names, field_values), max_size=4))
    files = draw(st.lists(st.tuples(field_names, field_names, st.binary(max_size=200)), max_size=3))
    delimiter = ("\r\n--" + boundary).encode()
    out = [draw(st.sampled_from([b"", b"preamble\r\n"]))]
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (
            boundary, multipart_name(name))).encode() + value.encode() + b"\r\n")
    for name, filename, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n" % (
                        boundary, multipart_name(name), multipart_name(filename))).encode()
                   + data + b"\r\n")
    out.append(("--%s--" % boundary).encode() + draw(st.sampled_from([b"", b"\r\n", b"epilogue"])))
    body = b"".join(out)
    # A sender picks a boundary its content does not hold.
    contents = [v.encode() for _, v in fields] + [d for _, _, d in files]
    assume(not any(delimiter in b"\r\n" + c + b"\r\n" for c in contents))
    return boundary, fields, files, body


@fuzz(300)
@given(multipart_forms(), chunk_sizes)
def test_multipart_parser_round_trip(form, sizes):
    boundary, fields, files, body = form
    events = multipart_events(boundary, body, sizes)
    parts = []
    for kind, value in events:
        if kind == PART:
            parts.append([parse_disposition(value["content-disposition"]), b""])
        elif kind == DATA:
            parts[-1][1] += value
    expected = [[(name, None), value.encode()] for name, value in fields] + [
        [(name, filename), data] for name, filename, data in files]
    assert parts == expected


@fuzz(100)
@given(multipart_forms(), st.integers(1, 64))
def test_multipart_form_round_trip_through_the_app(harness, form, chunk):
    boundary, fields, files, body = form
    assume(len(fields) + len(files) <= 8 and all(len(d) <= 512 for _, _, d in files))
    head = ('POST /form HTTP/1.1\r\nContent-Type: multipart/form-data; boundary="%s"\r\n'
            "Content-Length: %d\r\n\r\n" % (boundary, len(body))).encode()
    responses = harness.exchange(head + body, chunk)
    assert [r.status for r in responses] == [200], responses[0].body
    got = responses[0].json()
    assert [tuple(pair) for pair in got["fields"]] == fields
    assert got["files"] == [[name, filename, data.hex()] for name, filename, data in files]


@fuzz(500)
@given(st.binary(max_size=200) | st.text(max_size=60).map(lambda t: t.encode()),
       st.integers(1, 64), st.integers(1, 10))
@example(b"a=%", 65536, 1000)
@example(b"%C3%28=1", 65536, 1000)
def test_parse_urlencoded_any_bytes(data, max_field_size, max_fields):
    form = expect_http_error(parse_urlencoded, data, max_field_size, max_fields,
                             statuses=(400, 413))
    if form is not None:
        assert len(form.items()) <= max_fields
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in form.items())


@fuzz(300)
@given(st.lists(st.tuples(field_values.filter(bool), field_values), max_size=6))
def test_parse_urlencoded_round_trip(pairs):
    body = "&".join(quote_plus(k) + "=" + quote_plus(v) for k, v in pairs)
    assert parse_urlencoded(body).items() == pairs


@fuzz(500)
@given(st.text(max_size=80) | st.builds(
    lambda parts: "".join(parts),
    st.lists(st.sampled_from(['form-data', ';', ' ', 'name=', '"', '\\', 'a', '=', 'filename',
                              'filename*=', "UTF-8''", '%', '%22', '%e2%82%ac', '%ff', '\t']),
             max_size=16)))
@example('form-data; name="a\\')
@example("form-data; name=a; filename*=UTF-8''%ff")
def test_content_disposition_and_boundary_any_text(value):
    try:
        parse_options(value)
    except ValueError:
        pass
    found = expect_http_error(parse_disposition, value)
    if found is not None:
        assert isinstance(found[0], str) and found[1] is None or isinstance(found[1], str)
    boundary = expect_http_error(parse_boundary, "multipart/form-data; boundary=" + value)
    if boundary is not None:
        assert 0 < len(boundary) <= 70 and min(boundary) >= " " and max(boundary) <= "~"


@fuzz(300)
@given(st.binary(max_size=120))
def test_parse_part_headers_any_bytes(block):
    headers = expect_http_error(parse_part_headers, block)
    if headers is not None:
        assert all(k == k.lower() for k in headers)


# ---------------------------------------------------------------------------
# 4. Cookies

@fuzz(500)
@given(st.text(max_size=80) | st.lists(st.sampled_from(
    ["a", "=", ";", " ", '"', "b=1", "\t", "\x1f", "\u00a0", "\u2028", ",", "=="]), max_size=12
).map("".join))
def test_parse_cookies_any_text(header):
    cookies = parse_cookies(header)
    for name, value in cookies.items():
        assert name and name == name.strip() and ";" not in name and "=" not in name
        assert ";" not in value


TOKEN = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
COOKIE_OCTETS = "".join(chr(c) for c in range(33, 127) if chr(c) not in ' ",;\\')
cookie_names = st.text(st.sampled_from(TOKEN), min_size=1, max_size=10)
cookie_values = st.text(st.sampled_from(COOKIE_OCTETS), max_size=20)


@fuzz(300)
@given(st.dictionaries(cookie_names, cookie_values, min_size=1, max_size=5))
def test_set_cookie_round_trip(cookies):
    # What each Set-Cookie stores comes back in the Cookie header a browser builds.
    stored = []
    for name, value in cookies.items():
        header = format_set_cookie(name, value, max_age=10, path="/p", httponly=True)
        stored.append(header.split("; ")[0])
    assert parse_cookies("; ".join(stored)) == cookies


@fuzz(300)
@given(st.text(max_size=12), st.text(max_size=20))
@example("\x1f", "")  # str.strip() takes it for whitespace: the name came back as ""
@example("a\tb", "1")
def test_format_set_cookie_refuses_what_would_not_come_back(name, value):
    try:
        header = format_set_cookie(name, value)
    except ValueError:
        return
    assert parse_cookies(header.split("; ")[0]) == {name: value}


# ---------------------------------------------------------------------------
# 5. The static plugin's path checks

PATH_PIECES = [
    ".", "..", "/", "//", "\\", "%", "%2e", "%2E", "%2f", "%2F", "%5c", "%5C", "%00", "2e", "2f",
    "00", "%252e", "%c0%ae", "%c0%af", "%e2%80%a5", "%ef%bc%8e", "%ef%bc%8f", "%u002e", "\u00e9",
    "%C3%A9", "caf%C3%A9.txt", "\u2024", "secret.txt", "rootsecret.txt", "root", "root-sibling",
    "a.txt", "sub", "index.html", ".hidden", "link.txt", "dirlink", "a%20b%25.txt", "~", ";",
    ":", "?", "#", "%3f", "%0a", "%0d", "%09", "%7f", " ", "C:", "%3A", "a.txt.gz", "*",
]

static_paths = st.lists(st.sampled_from(PATH_PIECES), max_size=10).map("".join)


@fuzz(500)
@given(static_paths | st.text(max_size=30))
@example("../secret.txt")
@example("dirlink/secret.txt")
def test_check_path_keeps_names_under_the_root(harness, path):
    static = Static(root=harness.root)
    try:
        static.check_path(path)
    except HTTPError as exc:
        assert exc.status in (403, 404)
        return
    root = os.path.normpath(harness.root)
    full = os.path.normpath(os.path.join(root, path))
    assert full == root or full.startswith(root + os.sep)


@fuzz(500)
@given(st.sampled_from(["/static/", "/static", "/", "/static/sub/", "/static//"]), static_paths,
       st.sampled_from(["GET", "HEAD"]))
@example("/static/", "%2e%2e/secret.txt", "GET")
@example("/static/", "link.txt", "GET")
@example("/static/", "dirlink/secret.txt", "GET")
@example("/static/", "%2e%2e%2frootsecret.txt", "GET")
def test_static_never_serves_outside_its_root(harness, prefix, path, method):
    request = ("%s %s%s HTTP/1.1\r\nHost: x\r\n\r\n" % (method, prefix, path)).encode()
    responses = harness.exchange(request)
    assert len(responses) == 1
    resp = responses[0]
    assert resp.status in (200, 301, 308, 400, 403, 404, 405)
    if resp.status in (301, 308):  # to the other spelling of a path: on this site
        location = resp.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), location
    if resp.status == 200 and method == "GET" and prefix.startswith("/static"):
        assert resp.body in harness.files


@fuzz(300)
@given(st.text(max_size=40))
def test_static_header_values_any_text(value):
    span = parse_range(value, 100)
    assert span in (None, False) or 0 <= span[0] <= span[1] < 100
    assert accepts_gzip(value) in (True, False)
    date = parse_http_date(value)
    assert date is None or len(date) == 6
    quoted = quote_path(value)
    assert min(quoted or "a") > " " and max(quoted or "a") < "\x7f"


# ---------------------------------------------------------------------------
# 6. The router

LITERALS = st.text(st.sampled_from("ab-_.~/^$*+?{}[]|()\\%\u00e9 "), max_size=6)
PARAMS = st.builds(
    lambda kind, name: "<%s%s>" % (kind, name),
    st.sampled_from(["", "str:", "int:", "path:", "float:", ":", "int"]),
    st.sampled_from(["a", "b", "id", "_x", "x1", "1a", "a-b", "", "a:b"]))
patterns = st.lists(LITERALS | PARAMS | st.sampled_from(["<", ">", "<<a>>", "<a"]),
                    max_size=6).map(lambda parts: "/" + "".join(parts))
request_paths = st.lists(st.sampled_from(["/", "a", "b", "1", "12", "-", ".", "\n", "%", "\u00e9",
                                          "^", "$", "(", "\\", "a/b"]), max_size=8).map(
    lambda parts: "/" + "".join(parts))


@fuzz(500)
@given(st.lists(st.tuples(patterns, st.sampled_from([["GET"], ["POST"], ["GET", "PUT"]])),
                max_size=5),
       st.lists(request_paths, max_size=5), st.sampled_from(["GET", "HEAD", "POST", "DELETE"]))
def test_router_any_patterns_and_paths(routes, paths, method):
    router = Router()
    for pattern, methods in routes:
        try:
            router.add(Route(pattern, lambda req, resp: None, methods))
        except ValueError:
            continue
    for path in paths:
        try:
            route, params, _ = router.match(path, method)
        except HTTPError as exc:
            assert exc.status in (404, 405)
            continue
        assert method in route.methods
        assert route.match(path) is not None
        for name, is_int in route.params:
            assert isinstance(params[name], int if is_int else str)


@st.composite
def routed_paths(draw):
    """(pattern, path, params): a pattern whose parameters sit between "/"
    literals (a path parameter only last), and a path naming each value."""
    parts = []
    path = []
    params = {}
    for i in range(draw(st.integers(0, 4))):
        literal = "/" + draw(LITERALS.map(lambda t: t.replace("/", "")))
        parts.append(literal)
        path.append(literal)
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["", "str:", "int:"]))
            name = "p%d" % i
            if kind == "int:":
                value = draw(st.integers(0, 10 ** 12))
                text = str(value)
            else:
                value = text = draw(st.text(st.characters(blacklist_categories=("Cs",),
                                                          blacklist_characters="/"), min_size=1,
                                            max_size=8))
            parts.append("<%s%s>" % (kind, name))
            path.append(text)
            params[name] = value
    if draw(st.booleans()):
        parts.append("/<path:rest>")
        value = draw(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12))
        path.append("/" + value)
        params["rest"] = value
    pattern = "".join(parts) or "/"
    return pattern, "".join(path) or "/", params


@fuzz(500)
@given(routed_paths())
@example(("/<path:rest>", "/a\nb", {"rest": "a\nb"}))
def test_router_params_round_trip(case):
    pattern, path, params = case
    router = Router()
    router.add(Route(pattern, None, ["GET"]))
    route, found, _ = router.match(path, "GET")
    assert found == params


@fuzz(100)
@given(routed_paths())
def test_router_params_round_trip_through_the_app(case):
    pattern, path, params = case
    app = picoweb.WebApp(None)
    app.debug = -1
    app.add_url_rule(pattern, lambda req, resp, **found: found)
    resp = asyncio.run(TestClient(app).get(quote(path, safe="/", encoding="utf-8")))
    assert resp.status == 200, (resp.status, resp.body)
    assert resp.json() == params


# ---------------------------------------------------------------------------
# The regression corpus

def read_corpus_index():
    """[(file name, expected statuses)] from tests/corpus/index.txt; an
    empty list of statuses means the connection closes without a word."""
    cases = []
    with open(os.path.join(CORPUS, "index.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if line:
                expected = [] if line[1:] == ["close"] else [int(s) for s in line[1:]]
                cases.append((line[0], expected))
    return cases


def test_corpus_index_names_every_file_once():
    listed = [name for name, _ in read_corpus_index()]
    on_disk = sorted(n for n in os.listdir(CORPUS) if n.endswith(".http"))
    assert sorted(listed) == on_disk
    assert len(set(listed)) == len(listed) >= 30


@pytest.mark.parametrize("name, expected", read_corpus_index())
def test_corpus(harness, name, expected):
    with open(os.path.join(CORPUS, name), "rb") as f:
        data = f.read()
    assert harness.statuses(data) == expected
    assert harness.statuses(data, 1) == expected

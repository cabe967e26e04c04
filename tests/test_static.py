"""The static files plugin, and the core's Response.write_file under it:
in-process through TestClient, and over real sockets with httpx and curl."""

import asyncio
import gzip
import hashlib
import importlib.util
import os
import subprocess
import sys
import time
import tracemalloc

import httpx
import picoweb
import picoweb.server
import pytest
from picoweb.testclient import MemoryReader, TestClient, parse_responses
from picoweb_plugins.static import Static
from picoweb_plugins.static.header_values import (
    accepts_gzip, format_http_date, parse_http_date, parse_range, quote_path,
)
from rawhttp import ON_UVLOOP

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MTIME = 784111777  # Sun, 06 Nov 1994 08:49:37 GMT
MTIME_TEXT = "Sun, 06 Nov 1994 08:49:37 GMT"
CSS = b"body { color: green; }\n" * 40
DATA = bytes(range(100))
SECRET = b"TOP SECRET outside the root"
BIG = 10 * 1024 * 1024


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(str(path), (MTIME, MTIME))
    return path


@pytest.fixture
def tree(tmp_path):
    """A static root, and a secret and a folder beside it that must stay unread."""
    root = tmp_path / "root"
    write(root / "hello.txt", b"Hello, static!\n")
    write(root / "style.css", CSS)
    write(root / "style.css.gz", gzip.compress(CSS, mtime=0))
    write(root / "only.js.gz", gzip.compress(b"console.log(1);\n", mtime=0))
    write(root / "data.bin", DATA)
    write(root / "logo.png", b"\x89PNG\r\n\x1a\nnot really")
    write(root / "notes.unknownext", b"?")
    write(root / "index.html", b"<h1>root index</h1>")
    write(root / "sub" / "index.html", b"<h1>sub index</h1>")
    write(root / "a dir" / "index.html", b"<h1>spaced</h1>")
    write(root / "noindex" / "file.txt", b"x")
    write(root / ".hidden", b"hidden")
    write(root / ".git" / "config", b"[core]")
    write(tmp_path / "secret.txt", SECRET)
    write(tmp_path / "outside" / "secret.txt", SECRET)
    return root


def make_app(root, **options):
    app = picoweb.WebApp()
    options.setdefault("max_age", 60)
    app.install(Static(root=str(root), **options))
    return app


@pytest.fixture
def app(tree):
    return make_app(tree)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 30))


def get(app, path, method="GET", **headers):
    return run(TestClient(app).request(method, path, headers=headers))


def raw_get(app, target):
    """GET a request target as raw bytes, so nothing normalises it."""
    request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    out = run(TestClient(app).raw(request))
    assert SECRET not in out
    (resp,) = parse_responses(out)
    return resp


# Plain files, types, HEAD


def test_serves_file_with_type_length_and_validators(app):
    resp = get(app, "/static/hello.txt")
    assert resp.status == 200
    assert resp.body == b"Hello, static!\n"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["Content-Length"] == "15"
    assert resp.headers["Last-Modified"] == MTIME_TEXT
    assert resp.headers["ETag"].startswith('"') and resp.headers["ETag"].endswith('"')
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.headers["Cache-Control"] == "max-age=60"
    assert "Vary" not in resp.headers


@pytest.mark.parametrize("name, content_type", [
    ("style.css", "text/css"), ("logo.png", "image/png"), ("index.html", "text/html; charset=utf-8"),
    ("data.bin", "application/octet-stream"), ("notes.unknownext", "application/octet-stream"),
    ("style.css.gz", "application/gzip"),
])
def test_content_types(app, name, content_type):
    resp = get(app, "/static/" + name)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == content_type
    assert "Content-Encoding" not in resp.headers


def test_mime_types_option_and_no_cache_control_by_default(tree):
    app = make_app(tree, mime_types={"unknownext": "text/x-notes"}, max_age=None)
    resp = get(app, "/static/notes.unknownext")
    assert resp.headers["Content-Type"] == "text/x-notes"
    assert "Cache-Control" not in resp.headers


def test_head_sends_headers_without_body(app):
    full = get(app, "/static/data.bin")
    out = run(TestClient(app).raw(b"HEAD /static/data.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
    assert out.endswith(b"\r\n\r\n")  # nothing after the head
    (resp,) = parse_responses(out, (0,))
    assert resp.status == 200
    assert resp.headers["Content-Length"] == "100"
    assert resp.headers["ETag"] == full.headers["ETag"]
    assert resp.body == b""


def test_head_ignores_range(app):
    resp = get(app, "/static/data.bin", "HEAD", Range="bytes=0-9")
    assert resp.status == 200
    assert resp.headers["Content-Length"] == "100"


def test_other_methods_are_405(app):
    assert get(app, "/static/hello.txt", "POST").status == 405


def test_missing_file_is_404(app):
    assert get(app, "/static/nope.txt").status == 404
    assert get(app, "/static/hello.txt/").status == 404


def test_prefix_must_start_and_end_with_slash():
    with pytest.raises(ValueError):
        Static(prefix="static")
    with pytest.raises(ValueError):
        Static(prefix="/static")


def test_other_prefix(tree):
    app = make_app(tree, prefix="/assets/v1/")
    assert get(app, "/assets/v1/hello.txt").body == b"Hello, static!\n"
    assert get(app, "/static/hello.txt").status == 404


# gzip


@pytest.mark.parametrize("accept", [
    "gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.5", "*", "deflate, *;q=0.1", "x-gzip", "GZIP",
])
def test_gzip_sibling_sent_when_accepted(app, accept):
    resp = get(app, "/static/style.css", **{"Accept-Encoding": accept})
    assert resp.status == 200
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Vary"] == "Accept-Encoding"
    assert resp.headers["Content-Type"] == "text/css"
    assert gzip.decompress(resp.body) == CSS
    assert int(resp.headers["Content-Length"]) == len(resp.body) < len(CSS)


@pytest.mark.parametrize("accept", [
    None, "", "identity", "gzip;q=0", "gzip; q=0.000", "*;q=0", "deflate, br", "*, gzip;q=0",
])
def test_plain_file_sent_when_gzip_refused(app, accept):
    headers = {} if accept is None else {"Accept-Encoding": accept}
    resp = get(app, "/static/style.css", **headers)
    assert resp.status == 200
    assert "Content-Encoding" not in resp.headers
    assert resp.headers["Vary"] == "Accept-Encoding"  # caches must keep both apart
    assert resp.body == CSS


def test_gzip_and_plain_have_different_etags(app):
    plain = get(app, "/static/style.css")
    packed = get(app, "/static/style.css", **{"Accept-Encoding": "gzip"})
    assert plain.headers["ETag"] != packed.headers["ETag"]


def test_only_gz_stored_is_served_to_gzip_clients_only(app):
    resp = get(app, "/static/only.js", **{"Accept-Encoding": "gzip"})
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/javascript"
    assert gzip.decompress(resp.body) == b"console.log(1);\n"
    assert get(app, "/static/only.js").status == 404


def test_gzip_option_off(tree):
    app = make_app(tree, gzip=False)
    resp = get(app, "/static/style.css", **{"Accept-Encoding": "gzip"})
    assert resp.body == CSS
    assert "Content-Encoding" not in resp.headers and "Vary" not in resp.headers


# Conditional requests


def test_if_none_match_both_ways(app):
    etag = get(app, "/static/hello.txt").headers["ETag"]
    for value in (etag, "W/" + etag, '"other", ' + etag, "*"):
        resp = get(app, "/static/hello.txt", **{"If-None-Match": value})
        assert resp.status == 304, value
        assert resp.body == b""
        assert resp.headers["ETag"] == etag
        assert resp.headers["Last-Modified"] == MTIME_TEXT
        assert resp.headers["Cache-Control"] == "max-age=60"
        assert "Content-Length" not in resp.headers
    resp = get(app, "/static/hello.txt", **{"If-None-Match": '"other"'})
    assert resp.status == 200
    assert resp.body == b"Hello, static!\n"


def test_if_modified_since_both_ways(app):
    for value in (MTIME_TEXT, "Mon, 07 Nov 1994 00:00:00 GMT", "Fri, 01 Jan 2100 00:00:00 GMT"):
        assert get(app, "/static/hello.txt", **{"If-Modified-Since": value}).status == 304, value
    for value in ("Sun, 06 Nov 1994 08:49:36 GMT", "Sat, 01 Jan 1994 00:00:00 GMT"):
        assert get(app, "/static/hello.txt", **{"If-Modified-Since": value}).status == 200, value


@pytest.mark.parametrize("value", [
    "yesterday", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
    "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", "", "Sun, ²6 Nov 1994 08:49:37 GMT",
])
def test_unparseable_if_modified_since_is_ignored(app, value):
    assert get(app, "/static/hello.txt", **{"If-Modified-Since": value}).status == 200


def test_if_none_match_wins_over_if_modified_since(app):
    etag = get(app, "/static/hello.txt").headers["ETag"]
    resp = get(app, "/static/hello.txt", **{"If-None-Match": '"other"', "If-Modified-Since": MTIME_TEXT})
    assert resp.status == 200
    old = "Sat, 01 Jan 1994 00:00:00 GMT"
    resp = get(app, "/static/hello.txt", **{"If-None-Match": etag, "If-Modified-Since": old})
    assert resp.status == 304


def test_304_for_the_gzip_variant_keeps_vary(app):
    etag = get(app, "/static/style.css", **{"Accept-Encoding": "gzip"}).headers["ETag"]
    resp = get(app, "/static/style.css", **{"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert resp.status == 304
    assert resp.headers["Vary"] == "Accept-Encoding"
    # The plain variant's tag differs, so a client without gzip gets the file.
    assert get(app, "/static/style.css", **{"If-None-Match": etag}).status == 200


# Ranges


@pytest.mark.parametrize("value, first, last", [
    ("bytes=0-9", 0, 9), ("bytes=90-", 90, 99), ("bytes=-5", 95, 99), ("bytes=95-200", 95, 99),
    ("bytes=-500", 0, 99), ("bytes=42-42", 42, 42), ("bytes = 10 - 19", 10, 19), ("BYTES=0-0", 0, 0),
])
def test_single_range_is_206(app, value, first, last):
    resp = get(app, "/static/data.bin", Range=value)
    assert resp.status == 206
    assert resp.body == DATA[first:last + 1]
    assert resp.headers["Content-Range"] == "bytes %d-%d/100" % (first, last)
    assert resp.headers["Content-Length"] == str(last - first + 1)
    assert resp.headers["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("value", ["bytes=100-", "bytes=1000-2000", "bytes=-0"])
def test_unsatisfiable_range_is_416(app, value):
    resp = get(app, "/static/data.bin", Range=value)
    assert resp.status == 416
    assert resp.headers["Content-Range"] == "bytes */100"


@pytest.mark.parametrize("value", [
    "bytes=0-1,5-6", "bytes=5-2", "bytes=x-y", "items=0-9", "bytes=-", "bytes=0_9", "bytes=²-3", "",
])
def test_multiple_or_malformed_ranges_get_the_whole_file(app, value):
    resp = get(app, "/static/data.bin", Range=value)
    assert resp.status == 200
    assert resp.body == DATA
    assert "Content-Range" not in resp.headers


def test_if_range(app):
    first = get(app, "/static/data.bin")
    etag = first.headers["ETag"]
    assert get(app, "/static/data.bin", Range="bytes=0-9", **{"If-Range": etag}).status == 206
    assert get(app, "/static/data.bin", Range="bytes=0-9", **{"If-Range": MTIME_TEXT}).status == 206
    for stale in ('"other"', "W/" + etag, "Mon, 07 Nov 1994 00:00:00 GMT", "garbage"):
        resp = get(app, "/static/data.bin", Range="bytes=0-9", **{"If-Range": stale})
        assert resp.status == 200 and resp.body == DATA, stale


def test_range_of_the_gzip_variant(app):
    packed = gzip.compress(CSS, mtime=0)
    resp = get(app, "/static/style.css", Range="bytes=0-9", **{"Accept-Encoding": "gzip"})
    assert resp.status == 206
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.body == packed[:10]
    assert resp.headers["Content-Range"] == "bytes 0-9/%d" % len(packed)


def test_range_of_an_empty_file_is_416(tree):
    write(tree / "empty.txt", b"")
    app = make_app(tree)
    assert get(app, "/static/empty.txt", Range="bytes=0-").status == 416
    resp = get(app, "/static/empty.txt")
    assert resp.status == 200 and resp.body == b"" and resp.headers["Content-Length"] == "0"


# Directories and index.html


def test_directory_redirects_to_slash_then_serves_index(app):
    resp = get(app, "/static/sub")
    assert resp.status == 301
    assert resp.headers["Location"] == "/static/sub/"
    resp = get(app, "/static/sub/")
    assert resp.status == 200
    assert resp.body == b"<h1>sub index</h1>"
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"


def test_redirect_keeps_query_and_encodes_path(app):
    assert get(app, "/static/sub?x=1&y=2").headers["Location"] == "/static/sub/?x=1&y=2"
    resp = get(app, "/static/a%20dir")
    assert resp.headers["Location"] == "/static/a%20dir/"
    assert get(app, "/static/a%20dir/").body == b"<h1>spaced</h1>"


def test_root_index_and_prefix_without_slash(app):
    assert get(app, "/static/").body == b"<h1>root index</h1>"
    resp = get(app, "/static")
    assert resp.status == 301 and resp.headers["Location"] == "/static/"


def test_directory_without_index_is_404(app):
    assert get(app, "/static/noindex").status == 404
    assert get(app, "/static/noindex/").status == 404


def test_index_off(tree):
    app = make_app(tree, index=None)
    assert get(app, "/static/sub").status == 404
    assert get(app, "/static/sub/").status == 404
    assert get(app, "/static/").status == 404
    assert get(app, "/static").status == 404


def test_redirect_inside_a_mounted_app(tree):
    outer = picoweb.WebApp()
    outer.mount("/files", make_app(tree))
    resp = get(outer, "/files/static/sub")
    assert resp.status == 301 and resp.headers["Location"] == "/files/static/sub/"
    assert get(outer, "/files/static/sub/").body == b"<h1>sub index</h1>"


# Traversal: raw request targets, so no client normalises them.


@pytest.mark.parametrize("target", [
    b"/static/../secret.txt",
    b"/static/sub/../../secret.txt",
    b"/static/%2e%2e/secret.txt",
    b"/static/%2E%2E/secret.txt",
    b"/static/.%2e/secret.txt",
    b"/static/%2e%2e%2fsecret.txt",
    b"/static/..%2Fsecret.txt",
    b"/static/sub%2f..%2f..%2fsecret.txt",
    b"/static/..\\secret.txt",
    b"/static/%2e%2e%5csecret.txt",
    b"/static/sub\\..\\..\\secret.txt",
    b"/static//etc/passwd",
    b"/static/%2fetc/passwd",
    b"/static/%2F" + os.path.abspath(__file__).encode()[1:],
    b"/static/hello.txt%00.png",
    b"/static/%00",
    b"/static/./hello.txt",
    b"/static/sub/./index.html",
    b"/static/C:/Windows/win.ini",
    b"/static/c:%5cboot.ini",
    b"/static/hello.txt%0a",
    b"http://x/static/../secret.txt",
])
def test_traversal_is_refused(app, target):
    resp = raw_get(app, target)
    assert resp.status in (403, 404), target
    assert resp.status == 403 or target == b"/static/hello.txt%0a"


def test_double_encoded_dots_are_just_a_name(app):
    assert raw_get(app, b"/static/%252e%252e/secret.txt").status == 404


@pytest.mark.parametrize("target", [b"/static/.hidden", b"/static/.git/config", b"/static/sub/.hidden"])
def test_dotfiles_are_404(app, target):
    assert raw_get(app, target).status == 404


def test_dotfiles_option(tree):
    app = make_app(tree, dotfiles=True)
    assert raw_get(app, b"/static/.hidden").body == b"hidden"
    assert raw_get(app, b"/static/%2e%2e/secret.txt").status == 403


def test_symlinks_leaving_the_root_are_404(tree):
    (tree / "escape.txt").symlink_to(tree.parent / "secret.txt")
    (tree / "escdir").symlink_to(tree.parent / "outside", target_is_directory=True)
    (tree / "abs.txt").symlink_to("/etc/hostname")
    (tree / "inner.txt").symlink_to("hello.txt")
    (tree / "style2.css").symlink_to(tree / "style.css")
    (tree / "style2.css.gz").symlink_to(tree.parent / "secret.txt")
    app = make_app(tree)
    for target in (b"/static/escape.txt", b"/static/escdir/secret.txt", b"/static/abs.txt"):
        assert raw_get(app, target).status == 404, target
    # Links that stay inside are fine; a .gz sibling leaving it is ignored.
    assert raw_get(app, b"/static/inner.txt").body == b"Hello, static!\n"
    resp = run(TestClient(app).get("/static/style2.css", headers={"Accept-Encoding": "gzip"}))
    assert resp.body == CSS and "Content-Encoding" not in resp.headers


def test_root_that_is_itself_a_symlink(tree, tmp_path):
    link = tmp_path / "link-to-root"
    link.symlink_to(tree, target_is_directory=True)
    app = make_app(link)
    assert raw_get(app, b"/static/hello.txt").body == b"Hello, static!\n"
    assert raw_get(app, b"/static/../secret.txt").status == 403


# Where the root comes from


def test_root_in_a_package(tmp_path, monkeypatch):
    name = "picoweb_static_demo_pkg"
    write(tmp_path / name / "__init__.py", b"")
    write(tmp_path / name / "static" / "hello.txt", b"from the package")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(str(tmp_path.parent))
    try:
        app = picoweb.WebApp()
        app.install(Static(pkg=name))
        assert get(app, "/static/hello.txt").body == b"from the package"
        app = picoweb.WebApp(name + ".views")  # the app's own package by default
        app.install(Static())
        assert get(app, "/static/hello.txt").body == b"from the package"
    finally:
        sys.modules.pop(name, None)


def test_relative_root_without_package_is_the_cwd(tree, monkeypatch):
    monkeypatch.chdir(str(tree.parent))
    app = picoweb.WebApp()
    app.install(Static(root="root"))
    monkeypatch.chdir("/")  # resolved at install
    assert get(app, "/static/hello.txt").body == b"Hello, static!\n"


# Response.write_file and the core sendfile helper


class CountingWriter:
    """A stream writer that hashes and counts, keeping nothing."""

    def __init__(self):
        self.size = 0
        self.head = b""
        self.hash = hashlib.sha256()

    def write(self, data):
        if not self.head:
            end = bytes(data).find(b"\r\n\r\n") + 4
            self.head, data = bytes(data[:end]), data[end:]
        self.size += len(data)
        self.hash.update(data)

    async def drain(self):
        pass

    def close(self):
        pass

    async def wait_closed(self):
        pass

    def get_extra_info(self, name):
        return None


class NoSendfileTransport:
    """A transport asyncio cannot sendfile() over (as TLS ones)."""

    def is_closing(self):
        return False

    def get_write_buffer_size(self):
        return 0  # everything written is already gone

    def get_write_buffer_limits(self):
        return 16384, 65536


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    root = tmp_path_factory.mktemp("big")
    data = os.urandom(BIG)
    (root / "big.bin").write_bytes(data)
    return root, hashlib.sha256(data).hexdigest()


def serve_with(app, writer, path):
    request = ("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode()

    async def go():
        await app.start()
        await picoweb.server.Connection(app, MemoryReader(request), writer).serve()

    run(go())


def test_fallback_copy_keeps_memory_bounded(big_file):
    root, digest = big_file
    app = make_app(root)
    writer = CountingWriter()
    tracemalloc.start()
    try:
        serve_with(app, writer, "/static/big.bin")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert writer.size == BIG
    assert writer.hash.hexdigest() == digest
    assert peak < 1024 * 1024, peak


def test_transport_without_sendfile_falls_back(big_file):
    root, digest = big_file
    writer = CountingWriter()
    writer.transport = NoSendfileTransport()
    conn = picoweb.server.Connection(make_app(root), MemoryReader(b""), writer)
    assert run(conn.send_zero_copy(open(str(root / "big.bin"), "rb"), 0, 10)) is None
    serve_with(make_app(root), writer, "/static/big.bin")
    assert writer.size == BIG and writer.hash.hexdigest() == digest


def test_write_file_without_content_length_is_chunked(tree):
    app = picoweb.WebApp()

    @app.route("/f")
    async def handler(req, resp):
        await picoweb.start_response(resp, "application/octet-stream")
        with open(str(tree / "data.bin"), "rb") as f:
            await resp.write_file(f, 10, 50)

    out = run(TestClient(app).raw(b"GET /f HTTP/1.1\r\nHost: x\r\n\r\n"))  # keep-alive
    (resp,) = parse_responses(out)
    assert resp.headers["Transfer-Encoding"] == "chunked"
    assert resp.body == DATA[10:60]


def test_write_file_of_a_shrunken_file_closes_the_connection(tree):
    app = picoweb.WebApp()

    @app.route("/f")
    async def handler(req, resp):
        resp.headers["Content-Length"] = "200"
        with open(str(tree / "data.bin"), "rb") as f:
            await resp.write_file(f, 0, 200)

    pipelined = b"GET /f HTTP/1.1\r\nHost: x\r\n\r\n" * 2
    out = run(TestClient(app).raw(pipelined))
    assert out.count(b"HTTP/1.1 200") == 1
    assert out.endswith(DATA)


def test_core_sendfile_helper(tree):
    app = picoweb.WebApp()

    @app.route("/<name>")
    async def handler(req, resp, name):
        await picoweb.sendfile(resp, str(tree / name))

    resp = get(app, "/data.bin")
    assert resp.status == 200 and resp.body == DATA
    assert resp.headers["Content-Length"] == "100"
    assert resp.headers["Content-Type"] == "application/octet-stream"
    head = get(app, "/data.bin", "HEAD")
    assert head.body == b"" and head.headers["Content-Length"] == "100"
    assert get(app, "/missing.bin").status == 404


# Over a real socket: zero-copy, httpx and curl


@pytest.fixture
def sendfile_calls(monkeypatch):
    """The results of every Connection.send_zero_copy call (None: not zero-copy)."""
    calls = []
    original = picoweb.server.Connection.send_zero_copy

    async def recording(self, f, offset, count):
        sent = await original(self, f, offset, count)
        calls.append((offset, count, sent))
        return sent

    monkeypatch.setattr(picoweb.server.Connection, "send_zero_copy", recording)
    return calls


def settled(calls, count, timeout=5):
    """`calls` once it holds `count` entries: a call is recorded when the
    server task resumes, which may be just after the client has every byte."""
    deadline = time.monotonic() + timeout
    while len(calls) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return calls


def curl(*args):
    result = subprocess.run(("curl", "-s", "--max-time", "20") + args, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_big_file_zero_copy_with_httpx_and_curl(big_file, serve_app, sendfile_calls, tmp_path):
    root, digest = big_file
    server = serve_app(make_app(root))
    url = server.url + "/static/big.bin"
    with httpx.Client(timeout=20) as http:
        resp = http.get(url)
        assert resp.status_code == 200
        assert len(resp.content) == BIG
        assert hashlib.sha256(resp.content).hexdigest() == digest
        # The connection stays usable after a zero-copy body.
        part = http.get(url, headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == (root / "big.bin").read_bytes()[1000:2000]
    if ON_UVLOOP:
        # uvloop has no loop.sendfile(): the body goes through the copy loop.
        assert settled(sendfile_calls, 2) == [(0, BIG, None), (1000, 1000, None)]
        return
    assert settled(sendfile_calls, 2) == [(0, BIG, BIG), (1000, 1000, 1000)]

    out = tmp_path / "curl.bin"
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        curl("-o", str(out), url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.stat().st_size == BIG
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert settled(sendfile_calls, 3)[-1] == (0, BIG, BIG)
    assert peak < 1024 * 1024, peak  # the server held no copy of the file


def test_real_socket_gzip_304_range_head_and_index(tree, serve_app, sendfile_calls):
    server = serve_app(make_app(tree))
    base = server.url + "/static/"
    with httpx.Client(timeout=10) as http:
        resp = http.get(base + "style.css")  # httpx asks for gzip and decodes it
        assert resp.headers["content-encoding"] == "gzip" and resp.content == CSS
        resp = http.get(base + "style.css", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in resp.headers and resp.content == CSS
        etag = resp.headers["etag"]
        resp = http.get(base + "style.css", headers={"Accept-Encoding": "identity", "If-None-Match": etag})
        assert resp.status_code == 304 and resp.content == b""
        resp = http.get(base + "hello.txt", headers={"If-Modified-Since": MTIME_TEXT})
        assert resp.status_code == 304
        resp = http.get(base + "hello.txt", headers={"If-Modified-Since": "Sat, 01 Jan 1994 00:00:00 GMT"})
        assert resp.status_code == 200 and resp.content == b"Hello, static!\n"
        resp = http.get(base + "data.bin", headers={"Range": "bytes=-10"})
        assert resp.status_code == 206 and resp.content == DATA[-10:]
        resp = http.get(base + "data.bin", headers={"Range": "bytes=500-"})
        assert resp.status_code == 416 and resp.headers["content-range"] == "bytes */100"
        resp = http.head(base + "data.bin")
        assert resp.status_code == 200 and resp.headers["content-length"] == "100" and resp.content == b""
        resp = http.get(base + "sub")
        assert resp.status_code == 301 and resp.headers["location"] == "/static/sub/"
        assert http.get(base + "sub", follow_redirects=True).content == b"<h1>sub index</h1>"
    expected = [len(gzip.compress(CSS, mtime=0)), len(CSS), 15, 10, 18]
    if ON_UVLOOP:
        expected = [None] * len(expected)  # no loop.sendfile(): copied instead
    assert [sent for _, _, sent in settled(sendfile_calls, len(expected))] == expected

    assert curl("--compressed", base + "style.css") == CSS
    assert curl("-r", "0-9", base + "data.bin") == DATA[:10]
    head = curl("-I", base + "hello.txt").decode()
    assert "HTTP/1.1 200" in head and "Content-Length: 15" in head
    assert curl("-L", base + "sub") == b"<h1>sub index</h1>"
    assert curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "If-Modified-Since: " + MTIME_TEXT,
                base + "hello.txt") == b"304"


@pytest.mark.parametrize("path", [
    "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt",
    "/static/..%5csecret.txt", "/static/%2fetc/passwd", "/static/hello.txt%00", "/static/escape.txt",
])
def test_real_socket_traversal_with_curl(tree, serve_app, path):
    (tree / "escape.txt").symlink_to(tree.parent / "secret.txt")
    server = serve_app(make_app(tree))
    out = curl("--path-as-is", "-i", server.url + path)
    assert SECRET not in out
    assert out.startswith(b"HTTP/1.1 403") or out.startswith(b"HTTP/1.1 404"), out[:40]


# The header values, as plain functions


def test_http_dates_round_trip():
    assert format_http_date(MTIME) == MTIME_TEXT
    assert format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"
    for seconds in (0, 951782400, 1709164799, 4102444800, 1234567890):
        assert parse_http_date(format_http_date(seconds)) == tuple(time.gmtime(seconds)[:6])


def test_parse_range_table():
    assert parse_range("bytes=0-4", 10) == (0, 4)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=10-", 10) is False
    assert parse_range("bytes=-1", 0) is False
    assert parse_range("bytes=5-2", 10) is None
    assert parse_range("bytes=0-1,3-4", 10) is None
    assert parse_range("bytes=0-99999999999999999999", 10) is None  # absurd: ignored


def test_accepts_gzip_and_quote_path():
    assert accepts_gzip("gzip;q=0.001") and not accepts_gzip("gzip;q=0, *")
    assert not accepts_gzip("gzip;q=bad")
    assert quote_path("/static/a b/é?#%") == "/static/a%20b/%C3%A9%3F%23%25"


# The example


def test_example_img(monkeypatch):
    monkeypatch.chdir("/")  # the static root follows the example file, not the cwd
    spec = importlib.util.spec_from_file_location("example_img", os.path.join(ROOT, "examples", "example_img.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.app
    page = get(app, "/")
    assert "/static/logo.png" in page.text and "/static/style.css" in page.text
    png = get(app, "/static/logo.png")
    assert png.headers["Content-Type"] == "image/png"
    assert png.body[:8] == b"\x89PNG\r\n\x1a\n" and png.body[12:16] == b"IHDR"
    css = open(os.path.join(ROOT, "examples", "static", "style.css"), "rb").read()
    packed = get(app, "/static/style.css", **{"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.body) == css  # the .gz is not stale
    assert get(app, "/static/style.css").body == css

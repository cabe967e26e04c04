# The static plugin under MicroPython: full files, ranges, gzip, 304, index
# pages and traversal attempts, through the test client (512-byte buffer path).
import os
import picoweb
from picoweb.testclient import TestClient, parse_responses
from picoweb_plugins.static import Static
from picoweb_plugins.static.header_values import format_http_date, parse_http_date, parse_range, accepts_gzip, quote_path


def _setup():
    for d in ("/srv", "/srv/root", "/srv/root/sub"):
        try:
            os.mkdir(d)
        except OSError:
            pass
    with open("/srv/root/data.bin", "wb") as f:
        f.write(bytes(range(256)) * 8)
    with open("/srv/root/style.css", "wb") as f:
        f.write(b"body{}")
    with open("/srv/root/style.css.gz", "wb") as f:
        f.write(b"\x1f\x8bfake")
    with open("/srv/root/sub/index.html", "wb") as f:
        f.write(b"<h1>sub</h1>")
    with open("/srv/secret.txt", "wb") as f:
        f.write(b"SECRET")
    app = picoweb.WebApp()
    app.install(Static(root="/srv/root", max_age=5))
    return TestClient(app)


def test_helpers():
    print(format_http_date(0), parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"))
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == (1994, 11, 6, 8, 49, 37)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=10-", 10) is False
    assert accepts_gzip("gzip;q=0.5") and not accepts_gzip("gzip;q=0")
    assert quote_path("/a b/\u00e9") == "/a%20b/%C3%A9"
    import time
    t = time.time()
    assert parse_http_date(format_http_date(t)) == tuple(time.gmtime(int(t))[:6])


async def test_full_range_gzip_304_index_traversal():
    c = _setup()
    r = await c.get("/static/data.bin")
    assert r.status == 200 and r.body == bytes(range(256)) * 8, r
    print(r.headers)
    etag = r.headers["ETag"]
    r = await c.get("/static/data.bin", headers={"If-None-Match": etag})
    assert r.status == 304
    r = await c.get("/static/data.bin", headers={"If-Modified-Since": r.headers["Last-Modified"]})
    assert r.status == 304
    r = await c.get("/static/data.bin", headers={"Range": "bytes=1000-1999"})
    assert r.status == 206 and r.body == (bytes(range(256)) * 8)[1000:2000]
    r = await c.get("/static/data.bin", headers={"Range": "bytes=5000-"})
    assert r.status == 416
    r = await c.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and r.body == b"\x1f\x8bfake"
    r = await c.head("/static/data.bin")
    assert r.status == 200 and r.body == b""
    r = await c.get("/static/sub")
    assert r.status == 301 and r.headers["Location"] == "/static/sub/"
    r = await c.get("/static/sub/")
    assert r.body == b"<h1>sub</h1>"
    for t in (b"/static/../secret.txt", b"/static/%2e%2e%2fsecret.txt", b"/static/..%5csecret.txt",
              b"/static//srv/secret.txt", b"/static/a%00", b"/static/.hidden"):
        out = await c.raw(b"GET " + t + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert b"SECRET" not in out
        assert out.startswith(b"HTTP/1.1 403") or out.startswith(b"HTTP/1.1 404"), out


async def test_core_sendfile_small_buffer():
    _setup()
    app = picoweb.WebApp()

    @app.route("/f")
    async def f(req, resp):
        await picoweb.sendfile(resp, "/srv/root/data.bin")

    r = await TestClient(app).get("/f")
    assert r.body == bytes(range(256)) * 8

# The forms plugin under MicroPython: query strings, urlencoded and multipart
# bodies (fed whole and a byte at a time), its limits and errors, and that
# uploads leave no temp file behind.
import os

import picoweb
from picoweb.testclient import TestClient
from picoweb_plugins.forms import Forms, read_form

BODY = (b'--B\r\nContent-Disposition: form-data; name="\xc3\xa9"\r\n\r\n\xe2\x9c\x93\r\n'
        b'--B\r\nContent-Disposition: form-data; name="u"; filename="a b.txt"\r\n\r\nx\r\n--\r\n--B--\r\n')
MULTIPART = {"Content-Type": "multipart/form-data; boundary=B"}
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


def _client():
    try:
        os.mkdir("/tmp")
    except OSError:
        pass
    app = picoweb.WebApp("mp")
    app.debug = -1
    app.install(Forms(max_file_size=100))

    @app.route("/f", methods=["GET", "POST"])
    async def form(req, resp):
        fields, files = await read_form(req)
        out = [k + "=" + v for k, v in fields.items()]
        for k, upload in files.items():
            with upload.open() as f:
                out.append("%s:%s:%d:%r" % (k, upload.filename, upload.size, f.read()))
        return ",".join(out)

    @app.route("/q")
    def query(req, resp):
        return ",".join(k + "=" + v for k, v in req.parse_qs().items())

    return TestClient(app)


async def test_query_string_utf8_plus_and_repeats():
    resp = await _client().get("/q?a=%C3%A9+1&a=2&b")
    assert resp.text == "a=\u00e9 1,a=2,b="


async def test_urlencoded_body():
    resp = await _client().post("/f", "k=%E2%9C%93&k=", headers=URLENCODED)
    assert resp.text == "k=\u2713,k="


async def test_multipart_whole_and_byte_by_byte():
    client = _client()
    for chunk in (65536, 1):
        resp = await client.post("/f", BODY, headers=MULTIPART, chunk=chunk)
        assert resp.text == "\u00e9=\u2713,u:a b.txt:5:b'x\\r\\n--'", (chunk, resp.text)
    assert os.listdir("/tmp") == []


async def test_errors_and_limits():
    client = _client()
    assert (await client.post("/f", "a=%FF", headers=URLENCODED)).status == 400
    assert (await client.post("/f", BODY[:-5], headers=MULTIPART)).status == 400
    assert (await client.post("/f", BODY.replace(b"x", b"x" * 101), headers=MULTIPART)).status == 413
    assert (await client.post("/f", b"{}", headers={"Content-Type": "application/json"})).status == 415
    assert os.listdir("/tmp") == []

"""Every plugin served by the MicroPython unix port (apps/plugins_app.py)
over real sockets: static files, forms and uploads, JSON."""

import os

import httpx
import pytest

from rawhttp import connect, get, recv_responses

APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")
STATIC = os.path.join(APPS, "static")
JSON_TYPE = {"Content-Type": "application/json"}


@pytest.fixture
def plugins(mp_server, tmp_path):
    server = mp_server("plugins_app.py", str(tmp_path), cwd=APPS)
    server.uploads = tmp_path
    with httpx.Client(base_url=server.url, timeout=5) as client:
        server.client = client
        yield server


def read(name):
    with open(os.path.join(STATIC, name), "rb") as f:
        return f.read()


# static


def test_static_file_ranges_and_conditional_requests(plugins):
    client = plugins.client
    whole = client.get("/static/data.bin")
    assert whole.status_code == 200 and whole.content == read("data.bin")
    assert whole.headers["content-length"] == str(len(whole.content))
    assert whole.headers["cache-control"] == "max-age=60"
    etag = whole.headers["etag"]
    assert client.get("/static/data.bin", headers={"If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": whole.headers["last-modified"]}
    assert client.get("/static/data.bin", headers=since).status_code == 304
    part = client.get("/static/data.bin", headers={"Range": "bytes=1000-2999"})
    assert part.status_code == 206 and part.content == read("data.bin")[1000:3000]
    assert part.headers["content-range"] == "bytes 1000-2999/16384"
    assert client.get("/static/data.bin", headers={"Range": "bytes=20000-"}).status_code == 416
    head = client.head("/static/data.bin")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == "16384"


def test_static_gzip_index_and_redirect(plugins):
    client = plugins.client
    zipped = client.get("/static/style.css", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == read("style.css")  # httpx decoded it
    plain = client.get("/static/style.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == read("style.css")
    assert plain.headers["content-type"] == "text/css"
    moved = client.get("/static/sub")
    assert moved.status_code == 301 and moved.headers["location"] == "/static/sub/"
    assert client.get("/static/sub/").content == b"<h1>sub</h1>\n"


@pytest.mark.parametrize("target", [
    "/static/../plugins_app.py", "/static/%2e%2e/plugins_app.py", "/static/..%2fplugins_app.py",
    "/static/..%5cplugins_app.py", "/static//etc/passwd", "/static/a%00b", "/static/.hidden",
    "/static/sub/../../plugins_app.py",
])
def test_static_refuses_what_lies_outside_its_root(plugins, target):
    sock = connect(plugins.port)
    with sock:
        sock.sendall(get(target))
        (resp,) = recv_responses(sock, 1)
    assert resp.status in (403, 404), (target, resp)
    assert b"import" not in resp.body and b"root:" not in resp.body


def test_static_file_on_a_kept_alive_connection_then_more_requests(plugins):
    sock = connect(plugins.port)
    with sock:
        sock.sendall(get("/static/data.bin") + get("/static/style.css") + get("/static/missing"))
        responses = recv_responses(sock, 3)
    assert [r.status for r in responses] == [200, 200, 404]
    assert responses[0].body == read("data.bin")


def test_static_long_path_is_answered(plugins):
    sock = connect(plugins.port)
    with sock:
        sock.sendall(get("/static/" + "a" * 8000))
        (resp,) = recv_responses(sock, 1)
    assert resp.status == 404


# forms


def test_urlencoded_query_and_body(plugins):
    client = plugins.client
    assert client.get("/query?a=%C3%A9+1&a=2&b").text == "a=\u00e9 1,a=2,b="
    posted = client.post("/form", content=b"k=%E2%9C%93&n=", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert posted.text == "k=\u2713,n="
    bad = client.post("/form", content=b"a=%FF", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert bad.status_code == 400


def test_multipart_upload_leaves_no_temp_file(plugins):
    client = plugins.client
    data = bytes(range(256)) * 200
    sent = client.post("/form", data={"title": "t\u00e9"}, files={"f": ("a b.bin", data)})
    assert sent.status_code == 200
    assert sent.text == "title=t\u00e9,f:a b.bin:%d:%d" % (len(data), sum(data) % 997)
    too_big = client.post("/form", files={"f": ("big.bin", b"x" * 150000)})
    assert too_big.status_code == 413
    assert client.post("/form", content=b"{}", headers=JSON_TYPE).status_code == 415
    assert client.get("/uploads").text == ""
    assert os.listdir(str(plugins.uploads)) == []


def test_text_from_clients_does_not_stay_on_the_heap(plugins):
    # As in test_mp_core.py: MicroPython interns each character taken out
    # of a str by a loop or an index, for good. Static paths and multipart
    # names and filenames must not be walked so.
    client = plugins.client
    start = int(client.get("/heap").text)
    for round_ in range(4):
        chars = "".join(chr(0x4E00 + round_ * 600 + i) for i in range(600))
        assert client.get("/static/" + chars[:200] + ":").status_code == 403
        assert client.get("/static/.%s" % chars[200:400]).status_code == 404
        sent = client.post("/form", files={"f" + chars[400:500]: (chars[500:] + ".bin", b"x")})
        assert sent.status_code == 200
    grown = int(client.get("/heap").text) - start
    assert grown < 16384, "%d bytes more on the heap after 2,400 distinct characters" % grown


def test_multipart_body_cut_short_is_400(plugins):
    body = (b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--B')
    sent = plugins.client.post("/form", content=body, headers={
        "Content-Type": "multipart/form-data; boundary=B"})
    assert sent.status_code == 400


# json


def test_json_round_trip_and_errors(plugins):
    client = plugins.client
    sent = client.post("/echo", json={"name": "Zo\u00eb", "n": [1, 2.5, None, True]})
    assert sent.status_code == 201 and sent.headers["content-type"] == "application/json"
    assert sent.json() == {"got": {"name": "Zo\u00eb", "n": [1, 2.5, None, True]}}
    assert client.post("/echo", content=b"{", headers=JSON_TYPE).status_code == 400
    assert client.post("/echo", content=b"\xff", headers=JSON_TYPE).status_code == 400
    assert client.post("/echo", content=b"[1]", headers={"Content-Type": "text/plain"}).status_code == 415
    big = b'["' + b"x" * 70000 + b'"]'
    assert client.post("/echo", content=big, headers=JSON_TYPE).status_code == 413


@pytest.mark.parametrize("depth", [33, 3000, 10000])
def test_deeply_nested_json_is_400(plugins, depth):
    # MicroPython's json.loads has no depth limit: 3,000 levels decoded, and
    # echoing them back overflowed json.dumps's stack (a 500). The plugin
    # refuses more than 32 there.
    for body in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        sent = plugins.client.post("/echo", content=body, headers=JSON_TYPE)
        assert sent.status_code == 400, (depth, sent.status_code, sent.text[:200])


def test_json_nested_within_the_limit_and_brackets_in_strings(plugins):
    client = plugins.client
    assert client.post("/echo", content=b"[" * 32 + b"]" * 32, headers=JSON_TYPE).status_code == 201
    text = '["' + "[" * 5000 + '\\"{"]'
    sent = client.post("/echo", content=text.encode(), headers=JSON_TYPE)
    assert sent.status_code == 201 and sent.json() == {"got": ["[" * 5000 + '"{']}

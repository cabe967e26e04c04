"""The forms plugin: urlencoded and multipart bodies, uploads, limits, errors.

In-process through TestClient (byte-by-byte feeds included), over a real
socket with httpx and curl, and the shared code under MicroPython (wasm).
"""

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import tracemalloc

import httpx
import picoweb
import pytest
from picoweb.testclient import TestClient, parse_responses
from picoweb_plugins.forms import Forms, MultiDict, UploadedFile, read_form
from picoweb_plugins.forms import formdata
from picoweb_plugins.forms.multipart import (
    DATA, DONE, END, PART, MultipartParser, parse_disposition, parse_options,
)
from picoweb_plugins.forms.uploads import DiskFile
from picoweb_plugins.forms.urlencoded import parse_urlencoded

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}
BOUNDARY = "----pw-Bound4ry"
MULTIPART = {"Content-Type": "multipart/form-data; boundary=" + BOUNDARY}
MIB = 1024 * 1024
# A piece handed on may carry, besides one read, what was held back as a
# possible delimiter ("\r\n--" and a boundary of at most 70 characters).
MAX_PIECE = Forms().read_size + 73


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(65536), b""):
            digest.update(piece)
    return digest.hexdigest()


def multipart(fields=(), files=(), boundary=BOUNDARY):
    """A multipart/form-data body: fields as (name, str), files as (name, filename, bytes)."""
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, name)).encode())
        out.append(value.encode() + b"\r\n")
    for name, filename, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n" % (boundary, name, filename)).encode())
        out.append(data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out)


def http(method, path, body=b"", headers=None):
    """One keep-alive HTTP/1.1 request as bytes, for pipelining through raw()."""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: test"]
    for name, value in (headers or {}).items():
        lines.append("%s: %s" % (name, value))
    if body and "Transfer-Encoding" not in (headers or {}):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def describe(files, recorded=None):
    out = []
    for field, upload in files.items():
        item = {"field": field, "filename": upload.filename, "type": upload.content_type, "size": upload.size}
        if upload.path is not None:
            item["sha256"] = file_sha256(upload.path)
        elif upload.sink is not None:
            item["sha256"] = sha256(b"".join(upload.sink.chunks))
        out.append(item)
    return out


def spy_disk_file(writes):
    """A DiskFile class that records the size of every write."""

    class SpyDiskFile(DiskFile):
        def write(self, data):
            writes.append(len(data))
            DiskFile.write(self, data)

    return SpyDiskFile


class Recorder:
    """An on_file sink that keeps the chunks it was handed."""

    def __init__(self, field, filename, content_type):
        self.field = field
        self.chunks = []
        self.closed = self.aborted = False

    def write(self, data):
        assert isinstance(data, bytes)
        self.chunks.append(data)

    def close(self):
        self.closed = True

    def abort(self):
        self.aborted = True


def make_app(**options):
    app = picoweb.WebApp(__name__)
    app.debug = -1
    forms = app.install(Forms(**options))
    app.seen = []  # UploadedFiles and sinks the handlers got, for after-the-fact checks

    @app.route("/qs")
    def query(req, resp):
        return {"form": req.parse_qs().items(), "same": req.form is not None}

    @app.route("/form", methods=["POST"])
    async def form(req, resp):
        fields = await req.read_form_data()
        assert fields is req.form
        app.seen.extend(upload for _, upload in req.files.items())
        return {"form": fields.items(), "files": describe(req.files)}

    @app.route("/big", methods=["POST"], max_body=8 * MIB)
    async def big(req, resp):
        fields, files = await read_form(req)
        app.seen.extend(upload for _, upload in files.items())
        return {"form": fields.items(), "files": describe(files)}

    @app.route("/callback", methods=["POST"], max_body=8 * MIB)
    async def callback(req, resp):
        def on_file(field, filename, content_type):
            if field == "skip":
                return None
            sink = Recorder(field, filename, content_type)
            app.seen.append(sink)
            return sink

        fields, files = await read_form(req, on_file=on_file)
        return {"form": fields.items(), "files": describe(files),
                "max_chunk": max([len(c) for s in app.seen for c in s.chunks] or [0])}

    @app.route("/ok")
    def ok(req, resp):
        return "ok"

    app.forms = forms
    return app


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def client(app):
    """Overrides conftest's `client`: the async TestClient of `app`."""
    return TestClient(app)


# MultiDict


def test_multidict_first_value_all_values_and_order():
    form = MultiDict([("a", "1"), ("b", "2"), ("a", "3")])
    assert form["a"] == "1" and form.get("a") == "1"
    assert form.getlist("a") == ["1", "3"] and form.getlist("zz") == []
    assert form.get("zz") is None and form.get("zz", "d") == "d"
    assert form.keys() == ["a", "b"] and list(form) == ["a", "b"] and len(form) == 2
    assert form.items() == [("a", "1"), ("b", "2"), ("a", "3")]
    assert form.to_dict() == {"a": "1", "b": "2"}
    form["a"] = "x"
    assert form.getlist("a") == ["x"] and form.items() == [("b", "2"), ("a", "x")]
    assert "a" in form and "zz" not in form
    with pytest.raises(KeyError):
        form["zz"]


# urlencoded parsing


def test_urlencoded_utf8_plus_repeats_blanks():
    form = parse_urlencoded(b"%C3%A9t%C3%A9=%E2%9C%93+ok&a=1&a=2&empty=&bare&&x=%2B%26%3D&%F0%9F%98%80=1+2")
    assert form["été"] == "✓ ok"
    assert form.getlist("a") == ["1", "2"]
    assert form["empty"] == "" and form["bare"] == ""
    assert form["x"] == "+&="
    assert form["😀"] == "1 2"
    assert parse_urlencoded(b"") .items() == [] and parse_urlencoded("a=b")["a"] == "b"


@pytest.mark.parametrize("raw", [b"a=%zz", b"a=%4", b"a=%", b"%G1=x", b"a=% 1", b"a=%+1", b"a=%-1",
                                 b"a=%FF", b"a=%C3", b"%C3%28=x", b"a=%ED%A0%80"])
def test_urlencoded_malformed_is_400(raw):
    with pytest.raises(picoweb.HTTPError) as info:
        parse_urlencoded(raw)
    assert info.value.status == 400


def test_urlencoded_limits_are_413():
    assert parse_urlencoded(b"a=" + b"x" * 8, max_field_size=10)["a"] == "x" * 8
    with pytest.raises(picoweb.HTTPError) as info:
        parse_urlencoded(b"a=" + b"x" * 9, max_field_size=10)
    assert info.value.status == 413
    with pytest.raises(picoweb.HTTPError) as info:
        parse_urlencoded(b"a&b&c", max_fields=2)
    assert info.value.status == 413


# The multipart parser, without I/O


TRICKY = (
    b"preamble to ignore\r\n"
    b"--XB\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n"
    b"line\r\n--X not a boundary\r\n--XA\r\r\n-- XB\r\n\r\r"
    b"\r\n--XB  \t\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a;b \\\"q\\\".bin\"\r\n"
    b"Content-Type: application/octet-stream\r\n\r\n"
    b"\x00\xff--XB\r\n--X\r\n"
    b"\r\n--XB\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n"
    b"\r\n--XB--\r\nepilogue --XB\r\n"
)


def parse_all(body, boundary="XB", step=None):
    parser = MultipartParser(boundary)
    parts = []
    pieces = [body] if step is None else [body[i:i + step] for i in range(0, len(body), step)]
    max_data = 0
    for piece in pieces:
        parser.feed(piece)
        while True:
            event = parser.next_event()
            if event is None:
                break
            kind, value = event
            if kind == PART:
                parts.append([value, b""])
            elif kind == DATA:
                max_data = max(max_data, len(value))
                parts[-1][1] += value
            elif kind == DONE:
                parts.append("done")
            else:
                assert kind == END
    parser.end_of_input()
    return parts, max_data


@pytest.mark.parametrize("step", [None, 1, 2, 3, 5, 7, 64])
def test_parser_finds_delimiters_across_any_split(step):
    parts, max_data = parse_all(TRICKY, step=step)
    assert parts[-1] == "done" and len(parts) == 4
    (h1, d1), (h2, d2), (h3, d3) = parts[:3]
    assert h1 == {"content-disposition": 'form-data; name="t"'}
    assert d1 == b"line\r\n--X not a boundary\r\n--XA\r\r\n-- XB\r\n\r\r"
    assert h2["content-type"] == "application/octet-stream"
    assert parse_disposition(h2["content-disposition"]) == ("f", 'a;b "q".bin')
    assert d2 == b"\x00\xff--XB\r\n--X\r\n"
    assert d3 == b""
    if step:
        # Only what might start a delimiter ("\r\n--XB" less a byte) is held back.
        assert max_data <= step + len(b"\r\n--XB") - 1


def test_parser_first_boundary_at_the_very_start_and_no_parts():
    parts, _ = parse_all(b"--XB\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XB--")
    assert parts[0][1] == b"v" and parts[-1] == "done"
    assert parse_all(b"--XB--\r\n")[0] == ["done"]


@pytest.mark.parametrize("body, status", [
    (b"no boundary here at all", 400),
    (b"--XB\r\nContent-Disposition: form-data; name=a\r\n\r\nunterminated", 400),
    (b"--XB\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XB", 400),
    (b"--XB\r\nContent-Disposition: form-data; name=a\r\n", 400),
    (b"--XBjunk\r\n\r\n\r\n--XB--", 400),
    (b"--XB\r\nbroken header line\r\n\r\nv\r\n--XB--", 400),
    (b"--XB\r\nX-Long: " + b"h" * 9000 + b"\r\n\r\nv\r\n--XB--", 413),
])
def test_parser_rejects_malformed_input(body, status):
    for step in (None, 1):
        with pytest.raises(picoweb.HTTPError) as info:
            parse_all(body, step=step)
        assert info.value.status == status


def test_parse_options_and_disposition():
    assert parse_options('form-data; name="a;b"; filename=x.txt; flag') == (
        "form-data", {"name": "a;b", "filename": "x.txt"})
    assert parse_options("multipart/form-data; boundary=\"q b\"")[1]["boundary"] == "q b"
    # Browsers send a lone backslash as is and '"' as %22 (the HTML standard).
    assert parse_disposition('form-data; name="C:\\dir\\f"; filename="say %22hi%22.txt"') == (
        "C:\\dir\\f", 'say "hi".txt')
    assert parse_disposition("form-data; name=\"f\"; filename=\"x\"; filename*=UTF-8''%C3%A9t%C3%A9.txt") == (
        "f", "été.txt")
    assert parse_disposition('form-data; name="n"') == ("n", None)
    for bad in ('form-data; filename="x"', "attachment; name=a", "", 'form-data; name="open'):
        with pytest.raises(picoweb.HTTPError) as info:
            parse_disposition(bad)
        assert info.value.status == 400


# Through the app: query strings and urlencoded bodies


def test_parse_qs_fills_req_form(client):
    resp = run(client.get("/qs?%C3%A9t%C3%A9=caf%C3%A9+cr%C3%A8me&k=1&k=2&blank=&bare"))
    assert resp.status == 200
    assert resp.json()["form"] == [["été", "café crème"], ["k", "1"], ["k", "2"], ["blank", ""], ["bare", ""]]
    assert run(client.get("/qs?bad=%E9")).status == 400


def test_read_form_data_urlencoded(client):
    body = "name=Zo%C3%AB+%E2%9C%93&tag=a&tag=b&empty=&bare&%E6%97%A5%E6%9C%AC=%E8%AA%9E"
    resp = run(client.post("/form", body, headers=URLENCODED))
    assert resp.status == 200
    assert resp.json() == {"form": [["name", "Zoë ✓"], ["tag", "a"], ["tag", "b"], ["empty", ""],
                                    ["bare", ""], ["日本", "語"]], "files": []}


def test_urlencoded_chunked_body_and_charset_parameter(client):
    body = b"a=%C3%A9&b=2"
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    resp = run(client.post("/form", chunked, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "Transfer-Encoding": "chunked"}))
    assert resp.json()["form"] == [["a", "é"], ["b", "2"]]


def test_empty_body_without_content_type_is_an_empty_form(client):
    resp = run(client.post("/form", b""))
    assert resp.status == 200 and resp.json() == {"form": [], "files": []}


# Multipart through the app


def test_multipart_fields_and_files_byte_by_byte(client):
    body = multipart(fields=[("title", "Grüße ✓"), ("tag", "a"), ("tag", "b"), ("empty", "")],
                     files=[("doc", "résumé.txt", b"hello\r\n--" + BOUNDARY.encode()[:-1] + b"\r\n"),
                            ("doc", "empty.bin", b"")])
    whole = run(client.post("/form", body, headers=MULTIPART)).json()
    for chunk in (1, 3):
        assert run(client.post("/form", body, headers=MULTIPART, chunk=chunk)).json() == whole
    assert whole["form"] == [["title", "Grüße ✓"], ["tag", "a"], ["tag", "b"], ["empty", ""]]
    first, second = whole["files"]
    assert first["filename"] == "résumé.txt" and first["field"] == "doc"
    assert first["size"] == len(b"hello\r\n--" + BOUNDARY.encode()[:-1] + b"\r\n")
    assert first["sha256"] == sha256(b"hello\r\n--" + BOUNDARY.encode()[:-1] + b"\r\n")
    assert second == {"field": "doc", "filename": "empty.bin", "type": "application/octet-stream",
                      "size": 0, "sha256": sha256(b"")}


def test_raw_one_byte_feed_of_pipelined_requests(client):
    body = multipart(fields=[("k", "v")], files=[("f", "x.txt", b"data")])
    out = run(client.raw(http("POST", "/form", body, MULTIPART) + http("GET", "/ok"), chunk=1))
    first, second = parse_responses(out)
    assert json.loads(first.body)["form"] == [["k", "v"]]
    assert json.loads(first.body)["files"][0]["sha256"] == sha256(b"data")
    assert second.body == b"ok"


def test_temp_files_get_safe_names_and_are_removed_after_the_request(tmp_path):
    app = make_app(upload_dir=str(tmp_path))
    body = multipart(files=[("f", "../../etc/passwd", b"x"), ("f", "/abs/evil", b"y")])
    resp = run(TestClient(app).post("/form", body, headers=MULTIPART))
    assert resp.status == 200
    assert [f["filename"] for f in resp.json()["files"]] == ["../../etc/passwd", "/abs/evil"]
    paths = [upload.path for upload in app.seen]
    assert all(os.path.dirname(p) == str(tmp_path) and "passwd" not in p and "evil" not in p for p in paths)
    assert os.listdir(str(tmp_path)) == []  # the after-request hook removed them


def test_moved_upload_is_kept(tmp_path):
    app = make_app(upload_dir=str(tmp_path / "up"))
    os.mkdir(str(tmp_path / "up"))
    kept = str(tmp_path / "kept.bin")

    @app.route("/keep", methods=["POST"])
    async def keep(req, resp):
        form, files = await read_form(req)
        os.rename(files["f"].path, kept)
        return "kept"

    resp = run(TestClient(app).post("/keep", multipart(files=[("f", "a", b"keep me")]), headers=MULTIPART))
    assert resp.status == 200
    with open(kept, "rb") as f:
        assert f.read() == b"keep me"
    assert os.listdir(str(tmp_path / "up")) == []


def test_5mib_upload_streams_to_disk_in_bounded_memory(tmp_path, monkeypatch):
    app = make_app(upload_dir=str(tmp_path))
    writes = []

    monkeypatch.setattr(formdata, "DiskFile", spy_disk_file(writes))
    payload = os.urandom(5 * MIB)
    request = http("POST", "/big", multipart(fields=[("note", "big")], files=[("blob", "big.bin", payload)]),
                   MULTIPART)
    client = TestClient(app)
    tracemalloc.start()
    try:
        out = run(client.raw(request))  # MemoryReader hands out slices of `request`
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    resp = parse_responses(out)[0]
    assert resp.status == 200
    info = resp.json()["files"][0]
    assert info["size"] == 5 * MIB and info["sha256"] == sha256(payload)
    assert max(writes) <= MAX_PIECE and sum(writes) == 5 * MIB
    assert peak < 512 * 1024, "peak %d bytes: the upload was held in memory" % peak


def test_on_file_callback_gets_bounded_chunks(app, client):
    payload = os.urandom(300000)
    body = multipart(fields=[("a", "1")], files=[("up", "p.bin", payload), ("skip", "s.bin", b"dropped")])
    resp = run(client.post("/callback", body, headers=MULTIPART))
    assert resp.status == 200
    data = resp.json()
    assert data["form"] == [["a", "1"]]
    assert 0 < data["max_chunk"] <= MAX_PIECE
    sink = app.seen[0]
    assert sink.closed and not sink.aborted and b"".join(sink.chunks) == payload
    assert data["files"][1] == {"field": "skip", "filename": "s.bin", "type": "application/octet-stream",
                                "size": 7}  # on_file returned None: counted, not kept


def test_async_on_file_sink(app):
    got = []

    class AsyncSink:
        async def write(self, data):
            await asyncio.sleep(0)
            got.append(data)

        async def close(self):
            got.append(None)

    @app.route("/async", methods=["POST"])
    async def handler(req, resp):
        async def on_file(field, filename, content_type):
            return AsyncSink()

        form, files = await read_form(req, on_file=on_file)
        return {"size": files["f"].size, "path": files["f"].path}

    resp = run(TestClient(app).post("/async", multipart(files=[("f", "a", b"abc")]), headers=MULTIPART))
    assert resp.json() == {"size": 3, "path": None}
    assert b"".join(g for g in got if g) == b"abc" and got[-1] is None


# Limits: 413, and the next request on the connection is still served


def pipelined(app, bad, good=None):
    out = run(TestClient(app).raw(bad + (good or http("GET", "/ok"))))
    responses = parse_responses(out)
    assert len(responses) == 2, out[:400]
    assert responses[1].status == 200 and responses[1].body == b"ok"
    return responses[0]


@pytest.mark.parametrize("options, path, body, headers", [
    ({"max_field_size": 10}, "/form", b"a=" + b"x" * 9, URLENCODED),
    ({"max_memory": 100}, "/form", b"a=1&" * 30, URLENCODED),
    ({"max_fields": 3}, "/form", b"a&b&c&d", URLENCODED),
    ({"max_field_size": 10}, "/form", multipart(fields=[("a", "x" * 11)]), MULTIPART),
    ({"max_memory": 60}, "/form", multipart(fields=[("a", "x" * 10), ("b", "y")]), MULTIPART),  # headers count
    ({"max_fields": 2}, "/form", multipart(fields=[("a", "1"), ("b", "2"), ("c", "3")]), MULTIPART),
    ({"max_file_size": 1000}, "/form", multipart(files=[("f", "a", b"x" * 1001)]), MULTIPART),
    ({"max_file_size": 1000}, "/callback", multipart(files=[("f", "a", b"x" * 5000)]), MULTIPART),
    ({"max_body": 500}, "/form", multipart(files=[("f", "a", b"x" * 600)]), MULTIPART),
    ({"max_body": 500}, "/form", b"a=" + b"x" * 600, URLENCODED),
    ({}, "/form", multipart(fields=[("a", "1")]).replace(b"\r\n\r\n", b"\r\nX: " + b"h" * 9000 + b"\r\n\r\n"),
     MULTIPART),
])
def test_limits_are_413_and_the_connection_goes_on(options, path, body, headers):
    app = make_app(**options)
    first = pipelined(app, http("POST", path, body, headers))
    assert first.status == 413
    # A body under the limit still works on the same settings.
    assert pipelined(app, http("POST", path, multipart(fields=[("a", "1")]), MULTIPART)).status == 200


def test_file_limit_aborts_the_sink_and_removes_written_files(tmp_path):
    app = make_app(upload_dir=str(tmp_path), max_file_size=1000)
    body = multipart(files=[("f", "ok", b"x" * 10), ("f", "big", b"y" * 5000)])
    assert pipelined(app, http("POST", "/form", body, MULTIPART)).status == 413
    assert os.listdir(str(tmp_path)) == []
    pipelined(app, http("POST", "/callback", body, MULTIPART))
    first, second = app.seen
    assert first.closed and not first.aborted and second.aborted and not second.closed


def test_route_max_body_is_enforced_by_the_core_before_the_handler():
    app = make_app()
    app.limits.max_body = 1000
    body = multipart(files=[("f", "a", b"x" * 2000)])
    out = run(TestClient(app).raw(http("POST", "/form", body, MULTIPART)))
    assert parse_responses(out)[0].status == 413
    assert app.seen == []
    assert run(TestClient(app).get("/ok")).body == b"ok"  # and the next connection is served


def test_chunked_multipart_over_the_limit_is_413():
    app = make_app(max_body=500)
    body = multipart(files=[("f", "a", b"x" * 2000)])
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 300]), body[i:i + 300]) for i in range(0, len(body), 300))
    headers = dict(MULTIPART, **{"Transfer-Encoding": "chunked"})
    first = pipelined(app, http("POST", "/form", chunked + b"0\r\n\r\n", headers))
    assert first.status == 413


# Malformed bodies: 400 or 415, and the next request is still served


def part(headers, data=b"v"):
    return ("--%s\r\n%s\r\n\r\n" % (BOUNDARY, headers)).encode() + data + ("\r\n--%s--\r\n" % BOUNDARY).encode()


@pytest.mark.parametrize("body, headers", [
    (b"a=%zz", URLENCODED),
    (b"a=%E9t%E9", URLENCODED),
    (b"%FF=1", URLENCODED),
    (multipart(fields=[("a", "1")]), {"Content-Type": "multipart/form-data"}),
    (multipart(fields=[("a", "1")]), {"Content-Type": "multipart/form-data; boundary=" + "b" * 71}),
    (multipart(fields=[("a", "1")]), {"Content-Type": "multipart/form-data; boundary=other"}),
    (multipart(fields=[("a", "1")])[:-8], MULTIPART),
    (multipart(fields=[("a", "1")]).replace(b"--\r\n", b"\r\n"), MULTIPART),
    (part("Content-Type: text/plain"), MULTIPART),
    (part('Content-Disposition: form-data; filename="x"'), MULTIPART),
    (part('Content-Disposition: form-data; name="open'), MULTIPART),
    (part('Content-Disposition: form-data; name="a"', b"\xff\xfe"), MULTIPART),
    (part("Content-Disposition: form-data; name=\"a\"").replace(b'"a"', b'"\xff"'), MULTIPART),
])
def test_malformed_bodies_are_400_and_the_connection_goes_on(app, body, headers):
    first = pipelined(app, http("POST", "/form", body, headers))
    assert first.status == 400, first.body


@pytest.mark.parametrize("headers", [
    {"Content-Type": "application/json"},
    {"Content-Type": "text/plain"},
    {},
])
def test_unsupported_content_type_is_415(app, headers):
    first = pipelined(app, http("POST", "/form", b'{"a": 1}', headers))
    assert first.status == 415


def test_mid_upload_error_removes_files_already_written(tmp_path):
    app = make_app(upload_dir=str(tmp_path))
    body = multipart(files=[("f", "a", b"x" * 5000)])[:-20]  # unterminated
    assert pipelined(app, http("POST", "/form", body, MULTIPART)).status == 400
    assert os.listdir(str(tmp_path)) == []


# Settings lookup, and the original picoweb's calls


def test_mounted_app_uses_the_forms_installed_above_it():
    root = make_app(max_field_size=5)
    sub = picoweb.WebApp(__name__)

    @sub.route("/f", methods=["POST"])
    async def f(req, resp):
        assert req.app.find_plugin(Forms) is root.forms
        return {"form": (await req.read_form_data()).items()}

    root.mount("/sub", sub)
    client = TestClient(root)
    assert run(client.post("/sub/f", "a=123", headers=URLENCODED)).status == 200
    assert run(client.post("/sub/f", "a=1234", headers=URLENCODED)).status == 413  # a 6-byte pair


def test_second_read_returns_the_same_form(app):
    @app.route("/twice", methods=["POST"])
    async def twice(req, resp):
        first = await read_form(req)
        second = await req.read_form_data()
        return {"same": first[0] is second, "form": second.items()}

    resp = run(TestClient(app).post("/twice", "a=1", headers=URLENCODED))
    assert resp.json() == {"same": True, "form": [["a", "1"]]}


def test_uploaded_file_repr_and_remove(tmp_path):
    path = tmp_path / "u"
    path.write_bytes(b"x")
    upload = UploadedFile("f", "a.txt", "text/plain", 1, str(path))
    assert "a.txt" in repr(upload)
    with upload.open() as f:
        assert f.read() == b"x"
    upload.remove()
    upload.remove()  # gone already: no error
    assert not path.exists()


# examples/example_form.py


def load_example():
    import importlib.util

    spec = importlib.util.spec_from_file_location("example_form", os.path.join(ROOT, "examples", "example_form.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.app.debug = -1
    return module.app


def test_example_get_post_and_upload_forms():
    client = TestClient(load_example())
    assert "href='upload'" in run(client.get("/")).text
    page = run(client.get("/get?name=%3Cb%3EZo%C3%AB%3C%2Fb%3E&color=red"))
    assert "&lt;b&gt;Zoë&lt;/b&gt;" in page.text and "<b>" not in page.text
    page = run(client.post("/post", "name=%3Cscript%3E&color=green&color=blue", headers=URLENCODED))
    assert page.status == 200 and "&lt;script&gt;" in page.text and "<script>" not in page.text
    assert "<td>green</td>" in page.text and "<td>blue</td>" in page.text
    payload = os.urandom(20000)
    body = multipart(fields=[("note", "n<1>")], files=[("upload", "<x>.bin", payload)])
    page = run(client.post("/upload", body, headers=MULTIPART))
    assert page.status == 200
    assert "&lt;x&gt;.bin</td><td>20000</td><td><code>%s</code>" % sha256(payload) in page.text
    assert "n&lt;1&gt;" in page.text


# Over a real socket: httpx and curl


def test_httpx_5mib_upload_over_a_socket(serve_app, tmp_path, monkeypatch):
    writes = []

    monkeypatch.setattr(formdata, "DiskFile", spy_disk_file(writes))
    app = make_app(upload_dir=str(tmp_path))
    server = serve_app(app)
    source = tmp_path / "source.bin"
    payload = os.urandom(5 * MIB)
    source.write_bytes(payload)
    with httpx.Client(base_url=server.url, timeout=30) as http_client:
        with open(str(source), "rb") as f:
            resp = http_client.post("/big", data={"name": "Zoë ✓", "k": ["1", "2"]},
                                    files={"blob": ("blob €.bin", f, "application/x-test")})
        assert resp.status_code == 200, resp.text
        data = resp.json()
        assert data["form"] == [["name", "Zoë ✓"], ["k", "1"], ["k", "2"]]
        assert data["files"] == [{"field": "blob", "filename": "blob €.bin", "type": "application/x-test",
                                  "size": 5 * MIB, "sha256": sha256(payload)}]
        assert max(writes) <= MAX_PIECE
        no_boundary = http_client.post("/big", content=multipart(fields=[("a", "1")]),
                                       headers={"Content-Type": "multipart/form-data"})
        assert no_boundary.status_code == 400
        bad = http_client.post("/form", content=b"a=%zz", headers=URLENCODED)
        assert bad.status_code == 400
        assert http_client.get("/ok").text == "ok"
    assert sorted(os.listdir(str(tmp_path))) == ["source.bin"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_form_upload_over_a_socket(serve_app, tmp_path):
    app = make_app()
    server = serve_app(app)
    source = tmp_path / "data.txt"
    payload = b"curl upload\r\n--boundary-looking line\r\n" * 1000
    source.write_bytes(payload)
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "20", "-F", "name=Grüße", "-F", "tag=a", "-F", "tag=b",
         "-F", 'up=@%s;filename="quote\\"and;semi é.txt";type=text/plain' % source, server.url + "/callback"],
        capture_output=True, timeout=30, check=True,
    ).stdout
    data = json.loads(out)
    assert data["form"] == [["name", "Grüße"], ["tag", "a"], ["tag", "b"]]
    assert data["files"] == [{"field": "up", "filename": 'quote"and;semi é.txt', "type": "text/plain",
                              "size": len(payload), "sha256": sha256(payload)}]
    assert 0 < data["max_chunk"] <= MAX_PIECE
    out = subprocess.run(["curl", "-sS", "--max-time", "20", "--data-urlencode", "q=1 + 1 = 2 ✓",
                          "-d", "k=%FF", server.url + "/form"], capture_output=True, timeout=30).stdout
    assert b"400" in out
    out = subprocess.run(["curl", "-sS", "--max-time", "20", "--data-urlencode", "q=1 + 1 = 2 ✓",
                          server.url + "/form"], capture_output=True, timeout=30, check=True).stdout
    assert json.loads(out)["form"] == [["q", "1 + 1 = 2 ✓"]]

"""The JSON plugin: jsonify, req.json() and its limits, returned dicts."""

import asyncio
import json

import picoweb
import picoweb.response
import pytest
from picoweb.testclient import TestClient
from picoweb_plugins import json as json_plugin
from picoweb_plugins.json import Json, jsonify


@pytest.fixture
def client():
    original = picoweb.response.dumps_json
    app = picoweb.WebApp(__name__)
    app.install(Json(max_size=64))

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        await jsonify(resp, {"got": await req.json()}, status=201, headers={"X-Echo": "1"})

    @app.route("/any", methods=["POST"])
    async def any_type(req, resp):
        return {"got": await req.json(force=True)}

    @app.route("/list")
    async def listing(req, resp):
        return [1, "two", None]

    yield TestClient(app)
    picoweb.response.dumps_json = original


def run(coro):
    return asyncio.run(coro)


def test_jsonify_sets_status_headers_and_body(client):
    resp = run(client.post("/echo", '{"a": [1, 2]}', headers={"Content-Type": "application/json"}))
    assert resp.status == 201
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["X-Echo"] == "1"
    assert resp.json() == {"got": {"a": [1, 2]}}


def test_returned_list_is_json(client):
    resp = run(client.get("/list"))
    assert resp.status == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.json() == [1, "two", None]


def test_utf8_round_trip(client):
    body = json.dumps({"name": "Zoë ✓"}).encode()
    resp = run(client.post("/echo", body, headers={"Content-Type": "application/json; charset=utf-8"}))
    assert resp.json() == {"got": {"name": "Zoë ✓"}}


@pytest.mark.parametrize("body", [b"{", b"[1,]", b"\xff\xfe", b"", b"{'a': 1}"])
def test_malformed_json_is_400(client, body):
    resp = run(client.post("/echo", body, headers={"Content-Type": "application/json"}))
    assert resp.status == 400
    assert b"malformed JSON body" in resp.body


def test_body_over_the_limit_is_413(client):
    body = json.dumps({"pad": "x" * 100}).encode()
    resp = run(client.post("/echo", body, headers={"Content-Type": "application/json"}))
    assert resp.status == 413


def test_chunked_body_over_the_limit_is_413(client):
    payload = json.dumps({"pad": "x" * 100}).encode()
    raw = (b"POST /echo HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
           + b"%x\r\n" % len(payload) + payload + b"\r\n0\r\n\r\n")
    out = run(client.raw(raw))
    assert out.startswith(b"HTTP/1.1 413 ")


def test_wrong_content_type_is_415_unless_forced(client):
    resp = run(client.post("/echo", b"[1]", headers={"Content-Type": "text/plain"}))
    assert resp.status == 415
    resp = run(client.post("/any", b"[1]", headers={"Content-Type": "text/plain"}))
    assert resp.json() == {"got": [1]}


def test_server_keeps_serving_after_bad_json(client):
    run(client.post("/echo", b"{", headers={"Content-Type": "application/json"}))
    assert run(client.get("/list")).status == 200


def test_encoder_falls_back_to_the_standard_library(monkeypatch):
    monkeypatch.setattr(json_plugin, "_orjson", None)
    assert json_plugin.dumps({"a": 1}) == b'{"a": 1}'
    with pytest.raises(ValueError):
        json_plugin.loads(b"\xff")
    assert json_plugin.loads(b'{"a": 1}') == {"a": 1}


def test_orjson_is_used_when_installed():
    orjson = pytest.importorskip("orjson")
    assert json_plugin._orjson is orjson
    assert json_plugin.dumps({"a": 1}) == b'{"a":1}'


def test_nesting_depth_scan_counts_brackets_outside_strings():
    # MicroPython's loads() runs it first (its json has no depth limit).
    from picoweb_plugins.json import nested_deeper_than

    assert not nested_deeper_than(b"[" * 32 + b"]" * 32, 32)
    assert nested_deeper_than(b"[" * 33 + b"]" * 33, 32)
    assert nested_deeper_than(b'{"a":' * 33 + b"1" + b"}" * 33, 32)
    assert not nested_deeper_than(b'["' + b"[" * 100 + b'"]', 32)
    assert not nested_deeper_than(b'["\\"' + b"[" * 100 + b'"]', 32)  # an escaped quote stays inside
    assert nested_deeper_than(b'["\\\\"' + b"," + b"[" * 100 + b"]", 32)  # an escaped backslash does not
    assert not nested_deeper_than(b"[[]]" * 1000, 32)

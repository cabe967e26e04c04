# The JSON plugin under MicroPython: jsonify, req.json() and its errors.
import picoweb
from picoweb.testclient import TestClient
from picoweb_plugins.json import Json, jsonify

JSON_HEADERS = {"Content-Type": "application/json"}


def _client():
    app = picoweb.WebApp(__name__)
    app.install(Json(max_size=64))

    @app.route("/echo", methods=["POST"])
    async def echo(req, resp):
        await jsonify(resp, {"got": await req.json()}, status=201)

    return TestClient(app)


async def test_round_trip_with_utf8():
    resp = await _client().post("/echo", '{"name": "Zo\u00eb"}'.encode(), headers=JSON_HEADERS)
    assert resp.status == 201
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"got": {"name": "Zo\u00eb"}}


async def test_malformed_too_large_and_wrong_type():
    client = _client()
    assert (await client.post("/echo", b"{", headers=JSON_HEADERS)).status == 400
    assert (await client.post("/echo", b"\xff", headers=JSON_HEADERS)).status == 400
    big = b'{"pad": "' + b"x" * 100 + b'"}'
    assert (await client.post("/echo", big, headers=JSON_HEADERS)).status == 413
    resp = await client.post("/echo", b"[1]", headers={"Content-Type": "text/plain"})
    assert resp.status == 415

"""CORS over a real socket with httpx: a preflight and the request it
clears, on one kept-alive connection. The policy's and the plugin's cases
live in tests/micropython/test_cors.py (run on both runtimes)."""

import httpx

import picoweb
from picoweb_plugins.cors import Cors

SITE = "https://app.example.com"


def test_preflight_then_request_on_one_connection(serve_app):
    app = picoweb.WebApp(__name__)
    app.install(Cors(origins=[SITE], methods=["GET", "DELETE"], headers=["Authorization"],
                     credentials=True, max_age=60))
    deleted = []

    @app.route("/items/<name>", methods=["DELETE"])
    async def delete(req, resp, name):
        deleted.append(name)
        return {"deleted": name}

    server = serve_app(app)
    with httpx.Client(base_url=server.url, timeout=5) as client:
        preflight = client.options("/items/a", headers={
            "Origin": SITE, "Access-Control-Request-Method": "DELETE",
            "Access-Control-Request-Headers": "authorization"})
        assert preflight.status_code == 204 and deleted == []
        assert preflight.headers["access-control-allow-origin"] == SITE
        assert preflight.headers["access-control-allow-credentials"] == "true"
        assert preflight.headers["access-control-allow-headers"] == "authorization"
        assert preflight.headers["access-control-max-age"] == "60"
        answer = client.delete("/items/a", headers={"Origin": SITE, "Authorization": "Bearer x"})
        assert answer.json() == {"deleted": "a"}
        assert answer.headers["access-control-allow-origin"] == SITE
        assert answer.headers["vary"] == "Origin"
        refused = client.options("/items/a", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"})
        assert refused.status_code == 403
        assert not [name for name in refused.headers if name.startswith("access-control-")]
    assert deleted == ["a"]


def test_cors_api_example_on_the_micropython_unix_port():
    import httpx

    from mpserver import MicroPythonServer

    allowed = "https://notes.example"
    with MicroPythonServer("import example_cors_api as m", "m.app") as server:
        with httpx.Client(base_url="http://127.0.0.1:%d" % server.port, timeout=5) as client:
            ok = client.options("/api/notes", headers={
                "Origin": allowed, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Content-Type"})
            assert ok.status_code == 204 and ok.headers["access-control-allow-origin"] == allowed
            assert ok.headers["access-control-max-age"] == "600"
            refused = client.options("/api/notes", headers={
                "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
            assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
            created = client.post("/api/notes", json={"text": "hi"}, headers={"Origin": allowed})
            assert created.status_code == 201 and created.headers["access-control-allow-credentials"] == "true"
            listed = client.get("/api/notes", headers={"Origin": allowed})
            assert listed.json() == [{"id": 1, "text": "hi"}]
            assert listed.headers["access-control-expose-headers"] == "X-Total-Count"
            other = client.get("/api/notes", headers={"Origin": "https://evil.example"})
            assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
            assert client.get("/api/whoami", headers={"Origin": allowed, "Cookie": "user=ada"}).json() == {"user": "ada"}
            assert client.get("/api/notes/9", headers={"Origin": allowed}).headers["access-control-allow-origin"] == allowed
        assert server.alive(), server.output

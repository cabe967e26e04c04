"""CORS over a real socket with httpx: a preflight and the request it
clears, on one kept-alive connection. The policy's and the plugin's cases
live in tests/micropython/test_cors.py (run on both runtimes); the
example served by the MicroPython unix port in tests/unix/test_mp_cors.py."""

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


"""The CORS plugin on the MicroPython unix port: examples/example_cors_api.py
served by `micropython`, asked by httpx as a browser would."""

import httpx

from mpserver import EXAMPLES

APP = """\
import example_cors_api as m
m.app.run(debug=0)
"""


def test_cors_api_example_on_the_micropython_unix_port(mp_server):
    allowed = "https://notes.example"
    server = mp_server(source=APP, cwd=EXAMPLES, path=[EXAMPLES])
    with httpx.Client(base_url=server.url, timeout=5) as client:
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
    assert server.alive(), server.collect()

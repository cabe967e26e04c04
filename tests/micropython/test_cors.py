# The CORS plugin: the policy's decisions and the plugin on an app (answers
# to preflights, headers on every answer, errors too). Runs on MicroPython
# (both ports) and under CPython's pytest (tests/test_plugin_suites.py).
import picoweb
from picoweb.testclient import TestClient
from picoweb_plugins.cors import Cors, CorsPolicy

SITE = "https://app.example.com"
PREFLIGHT = {"Origin": SITE, "Access-Control-Request-Method": "PUT",
             "Access-Control-Request-Headers": "content-type, x-token"}


def cors_headers(headers):
    return sorted(name.lower() for name in headers if name.lower().startswith("access-control-"))


def must_refuse(*args, **settings):
    try:
        CorsPolicy(*args, **settings)
    except ValueError as exc:
        return str(exc)
    raise AssertionError("accepted %r %r" % (args, settings))


def test_any_origin_with_credentials_refused_at_construction():
    message = must_refuse("*", credentials=True)
    assert "credentials" in message and "origins" in message
    must_refuse(["https://a.example", "*"])
    try:
        Cors(origins="*", credentials=True)
    except ValueError:
        pass
    else:
        raise AssertionError("plugin accepted * with credentials")


def test_policy_preflight_allowed():
    policy = CorsPolicy([SITE], methods=["GET", "PUT"], headers=["Content-Type", "X-Token"],
                        credentials=True, max_age=600)
    allowed, headers = policy.preflight(SITE, "PUT", "content-type, X-Token")
    assert allowed
    assert dict(headers) == {
        "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        "Access-Control-Allow-Origin": SITE,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "GET, PUT",
        "Access-Control-Allow-Headers": "content-type, x-token",
        "Access-Control-Max-Age": "600",
    }


def test_policy_preflight_refusals_carry_no_cors_header():
    policy = CorsPolicy([SITE], methods=["GET", "PUT"], headers=["Content-Type"])
    for origin, method, asked in ((SITE, "DELETE", None), ("https://evil.example", "PUT", None),
                                  (SITE, "PUT", "content-type, x-other"), (SITE, "put", None),
                                  ("https://app.example.com.evil.example", "GET", None), ("null", "GET", None)):
        allowed, headers = policy.preflight(origin, method, asked)
        assert not allowed, (origin, method, asked)
        assert cors_headers(dict(headers)) == [] and dict(headers)["Vary"].startswith("Origin")


def test_policy_any_origin_and_any_header():
    policy = CorsPolicy("*", methods=["GET", "PATCH"], headers="*")
    allowed, headers = policy.preflight("https://anyone.example", "PATCH", "x-a, authorization")
    headers = dict(headers)
    assert allowed and headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Access-Control-Allow-Headers"] == "x-a, authorization"
    assert "Access-Control-Allow-Credentials" not in headers
    assert headers["Vary"] == "Access-Control-Request-Method, Access-Control-Request-Headers"
    assert policy.actual("https://anyone.example") == [("Access-Control-Allow-Origin", "*")]
    assert policy.actual(None) == [("Access-Control-Allow-Origin", "*")]  # the same for all: no Vary


def test_policy_actual_requests():
    policy = CorsPolicy([SITE], credentials=True, expose_headers=["X-Total", "ETag"])
    assert dict(policy.actual(SITE)) == {
        "Vary": "Origin", "Access-Control-Allow-Origin": SITE, "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "X-Total, ETag"}
    assert policy.actual("https://APP.example.com")[1] == ("Access-Control-Allow-Origin", "https://APP.example.com")
    assert policy.actual("https://evil.example") == [("Vary", "Origin")]
    assert policy.actual(None) == [("Vary", "Origin")]


def test_policy_predicate_for_patterns():
    policy = CorsPolicy(lambda origin: origin.startswith("https://") and origin.endswith(".example.org"),
                        credentials=True)
    assert dict(policy.actual("https://a.example.org"))["Access-Control-Allow-Origin"] == "https://a.example.org"
    assert cors_headers(dict(policy.actual("http://a.example.org"))) == []
    assert cors_headers(dict(policy.actual("https://example.org.evil"))) == []


def _app(**settings):
    app = picoweb.WebApp(__name__)
    reached = []
    app.install(Cors(**settings))

    @app.route("/items", methods=["GET", "PUT"])
    async def items(req, resp):
        reached.append(req.method)
        return {"ok": True}

    @app.route("/broken")
    async def broken(req, resp):
        raise ValueError("a bug")

    @app.route("/teapot")
    async def teapot(req, resp):
        raise picoweb.HTTPError(418, "short and stout")

    @app.route("/varied")
    async def varied(req, resp):
        return "text", 200, {"Vary": "Accept-Encoding"}

    return app, reached


async def test_preflight_answered_204_before_any_route():
    app, reached = _app(origins=[SITE], methods=["GET", "PUT"], headers=["Content-Type", "X-Token"])
    client = TestClient(app)
    for path in ("/items", "/nowhere"):
        resp = await client.request("OPTIONS", path, headers=PREFLIGHT)
        assert resp.status == 204 and resp.body == b"" and "Content-Type" not in resp.headers
        assert resp.headers["Access-Control-Allow-Origin"] == SITE
        assert resp.headers["Access-Control-Allow-Methods"] == "GET, PUT"
        assert resp.headers["Access-Control-Allow-Headers"] == "content-type, x-token"
        assert "Origin" in resp.headers["Vary"]
    assert reached == []


async def test_disallowed_preflight_answered_without_cors_headers():
    app, reached = _app(origins=[SITE], methods=["GET"])
    resp = await TestClient(app).request("OPTIONS", "/items", headers=PREFLIGHT)
    assert resp.status == 403 and resp.headers["Content-Type"].startswith("text/plain")
    assert cors_headers(resp.headers) == []
    assert resp.headers["Vary"].startswith("Origin")
    assert reached == []


async def test_plain_options_is_no_preflight():
    app, reached = _app(origins=[SITE])
    resp = await TestClient(app).request("OPTIONS", "/items", headers={"Origin": SITE})
    assert resp.status == 405  # routed as usual: the route takes GET and PUT only


async def test_actual_answers_get_their_headers():
    app, reached = _app(origins=[SITE], credentials=True, expose_headers=["X-Total"])
    client = TestClient(app)
    resp = await client.get("/items", headers={"Origin": SITE})
    assert resp.status == 200 and resp.json() == {"ok": True}
    assert resp.headers["Access-Control-Allow-Origin"] == SITE
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"
    assert resp.headers["Access-Control-Expose-Headers"] == "X-Total"
    assert resp.headers["Vary"] == "Origin"
    resp = await client.get("/items", headers={"Origin": "https://evil.example"})
    assert resp.status == 200 and cors_headers(resp.headers) == [] and resp.headers["Vary"] == "Origin"
    resp = await client.get("/items")
    assert cors_headers(resp.headers) == [] and resp.headers["Vary"] == "Origin"


async def test_error_answers_get_their_headers_too():
    app, reached = _app(origins=[SITE])
    app.debug = -1  # the 500 below is expected: keep its traceback out of the log
    client = TestClient(app)
    for path, status in (("/nowhere", 404), ("/broken", 500), ("/teapot", 418)):
        resp = await client.get(path, headers={"Origin": SITE})
        assert resp.status == status, path
        assert resp.headers["Access-Control-Allow-Origin"] == SITE, path
    resp = await client.post("/items", headers={"Origin": SITE})
    assert resp.status == 405 and resp.headers["Access-Control-Allow-Origin"] == SITE


async def test_vary_of_the_app_is_kept():
    app, reached = _app(origins=[SITE])
    resp = await TestClient(app).get("/varied", headers={"Origin": SITE})
    assert resp.headers["Vary"] == "Accept-Encoding, Origin"


async def test_installed_on_a_mounted_app_only():
    root = picoweb.WebApp(__name__)
    api = picoweb.WebApp(__name__)
    api.install(Cors(origins=[SITE]))

    @root.route("/page")
    async def page(req, resp):
        return "page"

    @api.route("/data")
    async def data(req, resp):
        return "data"

    root.mount("/api", api)
    client = TestClient(root)
    assert (await client.get("/api/data", headers={"Origin": SITE})).headers["Access-Control-Allow-Origin"] == SITE
    assert cors_headers((await client.get("/page", headers={"Origin": SITE})).headers) == []

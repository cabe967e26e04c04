"""What a Flask user reaches for next: req.args, app.url_for(), and the
debug error page (only with debug on)."""

import asyncio

import pytest

from picoweb import WebApp
from picoweb.testclient import TestClient


def get(app, path, **kwargs):
    return asyncio.run(TestClient(app).get(path, **kwargs))


# req.args


def args_app():
    app = WebApp()

    @app.route("/search")
    def search(req, resp):
        return {"q": req.args.get("q"), "tags": req.args.getlist("tag"), "page": req.args.get("page", "1"),
                "same": req.args is req.args}

    @app.route("/need")
    def need(req, resp):
        return req.args["q"]

    return app


def test_args_is_a_multidict_of_the_query_string():
    resp = get(args_app(), "/search?q=caf%C3%A9+au+lait&tag=a&tag=b&empty")
    assert resp.json() == {"q": "café au lait", "tags": ["a", "b"], "page": "1", "same": True}
    assert get(args_app(), "/search").json() == {"q": None, "tags": [], "page": "1", "same": True}


def test_a_missing_required_arg_is_a_400_that_names_it():
    resp = get(args_app(), "/need")
    assert resp.status == 400 and "missing query parameter &#39;q&#39;" in resp.text
    assert get(args_app(), "/need?q=x").text == "x"


def test_a_malformed_query_string_is_a_400():
    assert get(args_app(), "/search?q=%zz").status == 400
    assert get(args_app(), "/search?q=%FF").status == 400  # not UTF-8


def test_args_cost_nothing_until_read():
    import sys

    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "x")
    sys.modules.pop("picoweb.urlencoded", None)
    assert get(app, "/?a=1").text == "x"
    assert "picoweb.urlencoded" not in sys.modules


# url_for


def url_app():
    root = WebApp()

    @root.route("/")
    def index(req, resp):
        return "index"

    @root.route("/user/<int:user_id>")
    def user(req, resp, user_id):
        return "user"

    api = WebApp()

    @api.route("/items/<name>/<path:rest>")
    def item(req, resp, name, rest):
        return "item"

    api.add_url_rule("/status", lambda req, resp: "ok", name="api_status")
    v2 = WebApp()
    v2.add_url_rule("/ping", lambda req, resp: "pong", name="ping")
    api.mount("/v2", v2)
    root.mount("/api", api)
    return root, api, v2


@pytest.mark.parametrize("name, values, path", [
    ("index", {}, "/"),
    ("user", {"user_id": 5}, "/user/5"),
    ("user", {"user_id": 5, "tab": "a b&c=d", "n": 2}, "/user/5?tab=a%20b%26c%3Dd&n=2"),
    ("item", {"name": "a/b caf\u00e9", "rest": "x/y z"}, "/api/items/a%2Fb%20caf%C3%A9/x/y%20z"),
    ("api_status", {}, "/api/status"),
    ("ping", {}, "/api/v2/ping"),
])
def test_url_for_builds_the_path_with_mount_prefixes(name, values, path):
    root, api, v2 = url_app()
    assert root.url_for(name, **values) == path


def test_url_for_from_a_mounted_app_starts_at_the_root():
    root, api, v2 = url_app()
    assert api.url_for("api_status") == "/api/status"
    assert v2.url_for("ping", x=1) == "/api/v2/ping?x=1"


def test_url_for_paths_round_trip_through_the_router():
    root, api, v2 = url_app()
    assert get(root, root.url_for("item", name="a/b", rest="c/d")).text == "item"
    assert get(root, root.url_for("user", user_id=42)).text == "user"


def test_url_for_says_what_is_wrong():
    root, api, v2 = url_app()
    with pytest.raises(ValueError, match="no route named 'nope'"):
        root.url_for("nope")
    with pytest.raises(ValueError, match="needs a value for 'user_id'"):
        root.url_for("user")


# The debug error page


def failing_app(debug):
    app = WebApp()
    app.debug = debug

    @app.route("/boom")
    def boom(req, resp):
        secret_local = "<b>not markup</b>"
        raise RuntimeError("the reason " + secret_local)

    return app


def test_the_debug_page_shows_the_traceback_only_with_debug_on():
    page = get(failing_app(1), "/boom")
    assert page.status == 500
    assert "Traceback" in page.text and "RuntimeError: the reason &lt;b&gt;not markup&lt;/b&gt;" in page.text
    assert "in boom" in page.text and "<b>" not in page.text
    for debug in (0, -1):
        page = get(failing_app(debug), "/boom")
        assert page.status == 500 and "Traceback" not in page.text and "reason" not in page.text


def test_the_debug_page_in_json():
    resp = get(failing_app(1), "/boom", headers={"Accept": "application/json"})
    assert resp.status == 500 and "RuntimeError: the reason" in resp.json()["traceback"]
    assert "traceback" not in get(failing_app(0), "/boom", headers={"Accept": "application/json"}).json()

"""Mounted sub-apps through the in-process TestClient: prefixes, nesting,
hooks around sub-apps, errors crossing apps, lazy init and plugins."""

import pytest

from picoweb import HTTPError, WebApp


def where(req, resp, **params):
    return {"path": req.path, "prefix": req.prefix, "app": req.app.name}


def named_app(name, routes=None):
    app = WebApp(routes=routes)
    app.name = name
    return app


def tree():
    """root -> /api (api) -> /api/v1 (v1); /api/v1/admin (admin) also on root."""
    root = named_app("root", [("/", where), ("/apix", where), ("/<path:any>", where)])
    api = named_app("api", [("/", where), ("/items/<int:n>", where)])
    v1 = named_app("v1", [("/", where), ("/users", where)])
    admin = named_app("admin", [("/", where), ("/panel", where)])
    api.mount("/v1", v1)
    root.mount("/api", api)
    root.mount("/api/v1/admin", admin)
    return root, api, v1, admin


def test_prefix_alone_reaches_sub_app_root(client):
    root = tree()[0]
    assert client(root).get("/api").json() == {"path": "/", "prefix": "/api", "app": "api"}


def test_prefix_with_slash_reaches_sub_app_root(client):
    root = tree()[0]
    assert client(root).get("/api/").json() == {"path": "/", "prefix": "/api", "app": "api"}


def test_sub_app_sees_relative_path_and_prefix(client):
    root = tree()[0]
    resp = client(root).get("/api/items/3")
    assert resp.json() == {"path": "/items/3", "prefix": "/api", "app": "api"}


def test_sub_app_path_params(client):
    root = WebApp()
    sub = WebApp()
    sub.add_url_rule("/items/<int:n>", lambda req, resp, n: "%r %r" % (n, req.params))
    root.mount("/shop", sub)
    assert client(root).get("/shop/items/9").text == "9 {'n': 9}"


def test_sibling_prefix_is_not_the_mount(client):
    root = tree()[0]
    assert client(root).get("/apix").json() == {"path": "/apix", "prefix": "", "app": "root"}


def test_nested_mount(client):
    root = tree()[0]
    resp = client(root).get("/api/v1/users")
    assert resp.json() == {"path": "/users", "prefix": "/api/v1", "app": "v1"}


def test_longest_prefix_wins(client):
    root = tree()[0]
    resp = client(root).get("/api/v1/admin/panel")
    assert resp.json() == {"path": "/panel", "prefix": "/api/v1/admin", "app": "admin"}


def test_longest_prefix_wins_whatever_the_mount_order(client):
    root = WebApp()
    short, long = named_app("short", [("/<path:p>", where)]), named_app("long", [("/", where)])
    root.mount("/a/b", long)
    root.mount("/a", short)
    c = client(root)
    assert c.get("/a/b").json()["app"] == "long"
    assert c.get("/a/bc").json() == {"path": "/bc", "prefix": "/a", "app": "short"}


def test_mount_shadows_parent_routes_under_its_prefix(client):
    root = WebApp()
    root.add_url_rule("/api/own", lambda req, resp: "parent")
    root.mount("/api", WebApp())
    assert client(root).get("/api/own").status == 404


def test_path_is_restored_after_sub_app(client):
    root = WebApp()
    sub = WebApp(routes=[("/", lambda req, resp: "sub")])
    seen = []
    root.after_request(lambda req, resp: seen.append((req.path, req.prefix, req.app is root)))
    root.mount("/s", sub)
    client(root).get("/s/")
    assert seen == [("/s/", "", True)]


def test_mounts_lists_full_prefixes():
    root, api, v1, admin = tree()
    assert root.mounts() == [("/api/v1/admin", admin), ("/api", api), ("/api/v1", v1)]
    assert api.mounts() == [("/v1", v1)]
    assert v1.mounts() == []


def test_mount_sets_parent():
    root, api, v1, admin = tree()
    assert (api.parent, v1.parent, admin.parent, root.parent) == (root, api, root, None)


@pytest.mark.parametrize("prefix", ["api", "/api/", "/"])
def test_bad_mount_prefix(prefix):
    with pytest.raises(ValueError):
        WebApp().mount(prefix, WebApp())


# Hooks around sub-apps


def test_hooks_order_around_nested_sub_apps(client):
    calls = []

    def app_with_hooks(name):
        app = WebApp()
        app.before_request(lambda req, resp: calls.append(name + ".before " + req.path))
        app.after_request(lambda req, resp: calls.append(name + ".after " + req.path))
        return app

    root, api, v1 = app_with_hooks("root"), app_with_hooks("api"), app_with_hooks("v1")
    v1.add_url_rule("/x", lambda req, resp: calls.append("handler " + req.path) or "done")
    api.mount("/v1", v1)
    root.mount("/api", api)
    assert client(root).get("/api/v1/x").text == "done"
    assert calls == [
        "root.before /api/v1/x", "api.before /v1/x", "v1.before /x",
        "handler /x",
        "v1.after /x", "api.after /v1/x", "root.after /api/v1/x",
    ]


def test_parent_before_request_short_circuits_sub_app(client):
    root = WebApp()
    sub = WebApp(routes=[("/", lambda req, resp: "sub")])
    root.before_request(lambda req, resp: ("parent says no", 403))
    root.mount("/s", sub)
    resp = client(root).get("/s")
    assert (resp.status, resp.text) == (403, "parent says no")


def test_parent_after_request_sees_sub_app_status(client):
    root = WebApp()
    sub = WebApp(routes=[("/", lambda req, resp: ("made", 201))])
    seen = []

    @root.after_request
    def stamp(req, resp):
        seen.append(resp.status)
        resp.headers["X-Root"] = "1"

    root.mount("/s", sub)
    resp = client(root).get("/s")
    assert seen == [201]
    assert resp.headers["X-Root"] == "1"


def test_before_send_hooks_of_parent_and_sub_both_run(client):
    root = WebApp()
    sub = WebApp(routes=[("/", lambda req, resp: "x")])
    order = []

    @root.before_send
    async def root_send(req, resp):
        order.append("root")
        resp.headers.add("Set-Cookie", "root=1")

    @sub.before_send
    async def sub_send(req, resp):
        order.append("sub")
        resp.headers.add("Set-Cookie", "sub=1")

    root.mount("/s", sub)
    resp = client(root).get("/s")
    assert order == ["root", "sub"]
    assert resp.headers.getlist("Set-Cookie") == ["root=1", "sub=1"]


def test_sub_app_hooks_do_not_run_for_parent_routes(client):
    root = WebApp(routes=[("/", lambda req, resp: "root")])
    sub = WebApp()
    calls = []
    sub.before_request(lambda req, resp: calls.append("sub"))
    root.mount("/s", sub)
    assert client(root).get("/").text == "root"
    assert calls == []


# Errors across apps


def test_404_inside_sub_app_default_page(client):
    root = WebApp()
    root.mount("/s", WebApp())
    resp = client(root).get("/s/missing")
    assert resp.status == 404
    assert "<h1>404 Not Found</h1>" in resp.text


def test_405_inside_sub_app_keeps_allow(client):
    root = WebApp()
    root.mount("/s", WebApp(routes=[("/p", lambda req, resp: "", {"methods": ["POST"]})]))
    resp = client(root).get("/s/p")
    assert resp.status == 405
    assert resp.headers["Allow"] == "POST"


def test_sub_app_error_handler_wins(client):
    root = WebApp()
    sub = WebApp()
    root.errorhandler(404)(lambda req, resp, exc: ("root 404", 404))
    sub.errorhandler(404)(lambda req, resp, exc: ("sub 404 " + req.path, 404))
    root.mount("/s", sub)
    c = client(root)
    assert c.get("/s/missing").text == "sub 404 /missing"
    assert c.get("/missing").text == "root 404"


def test_parent_error_handler_covers_sub_app(client):
    root = WebApp()
    sub = WebApp()

    @sub.route("/")
    def boom(req, resp):
        raise HTTPError(409, "taken")

    root.errorhandler(409)(lambda req, resp, exc: ("root saw " + exc.message + " at " + req.path, 409))
    root.mount("/s", sub)
    resp = client(root).get("/s")
    assert (resp.status, resp.text) == (409, "root saw taken at /s")


def test_parent_500_handler_covers_sub_app_exception(client):
    root = WebApp()
    sub = WebApp(routes=[("/", lambda req, resp: {}["missing"])])
    root.errorhandler(500)(lambda req, resp, exc: ("root 500: " + type(exc).__name__, 500))
    root.mount("/s", sub)
    resp = client(root).get("/s")
    assert (resp.status, resp.text) == (500, "root 500: KeyError")


def test_unhandled_sub_app_exception_is_default_500(client):
    root = WebApp()
    root.debug = -1
    root.mount("/s", WebApp(routes=[("/", lambda req, resp: 1 / 0)]))
    resp = client(root).get("/s")
    assert resp.status == 500
    assert "<h1>500 Internal Server Error</h1>" in resp.text


# init and lazy_init


class CountingApp(WebApp):
    def __init__(self, log, name, routes=None):
        WebApp.__init__(self, routes=routes)
        self.calls = log
        self.name = name

    def init(self):
        self.calls.append(self.name)


def test_start_inits_mounted_apps(client):
    calls = []
    root = CountingApp(calls, "root", [("/", lambda req, resp: "r")])
    sub = CountingApp(calls, "sub", [("/", lambda req, resp: "s")])
    inner = CountingApp(calls, "inner")
    sub.mount("/in", inner)
    root.mount("/s", sub)
    c = client(root)
    c.get("/")
    assert calls == ["root", "sub", "inner"]
    c.get("/s")
    assert calls == ["root", "sub", "inner"]


def test_lazy_init_defers_sub_app_init_to_its_first_request(client):
    calls = []
    root = CountingApp(calls, "root", [("/", lambda req, resp: "r")])
    sub = CountingApp(calls, "sub", [("/", lambda req, resp: "s")])
    root.mount("/s", sub)
    c = client(root, lazy_init=True)
    assert c.get("/").text == "r"
    assert calls == ["root"]
    assert c.get("/s").text == "s"
    assert calls == ["root", "sub"]
    c.get("/s")
    assert calls == ["root", "sub"]


def test_lazy_init_async_sub_app_init(client):
    class AsyncInit(WebApp):
        async def init(self):
            self.ready = "ready"

    root = WebApp()
    sub = AsyncInit()
    sub.add_url_rule("/", lambda req, resp: req.app.ready)
    root.mount("/s", sub)
    c = client(root, lazy_init=True)
    c.get("/")
    assert not hasattr(sub, "ready")
    assert c.get("/s").text == "ready"


def test_lazy_init_sub_app_shares_parent_log(client):
    root = WebApp()
    sub = WebApp(routes=[("/", lambda req, resp: "s")])
    root.mount("/s", sub)
    client(root, lazy_init=True).get("/s")
    assert sub.log is root.log


# Plugins on a parent


class HeaderPlugin:
    def __init__(self, value):
        self.value = value

    def install(self, app):
        app.after_request(self.stamp)
        app.plugin_value = self.value

    def stamp(self, req, resp):
        resp.headers["X-Plugin"] = self.value + " " + req.app.name


def test_plugin_on_parent_covers_sub_app_requests(client):
    root, api, v1, admin = tree()
    root.install(HeaderPlugin("p"))
    c = client(root)
    assert c.get("/api/v1/users").headers["X-Plugin"] == "p root"
    assert c.get("/").headers["X-Plugin"] == "p root"
    assert root.plugin_value == "p"
    assert not hasattr(api, "plugin_value")


def test_plugin_on_sub_app_only_covers_sub_app(client):
    root, api, v1, admin = tree()
    api.install(HeaderPlugin("q"))
    c = client(root)
    assert c.get("/api").headers["X-Plugin"] == "q api"
    assert "X-Plugin" not in c.get("/").headers


# Sub-app request features


def test_sub_app_reads_body(client):
    root = WebApp()
    sub = WebApp()

    @sub.route("/echo", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body()

    root.mount("/s", sub)
    assert client(root).post("/s/echo", b"payload").text == "payload"


def test_sub_app_route_max_body_extra(client):
    root = WebApp()
    root.limits.max_body = 3

    async def echo(req, resp):
        return await req.read_body()

    sub = WebApp(routes=[("/big", echo, {"methods": ["POST"], "max_body": 10})])
    root.mount("/s", sub)
    c = client(root)
    assert c.post("/s/big", b"x" * 10).text == "x" * 10
    assert c.post("/s/big", b"x" * 11).status == 413


def test_sub_app_header_mode_skip(client):
    root = WebApp()
    root.mount("/s", WebApp(routes=[("/", lambda req, resp: str(len(req.headers)), {"headers": "skip"})]))
    assert client(root).get("/s", headers={"X-A": "1"}).text == "0"


def test_sub_app_prefix_visible_in_handler_for_links(client):
    root = WebApp()
    sub = WebApp(routes=[("/page", lambda req, resp: req.prefix + "/other")])
    root.mount("/docs", sub)
    assert client(root).get("/docs/page").text == "/docs/other"

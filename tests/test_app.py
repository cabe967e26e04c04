"""WebApp through the in-process TestClient: routes, hooks, errors, init,
plugins, request attributes, header modes and templates."""

import os
import re

import pytest

from picoweb import HTTPError, WebApp, start_response
from picoweb.testclient import parse_responses

HERE = os.path.dirname(os.path.abspath(__file__))


# Route registration


def test_route_list_tuple_two_items(client):
    app = WebApp(routes=[("/", lambda req, resp: "home")])
    resp = client(app).get("/")
    assert (resp.status, resp.text) == (200, "home")
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.headers["Content-Length"] == "4"


def test_route_list_tuple_with_methods_in_extra(client):
    app = WebApp(routes=[("/form", lambda req, resp: req.method, {"methods": ["POST", "put"]})])
    c = client(app)
    assert c.post("/form", b"x").text == "POST"
    assert c.put("/form", b"x").text == "PUT"
    resp = c.get("/form")
    assert resp.status == 405
    assert resp.headers["Allow"] == "POST, PUT"


def test_route_list_extra_reaches_route_extra(client):
    app = WebApp(routes=[("/", lambda req, resp: req.route.extra["tag"], {"tag": "t1", "methods": ["GET"]})])
    assert client(app).get("/").text == "t1"
    assert "methods" not in app.router.exact["/"][0].extra


def test_route_decorator_returns_the_handler(client):
    app = WebApp()

    @app.route("/a", methods=["GET", "DELETE"])
    def handler(req, resp):
        return "a:" + req.method

    assert app.router.exact["/a"][0].handler is handler
    c = client(app)
    assert c.get("/a").text == "a:GET"
    assert c.delete("/a").text == "a:DELETE"


def test_add_url_rule(client):
    app = WebApp()

    async def handler(req, resp):
        return "rule"

    app.add_url_rule("/rule", handler)
    assert client(app).get("/rule").text == "rule"


def test_async_handler_streams_with_start_response(client):
    app = WebApp()

    @app.route("/")
    async def index(req, resp):
        await start_response(resp, "text/plain", "201", {"X-One": "1"})
        await resp.awrite("part1,")
        await resp.awrite(b"part2")

    resp = client(app).get("/")
    assert resp.status == 201
    assert resp.headers["Content-Type"] == "text/plain"
    assert resp.headers["X-One"] == "1"
    assert resp.text == "part1,part2"


def test_sync_handler(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: ("made", 202, {"X-Sync": "yes"}))
    resp = client(app).get("/")
    assert (resp.status, resp.text, resp.headers["X-Sync"]) == (202, "made", "yes")


def test_handler_returning_dict_is_json(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: {"a": [1, 2]})
    resp = client(app).get("/")
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.json() == {"a": [1, 2]}


# Path parameters and regex routes


def test_path_params_are_kwargs_and_in_req_params(client):
    app = WebApp()

    @app.route("/user/<int:uid>/<name>")
    def user(req, resp, uid, name):
        assert req.params == {"uid": uid, "name": name}
        return "%r %r" % (uid, name)

    assert client(app).get("/user/42/ann").text == "42 'ann'"


def test_path_param_path_converter_spans_slashes(client):
    app = WebApp()
    app.add_url_rule("/files/<path:rest>", lambda req, resp, rest: rest)
    assert client(app).get("/files/a/b/c.txt").text == "a/b/c.txt"


def test_int_param_does_not_match_letters(client):
    app = WebApp()
    app.add_url_rule("/n/<int:n>", lambda req, resp, n: str(n))
    assert client(app).get("/n/abc").status == 404


def test_path_params_are_percent_decoded(client):
    app = WebApp()
    app.add_url_rule("/say/<word>", lambda req, resp, word: word)
    assert client(app).get("/say/a%20b").text == "a b"


def test_regex_route_sets_url_match(client):
    app = WebApp()

    @app.route(re.compile("^/item/([0-9]+)-([a-z]+)$"))
    def item(req, resp):
        assert req.params == {}
        return req.url_match.group(1) + "|" + req.url_match.group(2)

    c = client(app)
    assert c.get("/item/7-abc").text == "7|abc"
    assert c.get("/item/x-abc").status == 404


def test_exact_route_has_no_url_match(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: repr(req.url_match))
    assert client(app).get("/").text == "None"


def test_exact_route_wins_over_earlier_pattern(client):
    app = WebApp()
    app.add_url_rule("/<name>", lambda req, resp, name: "pattern")
    app.add_url_rule("/exact", lambda req, resp: "exact")
    c = client(app)
    assert c.get("/exact").text == "exact"
    assert c.get("/other").text == "pattern"


def test_patterns_match_in_registration_order(client):
    app = WebApp()
    app.add_url_rule("/<a>", lambda req, resp, a: "first")
    app.add_url_rule("/<int:b>", lambda req, resp, b: "second")
    assert client(app).get("/5").text == "first"


# 404, 405, HEAD


def test_unknown_path_is_404_page(client):
    resp = client(WebApp()).get("/nope")
    assert resp.status == 404
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>404 Not Found</h1>" in resp.text


def test_wrong_method_is_405_with_allow(client):
    app = WebApp()
    app.add_url_rule("/x", lambda req, resp: "get")
    app.add_url_rule("/x", lambda req, resp: "post", methods=["POST"])
    resp = client(app).put("/x", b"1")
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET, HEAD, POST"
    assert "<h1>405 Method Not Allowed</h1>" in resp.text


def test_same_path_two_routes_by_method(client):
    app = WebApp()
    app.add_url_rule("/x", lambda req, resp: "get")
    app.add_url_rule("/x", lambda req, resp: "post", methods=["POST"])
    c = client(app)
    assert c.get("/x").text == "get"
    assert c.post("/x", b"1").text == "post"


def test_head_on_get_route_returns_headers_without_body(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "twelve bytes")
    out = client(app).raw(b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nContent-Length: 12\r\n" in head + b"\r\n"
    assert body == b""


def test_head_on_streamed_get_route_sends_no_body(client):
    app = WebApp()

    @app.route("/")
    async def index(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("streamed body")

    out = client(app).raw(b"HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    head_resp, get_resp = parse_responses(out, head_requests=(0,))
    assert head_resp.status == 200 and head_resp.body == b""
    assert get_resp.text == "streamed body"


def test_head_not_added_to_post_only_route(client):
    app = WebApp()
    app.add_url_rule("/p", lambda req, resp: "p", methods=["POST"])
    resp = client(app).head("/p")
    assert resp.status == 405
    assert resp.headers["Allow"] == "POST"


# before_request


def test_before_request_return_value_short_circuits(client):
    app = WebApp()
    calls = []
    app.before_request(lambda req, resp: ("blocked", 403))
    app.add_url_rule("/", lambda req, resp: calls.append("handler") or "ok")
    resp = client(app).get("/")
    assert (resp.status, resp.text) == (403, "blocked")
    assert calls == []


def test_before_request_writing_a_response_short_circuits(client):
    app = WebApp()
    calls = []

    @app.before_request
    async def gate(req, resp):
        await start_response(resp, "text/plain", "401")
        await resp.awrite("login first")

    app.add_url_rule("/", lambda req, resp: calls.append("handler") or "ok")
    resp = client(app).get("/")
    assert (resp.status, resp.text) == (401, "login first")
    assert calls == []


def test_before_request_hooks_run_in_order_and_stop_at_first_answer(client):
    app = WebApp()
    calls = []
    app.before_request(lambda req, resp: calls.append("one"))
    app.before_request(lambda req, resp: calls.append("two") or "from two")
    app.before_request(lambda req, resp: calls.append("three"))
    app.add_url_rule("/", lambda req, resp: "handler")
    assert client(app).get("/").text == "from two"
    assert calls == ["one", "two"]


def test_before_request_returning_none_lets_handler_run(client):
    app = WebApp()
    calls = []

    @app.before_request
    async def note(req, resp):
        calls.append(req.path)

    app.add_url_rule("/", lambda req, resp: "handler")
    assert client(app).get("/").text == "handler"
    assert calls == ["/"]


def test_before_request_runs_for_404(client):
    app = WebApp()
    calls = []
    app.before_request(lambda req, resp: calls.append(req.path))
    assert client(app).get("/missing").status == 404
    assert calls == ["/missing"]


def test_before_request_can_answer_an_unrouted_path(client):
    app = WebApp()
    app.before_request(lambda req, resp: "caught" if req.path == "/any" else None)
    assert client(app).get("/any").text == "caught"


def test_before_request_raising_http_error(client):
    app = WebApp()

    @app.before_request
    def deny(req, resp):
        raise HTTPError(403, "no entry", {"X-Why": "hook"})

    app.add_url_rule("/", lambda req, resp: "ok")
    resp = client(app).get("/")
    assert resp.status == 403
    assert resp.headers["X-Why"] == "hook"
    assert "<p>no entry</p>" in resp.text


# after_request


def test_after_request_sees_status_and_adds_header(client):
    app = WebApp()
    seen = []

    @app.after_request
    def stamp(req, resp):
        seen.append(resp.status)
        resp.headers["X-After"] = "yes"

    app.add_url_rule("/", lambda req, resp: ("made", 201))
    resp = client(app).get("/")
    assert seen == [201]
    assert resp.status == 201
    assert resp.headers["X-After"] == "yes"


def test_after_request_sees_404_status(client):
    app = WebApp()
    seen = []
    app.after_request(lambda req, resp: seen.append(resp.status))
    client(app).get("/missing")
    assert seen == [404]


def test_after_request_hooks_run_in_registration_order(client):
    app = WebApp()
    calls = []
    app.after_request(lambda req, resp: calls.append("a"))
    app.after_request(lambda req, resp: calls.append("b"))
    app.add_url_rule("/", lambda req, resp: calls.append("handler") or "x")
    client(app).get("/")
    assert calls == ["handler", "a", "b"]


def test_after_request_runs_after_a_short_circuit(client):
    app = WebApp()
    calls = []
    app.before_request(lambda req, resp: "short")
    app.after_request(lambda req, resp: calls.append(resp.body))
    client(app).get("/")
    assert calls == [b"short"]


def test_after_request_can_replace_the_body(client):
    app = WebApp()

    @app.after_request
    def upper(req, resp):
        resp.body = resp.body.upper()

    app.add_url_rule("/", lambda req, resp: "quiet")
    resp = client(app).get("/")
    assert resp.text == "QUIET"
    assert resp.headers["Content-Length"] == "5"


# before_send


def test_before_send_adds_cookie_to_returned_body(client):
    app = WebApp()

    @app.before_send
    async def cookie(req, resp):
        resp.headers.add("Set-Cookie", "a=1")

    app.add_url_rule("/", lambda req, resp: "body")
    resp = client(app).get("/")
    assert resp.headers.getlist("Set-Cookie") == ["a=1"]


def test_before_send_adds_cookie_after_start_response_and_awrite(client):
    app = WebApp()
    order = []

    @app.before_send
    async def cookie(req, resp):
        order.append("before_send")
        resp.headers.add("Set-Cookie", "late=1")

    @app.route("/")
    async def index(req, resp):
        await start_response(resp, headers={"Set-Cookie": "early=1"})
        order.append("started")
        await resp.awrite("streamed")
        order.append("written")

    resp = client(app).get("/")
    assert order == ["started", "before_send", "written"]
    assert resp.headers.getlist("Set-Cookie") == ["early=1", "late=1"]
    assert resp.text == "streamed"


def test_before_send_runs_once_per_response(client):
    app = WebApp()
    calls = []

    @app.before_send
    async def count(req, resp):
        calls.append(resp.status)

    @app.route("/")
    async def index(req, resp):
        await start_response(resp)
        for piece in ("a", "b", "c"):
            await resp.awrite(piece)

    assert client(app).get("/").text == "abc"
    assert calls == [200]


def test_before_send_sees_error_status(client):
    app = WebApp()
    calls = []

    @app.before_send
    async def status(req, resp):
        calls.append(resp.status)

    client(app).get("/missing")
    assert calls == [404]


def test_sync_before_send_hook(client):
    app = WebApp()

    @app.before_send
    def cookie(req, resp):
        resp.headers["X-Sync-Send"] = "1"

    app.add_url_rule("/", lambda req, resp: "x")
    resp = client(app).get("/")
    assert resp.status == 200
    assert resp.headers["X-Sync-Send"] == "1"


# Error handlers


def test_errorhandler_404_custom_page(client):
    app = WebApp()

    @app.errorhandler(404)
    def not_found(req, resp, exc):
        return "custom 404 for " + req.path, 404

    resp = client(app).get("/gone")
    assert (resp.status, resp.text) == (404, "custom 404 for /gone")


def test_errorhandler_405_keeps_allow(client):
    app = WebApp()
    app.add_url_rule("/only-post", lambda req, resp: "p", methods=["POST"])

    @app.errorhandler(405)
    def not_allowed(req, resp, exc):
        return "custom 405", 405

    resp = client(app).get("/only-post")
    assert (resp.status, resp.text) == (405, "custom 405")
    assert resp.headers["Allow"] == "POST"


def test_errorhandler_receives_the_http_error(client):
    app = WebApp()

    @app.errorhandler(418)
    def teapot(req, resp, exc):
        return "%d:%s" % (exc.status, exc.message), 418

    @app.route("/")
    def index(req, resp):
        raise HTTPError(418, "short and stout")

    resp = client(app).get("/")
    assert (resp.status, resp.text) == (418, "418:short and stout")


class Conflict(Exception):
    pass


def test_errorhandler_for_exception_class(client):
    app = WebApp()

    @app.errorhandler(Conflict)
    def conflict(req, resp, exc):
        return "conflict: %s" % exc, 409

    @app.route("/")
    def index(req, resp):
        raise Conflict("row 3")

    resp = client(app).get("/")
    assert (resp.status, resp.text) == (409, "conflict: row 3")


def test_exception_class_handler_covers_subclasses(client):
    app = WebApp()

    class Sub(Conflict):
        pass

    app.errorhandler(Conflict)(lambda req, resp, exc: (type(exc).__name__, 409))
    app.add_url_rule("/", lambda req, resp: (_ for _ in ()).throw(Sub()))
    assert client(app).get("/").text == "Sub"


def test_class_handler_wins_over_500_handler(client):
    app = WebApp()
    app.errorhandler(500)(lambda req, resp, exc: ("500 handler", 500))
    app.errorhandler(Conflict)(lambda req, resp, exc: ("class handler", 409))

    @app.route("/")
    def index(req, resp):
        raise Conflict()

    assert client(app).get("/").text == "class handler"


def test_500_handler_catches_unhandled_exception(client, caplog):
    app = WebApp()

    @app.errorhandler(500)
    def oops(req, resp, exc):
        return "oops: %s" % type(exc).__name__, 500

    @app.route("/")
    def index(req, resp):
        raise KeyError("k")

    resp = client(app).get("/")
    assert (resp.status, resp.text) == (500, "oops: KeyError")
    assert any("failed" in r.getMessage() for r in caplog.records)


def test_default_500_page_when_nothing_handles(client):
    app = WebApp()
    app.debug = -1

    @app.route("/")
    def index(req, resp):
        resp.headers["X-Partial"] = "dropped"
        raise ValueError("secret detail")

    resp = client(app).get("/")
    assert resp.status == 500
    assert "<h1>500 Internal Server Error</h1>" in resp.text
    assert "secret detail" not in resp.text
    assert "X-Partial" not in resp.headers


def test_unhandled_exception_is_logged(client, caplog):
    app = WebApp()

    @app.route("/")
    def index(req, resp):
        raise ValueError("logged detail")

    client(app).get("/")
    failures = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(failures) == 1
    assert "GET /" in failures[0].getMessage()
    assert "logged detail" in str(failures[0].exc_info[1])


def test_exception_in_errorhandler_gives_500(client):
    app = WebApp()
    app.debug = -1

    @app.errorhandler(404)
    def broken(req, resp, exc):
        raise RuntimeError("handler bug")

    resp = client(app).get("/missing")
    assert resp.status == 500


def test_exception_after_headers_sent_cuts_the_response(client):
    app = WebApp()
    app.debug = -1

    @app.route("/")
    async def index(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("partial")
        raise ValueError("mid-stream")

    request = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
    out = client(app).raw(request + request)
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"Transfer-Encoding: chunked" in head
    # The chunked body has no last-chunk: the client can tell it was cut.
    assert body == b"7\r\npartial\r\n"
    with pytest.raises(ValueError):
        parse_responses(out)


def test_exception_after_headers_sent_next_connection_works(client):
    app = WebApp()
    app.debug = -1

    @app.route("/boom")
    async def boom(req, resp):
        await start_response(resp)
        await resp.awrite("x")
        raise ValueError()

    app.add_url_rule("/ok", lambda req, resp: "fine")
    c = client(app)
    c.raw(b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n")
    assert c.get("/ok").text == "fine"


def test_http_error_after_headers_sent_cuts_the_response(client):
    app = WebApp()
    app.debug = -1

    @app.route("/")
    async def index(req, resp):
        await start_response(resp, "text/plain")
        await resp.awrite("partial")
        raise HTTPError(403)

    request = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
    out = client(app).raw(request + request)
    assert out.count(b"HTTP/1.1") == 1
    assert out.endswith(b"7\r\npartial\r\n")


def test_handle_exc_overridden_in_subclass(client):
    class MyApp(WebApp):
        async def handle_exc(self, req, resp, exc):
            resp.status = 503
            resp.headers["Content-Type"] = "text/plain"
            resp.body = ("mine: %s" % exc).encode()

    app = MyApp()
    app.debug = -1
    app.add_url_rule("/", lambda req, resp: 1 / 0)
    resp = client(app).get("/")
    assert (resp.status, resp.text) == (503, "mine: division by zero")


def test_exception_inside_handle_exc_closes_and_logs(client, caplog):
    class BrokenApp(WebApp):
        async def handle_exc(self, req, resp, exc):
            raise RuntimeError("handle_exc broke")

    app = BrokenApp()
    app.add_url_rule("/boom", lambda req, resp: 1 / 0)
    app.add_url_rule("/ok", lambda req, resp: "fine")
    c = client(app)
    request = b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\nGET /ok HTTP/1.1\r\nHost: t\r\n\r\n"
    responses = parse_responses(c.raw(request))
    # One answer, and it is no success; the pipelined request is not served.
    assert [r.status for r in responses] == [500]
    assert responses[0].headers["Connection"] == "close"
    messages = [r.getMessage() for r in caplog.records]
    assert any("handling an error failed" in m for m in messages)
    assert c.get("/ok").text == "fine"


# init


def test_init_called_once_sync(client):
    calls = []

    class App(WebApp):
        def init(self):
            calls.append("init")

    app = App()
    app.add_url_rule("/", lambda req, resp: "x")
    c = client(app)
    c.get("/")
    c.get("/")
    assert calls == ["init"]
    assert app.inited is True


def test_init_called_once_async(client):
    calls = []

    class App(WebApp):
        async def init(self):
            calls.append("async init")

    app = App()
    app.add_url_rule("/", lambda req, resp: "x")
    c = client(app)
    c.get("/")
    c.get("/")
    assert calls == ["async init"]


def test_init_runs_before_first_request(client):
    class App(WebApp):
        def init(self):
            self.db = {"greeting": "from init"}

    app = App()
    app.add_url_rule("/", lambda req, resp: req.app.db["greeting"])
    assert client(app).get("/").text == "from init"


# Plugins


class CounterPlugin:
    """A plugin as a third party would write it: no private imports."""

    def install(self, app):
        app.request_count = 0
        app.before_request(self.count)
        app.after_request(self.stamp)
        app.add_url_rule("/_count", self.report)

    def count(self, req, resp):
        req.app.request_count += 1

    def stamp(self, req, resp):
        resp.headers["X-Plugin"] = "counter"

    def report(self, req, resp):
        return str(req.app.request_count)


def test_install_returns_plugin_and_records_it():
    app = WebApp()
    plugin = CounterPlugin()
    assert app.install(plugin) is plugin
    assert app.plugins == [plugin]


def test_plugin_adds_hooks_routes_and_attributes(client):
    app = WebApp()
    app.install(CounterPlugin())
    app.add_url_rule("/", lambda req, resp: "home")
    c = client(app)
    assert c.get("/").headers["X-Plugin"] == "counter"
    resp = c.get("/_count")
    assert resp.text == "2"
    assert app.request_count == 2


# Request attributes


def test_request_method_path_qs(client):
    app = WebApp()
    app.add_url_rule("/p/q", lambda req, resp: {"m": req.method, "p": req.path, "qs": req.qs,
                                                 "v": req.version, "prefix": req.prefix},
                     methods=["PATCH"])
    resp = client(app).request("PATCH", "/p/q?a=1&b=%20", b"x")
    assert resp.json() == {"m": "PATCH", "p": "/p/q", "qs": "a=1&b=%20", "v": "1.1", "prefix": ""}


def test_request_headers_case_insensitive(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "%s|%s|%s" % (
        req.headers["x-token"], req.headers.get("X-TOKEN"), "x-ToKeN" in req.headers))
    resp = client(app).get("/", headers={"X-Token": "abc"})
    assert resp.text == "abc|abc|True"


def test_request_repeated_headers_joined(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: req.headers["accept"] + "|" + req.headers["cookie"])
    out = client(app).raw(b"GET / HTTP/1.1\r\nAccept: a\r\nAccept: b\r\nCookie: x=1\r\n"
                          b"Cookie: y=2\r\nConnection: close\r\n\r\n")
    assert parse_responses(out)[0].text == "a, b|x=1; y=2"


def test_request_client_addr(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: repr(req.client_addr))
    assert client(app).get("/").text == "('127.0.0.1', 0)"


def test_read_body(client):
    app = WebApp()

    @app.route("/", methods=["POST"])
    async def echo(req, resp):
        body = await req.read_body()
        again = await req.read_body()
        return "%d:%s:%s" % (req.content_length, body.decode(), body == again)

    assert client(app).post("/", b"hello").text == "5:hello:True"


def test_read_body_chunked(client):
    app = WebApp()

    @app.route("/", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body()

    out = client(app).raw(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                          b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n")
    assert parse_responses(out)[0].text == "abcde"


def test_read_body_over_app_limit_is_413(client):
    app = WebApp()
    app.limits.max_body = 10
    calls = []

    @app.route("/", methods=["POST"])
    async def echo(req, resp):
        calls.append("handler")
        return await req.read_body()

    c = client(app)
    assert c.post("/", b"x" * 10).text == "x" * 10
    resp = c.post("/", b"x" * 11)
    assert resp.status == 413
    assert calls == ["handler"]


def test_read_body_chunked_over_limit_is_413(client):
    app = WebApp()
    app.debug = -1
    app.limits.max_body = 4

    @app.route("/", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body()

    out = client(app).raw(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                          b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")
    assert parse_responses(out)[0].status == 413


def test_read_body_explicit_max_size(client):
    app = WebApp()

    @app.route("/", methods=["POST"])
    async def echo(req, resp):
        return await req.read_body(max_size=3)

    assert client(app).post("/", b"four").status == 413


def test_route_max_body_extra(client):
    app = WebApp()
    app.limits.max_body = 4

    async def echo(req, resp):
        return await req.read_body()

    app.add_url_rule("/small", echo, methods=["POST"])
    app.add_url_rule("/big", echo, methods=["POST"], max_body=100)
    c = client(app)
    assert c.post("/small", b"x" * 5).status == 413
    resp = c.post("/big", b"x" * 100)
    assert (resp.status, resp.text) == (200, "x" * 100)
    assert c.post("/big", b"x" * 101).status == 413


def test_route_max_body_in_route_list(client):
    async def echo(req, resp):
        return await req.read_body()

    app = WebApp(routes=[("/up", echo, {"methods": ["POST"], "max_body": 2})])
    assert client(app).post("/up", b"abc").status == 413


def test_body_reader_readline(client):
    app = WebApp()

    @app.route("/", methods=["POST"])
    async def lines(req, resp):
        first = await req.reader.readline()
        second = await req.reader.readline()
        rest = await req.reader.readline()
        return repr([first, second, rest])

    assert client(app).post("/", b"one\ntwo\nend").text == "[b'one\\n', b'two\\n', b'end']"


# Header modes


def test_header_mode_parse_is_default(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: req.route.header_mode + ":" + req.headers["x-a"])
    assert client(app).get("/", headers={"X-A": "1"}).text == "parse:1"


def test_header_mode_skip_leaves_headers_empty(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "%d headers" % len(req.headers), headers="skip")
    assert client(app).get("/", headers={"X-A": "1"}).text == "0 headers"


def test_header_mode_skip_keeps_body_framing(client):
    app = WebApp()

    async def echo(req, resp):
        return (await req.read_body()) + b"|%d" % len(req.headers)

    app.add_url_rule("/", echo, methods=["POST"], headers="skip")
    request = b"POST / HTTP/1.1\r\nContent-Length: 3\r\nX-A: 1\r\n\r\nabc"
    chunked = (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               b"2\r\nde\r\n0\r\n\r\n")
    responses = parse_responses(client(app).raw(request + chunked))
    assert [r.text for r in responses] == ["abc|0", "de|0"]


def test_header_mode_skip_honours_connection_close(client):
    app = WebApp()
    app.add_url_rule("/", lambda req, resp: "x", headers="skip")
    request = b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
    responses = parse_responses(client(app).raw(request + request))
    assert len(responses) == 1
    assert responses[0].headers["Connection"] == "close"


def test_header_mode_leave_handler_reads_raw_lines(client):
    app = WebApp()

    @app.route("/raw", headers="leave")
    async def raw(req, resp):
        lines = []
        while True:
            line = await req.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            lines.append(line)
        return repr(lines) + "|%d" % len(req.headers)

    out = client(app).raw(b"GET /raw HTTP/1.1\r\nX-A: 1\r\nHost: t\r\n\r\nGET /raw HTTP/1.1\r\n\r\n")
    responses = parse_responses(out)
    # Nothing may follow a "leave" request: its framing is unknown.
    assert len(responses) == 1
    assert responses[0].text == "[b'X-A: 1\\r\\n', b'Host: t\\r\\n']|0"
    assert responses[0].headers["Connection"] == "close"


def test_header_mode_invalid_is_rejected():
    with pytest.raises(ValueError):
        WebApp().add_url_rule("/", lambda req, resp: "", headers="lazy")


# Templates


def test_render_str(template_pkg):
    app = WebApp(template_pkg)
    out = app.render_str("hello.tpl", ("World", [1, 2]))
    assert out == "<h1>Hello World</h1>\n<ul>\n<li>1</li>\n<li>2</li>\n</ul>\n"


def test_render_template_streams_page(client, template_pkg):
    app = WebApp(template_pkg)

    @app.route("/")
    async def index(req, resp):
        await app.render_template(resp, "hello.tpl", (req.qs, ["a"]))

    resp = client(app).get("/?you")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.text == "<h1>Hello you</h1>\n<ul>\n<li>a</li>\n</ul>\n"


def test_render_template_large_page_over_keep_alive(client, template_pkg):
    app = WebApp(template_pkg)
    items = list(range(300))

    @app.route("/")
    async def index(req, resp):
        await app.render_template(resp, "hello.tpl", ("big", items))

    request = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"
    first, second = parse_responses(client(app).raw(request + request))
    assert first.headers["Transfer-Encoding"] == "chunked"
    expected = app.render_str("hello.tpl", ("big", items))
    assert first.text == expected
    assert second.text == expected


def test_render_template_keeps_started_response(client, template_pkg):
    app = WebApp(template_pkg)

    @app.route("/")
    async def index(req, resp):
        await start_response(resp, "text/plain", "203")
        await app.render_template(resp, "hello.tpl", ("x", []))

    resp = client(app).get("/")
    assert (resp.status, resp.headers["Content-Type"]) == (203, "text/plain")


def test_templates_compile_outside_the_source_tree(template_pkg):
    import sys

    WebApp(template_pkg).render_str("hello.tpl", ("x", []))
    compiled = os.path.join(os.path.dirname(sys.modules[template_pkg].__file__), "templates", "compiled")
    assert os.path.isdir(compiled)
    assert not compiled.startswith(HERE)
    assert not os.path.exists(os.path.join(HERE, "templates_app", "templates", "compiled"))

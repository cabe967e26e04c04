"""picoweb.routing: patterns compiled at registration, lookup, 404/405, mounts."""

import re

import pytest

from picoweb.errors import HTTPError
from picoweb.patterns import compile_pattern
from picoweb.mounts import Mount, add_mount, find_mount
from picoweb.routing import Route, Router


def handler(req, resp):
    pass


def other(req, resp):
    pass


# compile_pattern


@pytest.mark.parametrize("pattern, path, params", [
    ("/user/<name>", "/user/bob", {"name": "bob"}),
    ("/user/<name>", "/user/b%20b.x", {"name": "b%20b.x"}),
    ("/user/<name>", "/user/bob/x", None),
    ("/user/<name>", "/user/", None),
    ("/user/<name>", "/users/bob", None),
    ("/user/<str:name>", "/user/bob", {"name": "bob"}),
    ("/n/<int:id>", "/n/42", {"id": 42}),
    ("/n/<int:id>", "/n/007", {"id": 7}),
    ("/n/<int:id>", "/n/x", None),
    ("/n/<int:id>", "/n/-1", None),
    ("/n/<int:id>", "/n/4.2", None),
    ("/n/<int:id>", "/n/", None),
    ("/f/<path:rest>", "/f/a/b/c.txt", {"rest": "a/b/c.txt"}),
    ("/f/<path:rest>", "/f/x", {"rest": "x"}),
    ("/f/<path:rest>", "/f/", None),
    ("/f/<path:rest>/raw", "/f/a/b/raw", {"rest": "a/b"}),
    ("/file-<id>.txt", "/file-7.txt", {"id": "7"}),
    ("/file-<id>.txt", "/file-a.b.txt", {"id": "a.b"}),
    ("/file-<id>.txt", "/file-7xtxt", None),  # "." is literal
    ("/file-<id>.txt", "/file-.txt", None),
    ("/<a>/<int:b>/<path:c>", "/x/2/y/z", {"a": "x", "b": 2, "c": "y/z"}),
    ("/<a>-<b>", "/x-y", {"a": "x", "b": "y"}),
    ("/<a>-<b>", "/x-y-z", {"a": "x-y", "b": "z"}),  # the first param is greedy
    ("/v1.0/<p>", "/v1x0/q", None),
    ("/a+b/<p>", "/a+b/1", {"p": "1"}),
    ("/a+b/<p>", "/aab/1", None),
    ("/a?/<p>", "/a?/1", {"p": "1"}),
    ("/a?/<p>", "//1", None),
    ("/(x)|y/<p>", "/(x)|y/1", {"p": "1"}),
    ("/(x)|y/<p>", "y/1", None),
    ("/[ab]*{2}/<p>", "/[ab]*{2}/1", {"p": "1"}),
    ("/[ab]*{2}/<p>", "/aa/1", None),
    ("/^$\\/<p>", "/^$\\/1", {"p": "1"}),
    ("/<p>", "/x\n", {"p": "x\n"}),
    ("/n/<int:id>", "/n/5\n", None),  # CPython's "$" alone would match before "\n"
    ("/file-<id>.txt", "/file-1.txt\n", None),
])
def test_pattern_matches(pattern, path, params):
    found = Route(pattern, handler).match(path)
    if params is None:
        assert found is None
    else:
        assert found[0] == params
        assert [type(v) for v in found[0].values()] == [type(v) for v in params.values()]


def test_compile_pattern_returns_regex_and_params():
    regex, params = compile_pattern("/<a>/<int:b>/<path:c>")
    assert params == [("a", False), ("b", True), ("c", False)]
    found = regex.match("/x/12/y/z")
    assert [found.group(i) for i in (1, 2, 3)] == ["x", "12", "y/z"]


def test_compile_pattern_without_params_matches_literally():
    regex, params = compile_pattern("/a.b")
    assert params == []
    assert regex.match("/a.b")
    assert not regex.match("/axb")
    assert not regex.match("/a.bc")


@pytest.mark.parametrize("pattern", [
    "/<>",
    "/<int:>",
    "/<str:>",
    "/<float:x>",
    "/<x",
    "/<int:x",
    "/<a<b>",
    "/<a b>",
    "/<a-b>",
    "/<1x>",
    "/<int:a:b>",
    "/<a>/<a>",  # two params of one name
    "/<a>/<int:a>",
])
def test_compile_pattern_malformed_raises_value_error(pattern):
    with pytest.raises(ValueError):
        compile_pattern(pattern)


def test_malformed_pattern_raises_at_registration():
    with pytest.raises(ValueError):
        Route("/<float:x>", handler)


# Route


def test_route_methods_default_to_get_and_head():
    assert Route("/", handler).methods == ["GET", "HEAD"]


@pytest.mark.parametrize("methods, expected", [
    (["POST"], ["POST"]),
    (["post", "put"], ["POST", "PUT"]),
    (["GET", "POST"], ["GET", "POST", "HEAD"]),
    (["GET", "HEAD"], ["GET", "HEAD"]),
    (("HEAD",), ["HEAD"]),
])
def test_route_explicit_methods(methods, expected):
    assert Route("/", handler, methods).methods == expected


def test_route_header_mode_defaults_to_parse():
    assert Route("/", handler).header_mode == "parse"


@pytest.mark.parametrize("mode", ["parse", "skip", "leave"])
def test_route_header_modes(mode):
    assert Route("/", handler, extra={"headers": mode}).header_mode == mode


@pytest.mark.parametrize("mode", ["none", "Parse", "", None])
def test_route_bad_header_mode_raises_value_error(mode):
    with pytest.raises(ValueError):
        Route("/", handler, extra={"headers": mode})


def test_route_keeps_its_extras():
    route = Route("/", handler, extra={"max_body": 10, "auth": "admin"})
    assert route.extra == {"max_body": 10, "auth": "admin"}
    assert Route("/", handler).extra == {}


def test_exact_route_matches_only_its_path():
    route = Route("/a.b", handler)
    assert route.regex is None
    assert route.match("/a.b") == ({}, None)
    assert route.match("/a.b/") is None
    assert route.match("/axb") is None


def test_compiled_regex_route():
    route = Route(re.compile("^/item/([0-9]+)$"), handler)
    params, found = route.match("/item/12")
    assert params == {}
    assert found.group(1) == "12"
    assert route.match("/item/x") is None


def test_any_object_with_match_is_a_route_pattern():
    class Prefix:
        def match(self, path):
            return path if path.startswith("/p/") else None

    route = Route(Prefix(), handler)
    assert route.match("/p/q") == ({}, "/p/q")
    assert route.match("/q") is None


# Router


def make_router(*routes):
    router = Router()
    for route in routes:
        router.add(route)
    return router


def test_router_returns_route_params_and_match():
    pattern = Route("/u/<int:id>", handler)
    regex = Route(re.compile("^/r/(.+)$"), other)
    router = make_router(pattern, regex)
    route, params, found = router.match("/u/5", "GET")
    assert (route, params) == (pattern, {"id": 5})
    assert found.group(1) == "5"
    route, params, found = router.match("/r/abc", "GET")
    assert (route, params, found.group(1)) == (regex, {}, "abc")


def test_router_exact_route_gives_no_match_object():
    exact = Route("/a", handler)
    assert make_router(exact).match("/a", "GET") == (exact, {}, None)


def test_router_exact_path_wins_over_earlier_pattern():
    pattern = Route("/<name>", handler)
    exact = Route("/me", other)
    router = make_router(pattern, exact)
    assert router.match("/me", "GET")[0] is exact
    assert router.match("/you", "GET")[0] is pattern


def test_router_patterns_in_registration_order():
    first = Route("/<a>", handler)
    second = Route("/<int:b>", other)
    assert make_router(first, second).match("/5", "GET")[:2] == (first, {"a": "5"})
    assert make_router(second, first).match("/5", "GET")[:2] == (second, {"b": 5})


def test_router_head_is_served_by_a_get_route():
    route = Route("/a", handler)
    assert make_router(route).match("/a", "HEAD")[0] is route


def test_router_same_path_different_methods():
    get = Route("/a", handler)
    post = Route("/a", other, ["POST"])
    router = make_router(get, post)
    assert router.match("/a", "GET")[0] is get
    assert router.match("/a", "POST")[0] is post


def test_router_pattern_answers_a_method_the_exact_route_does_not():
    exact = Route("/a", handler, ["GET"])
    pattern = Route("/<x>", other, ["POST"])
    assert make_router(exact, pattern).match("/a", "POST")[:2] == (pattern, {"x": "a"})


@pytest.mark.parametrize("path", ["/", "/b", "/a/", "/A"])
def test_router_unknown_path_is_404(path):
    with pytest.raises(HTTPError) as info:
        make_router(Route("/a", handler), Route("/a/<int:n>", handler)).match(path, "GET")
    assert info.value.status == 404
    assert info.value.headers is None


def test_router_wrong_method_is_405_with_allow():
    with pytest.raises(HTTPError) as info:
        make_router(Route("/a", handler)).match("/a", "POST")
    assert info.value.status == 405
    assert info.value.headers == {"Allow": "GET, HEAD"}


def test_router_405_allow_lists_every_matching_route_sorted():
    router = make_router(
        Route("/a", handler, ["PUT"]),
        Route("/a", handler, ["GET"]),
        Route("/<x>", handler, ["DELETE", "PUT"]),
        Route("/b", handler, ["POST"]),  # another path: not listed
    )
    with pytest.raises(HTTPError) as info:
        router.match("/a", "PATCH")
    assert info.value.status == 405
    assert info.value.headers == {"Allow": "DELETE, GET, HEAD, PUT"}


def test_router_methods_are_case_sensitive():
    with pytest.raises(HTTPError) as info:
        make_router(Route("/a", handler)).match("/a", "get")
    assert info.value.status == 405


# Mounts


def mount_router():
    router = Router()
    add_mount(router, Mount("/api", "api"))
    add_mount(router, Mount("/api/v2", "v2"))
    add_mount(router, Mount("/static", "static"))
    return router


def found_mount(router, path):
    found = find_mount(router, path)
    return found and (found[0].prefix, found[0].app, found[1])


@pytest.mark.parametrize("path, expected", [
    ("/api", ("/api", "api", "/")),
    ("/api/", ("/api", "api", "/")),
    ("/api/x", ("/api", "api", "/x")),
    ("/api/v2", ("/api/v2", "v2", "/")),
    ("/api/v2/", ("/api/v2", "v2", "/")),
    ("/api/v2/users/1", ("/api/v2", "v2", "/users/1")),
    ("/api/v2x", ("/api", "api", "/v2x")),
    ("/api/v", ("/api", "api", "/v")),
    ("/static/a.css", ("/static", "static", "/a.css")),
    ("/apix", None),
    ("/ap", None),
    ("/", None),
    ("/API", None),
    ("/x/api", None),
])
def test_find_mount(path, expected):
    assert found_mount(mount_router(), path) == expected


def test_longest_prefix_wins_whatever_the_registration_order():
    router = Router()
    add_mount(router, Mount("/a/b/c", "abc"))
    add_mount(router, Mount("/a", "a"))
    add_mount(router, Mount("/a/b", "ab"))
    assert found_mount(router, "/a/b/c/d") == ("/a/b/c", "abc", "/d")
    assert found_mount(router, "/a/b/x") == ("/a/b", "ab", "/x")
    assert found_mount(router, "/a/x") == ("/a", "a", "/x")


@pytest.mark.parametrize("prefix", ["", "/", "api", "/api/", "api/"])
def test_bad_mount_prefix_raises_value_error(prefix):
    with pytest.raises(ValueError):
        Mount(prefix, "app")

"""Cookie parsing, Set-Cookie formatting, and req.cookies / resp.set_cookie."""

import asyncio

import picoweb
import pytest
from picoweb.cookies import format_set_cookie, parse_cookies
from picoweb.testclient import TestClient


@pytest.mark.parametrize("header, expected", [
    ("", {}),
    ("a=1", {"a": "1"}),
    ("a=1; b=2", {"a": "1", "b": "2"}),
    ("a=1;b=2;  c = 3 ", {"a": "1", "b": "2", "c": "3"}),
    ('a="quoted value"', {"a": "quoted value"}),
    ('a="', {"a": '"'}),
    ("a=1; a=2", {"a": "1"}),
    ("novalue; =nokey; b=2", {"b": "2"}),
    ("a=x=y", {"a": "x=y"}),
    ("a=", {"a": ""}),
    ("a=\u00ff\u00fe", {"a": "\u00ff\u00fe"}),
])
def test_parse_cookies(header, expected):
    assert parse_cookies(header) == expected


def test_format_set_cookie_with_every_option():
    value = format_set_cookie("sid", "abc123", max_age=60, expires=784111777, path="/app",
                              domain="example.org", secure=True, httponly=True, samesite="Lax")
    assert value == ("sid=abc123; Max-Age=60; Expires=Sun, 06 Nov 1994 08:49:37 GMT; "
                     "Path=/app; Domain=example.org; Secure; HttpOnly; SameSite=Lax")


def test_format_set_cookie_defaults_to_root_path():
    assert format_set_cookie("a", "1") == "a=1; Path=/"


@pytest.mark.parametrize("name, value", [
    ("", "x"), ("a=b", "x"), ("a;b", "x"), ("a b", "x"),
    ("a", "x;y"), ("a", "x y"), ("a", 'x"y'), ("a", "x\r\nSet-Cookie: evil=1"), ("a", "caf\u00e9"),
])
def test_format_set_cookie_refuses_what_would_break_the_header(name, value):
    with pytest.raises(ValueError):
        format_set_cookie(name, value)


def _app():
    app = picoweb.WebApp(__name__)

    @app.route("/")
    def index(req, resp):
        resp.set_cookie("seen", str(int(req.cookies.get("seen", "0")) + 1), httponly=True)
        resp.delete_cookie("old")
        return "cookies: %s" % sorted(req.cookies.items())

    return app


def test_request_cookies_and_response_set_cookie():
    resp = asyncio.run(TestClient(_app()).get("/", headers={"Cookie": "seen=4; old=x"}))
    assert resp.text == "cookies: [('old', 'x'), ('seen', '4')]"
    assert resp.headers.getlist("Set-Cookie") == [
        "seen=5; Path=/; HttpOnly",
        "old=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
    ]


def test_no_cookie_header_gives_empty_cookies():
    resp = asyncio.run(TestClient(_app()).get("/"))
    assert resp.text == "cookies: []"

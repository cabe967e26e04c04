# The `next` URL after login only ever points back into this site: an
# attacker's list of ways to spell another host, each refused.
from picoweb_plugins.auth.next_url import (
    MAX_LENGTH, is_safe_next_url, login_url_with_next, query_value, quote, safe_next_url,
)

SAFE = [
    "/", "/account", "/a/b/c?x=1&y=2#top", "/search?q=%2F%2Fnot-a-host", "/caf%C3%A9",
    "/path%20with%20space", "/a//b", "/.well-known/x", "/a?next=//evil.example",
    "/%7Euser", "/a@b", "/a:b", "/?", "/#",
]

EVIL = [
    # another host, by the slashes browsers accept
    "//evil.example", "///evil.example", "////evil.example", "\\\\evil.example",
    "/\\evil.example", "\\/evil.example", "/\\/evil.example", "\\evil.example",
    # absolute URLs and other schemes
    "https://evil.example", "http://evil.example/", "https:evil.example", "https:/evil.example",
    "HTTPS://evil.example", "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:x", "mailto:a@evil.example",
    "evil.example", "evil.example/path", "", " ", "?next=/", "#/", ".", "./", "../",
    # encoded slashes and backslashes, once and more
    "/%2F/evil.example", "/%2fevil.example", "%2F%2Fevil.example", "%2f%2fevil.example",
    "/%5Cevil.example", "/%5cevil.example", "%5C%5Cevil.example", "/%252F/evil.example",
    "/%25252F/evil.example", "/%5C/evil.example", "/%2F%2Fevil.example",
    # tabs, newlines and other controls that browsers drop or that split headers
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\r\nLocation: //evil",
    "\t//evil.example", "/\x00/evil.example", "/\x0b/evil.example", "/\x7f", "/a\x1b",
    "/%09/evil.example", "/%0A/evil.example", "/%0D%0ALocation:%20//evil", "/%00",
    "/%7F", "/%2509/evil.example", " /account", "/account ",
    # unicode look-alikes of / and \ (fullwidth, division, set minus, fraction)
    "/\uff0fevil.example", "\uff0f\uff0fevil.example", "/\u2215evil.example",
    "/\u2216evil.example", "/\u2044evil.example", "/\uff3cevil.example", "/caf\u00e9",
    "/\u3002evil", "/\u200b/evil.example", "/\ufeff/evil.example",
    # malformed escapes
    "/%", "/%2", "/%zz", "/%2G", "/%%32F",
    # not text, too long
    None, 42, b"/account", "/" + "a" * MAX_LENGTH,
]


def test_paths_of_this_site_are_accepted():
    for url in SAFE:
        assert is_safe_next_url(url), url
    assert is_safe_next_url("/" + "a" * (MAX_LENGTH - 1))


def test_every_way_to_another_site_is_refused():
    for url in EVIL:
        assert not is_safe_next_url(url), repr(url)


def test_safe_next_url_falls_back_to_the_default():
    assert safe_next_url("/account") == "/account"
    assert safe_next_url("//evil.example") == "/"
    assert safe_next_url(None, default="/home") == "/home"


def test_quote_keeps_only_unreserved_characters_and_slashes():
    assert quote("/a b/caf\u00e9?x=1&y#z%") == "/a%20b/caf%C3%A9%3Fx%3D1%26y%23z%25"
    assert quote("/\r\n") == "/%0D%0A"


def test_login_url_carries_the_page_back_safely():
    url = login_url_with_next("/login", "/caf\u00e9 menu", "a=1&b=%2F")
    assert url == "/login?next=/caf%25C3%25A9%2520menu%3Fa%3D1%26b%3D%252F"
    # What the login page reads back (the query decoded once) passes the check.
    assert is_safe_next_url("/caf%C3%A9%20menu?a=1&b=%2F")
    assert login_url_with_next("/login?lang=fr", "/x") == "/login?lang=fr&next=/x"
    # A request for //evil.example makes a `next` the check refuses: after
    # login the browser goes to the default page, not to that host.
    assert login_url_with_next("/login", "//evil.example") == "/login?next=//evil.example"
    assert safe_next_url("//evil.example") == "/"


def test_query_value_decodes_the_first_value_once():
    assert query_value("next=%2Fa%3Fb%3D1&next=/other", "next") == "/a?b=1"
    assert query_value("x=1&next=/caf%C3%A9+x", "next") == "/caf\u00e9 x"
    assert query_value("next=%252F", "next") == "%2F"  # once only: the check decodes further
    assert query_value("next", "next") == ""
    assert query_value("nextx=/a&xnext=/b", "next") is None
    assert query_value("", "next") is None


def test_query_value_refuses_what_does_not_decode():
    for bad in ("next=%", "next=%2", "next=%zz", "next=%C3", "next=%FF%FE"):
        assert query_value(bad, "next") is None, bad


def test_login_urls_carry_next_through_query_value():
    for path, qs in [("/private", ""), ("/a b/caf\u00e9", "x=1&y=%2F"), ("/", "next=//evil")]:
        url = login_url_with_next("/login", path, qs)
        target = query_value(url.partition("?")[2], "next")
        assert is_safe_next_url(target), url
        assert target == quote(path) + ("?" + qs if qs else "")

# The Sec-Fetch-Site / Origin layer of CSRF protection, decision by decision.
from portable import raises

from picoweb_plugins.csrf.origin import cross_origin_reason, normalise_origin

HOST = "app.example.com"


def decide(method="POST", host=HOST, trusted=(), **headers):
    names = {key.replace("_", "-"): value for key, value in headers.items()}
    return cross_origin_reason(method, names, host, trusted)


def test_safe_methods_always_pass():
    for method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        assert decide(method, sec_fetch_site="cross-site", origin="https://evil.example") is None


def test_unsafe_methods_from_another_site_are_refused():
    for method in ("POST", "PUT", "PATCH", "DELETE", "PROPFIND", "post"):
        assert decide(method, sec_fetch_site="cross-site") is not None, method


def test_sec_fetch_site_decides_when_present():
    assert decide(sec_fetch_site="same-origin") is None
    assert decide(sec_fetch_site="none") is None
    assert decide(sec_fetch_site="cross-site") == "cross-site request (Sec-Fetch-Site)"
    assert "same-site" in decide(sec_fetch_site="same-site")
    assert decide(sec_fetch_site="weird") is not None
    # Present, it wins over a matching Origin (which a proxy may rewrite).
    assert decide(sec_fetch_site="cross-site", origin="https://" + HOST) is not None


def test_without_sec_fetch_site_origin_must_match_host():
    assert decide(origin="https://app.example.com") is None
    assert decide(origin="http://app.example.com") is None
    assert decide(origin="https://APP.Example.COM") is None
    assert decide(origin="https://app.example.com:443") is None
    assert decide(origin="https://app.example.com:8443", host="app.example.com:8443") is None
    assert decide(origin="http://app.example.com", host="app.example.com:80") is None
    for evil in ("https://evil.example", "https://app.example.com.evil.example",
                 "https://evil-app.example.com", "https://app.example.com:8443",
                 "https://sub.app.example.com", "http://127.0.0.1"):
        assert decide(origin=evil) == "cross-origin request (Origin does not match Host)", evil


def test_origin_null_and_malformed_origins_are_refused():
    assert decide(origin="null") == "request from an opaque origin (Origin: null)"
    for bad in ("", "app.example.com", "https://", "https://app.example.com/",
                "https://user@app.example.com", "://app.example.com", "https://a/b"):
        assert decide(origin=bad) == "malformed Origin header", bad


def test_no_header_at_all_is_left_to_the_token_check():
    assert decide() is None


def test_a_missing_host_matches_no_origin():
    assert decide(origin="https://app.example.com", host=None) is not None
    assert decide(origin="https://app.example.com", host="") is not None


def test_trusted_origins_may_post():
    trusted = (normalise_origin("https://Partner.example:443"),)
    assert trusted == ("https://partner.example",)
    assert decide(origin="https://partner.example", sec_fetch_site="cross-site", trusted=trusted) is None
    assert decide(origin="https://partner.example", trusted=trusted) is None
    assert decide(origin="https://other.example", sec_fetch_site="cross-site", trusted=trusted)
    assert decide(origin="null", trusted=("null",)) is not None
    assert raises(ValueError, normalise_origin, "partner.example")


def test_reasons_never_echo_the_request():
    for value in ("https://evil.example/<script>", "x\r\nSet-Cookie: a=1", "\u00e9"):
        for reason in (decide(origin=value), decide(sec_fetch_site=value)):
            assert reason is not None and value not in reason and "<" not in reason

# Authorization headers as an attacker sends them: Basic and Bearer parsed
# strictly, everything malformed refused (None), challenges quoted safely.
import binascii

from portable import raises

from picoweb_plugins.auth.credentials import (
    MAX_HEADER, basic_challenge, bearer_challenge, parse_basic, parse_bearer,
)


def basic(raw):
    return "Basic " + binascii.b2a_base64(raw, newline=False).decode()


def test_basic_credentials():
    assert parse_basic(basic(b"alice:s3cret")) == ("alice", "s3cret")
    assert parse_basic(basic(b"alice:")) == ("alice", "")
    assert parse_basic(basic(b":pw")) == ("", "pw")
    assert parse_basic(basic(b"a:b:c")) == ("a", "b:c")  # the first colon splits (RFC 7617)
    assert parse_basic(basic("J\u00fcrgen:p\u00e4ss".encode())) == ("J\u00fcrgen", "p\u00e4ss")
    assert parse_basic("basic " + basic(b"a:b")[6:]) == ("a", "b")
    assert parse_basic("BASIC   " + basic(b"a:b")[6:]) == ("a", "b")


def test_basic_refuses_malformed_headers():
    good = basic(b"alice:pw")[6:]
    for header in (None, b"Basic " + good.encode(), "", "Basic", "Basic ", "Basic  ",
                   "Bearer " + good, "Basic" + good, "Basicx " + good,
                   "Basic " + good + "=", "Basic " + good.rstrip("="), "Basic =" + good,
                   "Basic " + good[:-1] + "!", "Basic " + good + " extra",
                   "Basic " + good.replace("Y", "-"), "Basic %s" % "YWxpY2U6cHc\u00e9",
                   "Basic YQ", "Basic YR==", "Basic YWJ=", "Basic ****"):
        assert parse_basic(header) is None, repr(header)


def test_basic_refuses_missing_colon_non_utf8_and_controls():
    for raw in (b"alice", b"", b"\xff\xfe:pw", b"alice:\xc3", b"al\x00ice:pw", b"alice:p\nw",
                b"alice\r\n:pw", b"alice:\x7f", b"\x1b[31m:pw"):
        assert parse_basic(basic(raw)) is None, raw


def test_basic_refuses_huge_headers_without_decoding():
    huge = basic(b"a:" + b"x" * (MAX_HEADER * 2))
    assert len(huge) > MAX_HEADER and parse_basic(huge) is None
    assert parse_basic(basic(b"a:" + b"x" * 3000)) == ("a", "x" * 3000)


def test_bearer_tokens():
    assert parse_bearer("Bearer abc.DEF-123_~+/") == "abc.DEF-123_~+/"
    assert parse_bearer("Bearer abc==") == "abc=="
    assert parse_bearer("bearer  tok") == "tok"


def test_bearer_refuses_malformed_headers():
    for header in (None, "", "Bearer", "Bearer ", "Basic abc", "Bearerabc", "Bearer a b",
                   "Bearer a,b", "Bearer \"abc\"", "Bearer ===", "Bearer a=b", "Bearer a\tb",
                   "Bearer a\r\nX-Injected: 1", "Bearer \u00e9", "Bearer a;b",
                   "Bearer " + "a" * MAX_HEADER):
        assert parse_bearer(header) is None, repr(header)


def test_challenges_quote_the_realm():
    assert basic_challenge("site") == 'Basic realm="site", charset="UTF-8"'
    assert basic_challenge('a "b" \\c') == 'Basic realm="a \\"b\\" \\\\c", charset="UTF-8"'
    assert bearer_challenge() == "Bearer"
    assert bearer_challenge("api", "invalid_token") == 'Bearer realm="api", error="invalid_token"'
    for bad in ("a\r\nSet-Cookie: x=1", "a\nb", "\x00", None):
        assert raises(ValueError, basic_challenge, bad), repr(bad)

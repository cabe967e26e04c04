"""picoweb.http1, byte by byte: it does no I/O, so every case is plain data."""

import pytest

from picoweb.chunked import ChunkedDecoder
from picoweb.errors import HTTPError
from picoweb.limits import Limits
from picoweb.http1 import (
    check_header_text, chunk, decode_path, find_head_end,
    parse_headers, split_request_line, percent_decode, response_head, split_target,
)


def status_of(func, *args, **kwargs):
    """The HTTP status that `func(*args)` raises as an HTTPError."""
    with pytest.raises(HTTPError) as info:
        func(*args, **kwargs)
    return info.value.status


# split_request_line


@pytest.mark.parametrize("line, expected", [
    (b"GET / HTTP/1.1", ("GET", b"/", 1)),
    (b"GET / HTTP/1.0", ("GET", b"/", 0)),
    (b"POST /a/b?x=1&y=%20 HTTP/1.1", ("POST", b"/a/b?x=1&y=%20", 1)),
    (b"HEAD /index.html HTTP/1.0", ("HEAD", b"/index.html", 0)),
    (b"DELETE /item/7 HTTP/1.1", ("DELETE", b"/item/7", 1)),
    (b"OPTIONS * HTTP/1.1", ("OPTIONS", b"*", 1)),
    (b"GET http://host.test/p?q HTTP/1.1", ("GET", b"http://host.test/p?q", 1)),
    (b"M-SEARCH * HTTP/1.1", ("M-SEARCH", b"*", 1)),
    (b"get / HTTP/1.1", ("get", b"/", 1)),  # methods are case-sensitive tokens
    (b"GET /!$&'()*+,;=:@~ HTTP/1.1", ("GET", b"/!$&'()*+,;=:@~", 1)),
])
def test_parse_request_line_accepts(line, expected):
    assert split_request_line(line) == expected


def test_parse_request_line_method_is_str_and_target_stays_bytes():
    method, target, _ = split_request_line(b"PUT /x HTTP/1.1")
    assert type(method) is str
    assert type(target) is bytes


@pytest.mark.parametrize("version", [b"HTTP/2.0", b"HTTP/3.0", b"HTTP/1.2", b"HTTP/0.9", b"HTTP/9.9"])
def test_parse_request_line_unsupported_version_is_505(version):
    assert status_of(split_request_line, b"GET / " + version) == 505


@pytest.mark.parametrize("version", [
    b"HTTP/1.1x", b"HTTP/11", b"HTTP/1", b"HTTP/", b"http/1.1", b"HTTPS/1.1",
    b"HTTP/1,1", b"HTTP/a.b", b"HTTP/1.x", b"HTTP/+.1", b"HTTP/1.10", b"",
])
def test_parse_request_line_malformed_version_is_400(version):
    assert status_of(split_request_line, b"GET / " + version) == 400


@pytest.mark.parametrize("line", [
    b"",
    b"GET",
    b"GET /",
    b"GET  / HTTP/1.1",  # two spaces
    b" GET / HTTP/1.1",  # leading space
    b"GET / HTTP/1.1 ",  # trailing space
    b"GET /a b HTTP/1.1",  # space in the target
    b"GET\t/\tHTTP/1.1",  # tabs are no separators
    b"GET / HTTP/1.1\r",  # the caller strips the line ending
])
def test_parse_request_line_wrong_shape_is_400(line):
    assert status_of(split_request_line, line) == 400


@pytest.mark.parametrize("method", [b"G(T", b"GET/", b"GE\"T", b"G\xc3\x89T", b"GET\x00", b"G@T", b"{GET}"])
def test_parse_request_line_non_token_method_is_400(method):
    assert status_of(split_request_line, method + b" / HTTP/1.1") == 400


@pytest.mark.parametrize("target", [
    b"",  # "GET  HTTP/1.1": three parts, the middle one empty
    b"/\x00",
    b"/\x01",
    b"/a\x1fb",
    b"/\x7f",  # DEL
    b"/caf\xc3\xa9",  # raw UTF-8: must arrive percent-encoded
    b"/\xff",
    b"/a\rb",
])
def test_parse_request_line_bad_target_is_400(target):
    assert status_of(split_request_line, b"GET " + target + b" HTTP/1.1") == 400


# split_target


@pytest.mark.parametrize("target, expected", [
    (b"/", (b"/", b"")),
    (b"/a/b", (b"/a/b", b"")),
    (b"/a/b?x=1&y", (b"/a/b", b"x=1&y")),
    (b"/a?", (b"/a", b"")),
    (b"/a?b?c", (b"/a", b"b?c")),
    (b"/?q=/x", (b"/", b"q=/x")),
    (b"*", (b"*", b"")),
    (b"http://host.test/p?q=1", (b"/p", b"q=1")),
    (b"https://host.test:8443/a/b", (b"/a/b", b"")),
    (b"http://user@host.test/a", (b"/a", b"")),
    (b"http://host.test", (b"/", b"")),
    (b"http://host.test?q=1", (b"/", b"q=1")),
    (b"http://host.test?q=/x/y", (b"/", b"q=/x/y")),  # a "/" in the query is no path
    (b"http://host.test/p?q=http://other.test/z", (b"/p", b"q=http://other.test/z")),
])
def test_split_target(target, expected):
    assert split_target(target) == expected


@pytest.mark.parametrize("target", [b"p", b"host.test:443", b"?q", b"http:/x", b"://x", b"**"])
def test_split_target_rejects_other_forms(target):
    assert status_of(split_target, target) == 400


# percent_decode and decode_path


@pytest.mark.parametrize("raw, expected", [
    (b"", b""),
    (b"abc", b"abc"),
    (b"%41", b"A"),
    (b"%41%42c", b"ABc"),
    (b"a%2fb", b"a/b"),
    (b"a%2Fb", b"a/b"),
    (b"%e2%82%ac", b"\xe2\x82\xac"),
    (b"%00", b"\x00"),
    (b"%ff", b"\xff"),
    (b"100%25", b"100%"),
    (b"%2541", b"%41"),  # decoded once only
    (b"a+b", b"a+b"),
])
def test_percent_decode(raw, expected):
    assert percent_decode(raw) == expected


def test_percent_decode_plus_as_space():
    assert percent_decode(b"a+b%2B+c", plus_as_space=True) == b"a b+ c"


def test_percent_decode_returns_bytes_for_bytearray_input():
    assert type(percent_decode(bytearray(b"ab"))) is bytes
    assert type(percent_decode(bytearray(b"%41"))) is bytes


@pytest.mark.parametrize("raw", [
    b"%", b"%4", b"a%", b"a%4", b"%%41", b"%zz", b"%4g", b"%g4",
    b"%+1", b"% 1", b"%-1", b"%_1", b"%\t1",
])
def test_percent_decode_malformed_escape_raises_value_error(raw):
    with pytest.raises(ValueError):
        percent_decode(raw)


def test_percent_decode_malformed_escape_after_plus_replacement_raises():
    with pytest.raises(ValueError):
        percent_decode(b"%+1", plus_as_space=True)  # "% 1" once "+" is a space


@pytest.mark.parametrize("raw, expected", [
    (b"/", "/"),
    (b"/a%20b", "/a b"),
    (b"/a+b", "/a+b"),
    (b"/a%2Fb", "/a/b"),
    (b"/caf%C3%A9", "/caf\u00e9"),
    (b"/%E2%82%AC", "/\u20ac"),
    (b"/%F0%9F%98%80", "/\U0001f600"),
    (b"*", "*"),
])
def test_decode_path(raw, expected):
    assert decode_path(raw) == expected


@pytest.mark.parametrize("raw", [
    b"/%ff",  # not UTF-8 at all
    b"/%C3",  # truncated sequence
    b"/%C3%28",  # bad continuation byte
    b"/%C0%AF",  # overlong "/"
    b"/%ED%A0%80",  # a surrogate
    b"/%",
    b"/%zz",
    b"/%+1",
])
def test_decode_path_bad_encoding_is_400(raw):
    assert status_of(decode_path, raw) == 400


# find_head_end


def split_head(buf):
    """(header block, body) of a request, or None while the head is incomplete."""
    line_end = buf.find(b"\n")
    found = find_head_end(buf, line_end)
    if found is None:
        return None
    block_end, body_start = found
    return buf[line_end + 1:block_end], buf[body_start:]


@pytest.mark.parametrize("request_bytes, block, body", [
    (b"GET / HTTP/1.1\r\n\r\n", b"", b""),
    (b"GET / HTTP/1.1\r\n\r\nBODY", b"", b"BODY"),
    (b"GET / HTTP/1.1\n\nBODY", b"", b"BODY"),
    (b"GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\nBODY", b"Host: a\r\nX: y\r\n", b"BODY"),
    (b"GET / HTTP/1.1\nHost: a\nX: y\n\nBODY", b"Host: a\nX: y\n", b"BODY"),
    (b"GET / HTTP/1.1\r\nHost: a\n\r\nBODY", b"Host: a\n", b"BODY"),  # mixed endings
    (b"GET / HTTP/1.1\nHost: a\r\n\nBODY", b"Host: a\r\n", b"BODY"),
    (b"GET / HTTP/1.1\n\r\nBODY", b"", b"BODY"),
    (b"GET / HTTP/1.1\r\nA: 1\r\n\r\nx\r\n\r\ny", b"A: 1\r\n", b"x\r\n\r\ny"),  # first blank line wins
    (b"GET / HTTP/1.1\nA: 1\n\nx\r\n\r\ny", b"A: 1\n", b"x\r\n\r\ny"),
    (b"GET / HTTP/1.1\r\nA: 1\r\n\r\nx\n\ny", b"A: 1\r\n", b"x\n\ny"),
])
def test_find_head_end(request_bytes, block, body):
    assert split_head(request_bytes) == (block, body)


@pytest.mark.parametrize("partial", [
    b"GET / HTTP/1.1\r\n",
    b"GET / HTTP/1.1\n",
    b"GET / HTTP/1.1\r\n\r",
    b"GET / HTTP/1.1\r\nHost: a\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\n\r",
    b"GET / HTTP/1.1\nHost: a\n",
    b"GET / HTTP/1.1\r\nHost: a\rX: b\r",
])
def test_find_head_end_partial_head_returns_none(partial):
    assert split_head(partial) is None


@pytest.mark.parametrize("full, found", [
    (b"GET / HTTP/1.1\r\nHost: a\r\nX-Long: abc\r\n\r\n", (38, 40)),
    (b"GET / HTTP/1.1\nHost: a\nX-Long: abc\n\n", (35, 36)),
    (b"GET / HTTP/1.1\r\n\r\n", (16, 18)),
])
def test_find_head_end_only_at_the_last_byte_of_the_head(full, found):
    line_end = full.find(b"\n")
    for size in range(line_end + 1, len(full)):
        assert find_head_end(bytearray(full[:size]), line_end) is None, size
    assert find_head_end(bytearray(full), line_end) == found


# parse_headers


def parse(block, keep=True, **limits):
    return parse_headers(block, Limits(**limits), keep)


def test_parse_headers_empty_block():
    values, framing = parse(b"")
    assert values == {}
    assert (framing.content_length, framing.chunked, framing.expect_continue) == (None, False, False)


@pytest.mark.parametrize("block", [
    b"Host: a\r\nContent-Type: text/plain\r\n",
    b"Host: a\nContent-Type: text/plain\n",
    b"Host: a\r\nContent-Type: text/plain\n",
])
def test_parse_headers_keys_are_lowercase(block):
    assert parse(block)[0] == {"host": "a", "content-type": "text/plain"}


@pytest.mark.parametrize("line, value", [
    (b"X-Y: MiXeD Case", "MiXeD Case"),
    (b"X-Y:tight", "tight"),
    (b"X-Y:   a b \t", "a b"),
    (b"X-Y:\ta\t", "a"),
    (b"X-Y:", ""),
    (b"X-Y:   ", ""),
    (b"X-Y: host.test:8080", "host.test:8080"),
    (b"X-Y: a\tb", "a\tb"),
    (b"X-Y: caf\xe9", "caf\xe9"),  # obs-text: latin-1 on CPython, never an error
])
def test_parse_headers_value(line, value):
    assert parse(line + b"\r\n")[0] == {"x-y": value}


def test_parse_headers_duplicates_joined_with_comma():
    assert parse(b"Accept: a\r\naccept: b\r\nACCEPT: c\r\n")[0] == {"accept": "a, b, c"}


def test_parse_headers_duplicate_cookies_joined_with_semicolon():
    assert parse(b"Cookie: a=1\r\ncookie: b=2\r\n")[0] == {"cookie": "a=1; b=2"}


def test_parse_headers_all_token_characters_in_a_name():
    assert parse(b"!#$%&'*+-.^_`|~09AZaz: v\r\n")[0] == {"!#$%&'*+-.^_`|~09azaz": "v"}


@pytest.mark.parametrize("block", [
    b"X: a\r\n  folded\r\n",  # obs-fold
    b"X: a\r\n\tfolded\r\n",
    b" X: a\r\n",
    b"X : a\r\n",  # space before the colon
    b"X\t: a\r\n",
    b"no colon\r\n",
    b"NoColon\r\n",
    b": no name\r\n",
    b"X(: a\r\n",
    b"X@: a\r\n",
    b"X/Y: a\r\n",
    b"X\"Y: a\r\n",
    b"N\xe4me: a\r\n",
    b"X\x00: a\r\n",
    b"X\rY: a\r\n",
    b"X: a\rb\r\n",  # bare CR in a value
    b"X: a\x00b\r\n",  # NUL in a value
    b"X: a\r\r\n",
    b"X: a\x01b\r\n",  # other controls in a value (RFC 9110 5.5)
    b"X: a\x7f\r\n",
    b"X: \x1b[31m\r\n",
])
def test_parse_headers_malformed_is_400(block):
    assert status_of(parse, block) == 400


def test_parse_headers_max_headers_reached_is_fine():
    values, _ = parse(b"A: 1\r\nB: 2\r\nC: 3\r\n", max_headers=3)
    assert values == {"a": "1", "b": "2", "c": "3"}


def test_parse_headers_over_max_headers_is_431():
    assert status_of(parse, b"A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n", max_headers=3) == 431


def test_parse_headers_over_max_headers_is_431_without_keep():
    assert status_of(parse, b"A: 1\r\nA: 2\r\n", keep=False, max_headers=1) == 431


def test_parse_headers_keep_false_keeps_dict_empty_but_reads_framing():
    block = b"Host: a\r\nContent-Length: 5\r\nConnection: close\r\nExpect: 100-continue\r\n"
    values, framing = parse(block, keep=False)
    assert values == {}
    assert framing.content_length == 5
    assert framing.keep_alive(1) is False
    assert framing.expect_continue is True


def test_parse_headers_keep_false_reads_transfer_encoding():
    assert parse(b"Transfer-Encoding: chunked\r\n", keep=False)[1].chunked is True


def test_parse_headers_keep_false_still_rejects_malformed_lines():
    assert status_of(parse, b"X : a\r\n", keep=False) == 400


# Framing


def framing_of(block, minor=1):
    framing = parse(block)[1]
    framing.check(minor)
    return framing


@pytest.mark.parametrize("value, length", [
    (b"0", 0), (b"42", 42), (b"007", 7), (b"  5  ", 5), (b"1048576", 1048576),
    (b"99999999999999999999", 99999999999999999999),
])
def test_content_length(value, length):
    assert framing_of(b"Content-Length: " + value + b"\r\n").content_length == length


@pytest.mark.parametrize("value", [
    b"", b"-1", b"+5", b"5.0", b"0x10", b"1e3", b"5 5", b"5,5", b"5, 5", b"five",
    b"\xb2",  # "²" in latin-1: str.isdigit() would pass it
    b"1\xb9",
    pytest.param(b"9" * 21, id="21-digits"),
    pytest.param(b"9" * 5000, id="5000-digits"),  # int() refuses over 4300 digits
])
def test_content_length_not_digits_is_400(value):
    assert status_of(framing_of, b"Content-Length: " + value + b"\r\n") == 400


def test_content_length_equal_duplicates_are_accepted():
    assert framing_of(b"Content-Length: 5\r\ncontent-length: 5\r\n").content_length == 5


def test_content_length_conflicting_duplicates_are_400():
    assert status_of(framing_of, b"Content-Length: 5\r\nContent-Length: 6\r\n") == 400


def test_no_framing_headers():
    framing = framing_of(b"Host: a\r\n")
    assert (framing.content_length, framing.chunked, framing.expect_continue) == (None, False, False)


@pytest.mark.parametrize("value", [b"chunked", b"Chunked", b"CHUNKED", b"  chunked  "])
def test_transfer_encoding_chunked(value):
    framing = framing_of(b"Transfer-Encoding: " + value + b"\r\n")
    assert framing.chunked is True
    assert framing.content_length is None


@pytest.mark.parametrize("block", [
    b"Transfer-Encoding: gzip\r\n",
    b"Transfer-Encoding: identity\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Transfer-Encoding: chunked, chunked\r\n",
    b"Transfer-Encoding:\r\n",
    b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
])
def test_transfer_encoding_other_than_one_chunked_is_501(block):
    assert status_of(framing_of, block) == 501


@pytest.mark.parametrize("block", [
    b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    b"Transfer-Encoding: chunked\r\nContent-Length: 0\r\n",
])
def test_content_length_with_transfer_encoding_is_400(block):
    assert status_of(framing_of, block) == 400


def test_transfer_encoding_on_http_1_0_is_400():
    assert status_of(framing_of, b"Transfer-Encoding: chunked\r\n", minor=0) == 400


def test_content_length_on_http_1_0_is_accepted():
    assert framing_of(b"Content-Length: 3\r\n", minor=0).content_length == 3


@pytest.mark.parametrize("minor, lines, keep_alive", [
    (1, [], True),
    (1, [b"close"], False),
    (1, [b"Close"], False),
    (1, [b" CLOSE "], False),
    (1, [b"keep-alive"], True),
    (1, [b"keep-alive, close"], False),
    (1, [b"upgrade,close"], False),
    (1, [b"upgrade", b"close"], False),  # tokens from separate lines count too
    (1, [b"closed"], True),  # a token, not a substring
    (1, [b"x-close"], True),
    (0, [], False),
    (0, [b"keep-alive"], True),
    (0, [b"Keep-Alive"], True),
    (0, [b"upgrade, keep-alive"], True),
    (0, [b"te", b"keep-alive"], True),
    (0, [b"close"], False),
    (0, [b"keep-alives"], False),
])
def test_keep_alive(minor, lines, keep_alive):
    block = b"".join(b"Connection: " + line + b"\r\n" for line in lines)
    assert framing_of(block, minor).keep_alive(minor) is keep_alive


@pytest.mark.parametrize("value, expected", [
    (b"100-continue", True),
    (b"100-Continue", True),
    (b"  100-continue ", True),
    (b"200-ok", False),
    (b"100-continue-please", False),
])
def test_expect_continue(value, expected):
    assert framing_of(b"Expect: " + value + b"\r\n").expect_continue is expected


# ChunkedDecoder


def decode_at_once(data, size=1 << 20, decoder=None):
    """Feed everything at once; (body pieces, unread bytes). Fails if unfinished."""
    decoder = decoder or ChunkedDecoder(Limits.max_chunk_line, Limits.max_trailers)
    buf = bytearray(data)
    pieces = []
    while True:
        piece = decoder.next_data(buf, size)
        if piece is None:
            return pieces, bytes(buf)
        assert piece != b"", "decoder wants more input than the whole body"
        pieces.append(piece)


def decode_bytewise(data, size=1 << 20, decoder=None):
    """Feed one byte at a time; (body pieces, unread bytes)."""
    decoder = decoder or ChunkedDecoder(Limits.max_chunk_line, Limits.max_trailers)
    buf = bytearray()
    pieces = []
    for index in range(len(data)):
        buf += data[index:index + 1]
        while True:
            piece = decoder.next_data(buf, size)
            if piece is None:
                return pieces, bytes(buf) + data[index + 1:]
            if piece == b"":
                break
            pieces.append(piece)
    raise AssertionError("body did not end")


FEEDERS = [decode_at_once, decode_bytewise]


@pytest.mark.parametrize("feed", FEEDERS)
@pytest.mark.parametrize("data, body", [
    (b"0\r\n\r\n", b""),
    (b"5\r\nhello\r\n0\r\n\r\n", b"hello"),
    (b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", b"hello world"),
    (b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
    (b"a\r\n0123456789\r\n0\r\n\r\n", b"0123456789"),
    (b"005\r\nhello\r\n0000\r\n\r\n", b"hello"),
    (b"5;name=value\r\nhello\r\n0;last\r\n\r\n", b"hello"),
    (b"5 ;x\r\nhello\r\n0\r\n\r\n", b"hello"),
    (b"5\r\nhello\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n", b"hello"),
    (b"3\r\n\r\n\r\r\n0\r\n\r\n", b"\r\n\r"),  # data is data, even CRLF
    pytest.param(b"2710\r\n" + b"x" * 10000 + b"\r\n0\r\n\r\n", b"x" * 10000, id="chunk-over-max-line"),
])
def test_chunked_decodes(feed, data, body):
    pieces, rest = feed(data)
    assert b"".join(pieces) == body
    assert rest == b""


@pytest.mark.parametrize("feed", FEEDERS)
def test_chunked_leaves_the_next_request_in_the_buffer(feed):
    pieces, rest = feed(b"3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n")
    assert b"".join(pieces) == b"abc"
    assert rest == b"GET / HTTP/1.1\r\n\r\n"


def test_chunked_size_caps_each_piece():
    pieces, _ = decode_at_once(b"a\r\n0123456789\r\n2\r\nab\r\n0\r\n\r\n", size=3)
    assert pieces == [b"012", b"345", b"678", b"9", b"ab"]


def test_chunked_returns_empty_bytes_until_more_input():
    decoder = ChunkedDecoder(Limits.max_chunk_line, Limits.max_trailers)
    buf = bytearray(b"5\r\nhe")
    assert decoder.next_data(buf, 100) == b"he"
    assert decoder.next_data(buf, 100) == b""
    buf += b"llo\r"
    assert decoder.next_data(buf, 100) == b"llo"
    assert decoder.next_data(buf, 100) == b""
    buf += b"\n0\r\n"
    assert decoder.next_data(buf, 100) == b""
    buf += b"\r\n"
    assert decoder.next_data(buf, 100) is None
    assert decoder.next_data(buf, 100) is None  # stays finished
    assert buf == b""


@pytest.mark.parametrize("feed", FEEDERS)
@pytest.mark.parametrize("data", [
    b"g\r\nhello\r\n0\r\n\r\n",
    b"-1\r\n",
    b"+5\r\nhello\r\n0\r\n\r\n",
    b"0x5\r\nhello\r\n0\r\n\r\n",
    b"\r\n",  # no size at all
    b";ext\r\n",
    b"5 5\r\nhello\r\n0\r\n\r\n",
    b"1" * 16 + b"\r\n",  # more hex digits than any body could need
    b"5\r\nhelloX\r\n0\r\n\r\n",  # chunk longer than its size
    b"5\r\nhello0\r\n\r\n",  # missing CRLF after the data
    b"3\r\nhello\r\n0\r\n\r\n",
    b"5\nhello\n0\n\n",  # bare LF chunk lines ("funky chunks" smuggling)
    b"5\r\nhello\n0\r\n\r\n",
    b"5\r\nhello\r\n0\r\n\n",
])
def test_chunked_malformed_is_400(feed, data):
    assert status_of(feed, data) == 400


def test_chunked_accepts_fifteen_hex_digits():
    decoder = ChunkedDecoder(Limits.max_chunk_line, Limits.max_trailers)
    assert decoder.next_data(bytearray(b"fffffffffffffff\r\nab"), 100) == b"ab"
    assert decoder.remaining == 0xfffffffffffffff - 2


def small_line_decoder():
    decoder = ChunkedDecoder(Limits.max_chunk_line, Limits.max_trailers)
    decoder.max_line = 16
    return decoder


@pytest.mark.parametrize("feed", FEEDERS)
def test_chunked_size_line_of_max_line_bytes_is_accepted(feed):
    line = b"5;" + b"x" * 13 + b"\r"  # 16 bytes before the LF
    pieces, _ = feed(line + b"\nhello\r\n0\r\n\r\n", decoder=small_line_decoder())
    assert b"".join(pieces) == b"hello"


@pytest.mark.parametrize("feed", FEEDERS)
def test_chunked_size_line_over_max_line_is_400(feed):
    line = b"5;" + b"x" * 14 + b"\r"  # 17 bytes before the LF
    assert status_of(feed, line + b"\nhello\r\n0\r\n\r\n", decoder=small_line_decoder()) == 400


@pytest.mark.parametrize("feed", FEEDERS)
def test_chunked_trailer_line_over_max_line_is_400(feed):
    data = b"0\r\nX-Trailer: " + b"y" * 20 + b"\r\n\r\n"
    assert status_of(feed, data, decoder=small_line_decoder()) == 400


def test_chunked_endless_size_line_is_400_before_its_end_arrives():
    decoder = small_line_decoder()
    assert decoder.next_data(bytearray(b"5;" + b"x" * 14), 100) == b""  # 16 bytes: wait
    assert status_of(decoder.next_data, bytearray(b"5;" + b"x" * 15), 100) == 400


# response_head, check_header_text, chunk


def test_response_head():
    head = response_head(200, [("Content-Type", "text/plain"), ("Content-Length", "2")])
    assert head == b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n"


@pytest.mark.parametrize("status, minor, line", [
    (404, 1, b"HTTP/1.1 404 Not Found\r\n"),
    (505, 1, b"HTTP/1.1 505 HTTP Version Not Supported\r\n"),
    (204, 0, b"HTTP/1.0 204 No Content\r\n"),
    (299, 1, b"HTTP/1.1 299 Unknown\r\n"),
])
def test_response_head_status_line(status, minor, line):
    assert response_head(status, [], minor) == line + b"\r\n"


def test_response_head_keeps_repeated_headers_in_order():
    head = response_head(200, [("Set-Cookie", "a=1"), ("X", "y"), ("Set-Cookie", "b=2")])
    assert head == b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX: y\r\nSet-Cookie: b=2\r\n\r\n"


def test_response_head_encodes_utf8():
    assert response_head(200, [("X", "caf\u00e9")]) == b"HTTP/1.1 200 OK\r\nX: caf\xc3\xa9\r\n\r\n"


def test_check_header_text_returns_clean_text():
    assert check_header_text("text/html; charset=utf-8") == "text/html; charset=utf-8"


BAD_HEADER_TEXT = ["a\rb", "a\nb", "a\x00b", "a\r\nInjected: 1", "\r\n", "x\n"]


@pytest.mark.parametrize("text", BAD_HEADER_TEXT)
def test_check_header_text_refuses_cr_lf_nul(text):
    with pytest.raises(ValueError):
        check_header_text(text)


@pytest.mark.parametrize("text", BAD_HEADER_TEXT)
def test_response_head_refuses_cr_lf_nul_in_value(text):
    with pytest.raises(ValueError):
        response_head(200, [("X-Ok", "fine"), ("X-Bad", text)])


@pytest.mark.parametrize("text", BAD_HEADER_TEXT)
def test_response_head_refuses_cr_lf_nul_in_name(text):
    with pytest.raises(ValueError):
        response_head(200, [(text, "value")])


@pytest.mark.parametrize("data, framed", [
    (b"hello", b"5\r\nhello\r\n"),
    (b"x" * 255, b"ff\r\n" + b"x" * 255 + b"\r\n"),
    (b"\r\n", b"2\r\n\r\n\r\n"),
    (b"", b"0\r\n\r\n"),  # the last chunk: callers must not send it mid-body
])
def test_chunk(data, framed):
    assert chunk(data) == framed


def test_chunks_round_trip_through_the_decoder():
    pieces = [b"a", b"bc" * 300, b"\r\n", b"z" * 4097]
    data = b"".join(chunk(piece) for piece in pieces) + chunk(b"")
    assert decode_at_once(data)[0] == pieces


# Limits


def test_limits_override_one_instance_only():
    limits = Limits(max_headers=3)
    assert limits.max_headers == 3
    assert Limits().max_headers == 100


def test_limits_unknown_name_raises_type_error():
    with pytest.raises(TypeError):
        Limits(max_header=3)

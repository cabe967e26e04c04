# The RESP2 codec of the Redis store, byte by byte: every reply type, every
# split point, and what a broken or hostile server could send.
from portable import raises

from picoweb_plugins.sessions import resp
from picoweb_plugins.sessions.resp import ProtocolError, RedisError, encode_command, parse_reply

REPLIES = [
    (b"+OK\r\n", "OK"),
    (b":0\r\n", 0),
    (b":-42\r\n", -42),
    (b":9223372036854775807\r\n", 9223372036854775807),
    (b"$5\r\nhello\r\n", b"hello"),
    (b"$0\r\n\r\n", b""),
    (b"$4\r\na\r\nb\r\n", b"a\r\nb"),
    (b"$-1\r\n", None),
    (b"*-1\r\n", None),
    (b"*0\r\n", []),
    (b"*3\r\n:1\r\n$1\r\nx\r\n*1\r\n+in\r\n", [1, b"x", ["in"]]),
]


def test_commands_are_arrays_of_bulk_strings():
    assert encode_command(["GET", "k"]) == b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
    assert encode_command(["SET", b"k\r\n", "\u00e9", 60]) == (
        b"*4\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$2\r\n\xc3\xa9\r\n$2\r\n60\r\n")
    for bad in (None, 1.5, True, ["x"]):
        assert raises(TypeError, encode_command, ["SET", bad])


def test_every_reply_type():
    for data, value in REPLIES:
        assert parse_reply(data) == (value, len(data)), data


def test_error_replies_are_returned_not_raised():
    error, end = parse_reply(b"-ERR wrong\r\n+OK\r\n")
    assert isinstance(error, RedisError) and error.args[0] == "ERR wrong" and end == 12
    assert parse_reply(b"-ERR wrong\r\n+OK\r\n", end) == ("OK", 17)


def test_every_split_point_asks_for_more():
    for data, value in REPLIES:
        for cut in range(len(data)):
            assert parse_reply(data[:cut]) is None, (data, cut)


def test_replies_parse_one_after_another_from_an_offset():
    stream = b"".join(data for data, _ in REPLIES)
    end = 0
    for _, value in REPLIES:
        parsed, end = parse_reply(stream, end)
        assert parsed == value
    assert end == len(stream)
    assert parse_reply(bytearray(b"$2\r\nab\r\n")) == (b"ab", 8)


def test_malformed_replies_raise_protocol_error():
    for data in (b"?x\r\n", b"\r\n", b":\r\n", b":1a\r\n", b": 1\r\n", b":+1\r\n", b":--1\r\n",
                 b"$2\r\nabc\r\n", b"$-2\r\n", b"$x\r\n", b"*-2\r\n", b"*1\r\n?\r\n",
                 b"+\xff\r\n", b"-\xfe\r\n", b":" + b"9" * 20 + b"\r\n"):
        assert raises(ProtocolError, parse_reply, data), data


def test_limits_hold_against_a_hostile_server():
    assert raises(ProtocolError, parse_reply, b"$%d\r\n" % (resp.MAX_BULK + 1))
    assert raises(ProtocolError, parse_reply, b"*%d\r\n" % (resp.MAX_ITEMS + 1))
    assert raises(ProtocolError, parse_reply, b"+" + b"x" * (resp.MAX_LINE + 1))
    assert raises(ProtocolError, parse_reply, b"+" + b"x" * (resp.MAX_LINE + 1) + b"\r\n")
    deep = b"*1\r\n" * (resp.MAX_DEPTH + 1) + b":1\r\n"
    assert raises(ProtocolError, parse_reply, deep)
    ok = b"*1\r\n" * resp.MAX_DEPTH + b":1\r\n"
    assert parse_reply(ok)[1] == len(ok)

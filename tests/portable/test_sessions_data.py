# Session data is what JSON holds exactly, on both runtimes; anything else
# is refused when saved rather than lost or changed when read back.
from portable import raises

from picoweb_plugins.sessions.data import MAX_DEPTH, check_data, dump_data, load_data

GOOD = {"s": "\u00e9\u2713\U0001f600", "i": -(2 ** 70), "f": 1.5, "t": True, "n": None,
        "l": [1, "a", [], {}], "d": {"nested": {"x": [0.0]}}, "": "empty key"}


def nested(levels):
    """A dict with lists inside it, `levels` containers deep in all."""
    value = 1
    for _ in range(levels - 1):
        value = [value]
    return {"v": value}


def test_json_data_round_trips():
    assert load_data(dump_data(GOOD)) == GOOD
    assert load_data(dump_data({})) == {}
    assert " " not in dump_data({"a": [1, 2]})


def test_what_json_cannot_hold_exactly_is_refused():
    for bad in (b"bytes", bytearray(b"x"), (1, 2), {1, 2}, object(), float("inf"),
                float("-inf"), float("nan"), range(3)):
        assert raises(TypeError, dump_data, {"k": bad}), repr(bad)
        assert raises(TypeError, dump_data, {"k": [bad]}), repr(bad)
    for key in (1, None, (1,), b"k", 1.5, True):
        assert raises(TypeError, dump_data, {key: 1}), repr(key)
    for not_a_dict in (None, [], "x", 1):
        assert raises(TypeError, dump_data, not_a_dict)


def test_nesting_is_limited():
    dump_data(nested(MAX_DEPTH))
    assert raises(TypeError, dump_data, nested(MAX_DEPTH + 1))
    assert raises(TypeError, dump_data, {"v": {"w": nested(MAX_DEPTH - 1)}})
    assert raises(TypeError, check_data, nested(1000))


def test_unreadable_text_gives_none():
    for text in ("", "{", "[1]", "null", "\"s\"", "1", "{'a': 1}", "{\"a\":1}}", b"\xff",
                 None, 12):
        assert load_data(text) is None, repr(text)

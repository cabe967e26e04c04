"""picoweb.headers.Headers: a case-insensitive mapping that keeps repeats."""

import pytest

from picoweb.headers import Headers


def test_set_and_get_ignore_case():
    h = Headers()
    h["Content-Type"] = "text/plain"
    assert h["content-type"] == "text/plain"
    assert h["CONTENT-TYPE"] == "text/plain"
    assert h.get("Content-type") == "text/plain"


def test_set_stores_str():
    h = Headers()
    h["Content-Length"] = 5
    assert h["content-length"] == "5"


def test_set_replaces_every_earlier_value():
    h = Headers()
    h.add("Set-Cookie", "a=1")
    h.add("Set-Cookie", "b=2")
    h["set-cookie"] = "c=3"
    assert h.getlist("Set-Cookie") == ["c=3"]
    assert list(h.items()) == [("set-cookie", "c=3")]


def test_missing_name_raises_key_error():
    with pytest.raises(KeyError):
        Headers()["X-Missing"]


def test_get_default():
    h = Headers()
    assert h.get("X-Missing") is None
    assert h.get("X-Missing", "fallback") == "fallback"


def test_add_keeps_repeats_and_item_joins_them():
    h = Headers()
    h.add("Accept", "a")
    h.add("accept", "b")
    h.add("ACCEPT", 3)
    assert h.getlist("Accept") == ["a", "b", "3"]
    assert h["accept"] == "a, b, 3"
    assert len(h) == 1


def test_add_keeps_an_empty_value_as_a_value():
    h = Headers()
    h.add("X", "")
    h.add("X", "b")
    assert h.getlist("x") == ["", "b"]


def test_getlist_of_single_and_missing_names():
    h = Headers({"X": "1"})
    assert h.getlist("x") == ["1"]
    assert h.getlist("y") == []


def test_getlist_returns_a_copy():
    h = Headers([("X", "1"), ("X", "2")])
    h.getlist("X").append("3")
    assert h.getlist("X") == ["1", "2"]


def test_contains_ignores_case():
    h = Headers({"Content-Type": "text/plain"})
    assert "content-type" in h
    assert "CONTENT-TYPE" in h
    assert "Content-Length" not in h


def test_len_counts_names_not_values():
    h = Headers([("A", "1"), ("a", "2"), ("B", "3")])
    assert len(h) == 2
    assert len(Headers()) == 0


def test_iter_yields_names_as_first_added():
    h = Headers()
    h.add("X-First", "1")
    h.add("x-first", "2")
    h.add("X-Second", "3")
    assert list(h) == ["X-First", "X-Second"]
    assert h.keys() == ["X-First", "X-Second"]


def test_set_renames_to_the_latest_spelling():
    h = Headers()
    h["x-name"] = "1"
    h["X-Name"] = "2"
    assert list(h) == ["X-Name"]


def test_items_yield_one_pair_per_value_in_insertion_order():
    h = Headers()
    h.add("Set-Cookie", "a=1")
    h.add("Content-Type", "text/plain")
    h.add("set-cookie", "b=2")
    assert list(h.items()) == [
        ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Type", "text/plain"),
    ]


def test_pop_returns_and_removes():
    h = Headers({"X": "1", "Y": "2"})
    assert h.pop("x") == "1"
    assert "X" not in h
    assert list(h) == ["Y"]


def test_pop_joins_repeats():
    h = Headers([("X", "1"), ("X", "2")])
    assert h.pop("X") == "1, 2"
    assert len(h) == 0


def test_pop_missing_returns_default():
    h = Headers()
    assert h.pop("X") is None
    assert h.pop("X", "default") == "default"


def test_pop_empty_value_is_not_the_default():
    h = Headers({"X": ""})
    assert h.pop("X", "default") == ""


def test_del_removes_ignoring_case():
    h = Headers([("X", "1"), ("X", "2"), ("Y", "3")])
    del h["x"]
    assert "X" not in h
    assert list(h.items()) == [("Y", "3")]


def test_del_missing_raises_key_error():
    with pytest.raises(KeyError):
        del Headers()["X"]


def test_setdefault_sets_only_when_absent():
    h = Headers()
    assert h.setdefault("Content-Type", "text/html") == "text/html"
    assert h.setdefault("content-type", "text/plain") == "text/html"
    assert h["Content-Type"] == "text/html"


@pytest.mark.parametrize("source", [
    {"A": "1", "B": "2"},
    [("A", "1"), ("B", "2")],
    (("A", "1"), ("B", "2")),
])
def test_constructor_takes_a_mapping_or_pairs(source):
    assert list(Headers(source).items()) == [("A", "1"), ("B", "2")]


def test_constructor_keeps_repeated_pairs():
    assert Headers([("A", "1"), ("a", "2")]).getlist("A") == ["1", "2"]


def test_constructor_copies_another_headers_with_repeats():
    original = Headers([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    copy = Headers(original)
    copy.add("Set-Cookie", "c=3")
    assert copy.getlist("set-cookie") == ["a=1", "b=2", "c=3"]
    assert original.getlist("set-cookie") == ["a=1", "b=2"]


@pytest.mark.parametrize("empty", [None, {}, []])
def test_constructor_empty(empty):
    assert list(Headers(empty).items()) == []


def test_from_parsed_looks_up_ignoring_case():
    h = Headers.from_parsed({"content-type": "text/plain", "cookie": "a=1; b=2"})
    assert h["Content-Type"] == "text/plain"
    assert h["COOKIE"] == "a=1; b=2"
    assert "Cookie" in h


def test_from_parsed_iterates_lowercase_names():
    h = Headers.from_parsed({"content-type": "text/plain", "x-a": "1"})
    assert list(h) == ["content-type", "x-a"]
    assert list(h.items()) == [("content-type", "text/plain"), ("x-a", "1")]


def test_from_parsed_can_be_added_to():
    h = Headers.from_parsed({"accept": "a"})
    h.add("Accept", "b")
    h.add("X-New", "1")
    assert h.getlist("accept") == ["a", "b"]
    assert list(h.items()) == [("accept", "a"), ("accept", "b"), ("X-New", "1")]


BAD_TEXT = ["a\rb", "a\nb", "a\x00b", "a\r\nInjected: 1"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_set_refuses_cr_lf_nul_in_value_and_keeps_nothing(text):
    h = Headers()
    with pytest.raises(ValueError):
        h["X-Bad"] = text
    assert "X-Bad" not in h


@pytest.mark.parametrize("text", BAD_TEXT)
def test_set_refuses_cr_lf_nul_in_name(text):
    h = Headers()
    with pytest.raises(ValueError):
        h[text] = "value"
    assert len(h) == 0


@pytest.mark.parametrize("text", BAD_TEXT)
def test_add_refuses_cr_lf_nul_and_keeps_earlier_values(text):
    h = Headers([("X", "ok")])
    with pytest.raises(ValueError):
        h.add("X", text)
    with pytest.raises(ValueError):
        h.add(text, "value")
    assert list(h.items()) == [("X", "ok")]


def test_constructor_refuses_cr_lf():
    with pytest.raises(ValueError):
        Headers({"X": "a\r\nInjected: 1"})


def test_repr():
    assert repr(Headers([("X", "1"), ("X", "2")])) == "Headers([('X', '1'), ('X', '2')])"

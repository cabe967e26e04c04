"""picoweb.segments, the string-search matcher MicroPython's routes use
instead of a regex (whose re recurses per character), held to the regex
that picoweb.patterns compiles on CPython: same match, same values."""

import os

import hypothesis.strategies as st
from hypothesis import given, settings

from picoweb.patterns import compile_pattern
from picoweb.segments import SplitPattern

KINDS = ("str", "int", "path")
EXAMPLES = 500 * (20 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1)
# Few characters, so that literals recur in paths and parameters must give back.
literal = st.text(alphabet="/a1.-", max_size=3)
path_text = st.text(alphabet="/a1.-\n", max_size=14)


@st.composite
def patterns(draw):
    """(pattern text, pieces) with 1 to 3 parameters."""
    pieces = [draw(literal)]
    text = pieces[0]
    for index in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS))
        after = draw(literal)
        pieces += [kind, after]
        text += "<%s:p%d>" % (kind, index) + after
    return text, pieces


def regex_values(pattern, path):
    regex, params = compile_pattern(pattern)
    found = regex.match(path)
    # As picoweb.routing checks: CPython's "$" also matches before a final "\n".
    if not found or found.group(0) != path:
        return None
    return [found.group(i + 1) for i in range(len(params))]


def split_values(pieces, path):
    found = SplitPattern(pieces).match(path)
    if found is None:
        return None
    assert found.group(0) == path
    return [found.group(i + 1) for i in range(len(pieces) // 2)]


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(patterns(), path_text)
def test_same_matches_and_values_as_the_regex(pattern, path):
    text, pieces = pattern
    assert split_values(pieces, path) == regex_values(text, path)


@settings(max_examples=EXAMPLES, deadline=None, database=None)
@given(patterns(), st.data())
def test_paths_built_from_the_pattern_match_alike(pattern, data):
    # Random paths rarely match: build ones that should, from values of each kind.
    text, pieces = pattern
    path = pieces[0]
    for index in range(1, len(pieces), 2):
        alphabet = {"str": "a1.-", "int": "0123456789", "path": "/a1.-"}[pieces[index]]
        path += data.draw(st.text(alphabet=alphabet, min_size=1, max_size=5)) + pieces[index + 1]
    assert split_values(pieces, path) == regex_values(text, path)


def test_long_paths_need_no_recursion_per_character():
    long = "a" * 100000
    assert SplitPattern(["/f/", "str", ""]).match("/f/" + long).group(1) == long
    assert SplitPattern(["/f-", "str", ".txt"]).match("/f-" + long + ".txt").group(1) == long
    assert SplitPattern(["/", "path", "/", "int", ""]).match("/" + long + "/" + long + "/12").group(2) == "12"
    assert SplitPattern(["/f/", "int", ""]).match("/f/" + "1" * 1000 + "x") is None


def test_examples_of_giving_back():
    both = SplitPattern(["/", "path", "/", "path", ""])
    assert [both.match("/a/b/c").group(i) for i in (1, 2)] == ["a/b", "c"]
    assert SplitPattern(["/", "str", ".", "str", ""]).match("/a.b.c").group(1) == "a.b"
    assert SplitPattern(["/", "int", "", "str", ""]).match("/123").group(1) == "12"
    assert SplitPattern(["/", "str", "/x"]).match("/a/b/x") is None

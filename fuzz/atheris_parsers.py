"""Coverage-guided fuzzing of the parsers behind a request with atheris.

    make fuzz                                  # each harness for 60 s
    .venv-fuzz/bin/python fuzz/atheris_parsers.py -max_total_time=60 \\
        -artifact_prefix=.fuzz/ .fuzz/parsers tests/corpus

One input feeds every parser that reads client text, each of which may
only return or raise its documented error: the multipart parser (the
input as a body with boundary "XyZ", whole and in pieces of 1 to 64 bytes,
which must agree), the urlencoded parser, Content-Disposition and
boundary parameters, part headers, the Cookie header, the static plugin's
path check (a path it passes must stay under the root), the request
target's split and decoding, and the router (the first line a pattern,
the rest a path). Raw requests make fine seeds: for the multipart parser
an HTTP head is just a preamble.
"""

import os
import sys

import atheris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

with atheris.instrument_imports(include=["picoweb", "picoweb_plugins"]):
    from picoweb import HTTPError
    from picoweb.cookies import parse_cookies
    from picoweb.http1 import decode_path, split_target
    from picoweb.routing import Route, Router
    from picoweb_plugins.forms.multipart import (
        parse_boundary, parse_disposition, parse_part_headers,
    )
    from picoweb_plugins.forms.urlencoded import parse_urlencoded
    from picoweb_plugins.static import Static
    from test_fuzz import multipart_events

STATIC_ROOT = "/srv/static-root"
STATIC = Static(root=STATIC_ROOT)


def outcome(func, *args, statuses=(400,)):
    """func(*args), or the status of an HTTPError it may raise."""
    try:
        return func(*args)
    except HTTPError as exc:
        if exc.status not in statuses:
            raise
        return exc.status


def test_one_input(data):
    text = data.decode("latin-1")
    size = 1 + data[-1] % 64 if data else 1
    whole = outcome(multipart_events, "XyZ", data, [len(data) + 1], statuses=(400, 413))
    split = outcome(multipart_events, "XyZ", data, [size], statuses=(400, 413))
    if whole != split:
        raise AssertionError("multipart: %r whole, %r in pieces of %d" % (whole, split, size))
    outcome(parse_urlencoded, data, 64, 8, statuses=(400, 413))
    outcome(parse_disposition, text)
    outcome(parse_boundary, text)
    outcome(parse_part_headers, data)
    parse_cookies(text)
    path = data.decode("utf-8", "replace")
    if outcome(STATIC.check_path, path, statuses=(403, 404)) is None:
        full = os.path.normpath(os.path.join(STATIC_ROOT, path))
        if full != STATIC_ROOT and not full.startswith(STATIC_ROOT + "/"):
            raise AssertionError("check_path let %r out of the root" % path)
    target = outcome(split_target, data)
    if not isinstance(target, int):
        outcome(decode_path, target[0])
    pattern, _, rest = path.partition("\n")
    router = Router()
    try:
        router.add(Route("/" + pattern, None, ["GET"]))
    except ValueError:
        return
    outcome(router.match, "/" + rest, "GET", statuses=(404, 405))


def main():
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""application/x-www-form-urlencoded: query strings and form bodies."""

from picoweb import HTTPError
from picoweb.http1 import percent_decode

from .multidict import MultiDict


def decode_utf8(raw, what="form data"):
    """bytes -> str, strictly: invalid UTF-8 is a 400, never a garbled str."""
    try:
        return str(raw, "utf-8")
    except UnicodeError:
        raise HTTPError(400, "invalid UTF-8 in " + what)


def decode_component(raw):
    """One percent-encoded key or value ("+" is a space) as str; 400 if malformed."""
    try:
        raw = percent_decode(raw, True)
    except ValueError:
        raise HTTPError(400, "malformed percent-escape in form data")
    return decode_utf8(raw)


def parse_urlencoded(data, max_field_size=65536, max_fields=1000):
    """Parse b"a=1&b=%C3%A9&a=2" (bytes or an ASCII str) into a MultiDict.

    Decoding happens after the split, so "%26" and "%3D" stay in the value;
    a key without "=" gets "", empty pieces ("a=1&&b=2") are skipped.
    A pair longer than `max_field_size` bytes or more than `max_fields`
    pairs is an HTTPError 413; a bad escape or invalid UTF-8 a 400.
    """
    form = MultiDict()
    if not data:
        return form
    amp, equals, decode = b"&", b"=", decode_component
    if isinstance(data, str):
        if "%" in data or "+" in data:
            data = data.encode()
        else:
            # An ASCII str without escapes (the usual query string) is its
            # own decoding: split it as it is.
            amp, equals, decode = "&", "=", None
    elif b"%" not in data and b"+" not in data:
        decode = decode_utf8  # nothing escaped: UTF-8 is all there is to check
    count = 0
    for pair in data.split(amp):
        if not pair:
            continue
        if len(pair) > max_field_size:
            raise HTTPError(413, "form field too large")
        count += 1
        if count > max_fields:
            raise HTTPError(413, "too many form fields")
        key, _, value = pair.partition(equals)
        if decode is None:
            form.add(key, value)
        else:
            form.add(decode(key), decode(value))
    return form

"""Session data as JSON text, the same on both runtimes.

MicroPython's json.dumps writes what JSON has no spelling for (an object as
`<object>`, bytes as a string, NaN) without an error, and CPython's quietly
turns tuples into lists and number keys into strings: data that would come
back different, or not at all. So data is checked first, and only what
JSON holds exactly goes in.
"""

import json

MAX_DEPTH = 16  # containers inside one another; MicroPython's json.loads recurses without a limit


def check_data(value, depth=0):
    """Raise TypeError unless `value` is made of dicts with str keys, lists,
    str, int, float (finite), bool and None, at most MAX_DEPTH containers deep."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if value - value != 0.0:  # inf - inf and nan - nan are nan
            raise TypeError("JSON has no infinity or NaN")
        return
    if depth >= MAX_DEPTH:
        raise TypeError("session data nested more than %d containers deep" % MAX_DEPTH)
    if isinstance(value, list):
        for item in value:
            check_data(item, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("session data keys must be str, not %r" % (key,))
            check_data(item, depth + 1)
        return
    raise TypeError("%s is not JSON data" % type(value).__name__)


def dump_data(data):
    """Session data (a dict) as compact JSON text."""
    if not isinstance(data, dict):
        raise TypeError("session data must be a dict")
    check_data(data)
    return json.dumps(data, separators=(",", ":"))


def load_data(text):
    """The dict dump_data() wrote, or None for anything unreadable."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RuntimeError):
        # UnicodeError is a ValueError; RuntimeError: nested too deep.
        return None
    return data if isinstance(data, dict) else None

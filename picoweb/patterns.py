"""Route patterns such as "/user/<int:id>", compiled to regexes.

Imported when the first route with a parameter is registered: an app of
exact paths only never loads it.
"""

import re

# Regex pieces for <name>, <int:name> and <path:name>.
_CONVERTERS = {"str": "([^/]+)", "int": "([0-9]+)", "path": "(.+)"}
_REGEX_SPECIALS = "\\.^$*+?{}[]|()"
# MicroPython's "." matches "\n" and its re has no flags; CPython's needs
# DOTALL, or a <path:...> holding a decoded "%0A" would be a 404 there only.
_DOTALL = getattr(re, "DOTALL", 0)


def _escape(text):
    # MicroPython's re has no escape(); this covers what it treats as special.
    return "".join("\\" + c if c in _REGEX_SPECIALS else c for c in text)


_NAME_CHARS = "_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _is_param_name(name):
    if not name or name[0] in "0123456789":
        return False
    for c in name:
        if c not in _NAME_CHARS:
            return False
    return True


def compile_pattern(pattern):
    """Turn "/user/<int:id>" into (regex, [(name, is_int), ...])."""
    regex = "^"
    params = []
    rest = pattern
    while True:
        start = rest.find("<")
        if start < 0:
            break
        end = rest.find(">", start)
        if end < 0:
            raise ValueError("unclosed parameter in route %r" % pattern)
        kind, _, name = rest[start + 1:end].rpartition(":")
        kind = kind or "str"
        # The name becomes a keyword argument: an identifier, given once.
        if kind not in _CONVERTERS:
            raise ValueError("unknown converter %r in route %r: use <name>, <int:name> or <path:name>"
                             % (kind, pattern))
        if not _is_param_name(name):
            raise ValueError("bad parameter name %r in route %r: it must be a Python identifier"
                             % (name, pattern))
        if name in [p[0] for p in params]:
            raise ValueError("parameter %r appears twice in route %r" % (name, pattern))
        regex += _escape(rest[:start]) + _CONVERTERS[kind]
        params.append((name, kind == "int"))
        rest = rest[end + 1:]
    return re.compile(regex + _escape(rest) + "$", _DOTALL), params

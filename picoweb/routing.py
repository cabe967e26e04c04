"""Route patterns compiled once at registration, and the lookup per request."""

import re

from .errors import HTTPError

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
        if kind not in _CONVERTERS or not _is_param_name(name) or name in [p[0] for p in params]:
            raise ValueError("bad parameter %r in route %r" % (rest[start:end + 1], pattern))
        regex += _escape(rest[:start]) + _CONVERTERS[kind]
        params.append((name, kind == "int"))
        rest = rest[end + 1:]
    return re.compile(regex + _escape(rest) + "$", _DOTALL), params


class Route:
    """One pattern, its handler, the methods it answers and its extras.

    `extra` holds the route's options: "headers" ("parse", "skip" or
    "leave"), "max_body", and anything an app or plugin wants to read back
    from `req.route.extra`.
    """

    def __init__(self, pattern, handler, methods=None, extra=None):
        self.pattern = pattern
        self.handler = handler
        self.extra = extra or {}
        if isinstance(methods, str):
            methods = [methods]
        methods = [m.upper() for m in (methods or ("GET",))]
        if "GET" in methods and "HEAD" not in methods:
            methods.append("HEAD")
        self.methods = methods
        self.header_mode = self.extra.get("headers", "parse")
        if self.header_mode not in ("parse", "skip", "leave"):
            raise ValueError("headers mode must be parse, skip or leave")
        self.regex = None
        self.params = ()
        if not isinstance(pattern, str):
            self.regex = pattern  # any object with .match(), as the original
        elif "<" in pattern:
            self.regex, self.params = compile_pattern(pattern)

    def match(self, path):
        """Return None, or (path params dict, regex match or None)."""
        if self.regex is None:
            return ({}, None) if path == self.pattern else None
        found = self.regex.match(path)
        # CPython's "$" also matches before a final "\n" (a decoded "%0A").
        if not found or (self.params and found.group(0) != path):
            return None
        values = {}
        for index, (name, is_int) in enumerate(self.params):
            value = found.group(index + 1)
            values[name] = int(value) if is_int else value
        return values, found


class Router:
    """Exact paths by dict lookup first, then patterns in registration order."""

    def __init__(self):
        self.exact = {}  # path -> [Route]
        self.patterns = []
        self.mounts = []  # (prefix, app), longest prefix first

    def add(self, route):
        if isinstance(route.pattern, str) and route.regex is None:
            self.exact.setdefault(route.pattern, []).append(route)
        else:
            self.patterns.append(route)

    def add_mount(self, prefix, app):
        if not prefix.startswith("/") or prefix.endswith("/"):
            raise ValueError("mount prefix must start and not end with '/': %r" % prefix)
        self.mounts.append((prefix, app))
        self.mounts.sort(key=lambda mount: -len(mount[0]))

    def find_mount(self, path):
        """The (prefix, app) whose prefix is `path` or a parent of it."""
        for prefix, app in self.mounts:
            if path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/"):
                return prefix, app
        return None

    def match(self, path, method):
        """Return (route, params, url_match); raise HTTPError 404 or 405."""
        allowed = []
        for route in self.exact.get(path, ()):
            if method in route.methods:
                return route, {}, None
            allowed += route.methods
        for route in self.patterns:
            found = route.match(path)
            if found is not None:
                if method in route.methods:
                    return route, found[0], found[1]
                allowed += route.methods
        if allowed:
            raise HTTPError(405, headers={"Allow": ", ".join(sorted(set(allowed)))})
        raise HTTPError(404)

"""Routes, compiled once at registration (patterns by picoweb.patterns),
and the lookup per request."""

from .errors import HTTPError


class Route:
    """One pattern, its handler, the methods it answers and its extras.

    `extra` holds the route's options: "header_mode" ("parse", "skip" or
    "leave"; the original picoweb's "headers" is taken as the same),
    "max_body", and anything an app or plugin wants to read back from
    `req.route.extra`.
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
        self.header_mode = self.extra.get("header_mode") or self.extra.get("headers", "parse")
        if self.header_mode not in ("parse", "skip", "leave"):
            raise ValueError("header_mode must be 'parse', 'skip' or 'leave'")
        self.regex = None
        self.params = ()
        self.literal = ""  # what a path must start with to be worth a regex match
        if not isinstance(pattern, str):
            self.regex = pattern  # any object with .match(), as the original
        elif "<" in pattern:
            from .patterns import compile_pattern  # only apps with such routes load it

            self.regex, self.params = compile_pattern(pattern)
            self.literal = pattern[:pattern.find("<")]

    def match(self, path):
        """Return None, or (path params dict, regex match or None)."""
        if self.regex is None:
            return ({}, None) if path == self.pattern else None
        if not path.startswith(self.literal):
            return None
        found = self.regex.match(path)
        # CPython's "$" also matches before a final "\n" (a decoded "%0A").
        if not found or (self.params and found.group(0) != path):
            return None
        values = {}
        index = 1
        for name, is_int in self.params:
            value = found.group(index)
            values[name] = int(value) if is_int else value
            index += 1
        return values, found


class Router:
    """Exact paths by dict lookup first, then patterns in registration order
    (mounted apps, found before routes, are in picoweb.mounts)."""

    def __init__(self):
        self.exact = {}  # path -> [Route]
        self.patterns = []
        self.mounts = []  # picoweb.mounts.Mount, longest prefix first

    def add(self, route):
        if isinstance(route.pattern, str) and route.regex is None:
            self.exact.setdefault(route.pattern, []).append(route)
        else:
            self.patterns.append(route)

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

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
        if isinstance(pattern, str) and pattern[:1] != "/":
            raise ValueError("route %r must start with '/' (every request path does)" % pattern)
        if not isinstance(pattern, str):
            self.regex = pattern  # any object with .match(), as the original
        elif "<" in pattern:
            from .patterns import compile_pattern  # only apps with such routes load it

            self.regex, self.params = compile_pattern(pattern)
            self.literal = pattern[:pattern.find("<")]

    def sample_path(self):
        """A path this "<param>" route answers ("x" or "1" for each
        parameter), or None for a regex route."""
        if not isinstance(self.pattern, str):
            return None
        path = self.pattern
        while "<" in path:
            start = path.find("<")
            end = path.find(">", start)
            path = path[:start] + ("1" if path[start + 1:start + 5] == "int:" else "x") + path[end + 1:]
        return path

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
            if is_int:
                try:
                    value = int(value)
                except ValueError:  # CPython's int() takes 4,300 digits at most
                    return None
            values[name] = value
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

    def other_slash(self, path, method):
        """`path` with its trailing "/" added or taken away, if a route then
        answers it for `method` (a 404's better answer is a redirect there).
        Never for a path starting "//": as a Location that names another host."""
        if path == "/" or path[:2] == "//":
            return None
        # A slice, not path[-1]: MicroPython interns a character indexed out of a str.
        other = path[:-1] if path[-1:] == "/" else path + "/"
        try:
            self.match(other, method)
        except HTTPError:
            return None
        return other

    def shadowed(self):
        """(earlier, later) pairs of pattern routes where the earlier one
        answers a path made from the later one's pattern for one of its
        methods: patterns are tried in registration order, so the later one
        may never be reached."""
        found = []
        for i, later in enumerate(self.patterns):
            sample = later.sample_path()
            if sample is None:
                continue
            for earlier in self.patterns[:i]:
                if earlier.match(sample) is not None and [m for m in later.methods if m in earlier.methods]:
                    found.append((earlier, later))
                    break
        return found

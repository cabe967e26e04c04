"""`app.url_for()`: the path of a route, built from its name and values.

Imported on first use, not with the core.
"""

from .pages import quote_path

# A query-string key or value keeps no character that would end or split it.
_COMPONENT_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*,:@"


def url_for(app, name, values):
    """The path (mount prefixes included, from the root app) of the route
    named `name` in `app` or an app mounted under it; `values` fill its
    parameters, the rest become the query string. ValueError if there is
    no such route, or it cannot be built."""
    found = _find(app, name, _prefix_of(app))
    if found is None:
        raise ValueError("no route named %r in this app or the apps mounted under it" % name)
    prefix, route = found
    if not isinstance(route.pattern, str):
        raise ValueError("route %r is a regex: no path can be built from it" % name)
    path = prefix + _fill(route, values)
    query = []
    for key, value in values.items():
        if key not in [param[0] for param in route.params]:
            query.append(_quote_component(key) + "=" + _quote_component(str(value)))
    return path + ("?" + "&".join(query) if query else "")


def _prefix_of(app):
    # The mount prefixes from the root down to `app`.
    prefix = ""
    while app.parent is not None:
        for mount in app.parent.router.mounts:
            if mount.app is app:
                prefix = mount.prefix + prefix
        app = app.parent
    return prefix


def _find(app, name, prefix):
    for route in _routes(app):
        if route.extra.get("name", getattr(route.handler, "__name__", None)) == name:
            return prefix, route
    for mount in app.router.mounts:
        found = _find(mount.app, name, prefix + mount.prefix)
        if found is not None:
            return found
    return None


def _routes(app):
    for routes in app.router.exact.values():
        for route in routes:
            yield route
    for route in app.router.patterns:
        yield route


def _fill(route, values):
    pattern = route.pattern
    path = ""
    for name, is_int in route.params:
        start = pattern.find("<")
        end = pattern.find(">", start)
        if name not in values:
            raise ValueError("route %r needs a value for %r" % (route.pattern, name))
        value = values[name]
        if is_int:
            text = str(int(value))
        else:
            # A <path:...> value spans segments; any other is one segment.
            text = quote_path(str(value)) if pattern[start + 1:start + 6] == "path:" else _quote_component(str(value))
        path += quote_path(pattern[:start]) + text
        pattern = pattern[end + 1:]
    return path + quote_path(pattern)


def _quote_component(text):
    return quote_path(text, _COMPONENT_SAFE)

"""The first CSRF layer: refuse unsafe requests that a browser says came
from another site, from the Sec-Fetch-Site and Origin headers.

Browsers send Sec-Fetch-Site on every request (since 2023 in all major
ones) and Origin on every POST; a page on another site can set neither. A
client that sends neither is no browser, or an old one: the token check
(tokens.py) still covers it.
"""

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def _host_of_origin(origin):
    """(scheme, host[:port]) of an Origin value, lower case, the default
    port dropped; None when it is not scheme://host[:port]."""
    scheme, sep, host = origin.lower().partition("://")
    if not sep or not scheme or not host or "/" in host or "@" in host:
        return None
    return scheme, _without_default_port(host, scheme)


def _without_default_port(host, scheme):
    port = _DEFAULT_PORTS.get(scheme)
    if port and host.endswith(port):
        return host[:-len(port)]
    return host


def normalise_origin(origin):
    """`origin` as the comparison uses it ("https://app.example.com")."""
    parsed = _host_of_origin(origin)
    if parsed is None:
        raise ValueError("an origin is scheme://host[:port]")
    return parsed[0] + "://" + parsed[1]


def cross_origin_reason(method, headers, host, trusted_origins=()):
    """None when the request may go on, else why it is refused (fixed text:
    nothing the client sent). `headers` maps lower-case names to values
    (req.headers); `host` is the Host header; `trusted_origins` are
    normalise_origin() strings of other sites allowed to post here."""
    if method in SAFE_METHODS:
        return None
    origin = headers.get("origin")
    if origin is not None and trusted_origins:
        parsed = _host_of_origin(origin)
        if parsed is not None and parsed[0] + "://" + parsed[1] in trusted_origins:
            return None
    site = headers.get("sec-fetch-site")
    if site is not None:
        if site in ("same-origin", "none"):  # "none": typed by the user, a bookmark
            return None
        if site == "same-site":
            return "request from another origin of this site (Sec-Fetch-Site: same-site)"
        return "cross-site request (Sec-Fetch-Site)"
    if origin is None:
        return None
    if origin == "null":
        return "request from an opaque origin (Origin: null)"
    parsed = _host_of_origin(origin)
    if parsed is None:
        return "malformed Origin header"
    if not host or parsed[1] != _without_default_port(host.lower(), parsed[0]):
        return "cross-origin request (Origin does not match Host)"
    return None

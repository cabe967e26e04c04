"""Cookie header parsing and Set-Cookie formatting (RFC 6265), over str."""

from .httpdate import format_http_date
from .http1 import check_header_name, check_header_text

# Characters RFC 6265 forbids in a cookie value (besides controls).
_VALUE_FORBIDDEN = ' ",;\\'


def parse_cookies(header):
    """Map each name in a Cookie header to its value; the first one wins.

    Malformed pairs (no "=", empty name) are skipped, as browsers do;
    values are kept as sent, with one pair of surrounding quotes removed.
    """
    cookies = {}
    for pair in header.split(";"):
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            continue
        value = value.strip()
        if len(value) > 1 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        if name not in cookies:
            cookies[name] = value
    return cookies


def format_set_cookie(name, value="", max_age=None, expires=None, path="/", domain=None,
                      secure=False, httponly=False, samesite=None):
    """A Set-Cookie header value. `expires` is seconds since the epoch;
    characters a cookie value may not hold raise ValueError."""
    # RFC 6265: a name is a token; parse_cookies would not give another back.
    try:
        check_header_name(name)
    except ValueError:
        raise ValueError("bad cookie name %r" % name)
    for c in value:
        if c in _VALUE_FORBIDDEN or ord(c) < 33 or ord(c) > 126:
            raise ValueError("bad character %r in cookie value; encode it first" % c)
    parts = [check_header_text(name) + "=" + value]
    if max_age is not None:
        parts.append("Max-Age=%d" % max_age)
    if expires is not None:
        parts.append("Expires=" + format_http_date(expires))
    if path:
        parts.append("Path=" + check_header_text(path))
    if domain:
        parts.append("Domain=" + check_header_text(domain))
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if samesite:
        parts.append("SameSite=" + check_header_text(samesite))
    return "; ".join(parts)

"""Cookie header parsing and Set-Cookie formatting (RFC 6265), over str."""

from .httpdate import format_http_date
from .http1 import check_header_name, check_header_text

# The characters RFC 6265 allows in a cookie value: printable ASCII but
# space, DQUOTE, comma, semicolon and backslash.
_VALUE_CHARS = "!#$%&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~"


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
        # Slices, not value[0]: MicroPython interns a character indexed out of a str.
        if len(value) > 1 and value[:1] == '"' and value[-1:] == '"':
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
    # strip() leaves what is not allowed (a loop over the str would intern
    # each character on MicroPython); only then is the culprit looked for.
    if value.strip(_VALUE_CHARS):
        for c in value:
            if c not in _VALUE_CHARS:
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

"""Where to send a browser after login: the `next` parameter, accepted
only when it points back into this site.

A safe value is a path on this host: it starts with one "/" (never "//",
which browsers read as another host, nor "/\\", which they read as "//"),
holds printable ASCII only (browsers drop tabs and newlines inside URLs, so
"/\\t/evil" would become "//evil"; non-ASCII look-alikes of "/" get
normalised by some), no backslash, and well-formed percent escapes whose
decoding (three rounds deep) breaks none of these rules either.
"""

from picoweb.http1 import percent_decode
from picoweb.pages import quote_path

MAX_LENGTH = 2048  # characters: longer is no link of ours
_DECODE_ROUNDS = 3
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/"

# The URL is looked at as UTF-8 bytes, never character by character:
# MicroPython interns each character a loop or an index takes out of a
# str, for good, and these are a client's.


def _breaks_a_rule(url, raw):
    if not url.startswith(b"/") or url[1:2] in (b"/", b"\\"):
        return True
    for byte in url:
        if byte == 92 or byte < 32 or byte == 127 or (raw and (byte == 32 or byte > 126)):
            return True
    return False


def is_safe_next_url(url):
    """True when `url` is a path back into this site (see the module doc)."""
    if not isinstance(url, str) or not url or len(url) > MAX_LENGTH:
        return False
    url = url.encode()
    if _breaks_a_rule(url, True):
        return False
    for _ in range(_DECODE_ROUNDS):
        try:
            decoded = percent_decode(url)
        except ValueError:  # a malformed escape
            return False
        if _breaks_a_rule(decoded, False):
            return False
        if decoded == url:
            return True
        url = decoded
    return True


def safe_next_url(url, default="/"):
    """`url` when is_safe_next_url() accepts it, else `default`."""
    return url if is_safe_next_url(url) else default


def quote(text):
    """`text` percent-encoded as UTF-8, all but letters, digits, "-._~/"."""
    return quote_path(text, _UNRESERVED)


def query_value(query_string, name):
    """The first value of `name` in a query string, percent-decoded
    ("+" is a space) and read as UTF-8, or None: absent or undecodable."""
    for pair in query_string.split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            try:
                return percent_decode(value.encode(), True).decode()
            except ValueError:  # a malformed escape, or UnicodeError: not UTF-8
                return None
    return None


def login_url_with_next(login_url, path, query_string=""):
    """The login page's URL with `next` set to the page asked for, as
    `path` (decoded, as req.path) and its raw query string."""
    target = quote(path)
    if query_string:
        target += "?" + query_string
    separator = "&" if "?" in login_url else "?"
    return login_url + separator + "next=" + quote(target)

"""The Authorization header, read without trusting it: HTTP Basic (RFC
7617) and Bearer tokens (RFC 6750), and the WWW-Authenticate challenges
that ask for them. Parsers answer None to anything malformed."""

import binascii

MAX_HEADER = 4096  # characters of an Authorization header worth parsing
_TOKEN68_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"
_BASE64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _credentials(header, scheme):
    """The credentials after `scheme` in `header`, or None."""
    if not isinstance(header, str) or len(header) > MAX_HEADER:
        return None
    name, space, rest = header.strip(" ").partition(" ")
    if not space or name.lower() != scheme:
        return None
    rest = rest.lstrip(" ")
    return rest or None


# No loops over the characters of a client's text here: MicroPython interns each character a loop or an index takes out of a str, for good.
# strip() leaves what is not in its set; min() runs over the bytes in C.


def _is_token68(text):
    body = text.rstrip("=")
    return bool(body) and not body.strip(_TOKEN68_CHARS)


def _has_control(text):
    return "\x7f" in text or (bool(text) and min(text.encode()) < 32)


def parse_basic(header):
    """(user, password) from `Basic <base64 of user:password>`, or None:
    not Basic, not canonical base64, not UTF-8, no colon, or a control
    character (RFC 7617 allows none) in either part."""
    encoded = _credentials(header, "basic")
    if encoded is None or len(encoded) % 4:
        return None
    if encoded.rstrip("=").strip(_BASE64_CHARS):
        return None
    try:
        raw = binascii.a2b_base64(encoded)
        # One spelling only: no stray padding, no unused bits set.
        if binascii.b2a_base64(raw, newline=False).decode() != encoded:
            return None
        text = raw.decode()
    except ValueError:  # binascii.Error and UnicodeError are ValueErrors
        return None
    user, colon, password = text.partition(":")
    if not colon or _has_control(user) or _has_control(password):
        return None
    return user, password


def parse_bearer(header):
    """The token from `Bearer <token68>`, or None."""
    token = _credentials(header, "bearer")
    if token is None or not _is_token68(token):
        return None
    return token


def _quoted(text):
    if not isinstance(text, str) or _has_control(text):
        raise ValueError("a challenge parameter may not hold control characters")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def basic_challenge(realm):
    """The WWW-Authenticate value of a 401 that asks for Basic credentials."""
    return "Basic realm=%s, charset=\"UTF-8\"" % _quoted(realm)


def bearer_challenge(realm=None, error=None):
    """The WWW-Authenticate value of a 401 that asks for a Bearer token;
    `error` is "invalid_token" when one was sent and refused (RFC 6750)."""
    parameters = []
    if realm is not None:
        parameters.append("realm=" + _quoted(realm))
    if error is not None:
        parameters.append("error=" + _quoted(error))
    return "Bearer " + ", ".join(parameters) if parameters else "Bearer"

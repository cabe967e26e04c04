"""CSRF tokens tied to a session: the session holds a random secret, and
every page gets the secret masked with fresh random bytes. A masked token
differs on every response, so a compressed page that reflects attacker
text beside it leaks nothing about the secret (BREACH), while any of them
checks against the one secret."""

from picoweb_plugins.sessions.crypto import (
    b64url_decode, b64url_encode, constant_time_equal, random_bytes,
)

SECRET_BYTES = 32
SESSION_KEY = "_csrf"  # where the secret lives in the session
FIELD_NAME = "csrf_token"  # the form field
HEADER_NAME = "X-CSRF-Token"  # the header, for scripts
_TOKEN_LENGTH = 86  # b64url characters of mask + masked secret (64 bytes)


def new_secret():
    """A fresh secret to keep in the session."""
    return b64url_encode(random_bytes(SECRET_BYTES))


def _xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def _secret_bytes(secret):
    try:
        raw = b64url_decode(secret)
    except ValueError:
        return None
    return raw if len(raw) == SECRET_BYTES else None


def mask_token(secret):
    """A token for a form or a script: the secret XOR fresh random bytes,
    with those bytes in front."""
    raw = _secret_bytes(secret)
    if raw is None:
        raise ValueError("not a secret from new_secret()")
    mask = random_bytes(SECRET_BYTES)
    return b64url_encode(mask + _xor(mask, raw))


def check_token(secret, token):
    """True when `token` is a masked form of `secret` (both from this module);
    anything malformed, including a missing secret or token, is False."""
    raw = _secret_bytes(secret) if isinstance(secret, str) else None
    if raw is None or not isinstance(token, str) or len(token) != _TOKEN_LENGTH:
        return False
    try:
        masked = b64url_decode(token)
    except ValueError:
        return False
    return constant_time_equal(_xor(masked[:SECRET_BYTES], masked[SECRET_BYTES:]), raw)


def _attribute(text):
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def hidden_input(token, field_name=FIELD_NAME):
    """The form field that carries `token`, as HTML."""
    return '<input type="hidden" name="%s" value="%s">' % (_attribute(field_name), _attribute(token))

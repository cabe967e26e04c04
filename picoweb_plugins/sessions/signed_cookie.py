"""Signed cookies: JSON data the client can read but not forge or keep
past its maximum age.

A value is ``payload.issued.signature``: the data as compact JSON in
url-safe base64, the issue time in whole seconds, and HMAC-SHA256 over the
first two. The first key signs; every key verifies, so keys rotate by
putting a new one first and dropping the oldest later. Each key is first
bound to a purpose, so a value made for one use (the session) is refused
for another (a remember-me cookie) even under the same secret.
"""

import time

from .crypto import b64url_decode, b64url_encode, constant_time_equal, hmac_sha256, is_decimal
from .data import dump_data, load_data

MAX_SIZE = 4000  # characters of value: browsers keep ~4096 for name, value and attributes
MAX_SKEW = 60  # seconds an issue time may lie ahead of our clock (servers sharing keys)
MIN_KEY_SIZE = 32  # bytes: a short password-like secret is guessable offline from one cookie
_MAX_TIME_DIGITS = 12


class SignedCookieCodec:
    """Encode dicts into signed cookie values and check them on the way back.

    `keys`: one secret or a list, newest first (str or bytes, at least 32
    bytes each). `max_age`: seconds a value stays good after it was made,
    checked on every decode. `purpose` separates uses of one secret.
    """

    def __init__(self, keys, max_age, purpose="picoweb.sessions", max_size=MAX_SIZE):
        if isinstance(keys, (str, bytes)):
            keys = [keys]
        if not keys:
            raise ValueError("give at least one secret key")
        self.signing_keys = []
        for key in keys:
            if len(key.encode() if isinstance(key, str) else key) < MIN_KEY_SIZE:
                raise ValueError("a secret key needs at least %d bytes; make one with "
                                 "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
                                 % MIN_KEY_SIZE)
            self.signing_keys.append(hmac_sha256(key, "picoweb signed cookie for " + purpose))
        self.max_age = max_age
        self.max_size = max_size

    def _signature(self, key, signed_part):
        return b64url_encode(hmac_sha256(key, signed_part))

    def encode(self, data, now=None):
        """The cookie value for the dict `data`, issued `now` (default: the
        clock). TypeError for data JSON cannot hold exactly (see data.py),
        ValueError when the value would exceed max_size characters."""
        issued = int(time.time() if now is None else now)
        signed_part = b64url_encode(dump_data(data)) + "." + str(issued)
        value = signed_part + "." + self._signature(self.signing_keys[0], signed_part)
        if len(value) > self.max_size:
            raise ValueError("data too large for a signed cookie: %d characters, limit %d; "
                             "keep less in it or use a server-side store" % (len(value), self.max_size))
        return value

    def decode(self, value, now=None):
        """`(data, None)` for a good value, else `(None, reason)`: never raises.

        The signature is checked before anything else is parsed; then the
        issue time against max_age; then the data must be a JSON object.
        """
        if not isinstance(value, str):
            return None, "not text"
        if len(value) > self.max_size:
            return None, "oversized (%d characters)" % len(value)
        if value.count(".") != 2:
            return None, "malformed"
        signed_part, _, signature = value.rpartition(".")
        for key in self.signing_keys:
            if constant_time_equal(self._signature(key, signed_part), signature):
                break
        else:
            return None, "bad signature"
        payload, _, issued = signed_part.partition(".")
        if not is_decimal(issued, _MAX_TIME_DIGITS):
            return None, "malformed issue time"
        age = int(time.time() if now is None else now) - int(issued)
        if age < -MAX_SKEW:
            return None, "issued in the future"
        if age > self.max_age:
            return None, "expired"
        try:
            text = b64url_decode(payload).decode()
        except ValueError:  # UnicodeError is one
            return None, "unreadable data"
        data = load_data(text)
        if data is None:
            return None, "unreadable data"
        return data, None

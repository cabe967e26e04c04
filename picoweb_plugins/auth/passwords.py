"""Password hashing: PBKDF2-HMAC-SHA256 with a random salt per password
and the iteration count stored in the hash, so raising the default later
leaves old hashes verifiable (and needs_rehash() says which to redo).

A hash reads ``pbkdf2_sha256$<iterations>$<salt>$<key>`` (salt and key in
url-safe base64). CPython hashes in C (hashlib); MicroPython in Python,
which is why its default count is lower (bench/pbkdf2.py measures both).
"""

import sys

from picoweb_plugins.sessions.crypto import (
    b64url_decode, b64url_encode, constant_time_equal, is_decimal, pbkdf2_sha256, random_bytes,
)

ALGORITHM = "pbkdf2_sha256"
# CPython: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 (about 0.2 s in C).
# MicroPython: pure Python runs about 300,000 iterations a second on a PC's
# unix port and far fewer on a board, so 10,000 (35 ms on the unix port here).
DEFAULT_ITERATIONS = 10000 if sys.implementation.name == "micropython" else 600000
MAX_ITERATIONS = 10000000  # a stored count above this is refused, not run for minutes
SALT_BYTES = 16
KEY_BYTES = 32
MAX_PASSWORD_BYTES = 4096  # longer is refused: no password manager makes more


def _password_bytes(password):
    if isinstance(password, str):
        password = password.encode()
    if not isinstance(password, bytes) or len(password) > MAX_PASSWORD_BYTES:
        return None
    return password


def hash_password(password, iterations=None, salt=None):
    """A new hash of `password` (str or bytes) for storing; `iterations`
    defaults to DEFAULT_ITERATIONS, `salt` to 16 fresh random bytes."""
    secret = _password_bytes(password)
    if secret is None:
        raise ValueError("a password must be str or bytes of at most %d bytes" % MAX_PASSWORD_BYTES)
    iterations = DEFAULT_ITERATIONS if iterations is None else iterations
    if not isinstance(iterations, int) or not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError("iterations must be between 1 and %d" % MAX_ITERATIONS)
    salt = random_bytes(SALT_BYTES) if salt is None else salt
    key = pbkdf2_sha256(secret, salt, iterations, KEY_BYTES)
    return "%s$%d$%s$%s" % (ALGORITHM, iterations, b64url_encode(salt), b64url_encode(key))


def parse_hash(stored):
    """(iterations, salt, key) of a hash_password() string, or None."""
    if not isinstance(stored, str):
        return None
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != ALGORITHM or not is_decimal(parts[1], 8):
        return None
    iterations = int(parts[1])
    if not 1 <= iterations <= MAX_ITERATIONS:
        return None
    try:
        salt, key = b64url_decode(parts[2]), b64url_decode(parts[3])
    except ValueError:
        return None
    if not salt or len(key) != KEY_BYTES:
        return None
    return iterations, salt, key


def verify_password(password, stored):
    """True when `password` matches the hash `stored`. A malformed or
    missing hash (`None`: no such user) gives False after the same work as
    a real check, so the answer's time does not tell which it was."""
    parsed = parse_hash(stored)
    secret = _password_bytes(password)
    if parsed is None or secret is None:
        pbkdf2_sha256(b"no such user", b"picoweb dummy salt", DEFAULT_ITERATIONS, KEY_BYTES)
        return False
    iterations, salt, key = parsed
    return constant_time_equal(pbkdf2_sha256(secret, salt, iterations, KEY_BYTES), key)


async def verify_password_async(password, stored):
    """verify_password() off the event loop where threads exist (CPython:
    hashlib lets other threads run while it hashes); inline on MicroPython."""
    import asyncio

    to_thread = getattr(asyncio, "to_thread", None)
    if to_thread is None:
        return verify_password(password, stored)
    return await to_thread(verify_password, password, stored)


def needs_rehash(stored, iterations=None):
    """True when `stored` should be replaced by a new hash_password() at the
    next successful login: fewer iterations than today's, or not ours."""
    parsed = parse_hash(stored)
    wanted = DEFAULT_ITERATIONS if iterations is None else iterations
    return parsed is None or parsed[0] < wanted

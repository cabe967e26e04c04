"""Crypto shared by the sessions, auth and csrf plugins, on both runtimes.

The standard library is used where it exists (CPython's `hmac` and
`hashlib.pbkdf2_hmac`, both in C); MicroPython gets the same functions
built on `hashlib.sha256`, `binascii` and `os.urandom`.
"""

import binascii
import hashlib
import os

try:
    from hmac import compare_digest as _compare_digest, digest as _hmac_digest
except ImportError:  # MicroPython: no hmac (or one without these two)
    _compare_digest = _hmac_digest = None

_pbkdf2_hmac = getattr(hashlib, "pbkdf2_hmac", None)

BLOCK_SIZE = 64  # SHA-256 block size in bytes: the HMAC key is padded to it
DIGEST_SIZE = 32
_IPAD = 0x36
_OPAD = 0x5C


def to_bytes(value):
    """`value` as bytes (str is encoded as UTF-8)."""
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    # bytes(5) would be five zero bytes: a silent all-zero key or message.
    raise TypeError("expected str or bytes, not %s" % type(value).__name__)


def constant_time_equal(a, b):
    """True when `a` equals `b` (both str or bytes), in a time that depends on
    their length only, never on where they first differ."""
    a = to_bytes(a)
    b = to_bytes(b)
    if _compare_digest is not None:
        return _compare_digest(a, b)
    if len(a) != len(b):
        return False
    difference = 0
    for x, y in zip(a, b):
        difference |= x ^ y
    return difference == 0


def _hmac_pads(key):
    if len(key) > BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    key = key + bytes(BLOCK_SIZE - len(key))
    return bytes(c ^ _IPAD for c in key), bytes(c ^ _OPAD for c in key)


def hmac_sha256(key, message):
    """HMAC-SHA256 (RFC 2104) of `message` under `key`, 32 bytes."""
    key = to_bytes(key)
    message = to_bytes(message)
    if _hmac_digest is not None:
        return _hmac_digest(key, message, "sha256")
    inner, outer = _hmac_pads(key)
    sha256 = hashlib.sha256
    return sha256(outer + sha256(inner + message).digest()).digest()


def pbkdf2_sha256(password, salt, iterations, length=DIGEST_SIZE):
    """PBKDF2-HMAC-SHA256 (RFC 8018) derived key of `length` bytes."""
    password = to_bytes(password)
    salt = to_bytes(salt)
    if iterations < 1 or length < 1:
        raise ValueError("iterations and length must be positive")
    if _pbkdf2_hmac is not None:
        return _pbkdf2_hmac("sha256", password, salt, iterations, length)
    return _pbkdf2_sha256_python(password, salt, iterations, length)


def _pbkdf2_sha256_python(password, salt, iterations, length):
    # MicroPython's sha256 objects have no copy(), so each HMAC hashes the
    # padded key again; the XOR of the blocks is kept as one integer, which
    # is much cheaper there than XOR-ing 32 bytes one by one.
    inner, outer = _hmac_pads(password)
    sha256 = hashlib.sha256
    key = b""
    block = 1
    while len(key) < length:
        u = sha256(outer + sha256(inner + salt + block.to_bytes(4, "big")).digest()).digest()
        accumulated = int.from_bytes(u, "big")
        for _ in range(iterations - 1):
            u = sha256(outer + sha256(inner + u).digest()).digest()
            accumulated ^= int.from_bytes(u, "big")
        key += accumulated.to_bytes(DIGEST_SIZE, "big")
        block += 1
    return key[:length]


def b64url_encode(data):
    """URL-safe base64 (RFC 4648 section 5) of `data`, without padding, as str."""
    text = binascii.b2a_base64(to_bytes(data), newline=False).decode()
    return text.rstrip("=").replace("+", "-").replace("/", "_")


def b64url_decode(text):
    """The bytes that b64url_encode() turned into `text`. Anything else (a
    character outside the URL-safe alphabet, padding, a length no encoding
    has, unused bits set) raises ValueError, so each value has one spelling."""
    if not isinstance(text, str):
        raise ValueError("base64 text must be str")
    if len(text) % 4 == 1:
        raise ValueError("impossible base64 length")
    standard = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
    try:
        data = binascii.a2b_base64(standard)
    except (ValueError, TypeError):  # binascii.Error is a ValueError
        raise ValueError("malformed base64")
    # The decoders skip stray characters and ignore unused bits; encoding the
    # result again and comparing refuses all of that at C speed.
    if b64url_encode(data) != text:
        raise ValueError("non-canonical base64")
    return data


def is_decimal(text, max_digits=20):
    """True when `text` is 1 to max_digits ASCII digits. Numbers read back
    from cookies, files and hashes are checked with this first: int() also
    takes "+1", " 1", "1_0" and other scripts' digits."""
    if not isinstance(text, str) or not text or len(text) > max_digits:
        return False
    # strip() leaves what is no digit (a loop over the str would not do:
    # MicroPython interns each character a loop or an index takes out of a str, for good).
    return not text.strip("0123456789")


def random_bytes(count):
    """`count` bytes from the operating system's secure random source."""
    urandom = getattr(os, "urandom", None)
    if urandom is None:  # MicroPython's WebAssembly port, for one
        raise RuntimeError("no secure random source (os.urandom) here: session ids, CSRF "
                           "tokens and password salts need one")
    return urandom(count)


def random_token(count=32):
    """A URL-safe random string carrying `count` random bytes (32: 256 bits)."""
    return b64url_encode(random_bytes(count))

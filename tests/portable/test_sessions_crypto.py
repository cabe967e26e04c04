# Crypto of the sessions plugin (shared by auth and csrf) against published
# vectors and an attacker's inputs; on CPython this is the standard
# library's path, on MicroPython the fallbacks built on hashlib.sha256.
from crypto_vectors import HMAC_SHA256, PBKDF2_SHA256, PBKDF2_SHA256_SLOW, hex_of
from portable import raises

from picoweb_plugins.sessions.crypto import (
    b64url_decode, b64url_encode, constant_time_equal, hmac_sha256, pbkdf2_sha256,
    random_bytes, random_token,
)


def test_hmac_sha256_matches_rfc_4231():
    for key, message, expected in HMAC_SHA256:
        assert hex_of(hmac_sha256(key, message)).startswith(expected), expected


def test_hmac_sha256_takes_str_as_utf8():
    assert hmac_sha256("Jefe", "what do ya want for nothing?") == hmac_sha256(
        b"Jefe", b"what do ya want for nothing?")
    assert hmac_sha256("\u00e9", b"m") == hmac_sha256(b"\xc3\xa9", b"m")


def test_hmac_refuses_an_integer_key_instead_of_zero_bytes():
    assert raises(TypeError, hmac_sha256, 16, b"message")
    assert raises(TypeError, hmac_sha256, b"key", None)


def test_pbkdf2_sha256_matches_published_vectors():
    for password, salt, iterations, length, expected in PBKDF2_SHA256:
        assert hex_of(pbkdf2_sha256(password, salt, iterations, length)) == expected


def test_pbkdf2_sha256_rfc_7914_two_blocks_80000_iterations():
    password, salt, iterations, length, expected = PBKDF2_SHA256_SLOW
    assert hex_of(pbkdf2_sha256(password, salt, iterations, length)) == expected


def test_pbkdf2_refuses_zero_iterations_and_length():
    assert raises(ValueError, pbkdf2_sha256, b"p", b"s", 0)
    assert raises(ValueError, pbkdf2_sha256, b"p", b"s", 1, 0)


def test_pbkdf2_long_password_is_hashed_first_as_hmac_does():
    long_password = b"p" * 65
    import hashlib
    assert pbkdf2_sha256(long_password, b"salt", 2) == pbkdf2_sha256(
        hashlib.sha256(long_password).digest(), b"salt", 2)


def test_constant_time_equal():
    assert constant_time_equal(b"abc", b"abc")
    assert constant_time_equal("abc", b"abc")
    assert constant_time_equal(b"", b"")
    assert not constant_time_equal(b"abc", b"abd")
    assert not constant_time_equal(b"abc", b"ab")
    assert not constant_time_equal(b"ab", b"abc")
    assert not constant_time_equal(b"\x00", b"")
    assert not constant_time_equal("\u00e9", "e")
    assert constant_time_equal("\u00e9", b"\xc3\xa9")


def test_constant_time_equal_refuses_non_text():
    assert raises(TypeError, constant_time_equal, None, b"")
    assert raises(TypeError, constant_time_equal, b"\x00", 1)


def test_b64url_round_trips_every_length_and_byte():
    for length in range(0, 70):
        data = bytes((i * 37 + length) % 256 for i in range(length))
        text = b64url_encode(data)
        assert "=" not in text and "+" not in text and "/" not in text
        assert b64url_decode(text) == data
    every_byte = bytes(range(256))
    assert b64url_decode(b64url_encode(every_byte)) == every_byte
    assert b64url_encode(b"\xfb\xff") == "-_8"


def test_b64url_decode_refuses_every_other_spelling():
    assert b64url_decode("QQ") == b"A"
    for bad in ("QQ==", "QQ=", "QR", "Q", "QQ QQ", "Q+Q", "Q/Q", "QQ\n", " QQ", "Q!Q",
                "QQ\x00", "\u00c0\u00c0", "QQ%3D", "=QQ", "QUI=", "QUJ"):
        assert raises(ValueError, b64url_decode, bad), repr(bad)
    assert raises(ValueError, b64url_decode, b"QQ")
    assert raises(ValueError, b64url_decode, None)


def test_random_tokens_are_long_unique_and_url_safe():
    tokens = [random_token() for _ in range(50)]
    assert len(set(tokens)) == 50
    for token in tokens:
        assert len(b64url_decode(token)) == 32
    assert len(b64url_decode(random_token(16))) == 16
    assert len(random_bytes(24)) == 24 and random_bytes(24) != random_bytes(24)

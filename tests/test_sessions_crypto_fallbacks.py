"""The MicroPython fallbacks of picoweb_plugins.sessions.crypto, run on
CPython against the standard library: same vectors, same answers on random
inputs."""

import contextlib
import hashlib
import hmac
import os
import sys
from hypothesis import given, settings, strategies as st

from picoweb_plugins.sessions import crypto

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "portable"))
from crypto_vectors import HMAC_SHA256, PBKDF2_SHA256, hex_of  # noqa: E402


@contextlib.contextmanager
def fallbacks():
    """The module as MicroPython sees it: no hmac, no hashlib.pbkdf2_hmac."""
    saved = crypto._hmac_digest, crypto._compare_digest, crypto._pbkdf2_hmac
    crypto._hmac_digest = crypto._compare_digest = crypto._pbkdf2_hmac = None
    try:
        yield
    finally:
        crypto._hmac_digest, crypto._compare_digest, crypto._pbkdf2_hmac = saved


def test_fallbacks_match_the_vectors():
    with fallbacks():
        for key, message, expected in HMAC_SHA256:
            assert hex_of(crypto.hmac_sha256(key, message)).startswith(expected)
        for password, salt, iterations, length, expected in PBKDF2_SHA256:
            assert hex_of(crypto.pbkdf2_sha256(password, salt, iterations, length)) == expected


@settings(max_examples=200, deadline=None)
@given(key=st.binary(max_size=200), message=st.binary(max_size=300))
def test_fallback_hmac_equals_the_standard_library(key, message):
    expected = hmac.new(key, message, hashlib.sha256).digest()
    with fallbacks():
        assert crypto.hmac_sha256(key, message) == expected


@settings(max_examples=60, deadline=None)
@given(password=st.binary(max_size=100), salt=st.binary(max_size=40),
       iterations=st.integers(1, 40), length=st.integers(1, 100))
def test_fallback_pbkdf2_equals_the_standard_library(password, salt, iterations, length):
    expected = hashlib.pbkdf2_hmac("sha256", password, salt, iterations, length)
    with fallbacks():
        assert crypto.pbkdf2_sha256(password, salt, iterations, length) == expected


@settings(max_examples=200, deadline=None)
@given(a=st.binary(max_size=40), b=st.binary(max_size=40))
def test_fallback_compare_equals_the_standard_library(a, b):
    with fallbacks():
        assert crypto.constant_time_equal(a, b) == hmac.compare_digest(a, b)
        assert crypto.constant_time_equal(a, a)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ .\n",
                    max_size=12))
def test_b64url_decode_accepts_only_what_encode_makes(text):
    try:
        data = crypto.b64url_decode(text)
    except ValueError:
        return
    assert crypto.b64url_encode(data) == text

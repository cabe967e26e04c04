# Password hashes: salted, self-describing, verifiable after the default
# count rises, and never fooled by a tampered or malformed stored hash.
from portable import raises

from picoweb_plugins.auth import passwords
from picoweb_plugins.auth.passwords import (
    DEFAULT_ITERATIONS, hash_password, needs_rehash, parse_hash, verify_password,
    verify_password_async,
)
from picoweb_plugins.sessions.crypto import b64url_decode, b64url_encode

FAST = 1000  # iterations for tests that are not about the count


def test_hash_and_verify():
    stored = hash_password("correct horse", iterations=FAST)
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert not verify_password("", stored)
    assert not verify_password("correct horse ", stored)


def test_default_count_is_stored_in_the_hash():
    stored = hash_password("pw")
    assert stored.split("$")[:2] == ["pbkdf2_sha256", str(DEFAULT_ITERATIONS)]
    assert verify_password("pw", stored) and not needs_rehash(stored)


def test_each_hash_has_its_own_salt():
    first, second = hash_password("same", iterations=FAST), hash_password("same", iterations=FAST)
    assert first != second
    assert parse_hash(first)[1] != parse_hash(second)[1] and len(parse_hash(first)[1]) == 16


def test_known_salt_gives_the_pbkdf2_key():
    stored = hash_password("password", iterations=4096, salt=b"salt")
    # RFC 6070's SHA-256 counterpart: c5e478d5...aa98134a.
    assert stored == "pbkdf2_sha256$4096$c2FsdA$xeR41ZKIyEGqUw22hFxMjZYok6ABzk4RpJY4c6qYE0o"


def test_unicode_and_bytes_passwords():
    stored = hash_password("p\u00e4ss\u2713", iterations=FAST)
    assert verify_password("p\u00e4ss\u2713", stored)
    assert verify_password("p\u00e4ss\u2713".encode(), stored)
    assert not verify_password("pass\u2713", stored)


def test_old_hashes_keep_working_when_the_default_rises():
    old = hash_password("pw", iterations=FAST)
    saved = passwords.DEFAULT_ITERATIONS
    passwords.DEFAULT_ITERATIONS = FAST * 2
    try:
        assert verify_password("pw", old)
        assert needs_rehash(old)
        new = hash_password("pw")
        assert parse_hash(new)[0] == FAST * 2 and not needs_rehash(new)
        assert verify_password("pw", new)
    finally:
        passwords.DEFAULT_ITERATIONS = saved
    assert needs_rehash(old, iterations=FAST + 1) and not needs_rehash(old, iterations=FAST)


def test_tampered_hashes_do_not_verify():
    stored = hash_password("pw", iterations=FAST)
    name, count, salt, key = stored.split("$")
    other_key = hash_password("other", iterations=FAST, salt=b64url_decode(salt)).split("$")[3]
    for tampered in (
        "$".join([name, str(FAST + 1), salt, key]),
        "$".join([name, count, b64url_encode(b"x" * 16), key]),
        "$".join([name, count, salt, other_key]),
        "$".join([name, count, salt, key[:-1] + ("A" if key[-1] != "A" else "B")]),
    ):
        assert not verify_password("pw", tampered), tampered


def test_malformed_hashes_are_refused_never_raised():
    saved = passwords.DEFAULT_ITERATIONS
    passwords.DEFAULT_ITERATIONS = FAST  # the dummy work each refusal does
    try:
        check_malformed_hashes()
    finally:
        passwords.DEFAULT_ITERATIONS = saved


def check_malformed_hashes():
    stored = hash_password("pw", iterations=FAST)
    name, count, salt, key = stored.split("$")
    for bad in (None, "", 12, b"bytes", "plain text", stored + "$", "$" + stored,
                "pbkdf2_sha1$%s$%s$%s" % (count, salt, key),
                "PBKDF2_SHA256$%s$%s$%s" % (count, salt, key),
                "$".join([name, "0", salt, key]), "$".join([name, "-1", salt, key]),
                "$".join([name, "+1000", salt, key]), "$".join([name, " 1000", salt, key]),
                "$".join([name, "1_000", salt, key]), "$".join([name, "\u0661\u0660", salt, key]),
                "$".join([name, "99999999", salt, key]), "$".join([name, "1" * 40, salt, key]),
                "$".join([name, count, "", key]), "$".join([name, count, salt + "=", key]),
                "$".join([name, count, salt, key + "=="]), "$".join([name, count, salt, key[:-2]]),
                "$".join([name, count, salt, key + "AAAA"])):
        assert parse_hash(bad) is None, bad
        assert not verify_password("pw", bad), bad
        assert needs_rehash(bad)


def test_no_such_user_is_a_false_answer_after_the_same_work():
    assert not verify_password("anything", None)
    calls = []
    real = passwords.pbkdf2_sha256
    passwords.pbkdf2_sha256 = lambda *args: calls.append(args[2]) or real(*args)
    try:
        verify_password("anything", None)
        verify_password("anything", "garbage")
    finally:
        passwords.pbkdf2_sha256 = real
    assert calls == [DEFAULT_ITERATIONS, DEFAULT_ITERATIONS]


def test_unusable_passwords_are_refused():
    assert raises(ValueError, hash_password, None)
    assert raises(ValueError, hash_password, 1234)
    assert raises(ValueError, hash_password, "x" * 4097)
    assert raises(ValueError, hash_password, "x", iterations=0)
    assert raises(ValueError, hash_password, "x", iterations=10 ** 9)
    stored = hash_password("x" * 4096, iterations=FAST)
    assert verify_password("x" * 4096, stored)
    assert not verify_password("x" * 4097, stored)
    assert not verify_password(None, stored)


async def test_async_verify():
    stored = hash_password("pw", iterations=FAST)
    assert await verify_password_async("pw", stored)
    assert not await verify_password_async("px", stored)

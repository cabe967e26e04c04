# CSRF tokens: masked afresh for every response, all checking against the
# session's one secret, and nothing else passing.
from portable import raises

from picoweb_plugins.csrf.tokens import check_token, hidden_input, mask_token, new_secret
from picoweb_plugins.sessions.crypto import b64url_decode, b64url_encode


def test_masked_tokens_differ_but_all_check():
    secret = new_secret()
    tokens = [mask_token(secret) for _ in range(20)]
    assert len(set(tokens)) == 20
    for token in tokens:
        assert len(token) == 86 and check_token(secret, token)


def test_a_token_of_another_session_fails():
    token = mask_token(new_secret())
    assert not check_token(new_secret(), token)


def test_the_bare_secret_is_no_token():
    secret = new_secret()
    assert not check_token(secret, secret)
    assert not check_token(secret, secret + secret)


def test_every_changed_byte_fails():
    secret = new_secret()
    raw = b64url_decode(mask_token(secret))
    for i in range(len(raw)):
        changed = raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:]
        assert not check_token(secret, b64url_encode(changed)), i


def test_malformed_tokens_and_secrets_fail():
    secret = new_secret()
    token = mask_token(secret)
    for bad in (None, "", token[:-1], token + "A", token + "=", " " + token, token[:-1] + "!",
                token.encode(), 12, "A" * 86, "A" * 10000, "+" + token[1:]):
        assert not check_token(secret, bad), repr(bad)
    for bad_secret in (None, "", "short", b"bytes", secret + "A", 42):
        assert not check_token(bad_secret, token), repr(bad_secret)
    assert raises(ValueError, mask_token, "not a secret")


def test_hidden_input():
    assert hidden_input("abc-_") == '<input type="hidden" name="csrf_token" value="abc-_">'
    assert hidden_input('"><script>', field_name="a&b") == (
        '<input type="hidden" name="a&amp;b" value="&quot;&gt;&lt;script&gt;">')

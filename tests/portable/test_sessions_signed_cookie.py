# The signed-cookie codec as an attacker sees it: every change to a value,
# every other key or purpose, every stale or future time and every
# oversized or unreadable payload gives (None, reason), never an exception.
from portable import raises

from picoweb_plugins.sessions.crypto import b64url_encode, hmac_sha256
from picoweb_plugins.sessions.signed_cookie import MAX_SKEW, SignedCookieCodec

KEY = "k" * 32
OLD_KEY = b"o" * 32
NOW = 1800000000
DATA = {"user": 7, "name": "\u00e9l\u00e8ve", "cart": [1, 2], "ok": True, "none": None}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def codec(keys=KEY, max_age=3600, **kwargs):
    return SignedCookieCodec(keys, max_age, **kwargs)


def forged(payload_text, issued=NOW, key=KEY, purpose="picoweb.sessions"):
    """A value signed with the real key around any payload text: what only
    someone holding the key could make."""
    signing_key = hmac_sha256(key, "picoweb signed cookie for " + purpose)
    signed_part = payload_text + "." + str(issued)
    return signed_part + "." + b64url_encode(hmac_sha256(signing_key, signed_part))


def test_round_trip():
    value = codec().encode(DATA, now=NOW)
    assert codec().decode(value, now=NOW) == (DATA, None)
    assert codec().decode(value, now=NOW + 3600) == (DATA, None)
    assert codec().encode({}, now=NOW).count(".") == 2


def test_value_is_cookie_safe_text():
    value = codec().encode(DATA, now=NOW)
    for c in value:
        assert c in ALPHABET or c == ".", c


def test_forged_helper_matches_the_codec():
    value = codec().encode({"a": 1}, now=NOW)
    assert forged(value.split(".")[0]) == value


def test_every_single_character_change_is_refused():
    value = codec().encode(DATA, now=NOW)
    for i in range(len(value)):
        for replacement in ("A", "_", "."):
            if value[i] == replacement:
                continue
            changed = value[:i] + replacement + value[i + 1:]
            data, reason = codec().decode(changed, now=NOW)
            assert data is None and reason, (i, replacement)


def test_bit_flips_in_every_byte_of_the_signature_are_refused():
    from picoweb_plugins.sessions.crypto import b64url_decode
    value = codec().encode(DATA, now=NOW)
    signed_part, _, signature = value.rpartition(".")
    raw = b64url_decode(signature)
    for i in range(len(raw)):
        for bit in (1, 0x80):
            flipped = raw[:i] + bytes([raw[i] ^ bit]) + raw[i + 1:]
            assert codec().decode(signed_part + "." + b64url_encode(flipped), now=NOW) == (
                None, "bad signature")


def test_every_truncation_and_extension_is_refused():
    value = codec().encode(DATA, now=NOW)
    for end in range(len(value)):
        assert codec().decode(value[:end], now=NOW)[0] is None, end
    for extra in ("A", "=", "==", ".", " ", "\x00", "%3D"):
        assert codec().decode(value + extra, now=NOW)[0] is None, extra
        assert codec().decode(extra + value, now=NOW)[0] is None, extra


def test_padding_games_on_the_signature_are_refused():
    value = codec().encode(DATA, now=NOW)
    signed_part, _, signature = value.rpartition(".")
    standard = signature.replace("-", "+").replace("_", "/")
    for variant in (signature + "=", signature + "==", standard, " " + signature):
        if variant != signature:
            assert codec().decode(signed_part + "." + variant, now=NOW)[0] is None, variant


def test_swapping_parts_of_two_good_values_is_refused():
    first = codec().encode({"user": 1}, now=NOW).split(".")
    second = codec().encode({"user": 2, "admin": True}, now=NOW).split(".")
    assert codec().decode(".".join([second[0], first[1], first[2]]), now=NOW) == (None, "bad signature")
    assert codec().decode(".".join([first[0], str(NOW + 1), first[2]]), now=NOW) == (None, "bad signature")


def test_another_key_or_purpose_is_refused():
    value = codec().encode(DATA, now=NOW)
    assert codec(keys="x" * 32).decode(value, now=NOW) == (None, "bad signature")
    assert codec(purpose="picoweb.remember").decode(value, now=NOW) == (None, "bad signature")
    raw_key_value = forged(value.split(".")[0], key=KEY, purpose="other")
    assert codec().decode(raw_key_value, now=NOW) == (None, "bad signature")


def test_keys_rotate_newest_signs_all_verify():
    old_value = codec(keys=OLD_KEY).encode({"v": "old"}, now=NOW)
    rotated = codec(keys=[KEY, OLD_KEY])
    assert rotated.decode(old_value, now=NOW) == ({"v": "old"}, None)
    new_value = rotated.encode({"v": "new"}, now=NOW)
    assert codec(keys=KEY).decode(new_value, now=NOW) == ({"v": "new"}, None)
    assert codec(keys=OLD_KEY).decode(new_value, now=NOW)[0] is None
    assert codec(keys=KEY).decode(old_value, now=NOW) == (None, "bad signature")


def test_short_or_missing_keys_are_refused_at_setup():
    assert raises(ValueError, SignedCookieCodec, "secret", 60)
    assert raises(ValueError, SignedCookieCodec, [KEY, "short"], 60)
    assert raises(ValueError, SignedCookieCodec, [], 60)
    assert raises(ValueError, SignedCookieCodec, b"\x00" * 31, 60)
    SignedCookieCodec(b"\x00" * 32, 60)


def test_expiry_is_checked_on_every_decode():
    value = codec(max_age=60).encode(DATA, now=NOW)
    assert codec(max_age=60).decode(value, now=NOW + 60) == (DATA, None)
    assert codec(max_age=60).decode(value, now=NOW + 61) == (None, "expired")
    assert codec(max_age=60).decode(value, now=NOW + 10 ** 9) == (None, "expired")
    # A long-lived value is cut short when the server lowers max_age.
    long_lived = codec(max_age=10 ** 6).encode(DATA, now=NOW)
    assert codec(max_age=60).decode(long_lived, now=NOW + 3600) == (None, "expired")


def test_future_issue_time_is_refused_beyond_the_skew():
    assert codec().decode(codec().encode(DATA, now=NOW + MAX_SKEW), now=NOW) == (DATA, None)
    assert codec().decode(codec().encode(DATA, now=NOW + MAX_SKEW + 1), now=NOW) == (
        None, "issued in the future")
    assert codec().decode(forged(b64url_encode("{}"), issued=99999999999), now=NOW) == (
        None, "issued in the future")


def test_issue_time_spellings_other_than_plain_digits_are_refused():
    payload = b64url_encode("{}")
    for issued in ("+1800000000", " 1800000000", "1_800_000_000", "-1", "",
                   "\u0661\u0668", "0x6b49d200", "1e9", "1" * 13):
        data, reason = codec().decode(forged(payload, issued=issued), now=NOW)
        assert (data, reason) == (None, "malformed issue time"), issued
    assert codec().decode(forged(payload, issued="0001800000000"[1:]), now=NOW) == ({}, None)


def test_oversized_values_are_refused_before_any_work():
    assert codec().decode("A" * 4001, now=NOW) == (None, "oversized (4001 characters)")
    small = codec(max_size=100)
    assert small.decode(codec().encode({"x": "y" * 200}, now=NOW), now=NOW)[1].startswith("oversized")


def test_encoding_too_much_data_raises_a_clear_value_error():
    try:
        codec().encode({"x": "y" * 4000}, now=NOW)
    except ValueError as e:
        assert "too large" in str(e)
    else:
        assert False, "no error"
    assert raises(TypeError, codec().encode, ["not", "a", "dict"])
    assert raises(TypeError, codec().encode, {"bytes": b"x"})


def test_signed_but_unreadable_payloads_are_refused():
    for payload in ("not base64!", "QQ==", b64url_encode(b"\xff\xfe"), b64url_encode("{"),
                    b64url_encode("{'a': 1}"), b64url_encode(""), b64url_encode("{\"a\":1}x")):
        assert codec().decode(forged(payload), now=NOW) == (None, "unreadable data"), payload


def test_signed_json_that_is_not_an_object_is_refused():
    for text in ("[1]", "\"text\"", "null", "1", "true", "[]"):
        assert codec().decode(forged(b64url_encode(text)), now=NOW) == (None, "unreadable data"), text


def test_non_text_and_malformed_values_are_refused():
    assert codec().decode(None) == (None, "not text")
    assert codec().decode(b"abc.1.x") == (None, "not text")
    assert codec().decode(123) == (None, "not text")
    for value in ("", ".", "..", "...", "a.b", "a.b.c.d", "\u00e9.1.x", forged("e30", issued="1.5")):
        data, reason = codec().decode(value, now=NOW)
        assert data is None and reason in ("malformed", "bad signature"), value


def test_decode_uses_the_clock_by_default():
    value = codec().encode(DATA)
    assert codec().decode(value) == (DATA, None)

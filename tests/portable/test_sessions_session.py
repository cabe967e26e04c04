# Session (what the handler sees), the two backends (cookie and store) that
# turn cookies into sessions and back, and the cookie flags.
from portable import raises
from store_contract import FakeClock

from picoweb_plugins.sessions.backends import CookieBackend, StoreBackend
from picoweb_plugins.sessions.cookie_settings import CookieSettings
from picoweb_plugins.sessions.session import Session
from picoweb_plugins.sessions.signed_cookie import SignedCookieCodec
from picoweb_plugins.sessions.store import MemoryStore, is_session_id, new_session_id

KEY = "s" * 32


def test_a_new_session_is_empty_unread_and_unchanged():
    session = Session()
    assert not session.accessed and not session.modified
    assert session.sid is None and session.discarded_sid is None


def test_reads_mark_accessed_only():
    for read in (lambda s: s.get("a"), lambda s: "a" in s, lambda s: len(s), lambda s: bool(s),
                 lambda s: list(s), lambda s: s.keys(), lambda s: s.items(), lambda s: s.values(),
                 lambda s: s["a"], lambda s: s.to_dict(), lambda s: s.setdefault("a", 0),
                 lambda s: s.pop("zz", None)):
        session = Session({"a": 1})
        read(session)
        assert session.accessed and not session.modified


def test_writes_mark_modified():
    for write in (lambda s: s.__setitem__("b", 2), lambda s: s.__delitem__("a"),
                  lambda s: s.pop("a"), lambda s: s.setdefault("new", 1),
                  lambda s: s.update({"c": 3}), lambda s: s.update(d=4), lambda s: s.clear(),
                  lambda s: s.regenerate()):
        session = Session({"a": 1})
        write(session)
        assert session.accessed and session.modified


def test_dict_behaviour():
    session = Session({"a": 1})
    session["b"] = [1]
    assert session["b"] == [1] and session.get("zz", 5) == 5 and "b" in session
    assert sorted(session) == ["a", "b"] and len(session) == 2
    assert session.pop("a") == 1 and session.pop("a", "gone") == "gone"
    assert raises(KeyError, session.pop, "a")
    assert raises(KeyError, session.__getitem__, "a")
    for key in session:
        del session[key]  # iterating over a copy: deleting is safe
    assert not session and session.to_dict() == {}


def test_to_dict_is_a_copy():
    session = Session({"a": 1})
    copy = session.to_dict()
    copy["a"] = 2
    assert session["a"] == 1


def test_regenerate_keeps_the_data_under_a_new_id():
    session = Session({"user": 1}, sid="old")
    session.regenerate()
    assert session.sid is None and session.discarded_sid == "old" and session["user"] == 1


def test_clear_drops_data_and_id():
    session = Session({"user": 1}, sid="old")
    session.clear()
    assert session.sid is None and session.discarded_sid == "old" and not session


async def test_cookie_backend_round_trip():
    backend = CookieBackend(SignedCookieCodec(KEY, 60))
    session, reason = await backend.load("nonsense")
    assert reason == "malformed" and not session
    session["user"] = 7
    value = await backend.save(session)
    again, reason = await backend.load(value)
    assert reason is None and again.to_dict() == {"user": 7} and not again.modified
    again.clear()
    assert await backend.save(again) is None  # an empty session deletes the cookie


async def test_store_backend_saves_under_a_new_random_id():
    store = MemoryStore()
    backend = StoreBackend(store, 60)
    session, reason = await backend.load(new_session_id())
    assert reason == "unknown or expired session id" and not session
    session["user"] = 7
    sid = await backend.save(session)
    assert is_session_id(sid) and session.sid == sid
    again, reason = await backend.load(sid)
    assert reason is None and again["user"] == 7 and again.sid == sid
    assert await backend.save(again) == sid  # same id while not regenerated


async def test_store_backend_refuses_malformed_ids_without_a_lookup():
    class NoLookups(MemoryStore):
        async def load(self, sid):
            raise AssertionError("looked up %r" % sid)

    backend = StoreBackend(NoLookups(), 60)
    for value in ("", "x", "../" * 20, "a" * 44):
        session, reason = await backend.load(value)
        assert reason == "malformed session id" and not session


async def test_regenerate_makes_the_old_id_worthless():
    store = MemoryStore()
    backend = StoreBackend(store, 60)
    session = Session()
    session["cart"] = [1]
    old = await backend.save(session)
    session, _ = await backend.load(old)
    session["user"] = 7
    session.regenerate()
    new = await backend.save(session)
    assert new != old and session.discarded_sid is None
    assert (await backend.load(old))[1] == "unknown or expired session id"
    assert (await backend.load(new))[0].to_dict() == {"cart": [1], "user": 7}


async def test_clear_makes_the_old_id_worthless_and_deletes_the_cookie():
    store = MemoryStore()
    backend = StoreBackend(store, 60)
    session = Session()
    session["user"] = 7
    sid = await backend.save(session)
    session, _ = await backend.load(sid)
    session.clear()
    assert await backend.save(session) is None
    assert await store.load(sid) is None
    session, _ = await backend.load(sid)
    session["user"] = 8  # logged in again after logout: a new id, never the old
    assert await backend.save(session) != sid


async def test_an_emptied_session_is_deleted_from_the_store():
    store = MemoryStore()
    backend = StoreBackend(store, 60)
    session = Session()
    session["a"] = 1
    sid = await backend.save(session)
    del session["a"]
    assert await backend.save(session) is None and await store.load(sid) is None


async def test_store_backend_sessions_expire_in_the_store():
    clock = FakeClock()
    backend = StoreBackend(MemoryStore(clock=clock), 10)
    session = Session()
    session["a"] = 1
    sid = await backend.save(session)
    await clock.advance(11)
    assert (await backend.load(sid))[1] == "unknown or expired session id"


def test_cookie_defaults_are_httponly_lax_and_secure_over_https():
    settings = CookieSettings()
    assert settings.header("v", "http") == "session=v; Path=/; HttpOnly; SameSite=Lax"
    assert settings.header("v", "https") == "session=v; Path=/; Secure; HttpOnly; SameSite=Lax"


def test_cookie_flags_can_be_set():
    settings = CookieSettings(name="sid", max_age=3600, path="/app", domain="example.org",
                              secure=True, samesite="Strict")
    assert settings.header("v", "http") == (
        "sid=v; Max-Age=3600; Path=/app; Domain=example.org; Secure; HttpOnly; SameSite=Strict")
    assert "Secure" not in CookieSettings(secure=False).header("v", "https")
    assert "HttpOnly" not in CookieSettings(httponly=False).header("v", "http")
    assert CookieSettings(samesite=None).header("v", "http") == "session=v; Path=/; HttpOnly"


def test_deletion_header_expires_the_cookie_with_the_same_flags():
    header = CookieSettings(path="/app").deletion_header("https")
    assert header.startswith("session=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app")
    assert header.endswith("; Secure; HttpOnly; SameSite=Lax")


def test_derived_settings_keep_the_flags():
    remember = CookieSettings(path="/app", secure=True).with_changes(name="remember", max_age=99)
    assert remember.header("v", "http") == (
        "remember=v; Max-Age=99; Path=/app; Secure; HttpOnly; SameSite=Lax")


def test_bad_cookie_settings_fail_at_setup():
    assert raises(ValueError, CookieSettings, samesite="lax")
    assert raises(ValueError, CookieSettings, samesite="None")  # browsers need Secure with it
    CookieSettings(samesite="None", secure=True)
    assert raises(ValueError, CookieSettings, name="bad name")
    assert raises(ValueError, CookieSettings, name="a;b")
    assert raises(ValueError, CookieSettings, path="/a\r\nSet-Cookie: x=1")
    assert raises(ValueError, CookieSettings, domain="a\nb")


def test_cookie_values_with_cookie_syntax_are_refused():
    settings = CookieSettings()
    for value in ("a;b", "a b", "a\"b", "a,b", "\u00e9", "a\r\nb"):
        assert raises(ValueError, settings.header, value, "http"), value

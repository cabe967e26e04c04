# What every session store promises (the interface in
# picoweb_plugins/sessions/store.py), as checks any store's tests run:
# `await check(store, clock)`, where clock() is the store's time in seconds
# and `await clock.advance(s)` moves it on (a fake clock jumps, the real one
# sleeps).
import time

from portable import raises

from picoweb_plugins.sessions.store import new_session_id, storage_key

DATA = {"user": 7, "name": "Zo\u00eb \u2713", "cart": [1, {"sku": "a"}], "flag": False, "none": None}

BAD_IDS = [
    "", None, 42, b"x" * 43, "../../../../etc/passwd", "/etc/passwd", "a" * 42, "a" * 44,
    "a" * 42 + "/", "a" * 42 + ".", "a" * 42 + "=", "a" * 42 + "\x00", "a" * 42 + "\u00e9",
    "..%2F" * 9 + "abcdefgh", "a" * 41 + "\r\n", "*", "a" * 10000,
]


class FakeClock:
    def __init__(self, start=1800000000.25):
        self.now = start

    def __call__(self):
        return self.now

    async def advance(self, seconds):
        self.now += seconds


class RealClock:
    def __call__(self):
        return time.time()

    async def advance(self, seconds):
        import asyncio
        await asyncio.sleep(seconds)


async def check_round_trip(store, clock):
    sid = new_session_id()
    await store.save(sid, DATA, 60)
    assert await store.load(sid) == DATA
    assert await store.load(new_session_id()) is None


async def check_save_replaces(store, clock):
    sid = new_session_id()
    await store.save(sid, {"n": 1}, 60)
    await store.save(sid, {"n": 2}, 60)
    assert await store.load(sid) == {"n": 2}
    await store.save(sid, {}, 60)
    assert await store.load(sid) == {}


async def check_sessions_are_separate(store, clock):
    sids = [new_session_id() for _ in range(5)]
    for i, sid in enumerate(sids):
        await store.save(sid, {"i": i}, 60)
    for i, sid in enumerate(sids):
        assert await store.load(sid) == {"i": i}


async def check_delete(store, clock):
    sid = new_session_id()
    await store.save(sid, DATA, 60)
    await store.delete(sid)
    assert await store.load(sid) is None
    await store.delete(sid)
    await store.delete(new_session_id())


async def check_expiry_is_enforced_by_the_store(store, clock):
    short, long = new_session_id(), new_session_id()
    await store.save(short, {"s": 1}, 1)
    await store.save(long, {"l": 1}, 3600)
    assert await store.load(short) == {"s": 1}
    await clock.advance(1.3)
    assert await store.load(short) is None
    assert await store.load(long) == {"l": 1}
    # A save restarts the clock: expiry counts from the last change.
    await store.save(short, {"s": 2}, 1)
    assert await store.load(short) == {"s": 2}


async def check_bad_ids_are_refused_without_a_lookup(store, clock):
    for bad in BAD_IDS:
        assert await store.load(bad) is None, bad
        await store.delete(bad)
        try:
            await store.save(bad, DATA, 60)
        except ValueError:
            pass
        else:
            assert False, "saved under %r" % (bad,)


async def check_bad_max_age_and_data_are_refused(store, clock):
    sid = new_session_id()
    for max_age in (0, -1, 1.5, None, "60", True):
        try:
            await store.save(sid, DATA, max_age)
        except ValueError:
            pass
        else:
            assert False, max_age
    for data in (None, [1], "text"):
        try:
            await store.save(sid, data, 60)
        except TypeError:
            pass
        else:
            assert False, data
    assert await store.load(sid) is None


CHECKS = [check_round_trip, check_save_replaces, check_sessions_are_separate, check_delete,
          check_expiry_is_enforced_by_the_store, check_bad_ids_are_refused_without_a_lookup,
          check_bad_max_age_and_data_are_refused]


async def run_all(make_store, clock):
    """Run every check on a fresh store from make_store() (sync or async)."""
    for check in CHECKS:
        store = make_store()
        if hasattr(store, "send"):  # a coroutine
            store = await store
        try:
            await check(store, clock)
        finally:
            await store.close()


def assert_no_raw_id(text, sid):
    assert sid not in text and storage_key(sid) != sid

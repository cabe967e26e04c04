# BtreeStore against the store contract, on a MicroPython build that has
# the btree module (tests/test_portable_on_micropython.py runs this file
# only there, and says so when the build has no btree).
from portable import remove_tree, temp_dir
from store_contract import FakeClock, run_all

from picoweb_plugins.sessions.store import new_session_id
from picoweb_plugins.sessions.store_btree import BtreeStore


async def test_btree_store_keeps_the_contract():
    folder = temp_dir()
    clock = FakeClock()
    paths = iter(range(100))
    try:
        await run_all(lambda: BtreeStore("%s/%d.db" % (folder, next(paths)), clock=clock), clock)
    finally:
        remove_tree(folder)


async def test_btree_store_survives_a_reopen_and_purges():
    folder = temp_dir()
    clock = FakeClock()
    try:
        store = BtreeStore(folder + "/s.db", purge_every=0, clock=clock)
        keep, drop = new_session_id(), new_session_id()
        await store.save(keep, {"k": 1}, 100)
        await store.save(drop, {"d": 1}, 1)
        await store.close()
        store = BtreeStore(folder + "/s.db", clock=clock)
        await clock.advance(5)
        store.purge()
        assert len(list(store._db)) == 1
        assert await store.load(keep) == {"k": 1}
        await store.close()
    finally:
        remove_tree(folder)

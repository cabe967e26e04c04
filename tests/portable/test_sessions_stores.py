# MemoryStore and FileStore against the store contract, and what the file
# store adds: hashed file names, atomic writes, purging.
import os

from portable import remove_tree, temp_dir
from store_contract import DATA, FakeClock, RealClock, run_all

from picoweb_plugins.sessions.store import MemoryStore, new_session_id, storage_key
from picoweb_plugins.sessions.store_files import FileStore


async def test_memory_store_keeps_the_contract():
    clock = FakeClock()
    await run_all(lambda: MemoryStore(clock=clock), clock)


async def test_memory_store_is_bounded():
    clock = FakeClock()
    store = MemoryStore(max_sessions=3, clock=clock)
    sids = [new_session_id() for _ in range(5)]
    for i, sid in enumerate(sids):
        await store.save(sid, {"i": i}, 100 + i)
    assert len(store.sessions) == 3
    assert await store.load(sids[0]) is None and await store.load(sids[1]) is None
    assert await store.load(sids[4]) == {"i": 4}


async def test_file_store_keeps_the_contract():
    folder = temp_dir()
    clock = FakeClock()
    try:
        await run_all(lambda: FileStore(folder + "/sessions", clock=clock), clock)
    finally:
        remove_tree(folder)


async def test_file_store_keeps_the_contract_on_the_real_clock():
    folder = temp_dir()
    try:
        await run_all(lambda: FileStore(folder), RealClock())
    finally:
        remove_tree(folder)


async def test_file_names_are_hashes_and_files_hold_no_id():
    folder = temp_dir()
    try:
        store = FileStore(folder)
        sid = new_session_id()
        await store.save(sid, DATA, 60)
        assert os.listdir(folder) == [storage_key(sid)]
        with open(folder + "/" + storage_key(sid)) as f:
            assert sid not in f.read()
    finally:
        remove_tree(folder)


async def test_a_save_leaves_no_temporary_file_even_when_it_fails():
    folder = temp_dir()
    try:
        store = FileStore(folder)
        sid = new_session_id()
        await store.save(sid, {"n": 1}, 60)
        try:
            await store.save(sid, {"bad": object()}, 60)
        except TypeError:
            pass
        assert os.listdir(folder) == [storage_key(sid)]
        assert await store.load(sid) == {"n": 1}
    finally:
        remove_tree(folder)


async def test_unreadable_files_give_no_session():
    folder = temp_dir()
    try:
        store = FileStore(folder)
        sid = new_session_id()
        path = folder + "/" + storage_key(sid)
        for text in ("", "garbage", "99999999999999\n{bad json", "99999999999999\n[1]",
                     "+99999999999999\n{}", "\u0661\n{}", "99999999999999"):
            with open(path, "w") as f:
                f.write(text)
            assert await store.load(sid) is None, text
    finally:
        remove_tree(folder)


async def test_purge_removes_expired_unreadable_and_stale_temporary_files_only():
    folder = temp_dir()
    clock = FakeClock()
    try:
        store = FileStore(folder, purge_every=0, clock=clock)
        old, new = new_session_id(), new_session_id()
        await store.save(old, {"o": 1}, 10)
        await store.save(new, {"n": 1}, 1000)
        junk = folder + "/" + storage_key(new_session_id())
        stale_temp = folder + "/" + storage_key(new_session_id()) + ".AAAAAAAA.tmp"
        for path, text in ((junk, "junk"), (stale_temp, "1\n{}"), (folder + "/README", "mine")):
            with open(path, "w") as f:
                f.write(text)
        fresh_temp = stale_temp.replace("AAAAAAAA", "BBBBBBBB")
        with open(fresh_temp, "w") as f:
            f.write("1\n{}")
        if hasattr(os, "utime"):  # CPython: age one; MicroPython cannot
            os.utime(stale_temp, (1, 1))
        else:
            os.remove(stale_temp)
        await clock.advance(20)
        store.purge()
        # Temporary files' age is read on the real clock: the fresh one stays.
        assert sorted(os.listdir(folder)) == sorted([storage_key(new), "README", fresh_temp.split("/")[-1]])
        assert await store.load(new) == {"n": 1}
    finally:
        remove_tree(folder)


async def test_saves_purge_every_so_often():
    folder = temp_dir()
    clock = FakeClock()
    try:
        store = FileStore(folder, purge_every=3, clock=clock)
        await store.save(new_session_id(), {}, 1)
        await clock.advance(5)
        await store.save(new_session_id(), {}, 100)
        assert len(os.listdir(folder)) == 2
        await store.save(new_session_id(), {}, 100)
        assert len(os.listdir(folder)) == 2
    finally:
        remove_tree(folder)


def test_file_store_needs_a_folder():
    folder = temp_dir()
    try:
        with open(folder + "/file", "w") as f:
            f.write("x")
        try:
            FileStore(folder + "/file")
        except OSError:
            pass
        else:
            assert False, "a file was taken for a folder"
        FileStore(folder)  # an existing folder is fine
    finally:
        remove_tree(folder)

"""SqliteStore (CPython): the store contract, sessions shared between two
processes through one file, and a locked database that does not stall the
event loop."""

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "portable"))
from store_contract import DATA, FakeClock, RealClock, run_all  # noqa: E402

from picoweb_plugins.sessions.store import new_session_id, storage_key  # noqa: E402
from picoweb_plugins.sessions.store_sqlite import SqliteStore  # noqa: E402

ROOT = os.path.dirname(HERE)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


def query(path, sql):
    """Rows of `sql` on the database at `path`, through a connection closed
    at once (an open one would hold a descriptor into later tests)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def test_sqlite_store_keeps_the_contract(tmp_path):
    clock = FakeClock()
    paths = iter(range(100))
    run(run_all(lambda: SqliteStore(str(tmp_path / ("s%d.db" % next(paths))), clock=clock), clock))


def test_sqlite_store_keeps_the_contract_on_the_real_clock(tmp_path):
    run(run_all(lambda: SqliteStore(str(tmp_path / "sessions.db")), RealClock()))


def test_rows_hold_hashed_keys_and_no_id(tmp_path):
    path = str(tmp_path / "s.db")

    async def main():
        store = SqliteStore(path)
        sid = new_session_id()
        await store.save(sid, DATA, 60)
        await store.close()
        return sid

    sid = run(main())
    rows = query(path, "SELECT key, data FROM picoweb_sessions")
    assert [row[0] for row in rows] == [storage_key(sid)]
    assert sid not in rows[0][1]


def test_purge_deletes_expired_rows(tmp_path):
    path = str(tmp_path / "s.db")
    clock = FakeClock()

    async def main():
        store = SqliteStore(path, purge_every=3, clock=clock)
        await store.save(new_session_id(), {}, 1)
        await store.save(new_session_id(), {}, 100)
        await clock.advance(5)
        await store.save(new_session_id(), {}, 100)  # the third save purges
        await store.close()

    run(main())
    assert query(path, "SELECT COUNT(*) FROM picoweb_sessions") == [(2,)]


def test_a_session_saved_by_one_process_is_read_by_another(tmp_path):
    path = str(tmp_path / "shared.db")
    sid = new_session_id()
    script = (
        "import asyncio, sys\n"
        "from picoweb_plugins.sessions.store_sqlite import SqliteStore\n"
        "async def main():\n"
        "    store = SqliteStore(sys.argv[1])\n"
        "    await store.save(sys.argv[2], {'from': 'other process'}, 60)\n"
        "    await store.close()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", script, path, sid], cwd=ROOT, check=True, timeout=30)

    async def main():
        store = SqliteStore(path)
        try:
            return await store.load(sid)
        finally:
            await store.close()

    assert run(main()) == {"from": "other process"}


def test_a_locked_database_does_not_stall_the_event_loop(tmp_path):
    path = str(tmp_path / "locked.db")
    async def create_schema():
        store = SqliteStore(path)
        await store.purge()
        await store.close()

    run(create_schema())
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    ticks = []

    async def ticker():
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    async def main():
        store = SqliteStore(path, timeout=0.5)
        task = asyncio.ensure_future(ticker())
        started = time.monotonic()
        try:
            await store.save(new_session_id(), {}, 60)
        except sqlite3.OperationalError as e:
            error = e
        else:
            error = None
        waited = time.monotonic() - started
        task.cancel()
        await store.close()
        return error, waited

    try:
        error, waited = run(main())
    finally:
        blocker.rollback()
        blocker.close()
    assert error is not None and "locked" in str(error)
    assert waited >= 0.4
    # The loop kept turning while the save waited for the lock.
    assert len(ticks) >= 20
    assert max(b - a for a, b in zip(ticks, ticks[1:])) < 0.2

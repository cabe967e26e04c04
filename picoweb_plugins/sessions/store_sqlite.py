"""SqliteStore: sessions in an SQLite database file (CPython), shared by
every process on the machine that opens the same file.

sqlite3 blocks: a write waits for the disk, and for up to `timeout`
seconds for another process's lock. So every call runs on one thread of
this store's own (a one-worker executor), which owns the connection; the
event loop only awaits the result and keeps serving meanwhile.
"""

import time

from .data import dump_data, load_data
from .store import expiry_ms, is_session_id, now_ms, storage_key

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS picoweb_sessions ("
    "key TEXT PRIMARY KEY, expires INTEGER NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS picoweb_sessions_expires ON picoweb_sessions (expires)",
)


class SqliteStore:
    """Sessions in the SQLite file at `path`. Expired rows are never
    returned, deleted when read, and all of them every `purge_every` saves."""

    def __init__(self, path, timeout=5.0, purge_every=100, clock=time.time):
        import concurrent.futures

        self.path = path
        self.timeout = timeout
        self.purge_every = purge_every
        self.clock = clock
        self._saves = 0
        self._connection = None
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="picoweb-sqlite")

    async def _run(self, function, *args):
        import asyncio

        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def _db(self):
        # Runs on the store's thread only, which is why the connection is
        # made there (sqlite3 connections stay on their thread by default).
        if self._connection is None:
            import sqlite3

            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
            for statement in _SCHEMA:
                connection.execute(statement)
            self._connection = connection
        return self._connection

    def _load(self, key):
        db = self._db()
        row = db.execute("SELECT expires, data FROM picoweb_sessions WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        if row[0] <= now_ms(self.clock):
            db.execute("DELETE FROM picoweb_sessions WHERE key = ? AND expires = ?", (key, row[0]))
            return None
        return load_data(row[1])

    def _save(self, key, expires, text, purge):
        db = self._db()
        db.execute("INSERT OR REPLACE INTO picoweb_sessions (key, expires, data) VALUES (?, ?, ?)",
                   (key, expires, text))
        if purge:
            self._purge()

    def _purge(self):
        self._db().execute("DELETE FROM picoweb_sessions WHERE expires <= ?", (now_ms(self.clock),))

    def _delete(self, key):
        self._db().execute("DELETE FROM picoweb_sessions WHERE key = ?", (key,))

    def _close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def load(self, sid):
        if not is_session_id(sid):
            return None
        return await self._run(self._load, storage_key(sid))

    async def save(self, sid, data, max_age):
        if not is_session_id(sid):
            raise ValueError("not a session id from new_session_id()")
        expires = expiry_ms(self.clock, max_age)
        text = dump_data(data)
        self._saves += 1
        purge = bool(self.purge_every) and self._saves % self.purge_every == 0
        await self._run(self._save, storage_key(sid), expires, text, purge)

    async def delete(self, sid):
        if is_session_id(sid):
            await self._run(self._delete, storage_key(sid))

    async def purge(self):
        """Delete every expired session now."""
        await self._run(self._purge)

    async def close(self):
        await self._run(self._close)
        self._executor.shutdown(wait=False)

"""BtreeStore: sessions in one MicroPython `btree` database file, for the
board builds that have the module (ESP32 and ESP8266 do; the unix port
from the package index does not). One file, however many sessions, and
lookups by key without reading the others."""

import time

from .data import dump_data, load_data
from .store import expiry_ms, is_session_id, now_ms, pack_entry, storage_key, unpack_entry


class BtreeStore:
    """Sessions in the btree file at `path` (made if missing). Expired
    entries are removed when read, and all of them every `purge_every` saves."""

    def __init__(self, path, purge_every=100, clock=time.time):
        import btree

        try:
            self._file = open(path, "r+b")
        except OSError:
            self._file = open(path, "w+b")
        self._db = btree.open(self._file)
        self.purge_every = purge_every
        self.clock = clock
        self._saves = 0

    def _entry(self, key):
        value = self._db.get(key)
        if value is None:
            return None
        try:
            return unpack_entry(value.decode())
        except UnicodeError:
            return None

    async def load(self, sid):
        if not is_session_id(sid):
            return None
        key = storage_key(sid).encode()
        entry = self._entry(key)
        if entry is None:
            return None
        if entry[0] <= now_ms(self.clock):
            self._remove(key)
            self._db.flush()
            return None
        return load_data(entry[1])

    async def save(self, sid, data, max_age):
        if not is_session_id(sid):
            raise ValueError("not a session id from new_session_id()")
        entry = pack_entry(expiry_ms(self.clock, max_age), dump_data(data))
        self._db[storage_key(sid).encode()] = entry.encode()
        self._saves += 1
        if self.purge_every and self._saves % self.purge_every == 0:
            self.purge()
        self._db.flush()

    def _remove(self, key):
        try:
            del self._db[key]
        except KeyError:
            pass

    async def delete(self, sid):
        if is_session_id(sid):
            self._remove(storage_key(sid).encode())
            self._db.flush()

    def purge(self):
        """Remove every expired or unreadable entry."""
        now = now_ms(self.clock)
        stale = []
        for key in self._db:
            entry = self._entry(key)
            if entry is None or entry[0] <= now:
                stale.append(key)
        for key in stale:
            self._remove(key)
        self._db.flush()

    async def close(self):
        self._db.close()
        self._file.close()

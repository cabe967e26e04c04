"""The session store interface, the helpers every store shares, and
MemoryStore, the smallest store (one process, gone on restart).

A store keeps session data on the server under an id the client holds in
its cookie. Every store has these coroutines:

    await store.load(sid)                  # the dict saved under sid, or None
                                           # (unknown, expired or unreadable)
    await store.save(sid, data, max_age)   # data: a dict of JSON values; kept
                                           # max_age (> 0) seconds from now
    await store.delete(sid)                # an unknown sid is no error
    await store.close()                    # release files, threads, sockets

Each store enforces expiry itself: load() never returns data older than
its max_age, whatever the browser does with the cookie. Ids come from
new_session_id(); load() answers None to anything else without looking.
Stores index sessions by storage_key(sid), a hash, so a copy of the store
(a backup, a leaked database) holds no id a client could present.
"""

import binascii
import hashlib
import time

from .crypto import b64url_decode, is_decimal, random_token
from .data import dump_data, load_data

SESSION_ID_BYTES = 32  # 256 random bits: unguessable, and never the same twice
SESSION_ID_LENGTH = 43  # characters of b64url for those bytes


def new_session_id():
    """A fresh random session id (url-safe text, 256 bits from os.urandom)."""
    return random_token(SESSION_ID_BYTES)


def is_session_id(sid):
    """True when `sid` has the shape new_session_id() gives (43 b64url
    characters): checked before an id reaches a file name or a query."""
    if not isinstance(sid, str) or len(sid) != SESSION_ID_LENGTH:
        return False
    try:
        b64url_decode(sid)
    except ValueError:
        return False
    return True


def storage_key(sid):
    """The key a store files the session `sid` under: SHA-256 of it, in hex."""
    return binascii.hexlify(hashlib.sha256(sid.encode()).digest()).decode()


def now_ms(clock):
    """The clock's time in integer milliseconds. Integers, because boards
    with single-precision floats cannot hold today's time in seconds to the
    second as a float (their time.time() gives an int)."""
    return int(clock() * 1000)


def check_max_age(max_age):
    """Raise ValueError unless `max_age` is a whole number of seconds above 0."""
    if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age <= 0:
        raise ValueError("max_age must be a positive whole number of seconds")


def expiry_ms(clock, max_age):
    """When data saved now with `max_age` seconds expires, in milliseconds."""
    check_max_age(max_age)
    return now_ms(clock) + max_age * 1000


def pack_entry(expires, text):
    """A stored session as one string: expiry (ms), a newline, the JSON."""
    return "%d\n%s" % (expires, text)


def unpack_entry(entry):
    """(expires in ms, JSON text) from pack_entry()'s string, or None."""
    expires, newline, text = entry.partition("\n")
    if not newline or not is_decimal(expires):
        return None
    return int(expires), text


def embedded_store(folder):
    """The server-side store that needs no server, in `folder` (made if
    missing; on MicroPython its parent must exist): SqliteStore on CPython
    (one file, shared by the processes of a machine), FileStore on MicroPython."""
    import sys

    if sys.implementation.name == "micropython":
        from .store_files import FileStore

        return FileStore(folder)
    import os

    os.makedirs(folder, exist_ok=True)
    from .store_sqlite import SqliteStore

    return SqliteStore(folder + "/sessions.sqlite3")


class MemoryStore:
    """Sessions in this process's memory: for tests, development and boards
    without a writable file system. At most `max_sessions` are kept; past
    that the one closest to expiry makes room."""

    def __init__(self, max_sessions=1000, clock=time.time):
        self.max_sessions = max_sessions
        self.clock = clock
        self.sessions = {}  # storage key -> (expires in ms, JSON text)

    async def load(self, sid):
        if not is_session_id(sid):
            return None
        key = storage_key(sid)
        entry = self.sessions.get(key)
        if entry is None:
            return None
        if entry[0] <= now_ms(self.clock):
            del self.sessions[key]
            return None
        return load_data(entry[1])

    async def save(self, sid, data, max_age):
        if not is_session_id(sid):
            raise ValueError("not a session id from new_session_id()")
        entry = (expiry_ms(self.clock, max_age), dump_data(data))
        key = storage_key(sid)
        if key not in self.sessions and len(self.sessions) >= self.max_sessions:
            self._make_room()
        self.sessions[key] = entry

    def _make_room(self):
        now = now_ms(self.clock)
        for key in [key for key, entry in self.sessions.items() if entry[0] <= now]:
            del self.sessions[key]
        if len(self.sessions) >= self.max_sessions:
            soonest = min(self.sessions, key=lambda key: self.sessions[key][0])
            del self.sessions[soonest]

    async def delete(self, sid):
        if is_session_id(sid):
            self.sessions.pop(storage_key(sid), None)

    async def close(self):
        self.sessions = {}

"""FileStore: one small file per session in a folder; no server, no
module beyond `os`, so it runs on CPython and on MicroPython boards.

A file is named by the session's storage key (64 hex digits, never the id
itself) and holds its expiry in milliseconds, a newline, then the data as
JSON. Writes go to a temporary file first and are renamed over the old one,
so a reader (or a crash) never sees half a session. Calls are plain file
I/O of a few hundred bytes, done in the event loop: that is far below a
millisecond on a local disk or flash.
"""

import os
import time

from .crypto import random_token
from .data import dump_data, load_data
from .store import expiry_ms, is_session_id, now_ms, pack_entry, storage_key, unpack_entry

_TEMP_SUFFIX = ".tmp"
_STALE_TEMP_S = 60  # a temporary file this old was left by a crash mid-write
_KEY_LENGTH = 64


def _is_storage_key(name):
    # strip() leaves what is no lowercase hex digit (a loop over the str
    # would not do: MicroPython interns each character a loop or an index takes out of a str, for good).
    return len(name) == _KEY_LENGTH and not name.strip("0123456789abcdef")


class FileStore:
    """Sessions as files in `folder` (made if missing; its parent must
    exist). Expired files are removed when read, and all of them every
    `purge_every` saves."""

    def __init__(self, folder, purge_every=100, clock=time.time):
        self.folder = folder.rstrip("/") or "/"
        self.purge_every = purge_every
        self.clock = clock
        self._saves = 0
        try:
            os.mkdir(self.folder)
        except OSError:
            if not self._is_folder(self.folder):
                raise

    @staticmethod
    def _is_folder(path):
        try:
            return os.stat(path)[0] & 0x4000 != 0
        except OSError:
            return False

    def _path(self, sid):
        return self.folder + "/" + storage_key(sid)

    def _read(self, path):
        """(expires in ms, JSON text) of a session file, or None."""
        try:
            with open(path) as f:
                return unpack_entry(f.read())
        except (OSError, UnicodeError):
            return None

    async def load(self, sid):
        if not is_session_id(sid):
            return None
        path = self._path(sid)
        entry = self._read(path)
        if entry is None:
            return None
        if entry[0] <= now_ms(self.clock):
            self._remove(path)
            return None
        return load_data(entry[1])

    async def save(self, sid, data, max_age):
        if not is_session_id(sid):
            raise ValueError("not a session id from new_session_id()")
        text = pack_entry(expiry_ms(self.clock, max_age), dump_data(data))
        path = self._path(sid)
        temp = "%s.%s%s" % (path, random_token(6), _TEMP_SUFFIX)
        try:
            with open(temp, "w") as f:
                f.write(text)
            self._replace(temp, path)
        except BaseException:
            self._remove(temp)
            raise
        self._saves += 1
        if self.purge_every and self._saves % self.purge_every == 0:
            self.purge()

    @staticmethod
    def _replace(source, target):
        try:
            os.rename(source, target)
        except OSError:
            # FAT on boards refuses to rename onto an existing file.
            FileStore._remove(target)
            os.rename(source, target)

    @staticmethod
    def _remove(path):
        try:
            os.remove(path)
        except OSError:
            pass

    async def delete(self, sid):
        if is_session_id(sid):
            self._remove(self._path(sid))

    def purge(self):
        """Remove every expired or unreadable session file and every
        temporary file a crash left behind; other files are left alone."""
        now = now_ms(self.clock)
        for name in os.listdir(self.folder):
            path = self.folder + "/" + name
            if _is_storage_key(name):
                session = self._read(path)
                if session is None or session[0] <= now:
                    self._remove(path)
            elif name.endswith(_TEMP_SUFFIX) and _is_storage_key(name[:_KEY_LENGTH]):
                # File times come from the real clock, whatever self.clock is.
                try:
                    modified = os.stat(path)[8]
                except OSError:
                    continue
                if modified < time.time() - _STALE_TEMP_S:
                    self._remove(path)

    async def close(self):
        pass

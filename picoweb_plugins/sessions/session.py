"""Session: one client's session data, dict-like, that knows whether it was
read (the response then depends on the cookie) and whether it changed (it
is then saved)."""


class Session:
    """Session data, used as a dict: `session["user"] = 7`.

    A change inside a value (appending to a list it holds) is not seen:
    assign the value again, or set `session.modified = True`.
    """

    def __init__(self, data=None, sid=None):
        self._data = {} if data is None else data
        self.sid = sid  # the id a server-side store holds it under (None: not saved yet)
        self.discarded_sid = None  # an id to delete from the store on the next save
        self.accessed = False
        self.modified = False
        self.loaded_by = None  # the Sessions plugin that loaded it for this request

    def _read(self):
        self.accessed = True
        return self._data

    def _write(self):
        self.accessed = self.modified = True
        return self._data

    def __getitem__(self, key):
        return self._read()[key]

    def __contains__(self, key):
        return key in self._read()

    def __iter__(self):
        return iter(list(self._read()))

    def __len__(self):
        return len(self._read())

    def __bool__(self):
        return bool(self._read())

    def __repr__(self):
        return "<Session %r>" % (self._data,)

    def get(self, key, default=None):
        return self._read().get(key, default)

    def keys(self):
        return list(self._read().keys())

    def values(self):
        return list(self._read().values())

    def items(self):
        return list(self._read().items())

    def to_dict(self):
        """A copy of the data (for a store or the cookie codec)."""
        return dict(self._read())

    def __setitem__(self, key, value):
        self._write()[key] = value

    def __delitem__(self, key):
        del self._write()[key]

    def setdefault(self, key, default=None):
        if key in self._read():
            return self._data[key]
        self._write()[key] = default
        return default

    def pop(self, key, *default):
        if key not in self._read():
            if default:
                return default[0]
            raise KeyError(key)
        return self._write().pop(key)

    def update(self, *args, **kwargs):
        self._write().update(*args, **kwargs)

    def clear(self):
        """Drop all data and the id: on logout. With a server-side store the
        old id stops working at the next save."""
        self._write().clear()
        self._discard_id()

    def regenerate(self):
        """Keep the data under a new id: on login, so an id an attacker
        planted before it (session fixation) is worth nothing after it."""
        self._write()
        self._discard_id()

    def _discard_id(self):
        if self.sid is not None:
            self.discarded_sid = self.sid
            self.sid = None

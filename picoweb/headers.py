"""A small case-insensitive header mapping shared by requests and responses."""

from .http1 import check_header_name, check_header_text


class Headers:
    """Header names map to str values, looked up without regard to case.

    `add()` keeps repeated headers (Set-Cookie); `h[name]` joins repeats
    with ", " and `getlist(name)` returns them all.
    """

    def __init__(self, items=None):
        self._values = {}  # lowercase name -> value, or list of values
        self._names = {}  # lowercase name -> name as first given
        if items:
            if hasattr(items, "items"):
                items = items.items()
            for name, value in items:
                self.add(name, value)

    @classmethod
    def from_parsed(cls, values):
        """Wrap a dict already keyed by lowercase names (the parser's output)."""
        headers = cls()
        headers._values = values
        return headers

    def __setitem__(self, name, value):
        # Refused here, a CR or LF fails the line that set it, not the send.
        key = check_header_name(name).lower()
        self._values[key] = check_header_text(str(value))
        self._names[key] = name

    def _set_known(self, key, name, value):
        """Set a header the framework itself chose: `key` is name.lower(),
        and neither holds anything to check (the per-response hot path)."""
        self._values[key] = value
        self._names[key] = name

    def add(self, name, value):
        """Add a value, keeping any earlier ones for the same name."""
        key = check_header_name(name).lower()
        value = check_header_text(str(value))
        old = self._values.get(key)
        if old is None:
            self._values[key] = value
            self._names[key] = name
        elif isinstance(old, list):
            old.append(value)
        else:
            self._values[key] = [old, value]

    def __getitem__(self, name):
        value = self._values[name.lower()]
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def get(self, name, default=None):
        value = self._values.get(name.lower())
        if value is None:
            return default
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def getlist(self, name):
        value = self._values.get(name.lower())
        if value is None:
            return []
        if isinstance(value, list):
            return list(value)
        return [value]

    def setdefault(self, name, value):
        if name.lower() not in self._values:
            self[name] = value
        return self[name]

    def pop(self, name, default=None):
        key = name.lower()
        self._names.pop(key, None)
        value = self._values.pop(key, None)
        if value is None:
            return default
        return ", ".join(value) if isinstance(value, list) else value

    def __delitem__(self, name):
        key = name.lower()
        del self._values[key]
        self._names.pop(key, None)

    def __contains__(self, name):
        return name.lower() in self._values

    def __len__(self):
        return len(self._values)

    def __iter__(self):
        for key in self._values:
            yield self._names.get(key, key)

    def keys(self):
        return list(self)

    def items(self):
        """(name, value) pairs; a repeated header yields one pair per value."""
        names = self._names
        for key, value in self._values.items():
            name = names.get(key, key)
            if isinstance(value, list):
                for one in value:
                    yield name, one
            else:
                yield name, value

    def __repr__(self):
        return "Headers(%r)" % list(self.items())

"""MultiDict: a query string's or a form's fields, where one name may
carry several values.

Imported on first use (`req.args`, the forms plugin), not with the core.
"""

from .compat import IS_MICROPYTHON
from .errors import HTTPError

if IS_MICROPYTHON:

    class MissingField(HTTPError):
        """A field the client left out: 400 unless caught (on MicroPython,
        where no class may be both, it is no KeyError: test `name in form`)."""

else:

    class MissingField(HTTPError, KeyError):
        """A field the client left out: 400 unless caught; a KeyError too."""


class MultiDict:
    """Keys map to lists of values, kept in the order they arrived.

    `form[k]` and `get(k)` give the first value, `getlist(k)` all of them;
    `items()` yields every (key, value) pair, repeats included. A missing
    `form[k]` raises MissingField: the client left it out, a 400 whose
    message is `missing` (with the key).
    """

    missing = "missing form field %r"

    def __init__(self, pairs=None):
        self._pairs = []  # (key, value) in arrival order: MicroPython dicts are unordered
        self._values = {}  # key -> [value, ...]
        if pairs:
            if hasattr(pairs, "items"):
                pairs = pairs.items()
            for key, value in pairs:
                self.add(key, value)

    def add(self, key, value):
        """Append a value for `key`, keeping the earlier ones."""
        self._pairs.append((key, value))
        values = self._values.get(key)
        if values is None:
            self._values[key] = [value]
        else:
            values.append(value)

    def __getitem__(self, key):
        values = self._values.get(key)
        if values is None:
            raise MissingField(400, self.missing % (key,))
        return values[0]

    def __setitem__(self, key, value):
        """Replace every value of `key` with this one."""
        if key in self._values:
            self._pairs = [pair for pair in self._pairs if pair[0] != key]
        self._pairs.append((key, value))
        self._values[key] = [value]

    def get(self, key, default=None):
        values = self._values.get(key)
        return values[0] if values else default

    def getlist(self, key):
        """Every value of `key` in arrival order; [] when there is none."""
        return list(self._values.get(key, ()))

    def __contains__(self, key):
        return key in self._values

    def __len__(self):
        return len(self._values)

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        """Distinct keys in the order each first arrived."""
        seen = set()
        keys = []
        for key, _ in self._pairs:
            if key not in seen:
                seen.add(key)
                keys.append(key)
        return keys

    def values(self):
        """Every value, repeats included."""
        return [value for _, value in self._pairs]

    def items(self):
        """Every (key, value) pair, repeats included, in arrival order."""
        return list(self._pairs)

    def to_dict(self):
        """A plain dict of each key's first value."""
        return {key: values[0] for key, values in self._values.items()}

    def __eq__(self, other):
        if isinstance(other, MultiDict):
            return self._pairs == other._pairs
        return NotImplemented

    def __repr__(self):
        return "MultiDict(%r)" % self._pairs

"""Route patterns matched by string search instead of a regex, for
MicroPython: its re recurses once per character a group matches, so a
path of ~1,000 characters overflowed the unix port's stack (a board's
far sooner) and the connection dropped unanswered. picoweb.patterns
compiles to this there; CPython keeps its regexes.

Imported with the first "<param>" route, on MicroPython only.
"""

_DIGITS = "0123456789"


class SplitPattern:
    """Matches as the regex of picoweb.patterns.compile_pattern() would:
    each parameter takes as much as its kind allows (a str stops at "/",
    an int at a non-digit, a path at nothing), then gives back until the
    rest of the pattern fits. Recursion is one level per parameter."""

    def __init__(self, pieces):
        # [literal, kind, literal, kind, ..., literal]: literals may be "".
        self.pieces = pieces

    def match(self, path):
        """A match object (group(0) the path, group(i) the i-th value), or None."""
        first = self.pieces[0]
        if not path.startswith(first):
            return None
        values = []
        if self._match_from(path, len(first), 1, values):
            return SplitMatch(path, values)
        return None

    def _match_from(self, path, start, index, values):
        pieces = self.pieces
        kind = pieces[index]
        after = pieces[index + 1]
        stop = _run_end(kind, path, start)  # where the longest value would end
        if stop <= start:
            return False  # every kind takes one character at least
        if index + 2 == len(pieces):
            # The last parameter: it ends where the closing literal begins.
            end = len(path) - len(after)
            if end <= start or end > stop or not path.endswith(after):
                return False
            values.append(path[start:end])
            return True
        # Try each place the next literal begins, the furthest first.
        end = stop
        while end > start:
            end = path.rfind(after, start + 1, end + len(after))
            if end < 0:
                return False
            values.append(path[start:end])
            if self._match_from(path, end + len(after), index + 2, values):
                return True
            values.pop()
            end -= 1
        return False


def _run_end(kind, path, start):
    if kind == "str":
        stop = path.find("/", start)
        return len(path) if stop < 0 else stop
    if kind == "int":
        # lstrip(), not path[i]: an index into a str interns the character
        # on MicroPython, for good, and paths are a client's.
        rest = path[start:]
        return start + len(rest) - len(rest.lstrip(_DIGITS))
    return len(path)


class SplitMatch:
    """What SplitPattern.match() found: group(0) the path, group(i) a value."""

    def __init__(self, path, values):
        self.path = path
        self.values = values

    def group(self, index=0):
        return self.values[index - 1] if index else self.path

"""RESP2, the protocol Redis speaks, without I/O: a command to bytes, and
bytes from the server to one reply at a time (or "need more")."""

MAX_LINE = 64 * 1024  # bytes of a status, error or length line
MAX_BULK = 1024 * 1024  # bytes of one string reply: sessions are small
MAX_ITEMS = 1024  # elements of one array reply
MAX_DEPTH = 4  # arrays inside arrays; our commands get none


class RedisError(Exception):
    """The server answered a command with an error reply ("-ERR ...")."""


class ProtocolError(Exception):
    """The server sent something that is not RESP2 within our limits."""


def _argument(value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    raise TypeError("a Redis argument must be bytes, str or int, not %s" % type(value).__name__)


def encode_command(args):
    """The bytes that send the command `args` (a list of bytes, str or int)."""
    parts = [b"*%d\r\n" % len(args)]
    for value in args:
        value = _argument(value)
        parts.append(b"$%d\r\n" % len(value))
        parts.append(value)
        parts.append(b"\r\n")
    return b"".join(parts)


def _integer(line):
    text = line[1:] if line[:1] == b"-" else line
    if not text or len(text) > 19 or not text.isdigit():
        raise ProtocolError("bad number %r" % (bytes(line),))
    return int(line)


def _text(line):
    try:
        return line.decode()
    except UnicodeError:
        raise ProtocolError("reply line is not UTF-8")


def parse_reply(buffer, start=0, depth=0):
    """Parse one reply from `buffer` at `start`: `(value, end)`, or None
    when the buffer does not hold all of it yet.

    Values: status replies as str, errors as a RedisError instance (returned,
    not raised: the stream stays in step), integers, bulk strings as bytes,
    arrays as lists, nil as None. Anything else raises ProtocolError.
    """
    line_end = buffer.find(b"\r\n", start)
    if line_end < 0:
        if len(buffer) - start > MAX_LINE:
            raise ProtocolError("reply line too long")
        return None
    if line_end - start > MAX_LINE:
        raise ProtocolError("reply line too long")
    kind = buffer[start:start + 1]
    line = bytes(buffer[start + 1:line_end])
    end = line_end + 2
    if kind == b"+":
        return _text(line), end
    if kind == b"-":
        return RedisError(_text(line)), end
    if kind == b":":
        return _integer(line), end
    if kind == b"$":
        length = _integer(line)
        if length == -1:
            return None, end
        if length < 0 or length > MAX_BULK:
            raise ProtocolError("bulk reply of %d bytes" % length)
        if len(buffer) < end + length + 2:
            return None
        if buffer[end + length:end + length + 2] != b"\r\n":
            raise ProtocolError("bulk reply not ended by CRLF")
        return bytes(buffer[end:end + length]), end + length + 2
    if kind == b"*":
        count = _integer(line)
        if count == -1:
            return None, end
        if count < 0 or count > MAX_ITEMS:
            raise ProtocolError("array reply of %d items" % count)
        if depth >= MAX_DEPTH:
            raise ProtocolError("array replies nested too deep")
        items = []
        for _ in range(count):
            parsed = parse_reply(buffer, end, depth + 1)
            if parsed is None:
                return None
            items.append(parsed[0])
            end = parsed[1]
        return items, end
    raise ProtocolError("unknown reply type %r" % (bytes(kind),))

"""Chunked request bodies (RFC 9112 section 7.1), decoded as they arrive.

Imported on the first chunked body: most requests have a Content-Length
or no body, and their apps need not hold this code.
"""

from .errors import HTTPError
from .http1 import HEX_DIGITS


class ChunkedDecoder:
    """Decode a chunked body fed in pieces (RFC 9112 section 7.1).

    `next_data(buf, size)` consumes from the bytearray `buf` and returns at
    most `size` body bytes, b"" when it needs more input, or None once the
    body has ended. `max_line` bounds a chunk-size or trailer line (400
    past it), `max_trailers` the trailer lines (431): see Limits.
    """

    def __init__(self, max_line, max_trailers):
        self.max_line = max_line
        self.max_trailers = max_trailers
        self.remaining = 0  # bytes left in the current chunk
        self.state = "size"  # size, data, data-end, trailer, done
        self.trailers = 0

    def next_data(self, buf, size):
        while True:
            state = self.state
            if state == "data":
                if not buf:
                    return b""
                take = min(self.remaining, len(buf), size)
                data = bytes(buf[:take])
                buf[:take] = b""
                self.remaining -= take
                if not self.remaining:
                    self.state = "data-end"
                return data
            if state == "done":
                return None
            line = self._take_line(buf)
            if line is None:
                return b""
            if state == "size":
                self.remaining = _parse_chunk_size(line)
                self.state = "data" if self.remaining else "trailer"
            elif state == "data-end":
                if line:
                    raise HTTPError(400, "chunk longer than its size")
                self.state = "size"
            elif not line:  # the blank line after any trailers
                self.state = "done"
            else:
                self.trailers += 1
                if self.trailers > self.max_trailers:
                    raise HTTPError(431, "too many trailer fields")

    def _take_line(self, buf):
        end = buf.find(b"\n")
        if end > self.max_line or (end < 0 and len(buf) > self.max_line):
            raise HTTPError(400, "chunk line too long")
        if end < 0:
            return None
        if buf[end - 1:end] != b"\r":
            # Unlike the head, chunk lines must end in CRLF (RFC 9112 7.1): a
            # proxy that splits them differently could smuggle a request.
            raise HTTPError(400, "chunk line without CRLF")
        line = bytes(buf[:end - 1])
        buf[:end + 1] = b""
        return line


def _parse_chunk_size(line):
    size = line.split(b";", 1)[0].strip(b" \t")
    if not size or len(size) > 15:
        raise HTTPError(400, "malformed chunk size")
    for byte in size:
        if byte not in HEX_DIGITS:
            raise HTTPError(400, "malformed chunk size")
    return int(size, 16)
